"""Builders for meter tests: local times of the test organisation, meters with a history."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from kabinet.billing.models import PersonalAccount
from kabinet.meters.models import Meter, Reading

NOVOSIBIRSK = zoneinfo.ZoneInfo("Asia/Novosibirsk")


def local(text: str) -> datetime.datetime:
    """'2025-02-20 12:00' in Novosibirsk, aware."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=NOVOSIBIRSK)


def make_meter(
    account: PersonalAccount,
    external_id: str,
    *,
    history: tuple[tuple[str, str | tuple[str, ...]], ...] = (),
    **fields: object,
) -> Meter:
    """A meter of `account`; `history` is accepted readings as (date, value or zone values)."""
    defaults: dict[str, object] = {
        "resource": Meter.Resource.COLD_WATER,
        "serial_number": f"SN-{external_id}",
        "zones": 1,
        "digits": 5,
        "decimals": 3,
        "unit": "м3",
        "next_verification_on": datetime.date(2030, 1, 1),
    }
    defaults.update(fields)
    meter = Meter.objects.create(
        organisation=account.organisation, account=account, external_id=external_id, **defaults
    )
    for day, values in history:
        values = (values,) if isinstance(values, str) else values
        numbers: list[Decimal | None] = [Decimal(v) for v in values]
        numbers += [None] * (3 - len(values))
        Reading.objects.create(
            meter=meter,
            reading_date=datetime.date.fromisoformat(day),
            value1=Decimal(values[0]),
            value2=numbers[1],
            value3=numbers[2],
            source="billing",
        )
    return meter
