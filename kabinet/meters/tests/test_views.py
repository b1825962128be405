"""«Показания»: chooser, the meter table and form, confirmation step, history, reminders opt-in."""

import datetime
from decimal import Decimal

import time_machine
from django.test import Client
from django.urls import reverse

from kabinet.accounts.tests.factories import link
from kabinet.billing.models import PersonalAccount
from kabinet.meters.models import Meter, Reading, ReadingSubmission
from kabinet.meters.tests.helpers import local, make_meter
from kabinet.users.models import NotificationSettings

OPEN = local("2025-02-20 12:00")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(world) -> str:
    return reverse("readings_account", args=[world.account.pk])


def fields(world) -> dict[str, str]:
    m1 = Meter.objects.get(external_id="M-1")
    m2 = Meter.objects.get(external_id="M-2")
    return {f"m{m1.pk}_1": "130,5", f"m{m2.pk}_1": "1010.5", f"m{m2.pk}_2": "405"}


def test_it_sends_a_single_account_straight_to_its_meters(world):
    response = client_for(world.holder).get(reverse("readings"))
    assert response.status_code == 302
    assert response["Location"] == page_url(world)


def test_it_offers_a_chooser_when_there_are_several_accounts(world):
    second = PersonalAccount.objects.get(organisation=world.org, number="2001")
    link(world.holder, second)
    response = client_for(world.holder).get(reverse("readings"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("readings_account", args=[world.account.pk]) in body
    assert reverse("readings_account", args=[second.pk]) in body


def test_it_shows_the_meter_table(world):
    with time_machine.travel(OPEN, tick=False):
        response = client_for(world.holder).get(page_url(world))
    body = response.content.decode()
    assert response.status_code == 200
    for text in ("Холодное водоснабжение", "123456", "E-77", "10.01.2026", "01.05.2030",
                 "123,456", "1000,5", "400,2", "от 20.01.2025", "День", "Ночь", "кВт·ч",
                 "Передать показания", "Приём показаний открыт до 25.02.2025 23:59"):
        assert text in body, text


def test_it_disables_the_form_outside_the_window_and_says_when_it_opens(world):
    with time_machine.travel(local("2025-02-26 00:00"), tick=False):
        response = client_for(world.holder).get(page_url(world))
    body = response.content.decode()
    assert '<fieldset class="readings-fieldset" disabled>' in body
    assert "следующий приём откроется 15.03.2025 00:00" in body


def test_it_asks_for_confirmation_before_sending(world):
    with time_machine.travel(OPEN, tick=False):
        response = client_for(world.holder).post(page_url(world), {**fields(world), "action": "check"})
    body = response.content.decode()
    assert "Подтвердите передачу показаний" in body
    assert "№ 123456" in body and "130,5" in body and "День: 1010,5" in body
    assert "Продолжить" in body and "Исправить" in body
    assert not ReadingSubmission.objects.exists()


def test_it_sends_on_continue_and_shows_what_was_sent(world):
    client = client_for(world.holder)
    with time_machine.travel(OPEN, tick=False):
        response = client.post(page_url(world), {**fields(world), "action": "send"}, follow=True)
    assert ReadingSubmission.objects.count() == 2
    body = response.content.decode()
    assert "Показания переданы: 2" in body
    assert "Принято в систему" in body


def test_it_goes_back_to_the_form_with_the_values_to_correct(world):
    with time_machine.travel(OPEN, tick=False):
        response = client_for(world.holder).post(page_url(world), {**fields(world), "action": "edit"})
    body = response.content.decode()
    assert 'value="130,5"' in body
    assert "Передать показания" in body
    assert not ReadingSubmission.objects.exists()


def test_it_shows_a_refusal_next_to_the_field(world):
    m1 = Meter.objects.get(external_id="M-1")
    with time_machine.travel(OPEN, tick=False):
        response = client_for(world.holder).post(page_url(world), {f"m{m1.pk}_1": "100", "action": "check"})
    body = response.content.decode()
    assert "Показания не переданы." in body
    assert "Показание меньше последнего принятого (123,456 от 20.01.2025)" in body


def test_it_offers_the_confirmation_box_when_a_rule_asks_for_it(world):
    m1 = Meter.objects.get(external_id="M-1")
    client = client_for(world.holder)
    with time_machine.travel(OPEN, tick=False):
        response = client.post(page_url(world), {f"m{m1.pk}_1": "200", "action": "check"})
        assert "Подтверждаю большой расход" in response.content.decode()
        response = client.post(
            page_url(world), {f"m{m1.pk}_1": "200", "confirm_high": "on", "action": "send"}
        )
    assert response.status_code == 302
    assert ReadingSubmission.objects.get().high_confirmed


def test_it_keeps_the_page_to_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    for n in range(6):
        make_meter(
            world.account,
            f"X-{n}",
            zones=2,
            history=tuple((f"{2023 + i // 12}-{i % 12 + 1:02d}-20", (str(100 + i), str(50 + i))) for i in range(26)),
        )
    client = client_for(world.holder)
    with time_machine.travel(OPEN, tick=False), django_assert_max_num_queries(12):
        response = client.get(page_url(world))
    assert response.content.decode().count("<svg") >= 6


def test_it_draws_monthly_consumption_with_stacked_zones(world):
    make_meter(
        world.account,
        "CH",
        zones=2,
        resource=Meter.Resource.ELECTRICITY,
        unit="кВт·ч",
        history=(("2024-12-20", ("100", "50")), ("2025-01-20", ("160", "80"))),
    )
    with time_machine.travel(OPEN, tick=False):
        body = client_for(world.holder).get(page_url(world)).content.decode()
    assert "Расход по месяцам" in body
    assert "Янв 2025: 60 + 30 кВт·ч" in body
    assert "Дек 2024: 0 + 0 кВт·ч" in body  # the first reading has nothing to compare with
    assert 'id="meter-' in body and 'id="chart-d"' not in body  # one id per chart on the page


def test_it_lists_the_history_with_replaced_submissions(world):
    client = client_for(world.holder)
    m1 = Meter.objects.get(external_id="M-1")
    with time_machine.travel(OPEN, tick=False):
        client.post(page_url(world), {f"m{m1.pk}_1": "130", "action": "send"})
        client.post(page_url(world), {f"m{m1.pk}_1": "131", "action": "send"})
    body = client.get(reverse("readings_history", args=[world.account.pk])).content.decode()
    assert "Заменено более поздним" in body
    assert "131" in body and "130" in body


def test_it_gives_a_stranger_404_for_another_cabinets_meters_and_submissions(world):
    client = client_for(world.stranger)
    m1 = Meter.objects.get(external_id="M-1")
    with time_machine.travel(OPEN, tick=False):
        assert client.get(page_url(world)).status_code == 404
        assert client.post(page_url(world), {f"m{m1.pk}_1": "130", "action": "send"}).status_code == 404
        assert client.get(reverse("readings_history", args=[world.account.pk])).status_code == 404
    assert not ReadingSubmission.objects.exists()


def test_it_lets_the_family_member_in(world):
    with time_machine.travel(OPEN, tick=False):
        assert client_for(world.member).get(page_url(world)).status_code == 200


def test_it_sends_anonymous_visitors_to_sign_in(world):
    response = Client().get(page_url(world))
    assert response.status_code == 302


def test_it_switches_the_reminder_on_and_off(world):
    client = client_for(world.holder)
    client.post(reverse("readings_reminder"), {"enabled": "on", "next": page_url(world)})
    assert NotificationSettings.objects.get(user=world.holder).reading_reminders
    response = client.post(reverse("readings_reminder"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("readings")
    assert not NotificationSettings.objects.get(user=world.holder).reading_reminders


def test_it_marks_a_meter_past_verification(world):
    with time_machine.travel(local("2026-01-20 12:00"), tick=False):
        body = client_for(world.holder).get(page_url(world)).content.decode()
    assert "срок поверки истёк" in body
    assert datetime.date(2026, 1, 10).strftime("%d.%m.%Y") in body


def test_it_shows_the_source_and_status_of_every_reading_in_the_history(world):
    from kabinet.meters.models import Reading
    from kabinet.meters.services import reading_submit, submissions_set_status

    m1 = Meter.objects.get(external_id="M-1")
    Reading.objects.create(meter=m1, reading_date=datetime.date(2024, 12, 20), value1=120, source="расчётное")
    with time_machine.travel(OPEN, tick=False):
        client_for(world.holder).post(page_url(world), {f"m{m1.pk}_1": "124", "action": "send"})
        (api_submission,) = reading_submit(
            user=world.member, account=world.account, values={m1.pk: ["125"]}, source="api"
        )
    submissions_set_status(submissions=[api_submission], status="transferred")
    body = client_for(world.holder).get(reverse("readings_history", args=[world.account.pk])).content.decode()
    rows = [row for row in body.split("<tr>")[2:]]
    assert len(rows) == 5  # two submissions, three billing readings (M-1 twice, M-2 once)
    assert "Житель, через API" in rows[0] and "Передано в расчёт" in rows[0] and "125" in rows[0]
    assert "Житель, личный кабинет" in rows[1] and "Заменено более поздним" in rows[1]
    assert "Биллинг организации" in body and "Принято к начислению" in body
    estimated = next(row for row in rows if "20.12.2024" in row)
    assert "Расчётное (без показаний)" in estimated


def test_a_cached_chart_follows_every_change_of_its_readings_and_language(world):
    """Charts come from the pages cache, kept by what they are drawn from: a new, edited or
    deleted reading, another month or another language draws a new one."""
    meter = make_meter(
        world.account,
        "CC",
        unit="м3",
        history=(("2024-12-20", "100"), ("2025-01-20", "160")),
    )
    client = client_for(world.holder)

    def chart() -> str:
        body = client.get(page_url(world)).content.decode()
        start = body.index(f'id="meter-{meter.pk}-d">')
        return body[start : body.index("</desc>", start)]

    with time_machine.travel(OPEN, tick=False):
        assert "Янв 2025: 60 м3" in chart()
        assert "Янв 2025: 60 м3" in chart()  # from the cache
        reading = Reading.objects.get(meter=meter, reading_date=datetime.date(2025, 1, 20))
        reading.value1 = Decimal("170")
        reading.save()
        assert "Янв 2025: 70 м3" in chart()
        Reading.objects.create(meter=meter, reading_date=datetime.date(2025, 2, 20), value1=Decimal("175"))
        assert "Фев 2025: 5 м3" in chart()
        Reading.objects.filter(meter=meter, reading_date=datetime.date(2025, 2, 20)).delete()
        assert "Фев 2025: 0 м3" in chart()
        client.cookies["django_language"] = "en"
        assert "Jan 2025: 70" in chart()
    with time_machine.travel(local("2025-03-20 12:00"), tick=False):
        client.cookies["django_language"] = "ru"
        assert "Мар 2025: 0 м3" in chart()


def test_the_history_lines_are_escaped_and_in_the_reader_s_language(world):
    from kabinet.meters.services import reading_submit

    m1 = Meter.objects.get(external_id="M-1")
    with time_machine.travel(OPEN, tick=False):
        (submission,) = reading_submit(
            user=world.holder, account=world.account, values={m1.pk: ["124"]}, source="api"
        )
    ReadingSubmission.objects.filter(pk=submission.pk).update(
        status=ReadingSubmission.Status.REJECTED, reject_reason="<b>Неверно</b>"
    )
    client = client_for(world.holder)
    body = client.get(reverse("readings_history", args=[world.account.pk])).content.decode()
    assert "Отклонено: &lt;b&gt;Неверно&lt;/b&gt;" in body and "<b>Неверно" not in body
    assert 'data-label="Источник">Житель, через API</td>' in body
    client.cookies["django_language"] = "en"
    body = client.get(reverse("readings_history", args=[world.account.pk])).content.decode()
    assert 'data-label="Source">' in body and 'data-label="Источник"' not in body
    assert 'data-label="Meter readings"' in body
