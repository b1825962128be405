"""The one rate limiter of the project: counters in a store every app server shares.

A counter is named by a scope («bind-fail», «code-guess», «api-token», ...) and a key (a cabinet
id, an address, an IP). Its window opens at the first hit and lasts `window` seconds; hits
after that are counted until the window closes, so retrying never extends a lock and waiting
out `retry_after` always ends it.

    decision = ratelimit.hit("code-send", phone, limit=5, window=3600)
    if not decision.allowed:
        ...  # refuse; decision.retry_after seconds until the counter is gone

`peek` asks without counting (for "failures only" counters: check with peek, count with hit
after a failure); `reset` forgets a counter.

The store is Django's cache named by `RATELIMIT_CACHE` (default: "default"), which settings make
Redis when REDIS_URL is set and the database cache otherwise: never a per-process memory
cache, which would let each app server count on its own. With the database cache an increment
is not atomic (get + set), so simultaneous hits may be undercounted by a few; production runs
on Redis, where INCR is atomic. A hit inside a transaction that rolls back is rolled back with it
on the database cache: count failures after the transaction, not inside it.

`client_ip` is the only place that reads the client's address: X-Forwarded-For is trusted only
when the peer (REMOTE_ADDR) is one of TRUSTED_PROXIES, and then the address is the right-most
one in the header that is not itself a trusted proxy.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import pickle
import time
from dataclasses import dataclass
from functools import cache as memoize

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from django.utils.translation import gettext as _

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Decision:
    """The answer for one counter: whether the action may go on, and when to come back."""

    allowed: bool
    count: int
    limit: int
    retry_after: int  # seconds until the counter is gone; 0 when allowed

    def __bool__(self) -> bool:
        return self.allowed


def _store() -> BaseCache:
    return caches[getattr(settings, "RATELIMIT_CACHE", "default")]


def _key(scope: str, key: str, window: int) -> str:
    # Keys may hold e-mails and phones: the store sees only their digest.
    digest = hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()[:32]
    return f"rl:{scope}:{window}:{digest}"


def _decision(count: int, limit: int, started: float | None, window: int, now: float) -> Decision:
    allowed = count <= limit
    retry = 0
    if not allowed:
        retry = max(1, math.ceil((started or now) + window - now))
    return Decision(allowed=allowed, count=count, limit=limit, retry_after=retry)


def peek(scope: str, key: str, *, limit: int, window: int) -> Decision:
    """Whether one more hit would be allowed, without counting it."""
    name = _key(scope, key, window)
    values = _store().get_many([name, f"{name}:t"])
    count = int(values.get(name) or 0)
    # `count + 1`: the decision for the next attempt.
    return _decision(count + 1, limit, values.get(f"{name}:t"), window, time.time())


def hit(scope: str, key: str, *, limit: int, window: int, cost: int = 1) -> Decision:
    """Count `cost` hits and say whether the action is allowed (count within `limit`)."""
    store = _store()
    name = _key(scope, key, window)
    now = time.time()
    if isinstance(store, RedisCache):
        return _hit_redis(store, name, limit=limit, window=window, cost=cost, now=now)
    if store.add(name, cost, timeout=window):
        store.set(f"{name}:t", now, timeout=window)
        return _decision(cost, limit, now, window, now)
    try:
        count = store.incr(name, cost)
    except ValueError:  # the window closed between add() and incr()
        store.set(name, cost, timeout=window)
        store.set(f"{name}:t", now, timeout=window)
        return _decision(cost, limit, now, window, now)
    started = store.get(f"{name}:t")
    if started is None:  # lost (evicted): keep counting from now
        started = now
        store.set(f"{name}:t", now, timeout=window)
    # The database cache rewrites the expiry on incr(); put the window's end back.
    store.touch(name, timeout=max(1, math.ceil(started + window - now)))
    return _decision(count, limit, started, window, now)


def _hit_redis(store: RedisCache, name: str, *, limit: int, window: int, cost: int, now: float) -> Decision:
    """`hit` in one round trip (MULTI/EXEC, so atomic): both keys are made together when missing,
    with the window as their expiry, which INCRBY keeps. The values are what Django's Redis cache
    would write (an integer, a pickled float), so `peek` and `reset` read them as before.

    Django's RedisCache makes a client object and a round trip per call (add, incr, get, touch:
    five trips): this is the API's per-request limit, so it is worth going to the client directly.
    """
    count_key = store.make_and_validate_key(name)
    start_key = store.make_and_validate_key(f"{name}:t")
    pipe = store._cache.get_client(count_key, write=True).pipeline(transaction=True)
    pipe.set(start_key, pickle.dumps(now, pickle.HIGHEST_PROTOCOL), nx=True, ex=window)
    pipe.set(count_key, 0, nx=True, ex=window)
    pipe.incrby(count_key, cost)
    pipe.get(start_key)
    _made, _made_count, count, started = pipe.execute()
    return _decision(int(count), limit, pickle.loads(started) if started else now, window, now)  # noqa: S301 (ours)


def reset(scope: str, key: str, *, window: int) -> None:
    name = _key(scope, key, window)
    _store().delete_many([name, f"{name}:t"])


def minutes(seconds: int) -> int:
    """A wait for people: whole minutes, at least one."""
    return max(1, math.ceil(seconds / 60))


def wait_text(seconds: int) -> str:
    """«15 мин.» or, from two hours on, «5 ч.»: how long to wait, for a message."""
    if seconds >= 2 * 3600:
        return _("%(hours)s ч.") % {"hours": math.ceil(seconds / 3600)}
    return _("%(minutes)s мин.") % {"minutes": minutes(seconds)}


# --- the client's address --------------------------------------------------------------------


@memoize
def _networks(spec: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def trusted_proxies() -> tuple[IPNetwork, ...]:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _is_trusted(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str:
    """The real client address: the peer, or what trusted proxies say the peer's client was."""
    peer = str(request.META.get("REMOTE_ADDR") or "").strip()
    networks = trusted_proxies()
    if not networks or not _is_trusted(peer, networks):
        return peer
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    # Each proxy appends the address it saw; walk back from the nearest one.
    nearest = peer
    for hop in reversed(hops):
        if not _is_valid(hop):
            break  # written by the client, not by a proxy of ours: trust nothing further left
        nearest = hop
        if not _is_trusted(hop, networks):
            return hop
    return nearest


def _is_valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True
