"""A version of what a resident's payment pages show, for the cached balance and history of each
account («Платежи», «История платежей»).

Each user has one version, replaced (once the change commits) whenever a billing payment of an
account they are linked to is saved or deleted (an online credit or refund, an edit in the
office), an allocation ties one to a payment, the account's own data changes, or their links to
accounts change. Imports and publications replace the organisation's charges version
(kabinet/billing/cache.py), which the cache keys include too. A version lost from the cache is a
new random one, which also drops every old entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kabinet.accounts.models import AccountLink
from kabinet.billing.cache import charges_version_key
from kabinet.billing.models import BillingPayment, PersonalAccount
from kabinet.payments.models import PaymentAllocation


def _key(user_id: int) -> str:
    return f"payments-version:{user_id}"


def page_version(user_id: int, organisation_ids: Iterable[int]) -> str:
    """The user's payments version and the charges versions of these organisations as one
    string, read in one round trip; a version not in the cache yet is made here."""
    keys = [_key(user_id), *(charges_version_key(pk) for pk in sorted(set(organisation_ids)))]
    found = cache.get_many(keys)
    versions = []
    for key in keys:
        version = found.get(key)
        if version is None:
            fresh = uuid.uuid4().hex[:12]
            # Another server may have made it first: then theirs is the version.
            version = fresh if cache.add(key, fresh, timeout=None) else (cache.get(key) or "0")
        versions.append(str(version))
    return "-".join(versions)


def payments_version_bump(*, user_ids: Iterable[int]) -> None:
    fresh = {_key(pk): uuid.uuid4().hex[:12] for pk in set(user_ids)}
    if fresh:
        cache.set_many(fresh, timeout=None)


def _bump_accounts(account_ids: Iterable[int | None]) -> None:
    """Replace the versions of every user linked to these accounts once the change commits."""
    accounts = {pk for pk in account_ids if pk is not None}
    if not accounts:
        return

    def bump() -> None:
        users = AccountLink.objects.filter(account_id__in=accounts).values_list(
            "user_id", flat=True
        )
        payments_version_bump(user_ids=users)

    transaction.on_commit(bump)


@receiver([post_save, post_delete], sender=BillingPayment, dispatch_uid="payments_version_payment")
def _billing_payment_changed(instance: BillingPayment, **kwargs: object) -> None:
    _bump_accounts([instance.account_id])


@receiver(
    [post_save, post_delete], sender=PaymentAllocation, dispatch_uid="payments_version_allocation"
)
def _allocation_changed(instance: PaymentAllocation, **kwargs: object) -> None:
    _bump_accounts([instance.account_id])


@receiver([post_save, post_delete], sender=PersonalAccount, dispatch_uid="payments_version_account")
def _account_changed(instance: PersonalAccount, **kwargs: object) -> None:
    _bump_accounts([instance.pk])


@receiver([post_save, post_delete], sender=AccountLink, dispatch_uid="payments_version_link")
def _link_changed(instance: AccountLink, **kwargs: object) -> None:
    user_id = instance.user_id
    transaction.on_commit(lambda: payments_version_bump(user_ids=[user_id]))
