from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from kabinet.news.models import News
from kabinet.orgs.models import Organisation


def make_news(
    organisation: Organisation, title: str, *, days_ago: int = 0, **fields: Any
) -> News:
    return News.objects.create(
        organisation=organisation,
        title=title,
        body=fields.pop("body", f"Текст: {title}"),
        **{"published_at": timezone.now() - datetime.timedelta(days=days_ago), **fields},
    )
