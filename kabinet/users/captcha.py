"""A self-hosted CAPTCHA: a sum written in words, asked after repeated failed sign-ins.

No outside service is reachable, and a question in words reads aloud for screen readers, which
a distorted picture does not. The answer lives in the session and serves one try.
"""

import secrets

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils.translation import gettext as _

SESSION_KEY = "captcha_answer"
WORDS = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]


def failed_sign_ins(request: HttpRequest) -> int:
    """Failed sign-ins from this address, as django-axes counted them (any login)."""
    ip = get_client_ip_address(request)
    total = AccessAttempt.objects.filter(ip_address=ip).aggregate(n=Sum("failures_since_start"))
    return total["n"] or 0


def required(request: HttpRequest) -> bool:
    return failed_sign_ins(request) >= settings.CAPTCHA_AFTER_FAILURES


def new_question(request: HttpRequest) -> str:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(10)
    request.session[SESSION_KEY] = a + b
    return _("Сколько будет %(a)s плюс %(b)s? Ответ цифрами") % {"a": WORDS[a], "b": WORDS[b]}


def check(request: HttpRequest, answer: str | int | None) -> bool:
    expected = request.session.pop(SESSION_KEY, None)
    return expected is not None and str(answer).strip() == str(expected)
