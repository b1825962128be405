"""Statuses: one service for the operator, the export and the billing import; admin actions."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from kabinet.billing.imports import billing_import
from kabinet.billing.tests.factories import READINGS_HEADER, make_org, write
from kabinet.meters.models import Meter, ReadingSubmission
from kabinet.meters.services import TransitionNotAllowed, reading_submit, submissions_set_status
from kabinet.meters.tests.helpers import local
from kabinet.users.models import User

S = ReadingSubmission.Status


def sent(world, value="130", when="2025-02-20 10:00"):
    m1 = Meter.objects.get(external_id="M-1")
    [sub] = reading_submit(user=world.holder, account=world.account, values={m1.pk: [value]}, now=local(when))
    return sub


def status_of(sub) -> str:
    sub.refresh_from_db()
    return sub.status


def test_it_moves_through_the_allowed_steps(world):
    sub = sent(world)
    assert submissions_set_status(submissions=[sub], status=S.TRANSFERRED) == (1, 0)
    assert submissions_set_status(submissions=[sub], status=S.ACCEPTED) == (1, 0)
    assert status_of(sub) == S.ACCEPTED


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ((), S.ACCEPTED),  # straight from «Принято в систему» to «Принято к начислению»
        ((S.TRANSFERRED,), S.RECEIVED),
        ((S.TRANSFERRED, S.ACCEPTED), S.REJECTED),
    ],
)
def test_it_skips_steps_that_are_not_allowed(world, path, target):
    sub = sent(world)
    for step in path:
        submissions_set_status(submissions=[sub], status=step, reason="r")
    before = status_of(sub)
    assert submissions_set_status(submissions=[sub], status=target, reason="r") == (0, 1)
    assert status_of(sub) == before


def test_it_wants_a_reason_to_reject(world):
    sub = sent(world)
    with pytest.raises(TransitionNotAllowed):
        submissions_set_status(submissions=[sub], status=S.REJECTED, reason="  ")
    submissions_set_status(submissions=[sub], status=S.REJECTED, reason="Фото не совпадает")
    sub.refresh_from_db()
    assert (sub.status, sub.reject_reason) == (S.REJECTED, "Фото не совпадает")


def test_it_marks_readings_the_billing_took_in_as_accepted(world, tmp_path):
    sub = sent(world, "130")
    m2 = Meter.objects.get(external_id="M-2")
    [other] = reading_submit(
        user=world.holder, account=world.account, values={m2.pk: ["1010", "405"]}, now=local("2025-02-20 10:00")
    )
    submissions_set_status(submissions=[sub, other], status=S.TRANSFERRED)
    path = write(
        tmp_path,
        "readings.csv",
        READINGS_HEADER,
        "M-1;2025-02-25;130.000;;;billing",
        "M-2;2025-02-25;1010;999;;billing",  # the billing corrected it: not what was sent
    )
    billing_import(organisation=world.org, paths=[path])
    assert status_of(sub) == S.ACCEPTED
    assert status_of(other) == S.TRANSFERRED


def test_it_leaves_readings_not_yet_passed_to_billing_alone(world, tmp_path):
    sub = sent(world, "130")
    path = write(tmp_path, "readings.csv", READINGS_HEADER, "M-1;2025-02-25;130;;;billing")
    billing_import(organisation=world.org, paths=[path])
    assert status_of(sub) == S.RECEIVED


# --- the admin --------------------------------------------------------------------------


def operator(org, username="op") -> Client:
    group, _created = Group.objects.get_or_create(name="Операторы")
    group.permissions.set(Permission.objects.filter(content_type__app_label="meters"))
    user = User.objects.create_user(username=username, password="x-Пароль-123", is_staff=True, organisation=org)
    user.groups.add(group)
    client = Client()
    client.force_login(user)
    return client


CHANGELIST = reverse("admin:meters_readingsubmission_changelist")


def test_it_lets_the_operator_change_statuses_by_admin_actions(world):
    sub = sent(world)
    client = operator(world.org)
    client.post(CHANGELIST, {"action": "mark_transferred", "_selected_action": [sub.pk]})
    assert status_of(sub) == S.TRANSFERRED
    response = client.post(CHANGELIST, {"action": "mark_rejected", "_selected_action": [sub.pk]})
    assert "Причина отклонения" in response.content.decode()
    assert status_of(sub) == S.TRANSFERRED
    client.post(
        CHANGELIST,
        {"action": "mark_rejected", "_selected_action": [sub.pk], "apply": "1", "reject_reason": "Не тот счётчик"},
    )
    sub.refresh_from_db()
    assert (sub.status, sub.reject_reason) == (S.REJECTED, "Не тот счётчик")


def test_it_hides_submissions_from_another_organisations_operator(world):
    sub = sent(world)
    client = operator(make_org("tsj", inn="5406012345"), "other-op")
    assert client.get(reverse("admin:meters_readingsubmission_change", args=[sub.pk])).status_code == 404
    client.post(CHANGELIST, {"action": "mark_transferred", "_selected_action": [sub.pk]})
    assert status_of(sub) == S.RECEIVED
