"""A version of all news, replaced whenever a news item is saved or deleted: cached news lists
include it in their keys, so an edit in the office shows at once."""

import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kabinet.news.models import News, NewsBuilding

KEY = "news-version"


def news_version() -> str:
    version = cache.get(KEY)
    if version is None:
        cache.add(KEY, uuid.uuid4().hex[:12], timeout=None)
        version = cache.get(KEY) or "0"
    return str(version)


def _bump() -> None:
    cache.set(KEY, uuid.uuid4().hex[:12], timeout=None)


@receiver([post_save, post_delete], sender=News)
@receiver([post_save, post_delete], sender=NewsBuilding)
def news_version_bump(**kwargs: object) -> None:
    """A news item or the buildings it is for changed: at once, and again once committed, so a
    page read before the commit does not keep the old list under the new version."""
    _bump()
    transaction.on_commit(_bump)
