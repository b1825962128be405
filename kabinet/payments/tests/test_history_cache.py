"""«Платежи» and «История платежей» come from the pages cache between changes: every change of
what they show replaces a version in the cache keys once it commits, so the next page is fresh."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from kabinet.accounts.models import AccountLink
from kabinet.billing.cache import charges_version_bump
from kabinet.billing.models import BillingPayment, Charge
from kabinet.payments.tests.helpers import started_payment
from kabinet.payments.tests.test_history import succeed
from kabinet.payments.tests.test_tbank import notification as tbank_notification
from kabinet.payments.tests.test_tbank import post as post_tbank
from kabinet.payments.tests.test_tbank import tbank  # noqa: F401 - a fixture


def section(client) -> str:  # type: ignore[no-untyped-def]
    return client.get(reverse("payments")).content.decode()


def history(client, account) -> str:  # type: ignore[no-untyped-def]
    return client.get(reverse("payment_account_history", args=[account.pk])).content.decode()


@pytest.mark.usefixtures("tbank")
def test_a_credited_payment_shows_at_once_to_everyone_on_the_account(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.member)
    assert "долг 36,56 ₽" in section(client)
    assert "долг 36,56 ₽" in history(client, world.account)
    holder = client.__class__()
    holder.force_login(world.holder)
    assert "долг 36,56 ₽" in section(holder)
    payment = started_payment(world, amount="50.00")
    with django_capture_on_commit_callbacks(execute=True):
        assert post_tbank(client, tbank_notification(payment, amount=5000)).status_code == 200
    for someone in (client, holder):
        page = section(someone)
        assert "переплата 13,44 ₽" in page and "Платёж: Онлайн" in page
    assert "переплата 13,44 ₽" in history(client, world.account)


def test_a_cached_history_is_served_until_a_version_changes(client, world):
    """The cache is really used (a change no version knows of is not seen), so the tests above
    show the invalidation, not an uncached page."""
    client.force_login(world.holder)
    assert "долг 36,56 ₽" in section(client)
    BillingPayment.objects.filter(account=world.account).update(amount=Decimal("1.00"))
    assert "долг 36,56 ₽" in section(client)


def test_an_edited_or_deleted_billing_payment_shows_at_once(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.holder)
    assert "долг 36,56 ₽" in section(client)
    payment = BillingPayment.objects.get(account=world.account, paid_on=datetime.date(2025, 2, 5))
    payment.amount = Decimal("136.56")
    with django_capture_on_commit_callbacks(execute=True):
        payment.save()
    assert "0,00 ₽" in section(client)
    with django_capture_on_commit_callbacks(execute=True):
        payment.delete()
    assert "долг 136,56 ₽" in section(client)


def test_an_import_or_publication_shows_at_once(client, world):
    client.force_login(world.holder)
    assert "долг 36,56 ₽" in history(client, world.account)
    latest = Charge.objects.filter(account=world.account).order_by("-period__month", "pk").first()
    assert latest is not None
    Charge.objects.filter(pk=latest.pk).update(to_pay=latest.to_pay + Decimal("10.00"))
    charges_version_bump(organisation_ids=[world.org.pk])  # what an import's commit does
    assert "долг 46,56 ₽" in history(client, world.account)
    assert "долг 46,56 ₽" in section(client)


def test_a_test_bank_payment_never_shows_as_money_even_after_a_cached_page(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.holder)
    assert "долг 36,56 ₽" in section(client)
    payment = started_payment(world, amount="50.00")
    with django_capture_on_commit_callbacks(execute=True):
        succeed(payment)
    page = section(client)
    assert "долг 36,56 ₽" in page and "Платёж: Онлайн" not in page
    assert "Оплачен (тестовый)" in page


def test_a_rebound_account_is_read_afresh(client, world, django_capture_on_commit_callbacks):
    """Unbound, the user's version is not replaced by the account's payments: binding it again
    replaces it, so no copy from before is served."""
    client.force_login(world.holder)
    assert "долг 36,56 ₽" in history(client, world.account)
    link = AccountLink.objects.get(user=world.holder, account=world.account)
    with django_capture_on_commit_callbacks(execute=True):
        link.delete()
    BillingPayment.objects.filter(account=world.account).update(amount=Decimal("36.56"))
    assert client.get(reverse("payment_account_history", args=[world.account.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        AccountLink.objects.create(user=world.holder, account=world.account, role=link.role)
    assert "долг 100,00 ₽" in history(client, world.account)


def test_each_language_and_each_user_has_its_own_copy(client, world):
    client.force_login(world.holder)
    assert "Лицевой счёт 1001" in section(client)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("payments"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Account 1001" in page and "Лицевой счёт 1001" not in page
    client.force_login(world.stranger)
    assert "1001" not in client.get(reverse("payments")).content.decode()


def test_a_warm_section_reads_only_the_session_accounts_versions_and_online_payments(
    client, world, django_assert_num_queries
):
    """Session, user, linked accounts, the versions (one query in the database cache; none with
    Redis) and the online payments: balances and histories come from the pages cache."""
    client.force_login(world.holder)
    section(client)
    history(client, world.account)
    with django_assert_num_queries(5):
        section(client)
    with django_assert_num_queries(4):  # session, user, the account, the versions
        history(client, world.account)
