"""Penalty explanation (ЖК РФ ст. 155 ч. 14; SPEC 3.5): late amounts, days, key rates."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from kabinet.billing.models import BillingPayment, Charge, KeyRate, Period, Service
from kabinet.billing.penalties import penalty_explanation, penalty_for, rate_on


def test_it_computes_the_worked_example_of_the_spec() -> None:
    part = penalty_for(
        amount=Decimal("5000.00"),
        due_on=datetime.date(2025, 4, 10),
        paid_on=datetime.date(2025, 7, 20),
        rate=Decimal("9.5"),
    )

    assert part.days_late == 101
    assert (part.days_300, part.at_300) == (60, Decimal("95.00"))
    assert (part.days_130, part.at_130) == (11, Decimal("40.19"))
    assert part.total == Decimal("135.19")


def test_it_can_leave_the_payment_day_out() -> None:
    part = penalty_for(
        amount=Decimal("5000.00"),
        due_on=datetime.date(2025, 4, 10),
        paid_on=datetime.date(2025, 7, 20),
        rate=Decimal("9.5"),
        count_payment_day=False,
    )

    assert (part.days_late, part.days_300, part.days_130) == (100, 60, 10)


def test_it_charges_nothing_for_the_first_thirty_days() -> None:
    part = penalty_for(
        amount=Decimal("5000.00"), due_on=datetime.date(2025, 4, 10),
        paid_on=datetime.date(2025, 5, 10), rate=Decimal("21"),
    )

    assert (part.days_late, part.total) == (30, Decimal("0.00"))


@pytest.mark.django_db
def test_it_ships_the_bank_of_russia_key_rates_from_2024_on() -> None:
    rates = list(KeyRate.objects.order_by("-valid_from"))

    assert rate_on(rates, datetime.date(2024, 1, 1)) == Decimal("16.00")
    assert rate_on(rates, datetime.date(2024, 11, 1)) == Decimal("21.00")
    assert rate_on(rates, datetime.date(2025, 7, 20)) == Decimal("20.00")
    assert rate_on(rates, datetime.date(2025, 11, 1)) == Decimal("16.50")


@pytest.fixture
def late_account(world):
    """1001 owes 5 000,00 for March 2025 (due 10.04.2025) and pays it on 20.07.2025."""
    org, account = world.org, world.account
    march = Period.objects.create(organisation=org, month=datetime.date(2025, 3, 1), is_published=True)
    service = Service.objects.create(organisation=org, code="sod", name="Содержание жилья")
    Charge.objects.create(
        account=account, period=march, service=service, charged=Decimal("5000.00"), to_pay=Decimal("5000.00")
    )
    BillingPayment.objects.all().delete()
    Charge.objects.filter(account=account).exclude(period=march).delete()
    BillingPayment.objects.create(
        organisation=org, account=account, external_id="late", paid_on=datetime.date(2025, 7, 20),
        amount=Decimal("5000.00"),
    )
    KeyRate.objects.all().delete()
    KeyRate.objects.create(valid_from=datetime.date(2022, 2, 28), rate=Decimal("9.5"))
    return account


def test_it_explains_which_amount_was_late_and_for_how_long(late_account) -> None:
    explanation = penalty_explanation(late_account, today=datetime.date(2025, 12, 1))

    (row,) = explanation.rows
    assert row.what == "Начислено за Март 2025"
    assert (row.amount, row.due_on, row.paid_on) == (
        Decimal("5000.00"), datetime.date(2025, 4, 10), datetime.date(2025, 7, 20)
    )
    assert (row.part.days_300, row.part.days_130, row.rate) == (60, 11, Decimal("9.5"))
    assert explanation.total == Decimal("135.19")


def test_it_counts_what_is_still_unpaid_to_today_and_settles_the_oldest_first(late_account) -> None:
    BillingPayment.objects.filter(external_id="late").update(amount=Decimal("3000.00"))

    explanation = penalty_explanation(late_account, today=datetime.date(2025, 6, 9))

    # Paid nothing by 09.06.2025: 60 days late, all at 1/300, nothing at 1/130 yet.
    (row,) = explanation.rows
    assert (row.paid_on, row.until, row.part.days_late) == (None, datetime.date(2025, 6, 9), 60)
    later = penalty_explanation(late_account, today=datetime.date(2025, 8, 1))
    paid, unpaid = later.rows
    assert (paid.amount, paid.paid_on) == (Decimal("3000.00"), datetime.date(2025, 7, 20))
    assert (unpaid.amount, unpaid.paid_on, unpaid.part.days_late) == (Decimal("2000.00"), None, 113)


def test_it_shows_the_explanation_page_from_the_penalty_figure(client: Client, late_account, world) -> None:
    client.force_login(world.holder)

    page = client.get(f"/charges/{late_account.pk}/penalties/")

    body = page.content.decode()
    assert page.status_code == 200
    assert "Начислено за Март 2025" in body
    assert "10.04.2025" in body and "20.07.2025" in body
    assert "135,19" in body and "9,5" in body
    assert "1/300" in body and "1/130" in body


def test_it_links_the_penalty_figures_to_the_explanation(client: Client, world) -> None:
    client.force_login(world.holder)
    link = f'href="/charges/{world.account.pk}/penalties/"'

    assert link in client.get(f"/accounts/{world.account.pk}/").content.decode()
    assert link in client.get(f"/charges/{world.account.pk}/").content.decode()


def test_it_lets_only_the_platform_administrator_edit_key_rates(db, settings) -> None:  # type: ignore[no-untyped-def]
    from kabinet.orgs.tests.test_admin_scoping import client_for, make_staff
    from kabinet.users.models import User

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from kabinet.billing.tests.factories import make_org

    operator = client_for(make_staff(make_org(), "operator"))
    admin = client_for(User.objects.create_superuser(username="root", password="x-Пароль-123"))

    assert operator.get("/admin/billing/keyrate/").status_code == 200  # operators may read them
    assert operator.get("/admin/billing/keyrate/add/").status_code == 403
    response = admin.post(
        "/admin/billing/keyrate/add/", {"valid_from": "2026-02-16", "rate": "15.50", "note": "решение"}
    )

    assert response.status_code == 302
    assert KeyRate.objects.get(valid_from=datetime.date(2026, 2, 16)).rate == Decimal("15.50")
