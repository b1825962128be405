"""A resident sends readings from a phone: «Показания» → form → confirmation → «Продолжить»."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from kabinet.meters.models import Meter, ReadingSubmission

pytestmark = pytest.mark.browser


def test_it_sends_readings_of_two_meters_and_refuses_one_below_the_last(world, live_server, sign_in) -> None:
    # The browser runs on today's clock: open the window all month and renew M-1's verification.
    world.org.reading_first_day, world.org.reading_last_day = 1, 31
    world.org.reading_closes_at = datetime.time(23, 59)
    world.org.save()
    Meter.objects.filter(external_id="M-1").update(next_verification_on=datetime.date(2099, 1, 1))

    page: Page = sign_in(world.holder)
    page.goto(live_server.url + "/home/")
    page.get_by_role("button", name="Меню").click()
    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Показания").click()
    expect(page.get_by_role("heading", name="Ввод показаний")).to_be_visible()

    page.get_by_label("Счётчик № 123456: Показание").fill("125")
    page.get_by_label("Счётчик № E-77: День").fill("1010,5")
    page.get_by_label("Счётчик № E-77: Ночь").fill("405")
    page.get_by_role("button", name="Передать показания").click()

    expect(page.get_by_role("heading", name="Подтвердите передачу показаний")).to_be_visible()
    expect(page.get_by_text("Ночь: 405")).to_be_visible()
    # Back to correct one value, then through the confirmation again.
    page.get_by_role("button", name="Исправить").click()
    expect(page.get_by_label("Счётчик № E-77: Ночь")).to_have_value("405")
    page.get_by_label("Счётчик № 123456: Показание").fill("125,5")
    page.get_by_role("button", name="Передать показания").click()
    expect(page.get_by_text("125,5")).to_be_visible()
    page.get_by_role("button", name="Продолжить").click()

    expect(page.get_by_text("Показания переданы: 2")).to_be_visible()
    expect(page.get_by_text("Принято в систему").first).to_be_visible()
    assert sorted(
        (s.meter.external_id, s.values) for s in ReadingSubmission.objects.select_related("meter")
    ) == [("M-1", [125.5]), ("M-2", [1010.5, 405])]

    page.get_by_label("Счётчик № 123456: Показание").fill("100")
    page.get_by_role("button", name="Передать показания").click()
    expect(page.get_by_role("alert")).to_contain_text("Показания не переданы")
    error = "Показание меньше последнего принятого (123,456 от 20.01.2025)"
    # The error summary links to the field, and the field itself is described by the error.
    expect(page.get_by_role("alert").get_by_role("link", name=error)).to_be_visible()
    expect(page.get_by_label("Счётчик № 123456: Показание")).to_have_accessible_description(
        re.compile(re.escape(error))
    )
    assert ReadingSubmission.objects.count() == 2
