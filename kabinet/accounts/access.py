"""The one gate between a resident and a personal account: this account for this user, or 404.

Every resident view and API endpoint that reaches an account (or anything hanging off it:
charges, documents, meters, payments, requests) goes through `get_account_for_user`, so a
stranger's session gets 404 rather than a hint that the object exists.
"""

from collections.abc import Sequence
from enum import StrEnum

from django.db.models import QuerySet
from django.http import Http404

from kabinet.accounts.models import AccountLink
from kabinet.billing.models import PersonalAccount
from kabinet.meters.models import Meter
from kabinet.users.models import User


class Right(StrEnum):
    READ = "read"
    PAY = "pay"
    READINGS = "readings"
    SHARE = "share"
    UNBIND = "unbind"
    # Cancel or close requests and appeals that someone else on the account filed.
    MANAGE = "manage"


RIGHTS = {
    AccountLink.Role.HOLDER: frozenset(Right),
    # A family member reads, pays and sends readings, but cannot share further or unbind, and
    # cancels or closes only the requests and appeals they filed themselves.
    AccountLink.Role.MEMBER: frozenset({Right.READ, Right.PAY, Right.READINGS}),
}


def linked_accounts(user: User, right: Right = Right.READ) -> QuerySet[PersonalAccount]:
    """The accounts this user may use with `right`, with their organisation."""
    if not user.is_authenticated:
        return PersonalAccount.objects.none()
    roles = [role for role, rights in RIGHTS.items() if right in rights]
    return (
        PersonalAccount.objects.filter(links__user=user, links__role__in=roles)
        .select_related("organisation")
        .order_by("organisation__name", "number")
        .distinct()
    )


def may_pay_any(user: User, readable: Sequence[PersonalAccount]) -> bool:
    """Whether the user may pay any account, given the accounts they read (`linked_accounts(user,
    Right.READ)`, already loaded): no query while every role that reads may also pay."""
    if all(Right.PAY in rights for rights in RIGHTS.values() if Right.READ in rights):
        return bool(readable)
    return linked_accounts(user, Right.PAY).exists()


def get_account_for_user(user: User, account_id: int | str, right: Right = Right.READ) -> PersonalAccount:
    """The account, if this user may use it with `right`; Http404 otherwise (never 403)."""
    if not user.is_authenticated:
        raise Http404("Лицевой счёт не найден")
    roles = [role for role, rights in RIGHTS.items() if right in rights]
    try:
        # `linked_accounts` narrowed to one account, without its DISTINCT and ORDER BY: a user
        # has at most one link to an account (account_link_unique), so the join gives one row.
        account = PersonalAccount.objects.select_related("organisation").get(
            pk=int(account_id), links__user=user, links__role__in=roles
        )
    except (PersonalAccount.DoesNotExist, ValueError, TypeError):
        raise Http404("Лицевой счёт не найден") from None
    return _granted(account, user, right)


# Where the gate notes, on the account it hands out, to whom and for what right it did. The
# note holds this process's own object, so a copy of the account that went through pickling (a
# cache) never passes for granted.
_GRANT = "_kabinet_granted"
_THIS_PROCESS = object()


def _granted(account: PersonalAccount, user: User, right: Right) -> PersonalAccount:
    account.__dict__[_GRANT] = (_THIS_PROCESS, user.pk, right)
    return account


def checked_account(user: User, account: PersonalAccount, right: Right) -> PersonalAccount:
    """`account` as `get_account_for_user` gives it: the very object if the gate itself handed
    it to this user for `right` (in this request), otherwise checked and loaded again."""
    grant = account.__dict__.get(_GRANT)
    if grant is not None and grant[0] is _THIS_PROCESS and grant[1:] == (user.pk, right) and user.is_authenticated:
        return account
    return get_account_for_user(user, account.pk, right)


def meter_account_for_user(user: User, meter_id: int, right: Right) -> PersonalAccount | None:
    """The account of a meter, with its organisation, in one query, granted (see
    `checked_account`) if this user may use it with `right`; otherwise a bare
    PersonalAccount(pk=…) of the meter, to be checked again (a 404 there), or None if there is
    no such meter."""
    if user.is_authenticated:
        roles = [role for role, rights in RIGHTS.items() if right in rights]
        # One row at most: one meter, one account, one link per user and account.
        rows = PersonalAccount.objects.select_related("organisation").filter(
            meters__pk=meter_id, links__user=user, links__role__in=roles
        )
        found = next(iter(rows.order_by()), None)
        if found is not None:
            return _granted(found, user, right)
    account_id = next(iter(Meter.objects.filter(pk=meter_id).order_by().values_list("account_id", flat=True)), None)
    return None if account_id is None else PersonalAccount(pk=account_id)


def get_link_for_user(user: User, account_id: int | str, right: Right = Right.READ) -> AccountLink:
    """This user's link to the account (with the account and its organisation), if the link
    gives `right`; Http404 otherwise, as `get_account_for_user`, in one query."""
    if not user.is_authenticated:
        raise Http404("Лицевой счёт не найден")
    roles = [role for role, rights in RIGHTS.items() if right in rights]
    try:
        return AccountLink.objects.select_related("account__organisation").get(
            user=user, account_id=int(account_id), role__in=roles
        )
    except (AccountLink.DoesNotExist, ValueError, TypeError):
        raise Http404("Лицевой счёт не найден") from None


def user_can(user: User, account: PersonalAccount, right: Right) -> bool:
    return linked_accounts(user, right).filter(pk=account.pk).exists()
