"""Failed-attempt counters in Django's cache: per cabinet and per IP address.

A counter lives for `window` seconds from its first failure. Once any counter of an action has
reached its limit, the action is refused until the window passes, even with the right data:
that is what makes guessing a surname or an apartment number pointless.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Limit:
    action: str
    per_user: int
    per_ip: int
    window: int  # seconds


BIND = Limit("bind", per_user=5, per_ip=20, window=3600)
FIND = Limit("find", per_user=5, per_ip=20, window=3600)


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy the deployment sets REMOTE_ADDR from X-Forwarded-For (see the deployment doc);
    # trusting the header here would let anyone reset their counter.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(limit: Limit, user_id: int, ip: str) -> list[tuple[str, int]]:
    return [
        (f"rl:{limit.action}:user:{user_id}", limit.per_user),
        (f"rl:{limit.action}:ip:{ip}", limit.per_ip),
    ]


def is_blocked(limit: Limit, *, user_id: int, ip: str) -> bool:
    counts = cache.get_many([key for key, _ in _keys(limit, user_id, ip)])
    return any(counts.get(key, 0) >= allowed for key, allowed in _keys(limit, user_id, ip))


def record_failure(limit: Limit, *, user_id: int, ip: str) -> None:
    for key, _allowed in _keys(limit, user_id, ip):
        # add() starts the window only once; incr() keeps its expiry.
        if not cache.add(key, 1, timeout=limit.window):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=limit.window)
