"""The calendar feed (SPEC 2.8): parses as iCalendar, has each account's next reading window and
the payment due date; a revoked or unknown address is 404."""

from __future__ import annotations

import datetime

import time_machine
from django.test import Client
from icalendar import Calendar

from kabinet.api.services import calendar_feed_create, calendar_feed_revoke
from kabinet.billing.tests.factories import make_org
from kabinet.meters.tests.helpers import local
from kabinet.payments.tests.helpers import add_account


def fetch(secret: str):  # type: ignore[no-untyped-def]
    return Client().get(f"/calendar/{secret}.ics")


def events(response) -> list:  # type: ignore[no-untyped-def]
    assert response["Content-Type"].startswith("text/calendar")
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_it_has_the_next_reading_window_of_each_account(world):
    other = make_org("tsj", inn="5406012341", reading_first_day=10, reading_last_day=25)
    add_account(other, "7001", holder=world.holder)
    _feed, secret = calendar_feed_create(user=world.holder)
    with time_machine.travel(local("2025-02-27 12:00"), tick=False):  # both windows closed
        found = events(fetch(secret))
    windows = {
        (str(e["summary"]), e.decoded("dtstart"), e.decoded("dtend"))
        for e in found
        if str(e["summary"]).startswith("Передать показания")
    }
    assert (
        "Передать показания счётчиков (л/с 1001)",
        local("2025-03-15 00:00"),
        local("2025-03-26 00:00"),
    ) in windows
    assert (
        "Передать показания счётчиков (л/с 7001)",
        local("2025-03-10 00:00"),
        local("2025-03-26 00:00"),
    ) in windows


def test_it_has_the_open_window_while_it_is_open_and_the_due_date(world):
    _feed, secret = calendar_feed_create(user=world.member)
    with time_machine.travel(local("2025-02-20 12:00"), tick=False):
        found = events(fetch(secret))
    starts = sorted(e.decoded("dtstart") for e in found if "показания" in str(e["summary"]))
    assert starts[0] == local("2025-02-15 00:00")
    due = [e for e in found if str(e["summary"]).startswith("Оплатить")]
    assert [(str(e["summary"]), e.decoded("dtstart")) for e in due] == [
        ("Оплатить ЖКУ за 01.2025 (л/с 1001)", datetime.date(2025, 2, 10))
    ]
    assert len({str(e["uid"]) for e in found}) == len(found)


def test_it_shows_nothing_of_others(world):
    _feed, secret = calendar_feed_create(user=world.stranger)
    summaries = [str(e["summary"]) for e in events(fetch(secret))]
    assert summaries and all("1002" in s for s in summaries)


def test_it_stops_working_when_revoked_or_replaced(world):
    feed, secret = calendar_feed_create(user=world.holder)
    _new, new_secret = calendar_feed_create(user=world.holder)
    assert fetch(secret).status_code == 404  # a new address replaces the old one
    assert fetch(new_secret).status_code == 200
    calendar_feed_revoke(user=world.holder, feed_id=_new.pk)
    assert fetch(new_secret).status_code == 404
    assert fetch("cal_guess").status_code == 404
    assert feed.pk != _new.pk


def test_it_keeps_calendar_secrets_out_of_the_logs(world, caplog):
    import logging

    feed, secret = calendar_feed_create(user=world.holder)
    calendar_feed_revoke(user=world.holder, feed_id=feed.pk)
    caplog.set_level(logging.DEBUG)
    assert fetch(secret).status_code == 404
    assert secret not in caplog.text
