"""What every page needs to know about payments; reads settings only, never the database."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def payments_sandbox(request: HttpRequest) -> dict[str, Any]:
    """`payments_sandbox`: the test bank is on, so every page says «Тестовый режим оплаты»."""
    return {"payments_sandbox": bool(settings.PAYMENTS_SANDBOX)}
