"""Publishing a period mails the ЕПД to the cabinets subscribed to it."""

import datetime
from decimal import Decimal

from django.core import mail
from django.test import Client

from kabinet.accounts.models import AccountLink
from kabinet.billing.models import Charge, Period, Service
from kabinet.billing.services import period_publish


def test_it_mails_subscribers_when_a_period_is_published(
    client: Client, world, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.holder)
    client.post(f"/accounts/{world.account.pk}/epd-by-email/", {"epd_by_email": "on"})
    assert AccountLink.objects.get(user=world.holder).epd_by_email
    period = Period.objects.create(organisation=world.org, month=datetime.date(2025, 2, 1))
    hvs = Service.objects.get(code="hvs")
    for account in (world.account, world.other_account):
        Charge.objects.create(
            account=account, period=period, service=hvs, charged=Decimal("10"), to_pay=Decimal("10")
        )

    with django_capture_on_commit_callbacks(execute=True):
        period_publish(period=period)

    # Only the holder subscribed; the member and the stranger did not.
    assert [m.to for m in mail.outbox] == [["holder@example.com"]]
    assert "Февраль 2025" in mail.outbox[0].subject
    assert mail.outbox[0].attachments[0][0] == "epd-1001-2025-02.pdf"

    # Publishing again sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        period_publish(period=period)
    assert len(mail.outbox) == 1


def test_it_unsubscribes(client: Client, world) -> None:
    AccountLink.objects.filter(user=world.holder).update(epd_by_email=True)
    client.force_login(world.holder)

    client.post(f"/accounts/{world.account.pk}/epd-by-email/", {})

    assert not AccountLink.objects.get(user=world.holder).epd_by_email


def test_it_mails_every_account_when_the_profile_asks_for_the_epd(
    world, django_capture_on_commit_callbacks
) -> None:
    from kabinet.users.services import notification_set

    notification_set(user=world.stranger, epd_by_email=True)
    period = Period.objects.create(organisation=world.org, month=datetime.date(2025, 2, 1))
    hvs = Service.objects.get(code="hvs")
    for account in (world.account, world.other_account):
        Charge.objects.create(
            account=account, period=period, service=hvs, charged=Decimal("10"), to_pay=Decimal("10")
        )

    with django_capture_on_commit_callbacks(execute=True):
        period_publish(period=period)

    assert [m.to for m in mail.outbox] == [["stranger@example.com"]]
    assert mail.outbox[0].attachments[0][0] == "epd-1002-2025-02.pdf"
