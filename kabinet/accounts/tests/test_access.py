import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from kabinet.accounts.access import (
    Right,
    get_account_for_user,
    get_link_for_user,
    linked_accounts,
    user_can,
)


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
