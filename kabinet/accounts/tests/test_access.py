import pickle

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from kabinet.accounts.access import (
    Right,
    checked_account,
    get_account_for_user,
    get_link_for_user,
    linked_accounts,
    meter_account_for_user,
    user_can,
)
from kabinet.billing.models import PersonalAccount
from kabinet.meters.models import Meter
from kabinet.meters.tests.helpers import make_meter


def test_it_gives_the_holder_every_right(world) -> None:
    for right in Right:
        assert get_account_for_user(world.holder, world.account.pk, right) == world.account


def test_it_gives_a_member_read_pay_and_readings_only(world) -> None:
    for right in (Right.READ, Right.PAY, Right.READINGS):
        assert user_can(world.member, world.account, right)
    for right in (Right.SHARE, Right.UNBIND):
        assert not user_can(world.member, world.account, right)
        with pytest.raises(Http404):
            get_account_for_user(world.member, world.account.pk, right)


def test_it_answers_404_to_a_stranger(world) -> None:
    with pytest.raises(Http404):
        get_account_for_user(world.stranger, world.account.pk)
    with pytest.raises(Http404):
        get_account_for_user(world.stranger, "not-a-number")
    assert list(linked_accounts(world.stranger)) == [world.other_account]


def test_the_link_gate_answers_as_the_account_gate(world) -> None:
    link = get_link_for_user(world.holder, world.account.pk, Right.SHARE)
    assert (link.user, link.account, link.account.organisation) == (
        world.holder, world.account, world.org
    )
    assert get_link_for_user(world.member, world.account.pk, Right.PAY).user == world.member
    for user, account_id, right in (
        (world.member, world.account.pk, Right.SHARE),
        (world.stranger, world.account.pk, Right.READ),
        (world.stranger, "not-a-number", Right.READ),
        (AnonymousUser(), world.account.pk, Right.READ),
    ):
        with pytest.raises(Http404):
            get_link_for_user(user, account_id, right)  # type: ignore[arg-type]


def test_a_granted_account_passes_only_for_the_same_user_and_right(world, django_assert_num_queries) -> None:
    granted = get_account_for_user(world.member, world.account.pk, Right.READINGS)
    with django_assert_num_queries(0):
        assert checked_account(world.member, granted, Right.READINGS) is granted
    # Another right, another user, or an account the gate did not hand out: checked again.
    with pytest.raises(Http404):
        checked_account(world.member, granted, Right.SHARE)
    with pytest.raises(Http404):
        checked_account(world.stranger, granted, Right.READINGS)
    with pytest.raises(Http404):
        checked_account(world.stranger, world.account, Right.READINGS)
    with django_assert_num_queries(1):
        assert checked_account(world.holder, PersonalAccount(pk=world.account.pk), Right.READ) == world.account
    # A copy that went through a cache is checked again.
    with django_assert_num_queries(1):
        copy = pickle.loads(pickle.dumps(granted))  # noqa: S301
        assert checked_account(world.member, copy, Right.READINGS) is not copy


def test_the_meter_gate_grants_in_one_query_only_whom_the_account_gate_would(world, django_assert_num_queries) -> None:
    meter = make_meter(world.account, "GATE-1")
    with django_assert_num_queries(1):
        account = meter_account_for_user(world.member, meter.pk, Right.READINGS)
        assert account is not None
        assert (account, account.organisation) == (world.account, world.org)
    with django_assert_num_queries(0):
        assert checked_account(world.member, account, Right.READINGS) is account
    for user, right in ((world.member, Right.SHARE), (world.stranger, Right.READINGS), (AnonymousUser(), Right.READ)):
        with django_assert_num_queries(2 if user.is_authenticated else 1):
            bare = meter_account_for_user(user, meter.pk, right)  # type: ignore[arg-type]
        assert bare is not None and bare.pk == world.account.pk
        with pytest.raises(Http404):
            checked_account(user, bare, right)  # type: ignore[arg-type]
    assert meter_account_for_user(world.holder, meter.pk + 1000, Right.READ) is None
    # A meter whose account row is gone (no constraint in the database): its account id, to be
    # refused by the check, as before.
    Meter.objects.filter(pk=meter.pk).update(account_id=world.account.pk + 1000)
    bare = meter_account_for_user(world.holder, meter.pk, Right.READ)
    assert bare is not None and bare.pk == world.account.pk + 1000
    with pytest.raises(Http404):
        checked_account(world.holder, bare, Right.READ)
