"""The version of an organisation's published charges, for caches of what residents see.

Pages cache what a published month renders to (kabinet/accounts/views_charges.py) under keys
that include this version; an import or a publication replaces it, so a cached table never
outlives the data it shows. A version lost from the cache (eviction, restart of Redis) is a new
random one, which also drops every old entry.
"""

import uuid
from collections.abc import Iterable

from django.core.cache import cache

# Long enough for a month between imports; entries keyed by an old version simply expire.
TIMEOUT = 7 * 24 * 3600


def charges_version_key(organisation_id: int) -> str:
    """For readers that fetch this version with others in one round trip (cache.get_many)."""
    return f"charges-version:{organisation_id}"


_key = charges_version_key


def charges_version(organisation_id: int) -> str:
    version = cache.get(_key(organisation_id))
    if version is None:
        cache.add(_key(organisation_id), uuid.uuid4().hex[:12], timeout=None)
        version = cache.get(_key(organisation_id)) or "0"
    return str(version)


def charges_version_bump(*, organisation_ids: Iterable[int]) -> None:
    """Call once the change is committed (transaction.on_commit)."""
    cache.set_many({_key(pk): uuid.uuid4().hex[:12] for pk in organisation_ids}, timeout=None)
