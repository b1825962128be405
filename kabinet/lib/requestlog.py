"""One structured log line per request, and a request id carried in and out (X-Request-ID).

The line holds the method, the path without its query string (which may carry e-mail addresses
or phone numbers), the status, the time in milliseconds and the request id: nothing about who
made the request. Secret path segments (invitation and password-reset tokens) are masked.
"""

import json
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

log = logging.getLogger("kabinet.request")

HEADER = "X-Request-ID"
# A proxy's id is kept when it looks like one; anything else could forge or flood log lines.
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
SECRET_KWARGS = {"token", "uidb64"}


def request_id_from(request: HttpRequest) -> str:
    incoming = request.headers.get(HEADER, "")
    return incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex


def loggable_path(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    path = request.path
    if match is not None:
        for name in SECRET_KWARGS & set(match.kwargs):
            path = path.replace(str(match.kwargs[name]), "…")
    return path


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request_id_from(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[HEADER] = request_id
        log.info(
            "request",
            extra={
                "method": request.method,
                "path": loggable_path(request),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "request_id": request_id,
            },
        )
        return response


class JsonFormatter(logging.Formatter):
    """A JSON object per line: time, level, logger, message and the fields passed as `extra`."""

    FIELDS = ("method", "path", "status", "duration_ms", "request_id")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({f: getattr(record, f) for f in self.FIELDS if hasattr(record, f)})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)
