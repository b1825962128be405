"""The portal rating poll and typo reports."""

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kabinet.accounts.access import Right, linked_accounts
from kabinet.news import tasks
from kabinet.news.models import News, NewsBuilding, PortalVote, TypoReport
from kabinet.orgs.models import Organisation
from kabinet.users.models import User


def portal_vote(*, user: Any, mark: int) -> PortalVote:
    """Record (or change) this cabinet's mark of the portal."""
    if mark not in PortalVote.Mark.values:
        raise ValidationError(_("Выберите одну из оценок."))
    with transaction.atomic():
        vote, _created = PortalVote.objects.update_or_create(user=user, defaults={"mark": mark})
    return vote


def operator_emails(organisation: Organisation | None) -> list[str]:
    """Where an organisation's operators read mail: its own address, else its staff's; for the
    portal itself, the platform administrators'."""
    if organisation is not None and organisation.email:
        return [organisation.email]
    staff = User.objects.filter(is_active=True, is_staff=True).exclude(email="")
    if organisation is not None:
        staff = staff.filter(organisation=organisation)
    else:
        staff = staff.filter(is_superuser=True)
    return sorted(staff.values_list("email", flat=True))


def typo_report(
    *, reporter: Any, page_url: str, fragment: str, comment: str = ""
) -> list[TypoReport]:
    """Save the report for each organisation of the reporter (the platform's if none) and
    e-mail their operators."""
    fragment = fragment.strip()
    if not fragment:
        raise ValidationError(_("Выделите мышкой текст с ошибкой и нажмите Ctrl+Enter."))
    user = reporter if getattr(reporter, "is_authenticated", False) else None
    organisations: list[Organisation | None] = []
    if user is not None:
        organisations = list(
            Organisation.objects.filter(
                pk__in=linked_accounts(user, Right.READ).values("organisation_id")
            )
        )
    if not organisations:
        organisations = [None]
    with transaction.atomic():
        reports = [
            TypoReport.objects.create(
                organisation=organisation,
                reporter=user,
                page_url=page_url[:500],
                fragment=fragment[:1000],
                comment=comment.strip()[:1000],
            )
            for organisation in organisations
        ]
        for report in reports:
            transaction.on_commit(partial(tasks.typo_report_email.delay, report.pk))
    return reports


# --- the office's news editor (kabinet/office) ------------------------------------------------


def news_save(
    *,
    office_user: Any,
    organisation: Organisation,
    news: News | None = None,
    title: str,
    body: str,
    kind: str,
    buildings: list[str],
    starts_at: Any = None,
    ends_at: Any = None,
    is_published: bool = True,
) -> News:
    """Create or change a news item of `organisation`; a published outage notice is e-mailed at
    once to the cabinets of the affected buildings (only the first time it is published)."""
    from kabinet.billing.models import PersonalAccount
    from kabinet.office.audit import audit_record

    if news is not None and news.organisation_id != organisation.pk:
        raise ValidationError(_("Новость не найдена."))
    if kind in {News.Kind.OUTAGE, News.Kind.PLANNED}:
        if starts_at is None or ends_at is None:
            raise ValidationError(_("Укажите начало и ожидаемое окончание работ."))
        if ends_at <= starts_at:
            raise ValidationError(_("Окончание должно быть позже начала."))
    if kind == News.Kind.OUTAGE and not buildings:
        raise ValidationError(_("Выберите дома, где отключение."))
    known = set(
        PersonalAccount.objects.filter(organisation=organisation, address__in=buildings).values_list(
            "address", flat=True
        )
    )
    if set(buildings) - known:
        raise ValidationError(_("Среди выбранных домов есть адрес не этой организации."))
    with transaction.atomic():
        creating = news is None
        item = news or News(organisation=organisation)
        before = {} if creating else {"title": item.title, "published": item.is_published}
        was_published = (not creating) and item.is_published
        item.title, item.body, item.kind = title.strip(), body.strip(), kind
        item.starts_at, item.ends_at, item.is_published = starts_at, ends_at, is_published
        item.save()
        item.buildings.all().delete()
        NewsBuilding.objects.bulk_create(NewsBuilding(news=item, address=a) for a in sorted(set(buildings)))
        audit_record(
            actor=office_user,
            organisation=organisation,
            action="news.save",
            obj=item,
            before=before,
            after={"title": item.title, "kind": item.get_kind_display(), "published": item.is_published,
                   "buildings": sorted(set(buildings))},
        )
        if kind == News.Kind.OUTAGE and is_published and not was_published:
            transaction.on_commit(partial(tasks.outage_email.delay, item.pk))
    return item
