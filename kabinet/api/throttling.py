"""The per-token request limit of the API (429 with Retry-After).

Counted by the project's one limiter (kabinet/lib/ratelimit.py), in the cache every app server
shares: API_RATE_LIMIT_PER_MINUTE requests per token per minute.
"""

from __future__ import annotations

from django.conf import settings

from kabinet.lib import ratelimit

WINDOW = 60  # seconds


def api_token_rate_check(*, token_id: int) -> int | None:
    """Count one request of the token; None when allowed, else seconds until it may go on."""
    decision = ratelimit.hit(
        "api-token", str(token_id), limit=settings.API_RATE_LIMIT_PER_MINUTE, window=WINDOW
    )
    return None if decision else max(1, decision.retry_after)
