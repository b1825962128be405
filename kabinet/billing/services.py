"""Everything that changes billing state."""

from django.db import transaction
from django.utils import timezone

from kabinet.billing.cache import charges_version_bump
from kabinet.billing.models import Period
from kabinet.users.models import User


def period_publish(*, period: Period, user: User | None = None) -> Period:
    """Show the period's charges to residents.

    Publishing twice keeps the first publication time. `user` is who published, for the audit log.
    The first publication queues the monthly ЕПД mailing to the cabinets subscribed to it.
    """
    from kabinet.accounts.tasks import epd_mailing
    from kabinet.office.audit import audit_record

    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        if not period.is_published:
            period.is_published = True
            period.published_at = timezone.now()
            period.save(update_fields=["is_published", "published_at"])
            audit_record(
                actor=user,
                organisation=period.organisation,
                action="period.publish",
                obj=period,
                before={"published": False},
                after={"published": True},
            )
            period_id = period.pk
            transaction.on_commit(lambda: epd_mailing.delay(period_id))
            org_id = period.organisation_id
            transaction.on_commit(lambda: charges_version_bump(organisation_ids=[org_id]))
    return period
