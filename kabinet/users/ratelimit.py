"""Fixed-window counters in the cache: how often codes may be sent per address and per IP."""

from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int


# Per e-mail address or phone: one code a minute, five an hour. Per IP: twenty an hour.
PER_TARGET = (Limit(1, 60), Limit(5, 3600))
PER_IP = (Limit(20, 3600),)


def _key(scope: str, value: str, limit: Limit) -> str:
    return f"ratelimit:{scope}:{limit.count}/{limit.seconds}:{value}"


def allowed(scope: str, value: str, limits: tuple[Limit, ...]) -> bool:
    return all((cache.get(_key(scope, value, limit)) or 0) < limit.count for limit in limits)


def hit(scope: str, value: str, limits: tuple[Limit, ...]) -> None:
    for limit in limits:
        key = _key(scope, value, limit)
        # add() starts the window; incr() keeps its expiry.
        if not cache.add(key, 1, timeout=limit.seconds):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=limit.seconds)


def code_sending_allowed(*, target: str, ip: str | None) -> bool:
    return allowed("code-target", target, PER_TARGET) and (
        ip is None or allowed("code-ip", ip, PER_IP)
    )


def code_sent(*, target: str, ip: str | None) -> None:
    hit("code-target", target, PER_TARGET)
    if ip is not None:
        hit("code-ip", ip, PER_IP)
