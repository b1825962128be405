"""Reading codes the way a person does: from the e-mail or the SMS that arrived."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core import mail
from django.test import Client

from kabinet.accounts.tests.factories import PASSWORD

STRONG = "Zelenaya-Vetka-77"
__all__ = ["PASSWORD", "STRONG"]


def code_from_email(index: int = -1) -> str:
    message = mail.outbox[index]
    match = re.search(r"код подтверждения: (\d+)", str(message.body))
    assert match, message.body
    return match.group(1)


def sms_messages(directory: Path) -> list[dict[str, str]]:
    return [json.loads(p.read_text("utf-8")) for p in sorted(directory.glob("*.json"))]


def code_from_sms(directory: Path, index: int = -1) -> str:
    text = sms_messages(directory)[index]["text"]
    match = re.search(r"код подтверждения (\d+)", text)
    assert match, text
    return match.group(1)


def post(client: Client, capture: Callable[..., Any], url: str, data: dict[str, Any]) -> Any:
    """POST and run what the view queued for after its commit (e-mail, SMS)."""
    with capture(execute=True):
        return client.post(url, data)
