"""The status machine of SPEC 2.6, enforced by services.request_transition alone."""

import itertools

import pytest

from kabinet.billing.tests.factories import make_org
from kabinet.helpdesk import services
from kabinet.helpdesk.models import RequestStatusChange, ServiceRequest
from kabinet.helpdesk.tests.factories import make_operator, make_request

Status = ServiceRequest.Status

# The SPEC's arrows, written out independently of services.TRANSITIONS.
ALLOWED = {
    (Status.NEW, Status.IN_WORK),
    (Status.NEW, Status.CANCELLED_CLIENT),
    (Status.NEW, Status.CANCELLED_STAFF),
    (Status.IN_WORK, Status.DONE),
    (Status.IN_WORK, Status.CANCELLED_STAFF),
    (Status.DONE, Status.CLOSED),
}


def actor(world, operator, target):
    return world.holder if target == Status.CANCELLED_CLIENT else operator


def test_it_allows_exactly_the_specified_transitions(world) -> None:
    operator = make_operator(world.org)
    request = make_request(world.holder, world.account)
    outcomes = {}
    for source, target in itertools.product(Status, Status):
        ServiceRequest.objects.filter(pk=request.pk).update(status=source, status_reason="")
        request.refresh_from_db()
        try:
            change = services.request_transition(
                request=request, to=target, by=actor(world, operator, target), reason="Дубль"
            )
        except services.TransitionRefused:
            request.refresh_from_db()
            assert request.status == source, (source, target)
            outcomes[source, target] = False
        else:
            request.refresh_from_db()
            assert request.status == target, (source, target)
            assert (change.from_status, change.to_status) == (source, target)
            outcomes[source, target] = True

    assert len(outcomes) == len(Status) ** 2
    assert {pair for pair, allowed in outcomes.items() if allowed} == ALLOWED


def test_it_refuses_a_residents_cancel_once_in_work(world) -> None:
    operator = make_operator(world.org)
    request = make_request(world.holder, world.account)
    services.request_transition(request=request, to=Status.IN_WORK, by=operator)

    with pytest.raises(services.TransitionRefused, match="уже в работе"):
        services.request_transition(request=request, to=Status.CANCELLED_CLIENT, by=world.holder)
    request.refresh_from_db()
    assert request.status == Status.IN_WORK


def test_it_lets_only_the_organisations_staff_move_a_request_forward(world) -> None:
    request = make_request(world.holder, world.account)
    other_org_staff = make_operator(make_org("other"), email="other-op@example.com")
    for outsider in (world.holder, world.stranger, other_org_staff):
        with pytest.raises(services.TransitionRefused):
            services.request_transition(request=request, to=Status.IN_WORK, by=outsider)
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_it_lets_only_people_of_the_account_cancel_as_client(world) -> None:
    request = make_request(world.holder, world.account)
    operator = make_operator(world.org)
    for outsider in (world.stranger, operator):
        with pytest.raises(services.TransitionRefused):
            services.request_transition(request=request, to=Status.CANCELLED_CLIENT, by=outsider)

    # A family member cannot cancel what the holder filed (SPEC 2.2); the holder can.
    with pytest.raises(services.TransitionRefused, match="заявитель или владелец"):
        services.request_transition(request=request, to=Status.CANCELLED_CLIENT, by=world.member)
    services.request_transition(request=request, to=Status.CANCELLED_CLIENT, by=world.holder)
    request.refresh_from_db()
    assert request.status == Status.CANCELLED_CLIENT


def test_it_requires_a_reason_for_a_staff_cancel(world) -> None:
    operator = make_operator(world.org)
    request = make_request(world.holder, world.account)

    with pytest.raises(services.TransitionRefused, match="причину"):
        services.request_transition(
            request=request, to=Status.CANCELLED_STAFF, by=operator, reason="  "
        )

    services.request_transition(
        request=request, to=Status.CANCELLED_STAFF, by=operator, reason="Неверный адрес"
    )
    request.refresh_from_db()
    assert request.status == Status.CANCELLED_STAFF
    assert request.status_reason == "Неверный адрес"


def test_it_records_every_change_with_who_made_it(world) -> None:
    operator = make_operator(world.org)
    request = make_request(world.holder, world.account)
    services.request_transition(request=request, to=Status.IN_WORK, by=operator)
    services.request_transition(request=request, to=Status.DONE, by=operator)

    history = list(
        RequestStatusChange.objects.filter(request=request).values_list("to_status", "by")
    )
    assert history == [
        (Status.NEW, world.holder.pk),
        (Status.IN_WORK, operator.pk),
        (Status.DONE, operator.pk),
    ]
