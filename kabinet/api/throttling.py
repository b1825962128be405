"""The per-token request limit of the API (429 with Retry-After).

`api_token_rate_check` is the only place that counts: a fixed one-minute window kept in Django's
cache (Redis in production, so every app server shares the count). When the project's one
limiter (kabinet/lib/ratelimit.py) lands, this function's body becomes a call to it.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

WINDOW = 60  # seconds


def api_token_rate_check(*, token_id: int, now: float | None = None) -> int | None:
    """Count one request of the token; None when allowed, else seconds until the next window."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    now = time.time() if now is None else now
    bucket = int(now // WINDOW)
    key = f"api:rate:{token_id}:{bucket}"
    cache.add(key, 0, timeout=WINDOW + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW + 5)
        count = 1
    if count > limit:
        return max(1, int((bucket + 1) * WINDOW - now + 0.999))
    return None
