"""Bulk data for query-count tests: a cabinet with many accounts and long histories."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kabinet.accounts.models import AccountLink
from kabinet.billing.models import BillingPayment, Charge, Period, PersonalAccount, Service
from kabinet.billing.selectors import add_months
from kabinet.orgs.models import Organisation
from kabinet.users.models import User

SERVICES = (("hvs", "Холодное водоснабжение", "м3"), ("gvs", "Горячее водоснабжение", "м3"),
            ("el", "Электроэнергия", "кВт·ч"))


def history(
    org: Organisation,
    user: User,
    *,
    accounts: int = 10,
    months: int = 24,
    first: datetime.date = datetime.date(2023, 1, 1),
    prefix: str = "H",
) -> list[PersonalAccount]:
    """`accounts` accounts bound to `user`, each with `months` published months of 3 services
    and a penalty, and a payment a month."""
    PersonalAccount.objects.bulk_create(
        PersonalAccount(
            organisation=org,
            number=f"{prefix}{i:04d}",
            owner_name=f"Сидоров{i} Сидор",
            address=f"г. Новосибирск, ул. Тестовая, д. {i}",
            apartment=str(i),
            area=Decimal("50.5"),
            residents=2,
        )
        for i in range(accounts)
    )
    created = list(PersonalAccount.objects.filter(organisation=org, number__startswith=prefix))
    services = [
        Service.objects.get_or_create(organisation=org, code=code, defaults={"name": name})[0]
        for code, name, _unit in SERVICES
    ]
    penalty = Service.objects.get_or_create(organisation=org, code="peni", defaults={"name": "Пени"})[0]
    periods = []
    for m in range(months):
        period, _ = Period.objects.get_or_create(
            organisation=org, month=add_months(first, m), defaults={"is_published": True}
        )
        periods.append(period)
    charges = []
    payments = []
    for account in created:
        for period in periods:
            for service, (_code, _name, unit) in zip(services, SERVICES, strict=True):
                charges.append(
                    Charge(
                        account=account, period=period, service=service, unit=unit,
                        tariff=Decimal("45.12"), norm=Decimal("6.93"), volume=Decimal("3"),
                        volume_basis="meter", debt_start=Decimal("100"), charged=Decimal("135.36"),
                        paid=Decimal("100"), to_pay=Decimal("135.36"),
                    )
                )
            charges.append(
                Charge(account=account, period=period, service=penalty, kind="penalty",
                       charged=Decimal("1.20"), to_pay=Decimal("1.20"))
            )
            payments.append(
                BillingPayment(
                    organisation=org, account=account, external_id=f"{account.number}-{period}",
                    paid_on=period.month + datetime.timedelta(days=4), amount=Decimal("100"),
                )
            )
    Charge.objects.bulk_create(charges)
    BillingPayment.objects.bulk_create(payments)
    AccountLink.objects.bulk_create(AccountLink(user=user, account=a) for a in created)
    return created
