"""Template tags for other pages: the latest news on the dashboard and the typo report hint."""

import hashlib
from functools import lru_cache
from typing import Any

from django import template
from django.core.cache import caches
from django.template import Context
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from kabinet.accounts.access import Right, linked_accounts
from kabinet.news.cache import news_version
from kabinet.news.forms import TypoForm
from kabinet.news.selectors import news_for_accounts, pinned_outages

register = template.Library()


# Short: a news item scheduled for later appears within a minute of its time.
LATEST_NEWS_SECONDS = 60


@register.inclusion_tag("news/_latest_news.html", takes_context=True)
def latest_news(context: Context, user: Any, count: int = 3) -> dict[str, Any]:
    """`{% latest_news user %}`: the newest news for this resident's accounts.

    The same for everyone whose accounts share organisations and addresses, so it is cached
    under those (and the news version, replaced whenever news change). A view that has loaded
    the accounts passes them as `news_accounts` [(organisation id, address), ...]."""
    if not getattr(user, "is_authenticated", False):
        return {"items": []}
    accounts = context.get("news_accounts")
    if accounts is None:
        accounts = list(
            linked_accounts(user, Right.READ).values_list("organisation_id", "address").order_by()
        )
    digest = hashlib.sha1(repr(sorted(set(accounts))).encode(), usedforsecurity=False).hexdigest()
    key = f"latest-news:{news_version()}:{count}:{digest}"
    items = caches["pages"].get(key)
    if items is None:
        items = list(news_for_accounts(accounts)[:count])
        caches["pages"].set(key, items, LATEST_NEWS_SECONDS)
    return {"items": items}


@lru_cache(maxsize=8)
def _typo_fields(language: str | None) -> SafeString:
    """The dialog's two text fields, the same on every page in a language: rendered once per
    process, since every page's footer carries them."""
    form = TypoForm()
    return mark_safe(str(form["fragment"].as_field_group()) + str(form["comment"].as_field_group()))  # noqa: S308


@register.inclusion_tag("news/_typo_hint.html", takes_context=True)
def typo_hint(context: dict[str, Any]) -> dict[str, Any]:
    """`{% typo_hint %}`: «Заметили ошибку в тексте?» and the Ctrl+Enter dialog (news/typo.js)."""
    return {
        "fields": _typo_fields(translation.get_language()),
        # The page's path, given by the layout (kabinet/front/layout.py).
        "page_url": context.get("request_path") or "/",
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("news/_pinned_outages.html")
def outage_notices(user: Any) -> dict[str, Any]:
    """`{% outage_notices user %}`: outages in the resident's buildings, pinned until they end."""
    items = list(pinned_outages(user)) if getattr(user, "is_authenticated", False) else []
    return {"items": items}
