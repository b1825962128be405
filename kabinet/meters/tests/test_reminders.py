"""The opt-in reminder e-mail when a window opens (`manage.py send_reading_reminders`)."""

import io

import time_machine
from django.core import mail
from django.core.management import call_command

from kabinet.meters.models import Meter
from kabinet.meters.services import reading_reminders_send, reading_submit, reminder_subscribe
from kabinet.meters.tests.helpers import local


def test_it_reminds_who_opted_in_once_per_window(world, django_capture_on_commit_callbacks):
    reminder_subscribe(user=world.holder, enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert reading_reminders_send(now=local("2025-02-15 09:00")) == 1
        assert reading_reminders_send(now=local("2025-02-16 09:00")) == 0
    [message] = mail.outbox
    assert message.to == ["holder@example.com"]
    assert "1001" in message.body and "25.02.2025 23:59" in message.body


def test_it_does_not_remind_who_did_not_opt_in_or_outside_the_window(world, django_capture_on_commit_callbacks):
    reminder_subscribe(user=world.member, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert reading_reminders_send(now=local("2025-02-15 09:00")) == 0
        reminder_subscribe(user=world.holder, enabled=True)
        assert reading_reminders_send(now=local("2025-02-14 09:00")) == 0
    assert mail.outbox == []


def test_it_does_not_remind_who_already_sent_readings(world, django_capture_on_commit_callbacks):
    reminder_subscribe(user=world.holder, enabled=True)
    m1 = Meter.objects.get(external_id="M-1")
    reading_submit(user=world.member, account=world.account, values={m1.pk: ["130"]}, now=local("2025-02-15 08:00"))
    with django_capture_on_commit_callbacks(execute=True):
        assert reading_reminders_send(now=local("2025-02-15 09:00")) == 0
    assert mail.outbox == []


def test_it_runs_as_a_command_for_cron(world, django_capture_on_commit_callbacks):
    reminder_subscribe(user=world.holder, enabled=True)
    out = io.StringIO()
    with time_machine.travel(local("2025-03-15 00:05"), tick=False), django_capture_on_commit_callbacks(execute=True):
        call_command("send_reading_reminders", stdout=out)
    assert "1" in out.getvalue()
    assert len(mail.outbox) == 1
