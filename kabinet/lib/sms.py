"""Sending SMS through a small backend interface chosen by settings.SMS_BACKEND.

- ``console``: prints the message to standard output (development; like Django's console e-mail).
- ``file``: writes one JSON file ``{"to": ..., "text": ...}`` per message into SMS_FILE_DIR.
- ``smsru``: the SMS.ru HTTP API (SMS_API_URL, SMS_API_KEY, SMS_SENDER) through kabinet.lib.http.
- a dotted path to any class with ``send(to, text)``.

Nothing here logs a phone number or a message text: both are personal data.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Protocol, TextIO

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from kabinet.lib import http


class SmsError(Exception):
    """The provider refused the message or could not be reached; the job queue retries."""


class SmsBackend(Protocol):
    def send(self, to: str, text: str) -> None: ...


class ConsoleBackend:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def send(self, to: str, text: str) -> None:
        self.stream.write(f"SMS to {to}: {text}\n")
        self.stream.flush()


class FileBackend:
    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory or settings.SMS_FILE_DIR)

    def send(self, to: str, text: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Names sort by time, so the newest message is the last file.
        name = f"{timezone.now():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.json"
        path = self.directory / name
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"to": to, "text": text}, ensure_ascii=False), "utf-8")
        temporary.replace(path)  # readers never see half a file


class SmsRuBackend:
    """https://sms.ru/api/send: answers HTTP 200 with a JSON status for the whole request and
    for each number."""

    def __init__(self) -> None:
        if not settings.SMS_API_KEY:
            raise SmsError("SMS_API_KEY is not set")
        self.url = settings.SMS_API_URL
        self.api_key = settings.SMS_API_KEY
        self.sender = settings.SMS_SENDER

    def send(self, to: str, text: str) -> None:
        number = to.lstrip("+")
        data = {"api_id": self.api_key, "to": number, "msg": text, "json": "1"}
        if self.sender:
            data["from"] = self.sender
        try:
            response = http.send("POST", self.url, data=data)
        except http.HttpError as exc:
            raise SmsError(f"provider unreachable: {exc}") from exc
        if not response.ok:
            raise SmsError(f"provider answered HTTP {response.status}")
        try:
            answer = response.json()
            status = answer["sms"][number]["status"]
        except (ValueError, KeyError, TypeError) as exc:
            raise SmsError("provider answered something unexpected") from exc
        if answer.get("status") != "OK" or status != "OK":
            # The provider's status code says why (balance, blocked number...), not the number.
            code = answer["sms"][number].get("status_code")
            raise SmsError(f"provider refused the message: status_code {code}")


BACKENDS = {"console": ConsoleBackend, "file": FileBackend, "smsru": SmsRuBackend}


def get_backend(name: str | None = None) -> SmsBackend:
    name = name or settings.SMS_BACKEND
    backend_class = BACKENDS.get(name) or import_string(name)
    return backend_class()


def send_sms(to: str, text: str) -> None:
    """Send one message now with the configured backend; raises SmsError on failure."""
    get_backend().send(to, text)
