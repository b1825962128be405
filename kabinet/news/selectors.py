"""What a resident reads: news of the organisations of their accounts, for their buildings."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.lookups import StartsWith
from django.utils import timezone

from kabinet.accounts.access import Right, linked_accounts
from kabinet.news.models import FaqItem, News, NewsBuilding, PortalVote


def news_for_user(user: Any) -> QuerySet[News]:
    """Published news of the user's organisations: for everyone there, or for an address that
    one of the user's accounts starts with."""
    accounts = linked_accounts(user, Right.READ).values_list("organisation_id", "address")
    return news_for_accounts(accounts.order_by())


def news_for_accounts(accounts: Iterable[tuple[int, str]]) -> QuerySet[News]:
    """Published news for accounts given as (organisation id, address)."""
    condition: Any = Q(pk__in=[])
    chosen = NewsBuilding.objects.filter(news=OuterRef("pk"))
    for organisation_id, address in accounts:
        for_building = StartsWith(Value(address), F("address_prefix"))
        # News for chosen buildings (outage notices from the office) reach only those buildings.
        in_building = Exists(chosen.filter(address=address))
        condition |= Q(organisation_id=organisation_id) & (
            ((Q(address_prefix="") | for_building) & ~Exists(chosen)) | in_building
        )
    return News.objects.filter(
        condition, is_published=True, published_at__lte=timezone.now()
    ).select_related("organisation")


def faq_for_user(user: Any) -> QuerySet[FaqItem]:
    organisation_ids = linked_accounts(user, Right.READ).values("organisation_id")
    return FaqItem.objects.filter(organisation__in=organisation_ids).select_related("organisation")


def vote_results() -> list[dict[str, Any]]:
    """Every mark with its count and share of votes, best first."""
    counts = dict(
        PortalVote.objects.values_list("mark").annotate(n=Count("pk")).values_list("mark", "n")
    )
    total = sum(counts.values())
    return [
        {
            "mark": mark,
            "label": mark.label,
            "count": counts.get(mark.value, 0),
            "percent": round(100 * counts.get(mark.value, 0) / total) if total else 0,
        }
        for mark in PortalVote.Mark
    ]


def pinned_outages(user: Any) -> QuerySet[News]:
    """Outage notices for the user's buildings that have not ended: pinned on the dashboard."""
    accounts = linked_accounts(user, Right.READ).values_list("organisation_id", "address")
    return outages_for_accounts(accounts.order_by())


def outages_for_accounts(accounts: Iterable[tuple[int, str]]) -> QuerySet[News]:
    """Outage notices for these accounts' buildings (organisation id, address) that have not
    ended."""
    return news_for_accounts(accounts).filter(kind=News.Kind.OUTAGE, ends_at__gt=timezone.now()).order_by(
        "starts_at", "pk"
    )
