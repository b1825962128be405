"""Template tags for other pages: the latest news on the dashboard and the typo report hint."""

import hashlib
from functools import lru_cache
from typing import Any

from django import template
from django.core.cache import caches
from django.template import Context
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from kabinet.accounts.access import Right, linked_accounts
from kabinet.news.cache import news_version
from kabinet.news.forms import TypoForm
from kabinet.news.selectors import news_for_accounts, outages_for_accounts

register = template.Library()


# Short: a news item scheduled for later appears within a minute of its time.
LATEST_NEWS_SECONDS = 60


def _slot_accounts(context: Context, user: Any) -> list[tuple[int, str]]:
    """(organisation id, address) of the resident's accounts: what the dashboard's news slot
    depends on. A view that has loaded the accounts passes them as `news_accounts`."""
    accounts = context.get("news_accounts")
    if accounts is None:
        accounts = list(
            linked_accounts(user, Right.READ).values_list("organisation_id", "address").order_by()
        )
    return list(accounts)


def _slot_key(kind: str, accounts: list[tuple[int, str]]) -> str:
    """The same for everyone whose accounts share organisations and addresses, and replaced
    with the news version whenever news change."""
    digest = hashlib.sha1(repr(sorted(set(accounts))).encode(), usedforsecurity=False).hexdigest()
    return f"{kind}:{news_version()}:{digest}"


@register.inclusion_tag("news/_latest_news.html", takes_context=True)
def latest_news(context: Context, user: Any, count: int = 3) -> dict[str, Any]:
    """`{% latest_news user %}`: the newest news for this resident's accounts, cached under
    `_slot_key`."""
    if not getattr(user, "is_authenticated", False):
        return {"items": []}
    accounts = _slot_accounts(context, user)
    key = _slot_key(f"latest-news:{count}", accounts)
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


@register.inclusion_tag("news/_pinned_outages.html", takes_context=True)
def outage_notices(context: Context, user: Any) -> dict[str, Any]:
    """`{% outage_notices user %}`: outages in the resident's buildings, pinned until they end;
    cached like the latest news, and an outage that has ended since is dropped at once."""
    if not getattr(user, "is_authenticated", False):
        return {"items": []}
    accounts = _slot_accounts(context, user)
    key = _slot_key("outages", accounts)
    items = caches["pages"].get(key)
    if items is None:
        items = list(outages_for_accounts(accounts))
        caches["pages"].set(key, items, LATEST_NEWS_SECONDS)
    now = timezone.now()
    return {"items": [item for item in items if item.ends_at > now]}
