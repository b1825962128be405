"""Builders for payment tests: more accounts with charges, payments started at a gateway."""

from __future__ import annotations

from decimal import Decimal

from kabinet.accounts.models import AccountLink
from kabinet.billing.models import Charge, Period, PersonalAccount, Service
from kabinet.orgs.models import Organisation
from kabinet.payments.models import GatewayAccount, Payment
from kabinet.payments.services import PayLine, payment_create, payment_start
from kabinet.users.models import User


def add_account(
    organisation: Organisation,
    number: str,
    *,
    to_pay: str = "500.00",
    penalty: str | None = None,
    holder: User | None = None,
    month: str = "2025-01",
) -> PersonalAccount:
    """An account with one service charge (and a penalty) in a published period."""
    account = PersonalAccount.objects.create(
        organisation=organisation, number=number, address=f"г. Новосибирск, ул. Мира, д. {number}"
    )
    period, _created = Period.objects.get_or_create(
        organisation=organisation, month=Period.parse(month), defaults={"is_published": True}
    )
    service, _created = Service.objects.get_or_create(
        organisation=organisation, code="tko", defaults={"name": "Обращение с ТКО"}
    )
    Charge.objects.create(
        account=account, period=period, service=service, charged=Decimal(to_pay), to_pay=Decimal(to_pay)
    )
    if penalty is not None:
        peni, _created = Service.objects.get_or_create(
            organisation=organisation, code="peni", defaults={"name": "Пени"}
        )
        Charge.objects.create(
            account=account,
            period=period,
            service=peni,
            kind=Charge.Kind.PENALTY,
            charged=Decimal(penalty),
            to_pay=Decimal(penalty),
        )
    if holder is not None:
        AccountLink.objects.create(user=holder, account=account, role=AccountLink.Role.HOLDER)
    return account


def use_gateway(organisation: Organisation, provider: str, shop_id: str, secret: str) -> None:
    organisation.payment_provider = provider
    organisation.save(update_fields=["payment_provider"])
    GatewayAccount.objects.update_or_create(
        organisation=organisation, defaults={"shop_id": shop_id, "secret": secret}
    )


def started_payment(world, amount: str = "100.00", account=None) -> Payment:  # type: ignore[no-untyped-def]
    """A payment of the holder's account, started at the organisation's gateway."""
    account = account or world.account
    payment = payment_create(
        user=world.holder,
        organisation=world.org,
        lines=[PayLine(account.pk, amount=Decimal(amount))],
        receipt_contact="holder@example.com",
    )
    return payment_start(
        payment=payment,
        return_url=f"https://kabinet.example/payments/{payment.uid}/",
        notification_url=f"https://kabinet.example/payments/notify/{payment.provider}/",
    )
