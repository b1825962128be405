import datetime

import pytest
from django.core.management import call_command

from kabinet.billing.models import BillingPayment, Charge, Period, PersonalAccount
from kabinet.meters.models import Meter, Reading
from kabinet.orgs.models import Organisation

pytestmark = pytest.mark.django_db


def test_the_demo_loads_two_novosibirsk_organisations_with_a_year_of_data(capsys) -> None:
    call_command("demo")

    uk, tko = Organisation.objects.get(code="uk-sever"), Organisation.objects.get(code="eco-nsk")
    assert (uk.kind, tko.kind) == (Organisation.Kind.UK, Organisation.Kind.REGOP)
    assert uk.timezone == tko.timezone == "Asia/Novosibirsk"
    uk.full_clean()  # requisites pass every check (ИНН checksum, БИК, accounts)
    tko.full_clean()
    assert PersonalAccount.objects.filter(organisation=uk).count() >= 50
    assert PersonalAccount.objects.filter(organisation=tko).count() >= 50
    for org in (uk, tko):
        periods = Period.objects.filter(organisation=org)
        assert periods.count() == 12 and all(p.is_published for p in periods)
    charges = Charge.objects.filter(account__organisation=uk)
    assert charges.exclude(recalculation=0).exclude(recalculation_reason="").exists()
    assert charges.filter(kind=Charge.Kind.PENALTY).exists()
    assert set(Meter.objects.filter(organisation=uk).values_list("zones", flat=True)) == {1, 2, 3}
    assert Reading.objects.filter(meter__organisation=uk).count() >= 12 * Meter.objects.filter(organisation=uk).count()
    assert BillingPayment.objects.filter(organisation=tko).exists()
    out = capsys.readouterr().out
    assert "логин admin" in out and "resident@kabinet.local" in out
    from kabinet.accounts.access import linked_accounts
    from kabinet.users.models import User

    resident = User.objects.get(email="resident@kabinet.local")
    assert {a.organisation.code for a in linked_accounts(resident)} == {"uk-sever", "eco-nsk"}
    # The printed binding hint works: number, surname, apartment and the amount due.
    import re

    from kabinet.accounts.services import account_bind_check

    hint = re.search(
        r"лицевой счёт (\S+), фамилия (\S+), квартира (\S*), сумма к оплате из последней "
        r"квитанции (\S+)",
        out,
    )
    assert hint, out
    newcomer = User.objects.create_user(username="try@example.com", email="try@example.com")
    account = account_bind_check(
        user=newcomer, ip="127.0.0.1", number=hint[1], surname=hint[2], apartment=hint[3],
        secret=hint[4],
    )
    assert account.number == hint[1]


def test_the_demo_can_run_twice() -> None:
    call_command("demo")
    counts = (PersonalAccount.objects.count(), Charge.objects.count(), Reading.objects.count())

    call_command("demo")

    assert (PersonalAccount.objects.count(), Charge.objects.count(), Reading.objects.count()) == counts


def test_the_demo_months_end_before_the_current_one() -> None:
    call_command("demo")

    latest = Period.objects.order_by("-month").first()
    assert latest is not None
    assert latest.month < datetime.date.today().replace(day=1)  # noqa: DTZ011 - a date, not a time


def test_the_demo_shows_every_resident_feature(capsys) -> None:
    import time_machine

    from kabinet.accounts.models import AccountLink
    from kabinet.helpdesk.models import Appeal, RequestType, ServiceRequest
    from kabinet.meters.window import reading_window
    from kabinet.news.models import FaqItem, News

    with time_machine.travel(datetime.datetime(2026, 3, 18, 12, 0, tzinfo=datetime.UTC)):
        call_command("demo")
        uk, tko = Organisation.objects.get(code="uk-sever"), Organisation.objects.get(code="eco-nsk")
        assert reading_window(uk).is_open and not reading_window(tko).is_open

    out = capsys.readouterr().out
    assert f"Приём показаний «{uk}»" in out and "открыт сегодня" in out and "сегодня закрыт" in out
    for org in (uk, tko):
        assert News.objects.filter(organisation=org).exists()
        assert FaqItem.objects.filter(organisation=org).exists()
        assert RequestType.objects.filter(organisation=org, is_paid=True, price__gt=0).exists()
    statuses = set(ServiceRequest.objects.filter(author__email="resident@kabinet.local").values_list("status", flat=True))
    assert statuses == set(ServiceRequest.Status.values)
    assert AccountLink.objects.filter(role=AccountLink.Role.MEMBER, user__email="family@kabinet.local").exists()
    assert Appeal.objects.filter(status=Appeal.Status.ANSWERED).exists()
    assert "family@kabinet.local" in out
