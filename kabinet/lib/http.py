"""The one door to the outside world: every outgoing HTTP call (payment gateways, SMS) uses `send`.

Tests replace `send` (the root conftest makes any unreplaced call fail), so the suite never
reaches the network.
"""

from __future__ import annotations

import json as jsonlib
import logging
import urllib.error
import urllib.request
from base64 import b64encode
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

log = logging.getLogger(__name__)


class HttpError(Exception):
    """The remote side could not be reached or did not answer in time."""


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return jsonlib.loads(self.body.decode("utf-8"))

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def send(
    method: str,
    url: str,
    *,
    json: Any = None,
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    basic_auth: tuple[str, str] | None = None,
    timeout: float = 15.0,
) -> Response:
    """Send one request; a non-2xx answer is returned, a network failure raises HttpError."""
    if not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
        raise HttpError(f"refusing a non-HTTPS URL: {url}")
    body = None
    all_headers = {"Accept": "application/json", **(headers or {})}
    if json is not None:
        body = jsonlib.dumps(json, ensure_ascii=False).encode("utf-8")
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    elif data is not None:
        body = urlencode(data).encode("utf-8")
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    if basic_auth:
        token = b64encode(f"{basic_auth[0]}:{basic_auth[1]}".encode()).decode()
        all_headers["Authorization"] = f"Basic {token}"
    request = urllib.request.Request(url, data=body, headers=all_headers, method=method)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - checked above
            return Response(answer.status, answer.read(), dict(answer.headers.items()))
    except urllib.error.HTTPError as exc:
        return Response(exc.code, exc.read(), dict(exc.headers.items()))
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        # The host only: URLs of gateways may carry identifiers, never personal data in logs.
        log.warning("HTTP %s to %s failed: %s", method, urlsplit(url).netloc, exc)
        raise HttpError(str(exc)) from exc
