"""State changes of billing data that are not the import itself."""

from django.db import transaction
from django.utils import timezone

from kabinet.billing.models import Period


def period_publish(*, period: Period) -> Period:
    """Make a period's charges visible to residents. Publishing twice changes nothing."""
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        if not period.is_published:
            period.is_published = True
            period.published_at = timezone.now()
            period.save(update_fields=["is_published", "published_at"])
    return period
