"""The portal rating poll and typo reports."""

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kabinet.accounts.access import Right, linked_accounts
from kabinet.news import tasks
from kabinet.news.models import PortalVote, TypoReport
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
