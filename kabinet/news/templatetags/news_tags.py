"""Template tags for other pages: the latest news on the dashboard and the typo report hint."""

from typing import Any

from django import template

from kabinet.news.forms import TypoForm
from kabinet.news.selectors import news_for_user, pinned_outages

register = template.Library()


@register.inclusion_tag("news/_latest_news.html")
def latest_news(user: Any, count: int = 3) -> dict[str, Any]:
    """`{% latest_news user %}`: the newest news for this resident's accounts."""
    items = list(news_for_user(user)[:count]) if getattr(user, "is_authenticated", False) else []
    return {"items": items}


@register.inclusion_tag("news/_typo_hint.html", takes_context=True)
def typo_hint(context: dict[str, Any]) -> dict[str, Any]:
    """`{% typo_hint %}`: «Заметили ошибку в тексте?» and the Ctrl+Enter dialog (news/typo.js)."""
    request = context.get("request")
    path = request.get_full_path() if request is not None else "/"
    return {
        "form": TypoForm(initial={"page_url": path}),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("news/_pinned_outages.html")
def outage_notices(user: Any) -> dict[str, Any]:
    """`{% outage_notices user %}`: outages in the resident's buildings, pinned until they end."""
    items = list(pinned_outages(user)) if getattr(user, "is_authenticated", False) else []
    return {"items": items}
