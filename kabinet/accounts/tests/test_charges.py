"""«Начисления»: months with per-service detail, penalties apart, finance movement, chart, ЕПД."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains

from kabinet.billing.models import Charge, Period, Service
from kabinet.billing.selectors import account_summaries


@pytest.fixture
def december(world) -> Period:
    """An unpublished December 2025 with a charge for 1001."""
    period = Period.objects.create(organisation=world.org, month=datetime.date(2025, 12, 1))
    Charge.objects.create(
        account=world.account,
        period=period,
        service=Service.objects.get(code="hvs"),
        charged=Decimal("777.77"),
        to_pay=Decimal("777.77"),
    )
    return period


def test_it_shows_every_column_of_a_month(client: Client, world) -> None:
    client.force_login(world.holder)

    response = client.get(f"/charges/{world.account.pk}/")

    body = response.content.decode()
    for column in (
        "Услуга", "Тариф, руб.", "Норматив", "Объём", "Начислено, руб.", "Перерасчёт, руб.",
        "Льготы/субсидии, руб.", "Долг/переплата на начало, руб.", "Оплачено, руб.",
        "К оплате, руб.",
    ):
        assert f">{column}</th>" in body, column
    assertContains(response, "Январь 2025")
    assertContains(response, "Холодное водоснабжение")
    assertContains(response, "3 м3")
    assertContains(response, "по прибору учёта")
    assertContains(response, "45,12")
    assertContains(response, "135,36")
    # Penalties in a table of their own.
    penalties = body.split("<h3>Пени</h3>", 1)[1]
    assert "1,20" in penalties


def test_it_shows_the_recalculation_reason(client: Client, world) -> None:
    client.force_login(world.stranger)
    response = client.get("/charges/")
    assertContains(response, "-10,50")
    assertContains(response, "Отсутствие")
    assertContains(response, "по нормативу")


def test_it_hides_unpublished_periods(client: Client, world, december) -> None:
    client.force_login(world.holder)

    response = client.get(f"/charges/{world.account.pk}/")

    assertNotContains(response, "777,77")
    assertNotContains(response, "Декабрь 2025")
    assert client.get(f"/charges/{world.account.pk}/2025-12/epd.pdf").status_code == 404
    latest = account_summaries([world.account])[world.account.pk].latest
    assert latest is not None and latest.period.month == datetime.date(2025, 1, 1)


def test_it_shows_the_finance_movement_for_a_range(client: Client, world) -> None:
    client.force_login(world.holder)

    response = client.get(f"/charges/{world.account.pk}/", {"since": "2025-01", "until": "2025-01"})

    movement = response.content.decode().split('id="movement"', 1)[1]
    assert 'Долг на начало</dt><dd><span class="money">100,00' in movement
    assert 'Начислено</dt><dd><span class="money">135,36' in movement
    assert 'Оплачено</dt><dd><span class="money">100,00' in movement
    # Penalties have their own line, and the lines add up: 100 + 135,36 + 1,20 − 100 = 136,56.
    assert 'Пени</dt><dd><span class="money">1,20' in movement
    assert 'Долг на конец</dt><dd><span class="money">136,56' in movement

    empty = client.get(f"/charges/{world.account.pk}/", {"since": "2024-01", "until": "2024-06"})
    assertContains(empty, "За выбранные месяцы начислений нет.")


def test_it_draws_the_chart_of_charges(client: Client, world) -> None:
    client.force_login(world.holder)
    response = client.get(f"/charges/{world.account.pk}/")
    assertContains(response, '<svg class="chart"')
    assertContains(response, "Начислено по месяцам, руб.")


def test_it_downloads_the_epd(client: Client, world) -> None:
    client.force_login(world.member)

    response = client.get(f"/charges/{world.account.pk}/2025-01/epd.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="epd-1001-2025-01.pdf"' in response["Content-Disposition"]


def test_it_e_mails_the_epd(client: Client, world, django_capture_on_commit_callbacks) -> None:
    client.force_login(world.holder)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/charges/{world.account.pk}/2025-01/epd/email/")

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["holder@example.com"]
    assert "Январь 2025" in message.subject
    (name, content, mimetype), = message.attachments
    assert name == "epd-1001-2025-01.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")


def test_it_asks_for_an_address_before_e_mailing(client: Client, world) -> None:
    world.holder.email = ""
    world.holder.save()
    client.force_login(world.holder)

    response = client.post(f"/charges/{world.account.pk}/2025-01/epd/email/", follow=True)

    assertContains(response, "Укажите адрес e-mail")
    assert mail.outbox == []


def test_it_does_not_e_mail_an_unpublished_period(client: Client, world, december) -> None:
    client.force_login(world.holder)
    assert client.post(f"/charges/{world.account.pk}/2025-12/epd/email/").status_code == 404


def test_it_shows_the_latest_six_months_and_more_on_request(client: Client, db) -> None:
    from kabinet.accounts.tests.builders import history
    from kabinet.accounts.tests.factories import make_user
    from kabinet.billing.tests.factories import make_org

    user = make_user("long@example.com")
    [account] = history(make_org("long"), user, accounts=1, months=24)
    client.force_login(user)

    first = client.get(f"/charges/{account.pk}/")
    body = first.content.decode()
    assert body.count('<details class="month">') == 6
    # The months listed (the chart's text table under it names all 24).
    months = re.findall(r'<span class="month__name">([^<]+)</span>', body)
    assert "Декабрь 2024" in months and "Июль 2024" in months and "Июнь 2024" not in months
    assertContains(first, '<a class="button button--secondary" href="?months=12#months">Показать ещё</a>', html=True)

    more = client.get(f"/charges/{account.pk}/?months=12")
    assert more.content.decode().count('<details class="month">') == 12
    assertContains(more, "Январь 2024")

    everything = client.get(f"/charges/{account.pk}/?months=24")
    assert everything.content.decode().count('<details class="month">') == 24
    assertNotContains(everything, "Показать ещё")


def _correct_january(world, tmp_path, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    """A new charges file corrects January's cold water of account 1001 to 246,80."""
    from kabinet.billing.imports import billing_import
    from kabinet.billing.tests.factories import CHARGES_HEADER, write

    corrected = write(
        tmp_path,
        "fix.csv",
        CHARGES_HEADER,
        "1001;2025-01;hvs;Холодное водоснабжение;service;м3;6.93;45.12;3.000;meter;100.00;246.80;0;;0;100.00;246.80",
    )
    with django_capture_on_commit_callbacks(execute=True):
        billing_import(organisation=world.org, paths=[corrected])


def test_it_shows_what_a_new_import_changed_in_a_cached_month(
    client: Client, world, tmp_path, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.holder)
    assertContains(client.get(f"/charges/{world.account.pk}/"), "135,36")

    _correct_january(world, tmp_path, django_capture_on_commit_callbacks)

    response = client.get(f"/charges/{world.account.pk}/")
    assertContains(response, "246,80")
    assertNotContains(response, "135,36")


def test_it_caches_a_month_per_language(client: Client, world) -> None:
    client.force_login(world.holder)
    assertContains(client.get(f"/charges/{world.account.pk}/"), ">Услуга</th>")

    client.cookies["django_language"] = "en"
    response = client.get(f"/charges/{world.account.pk}/")

    assertContains(response, ">Service</th>")
    assertNotContains(response, ">Услуга</th>")


def _chart_table(response) -> str:  # type: ignore[no-untyped-def]
    page = response.content.decode()
    start = page.index('<details class="chart-table">')
    return page[start : page.index("</details>", start)]


def test_the_cached_chart_table_follows_an_import_and_the_language(
    client: Client, world, tmp_path, django_capture_on_commit_callbacks
) -> None:
    client.force_login(world.holder)
    before = _chart_table(client.get(f"/charges/{world.account.pk}/"))
    assert "Месяц" in before
    assert _chart_table(client.get(f"/charges/{world.account.pk}/")) == before
    _correct_january(world, tmp_path, django_capture_on_commit_callbacks)

    after = _chart_table(client.get(f"/charges/{world.account.pk}/"))
    assert after != before
    client.cookies["django_language"] = "en"
    english = _chart_table(client.get(f"/charges/{world.account.pk}/"))
    assert "Month" in english and "Месяц" not in english
