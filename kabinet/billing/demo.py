"""Demo data: two Novosibirsk organisations loaded through the real billing import.

The data is generated deterministically (a seeded random generator), written as billing files in
the formats of SPEC 3.2 and loaded with `billing_import`, so the demo exercises the same path as
an organisation's monthly upload.
"""

from __future__ import annotations

import datetime
import random
import tempfile
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from kabinet.billing.importfiles import KINDS
from kabinet.billing.imports import ImportReport, billing_import
from kabinet.billing.models import Period
from kabinet.billing.services import period_publish
from kabinet.orgs.models import Organisation

CENT = Decimal("0.01")
STREETS = ("ул. Ленина", "Красный проспект", "ул. Кирова", "ул. Гоголя", "ул. Фрунзе")
SURNAMES = (
    ("Иванов", "Иван", "Петрович"),
    ("Смирнова", "Анна", "Сергеевна"),
    ("Кузнецов", "Алексей", "Викторович"),
    ("Попова", "Мария", "Игоревна"),
    ("Соколов", "Дмитрий", "Андреевич"),
    ("Лебедева", "Ольга", "Николаевна"),
    ("Козлов", "Сергей", "Юрьевич"),
    ("Новикова", "Елена", "Александровна"),
    ("Морозов", "Павел", "Олегович"),
    ("Фёдорова", "Татьяна", "Михайловна"),
    ("Волков", "Артём", "Денисович"),
    ("Алексеева", "Юлия", "Владимировна"),
)


@dataclass(frozen=True)
class DemoService:
    code: str
    name: str
    unit: str
    tariff: Decimal
    basis: str  # meter / norm / common_meter
    norm: Decimal | None = None
    resource: str = ""


UK_SERVICES = (
    DemoService("sod", "Содержание жилого помещения", "м2", Decimal("32.15"), "norm"),
    DemoService("hvs", "Холодное водоснабжение", "м3", Decimal("39.18"), "meter", Decimal("4.86"), "cold_water"),
    DemoService("gvs", "Горячее водоснабжение", "м3", Decimal("212.47"), "meter", Decimal("3.50"), "hot_water"),
    DemoService("vo", "Водоотведение", "м3", Decimal("29.93"), "meter", Decimal("8.36")),
    DemoService("el", "Электроснабжение", "кВт·ч", Decimal("4.83"), "meter", Decimal("95"), "electricity"),
    DemoService("otop", "Отопление", "Гкал", Decimal("2489.06"), "norm", Decimal("0.0211")),
    DemoService("el_odn", "Электроэнергия на ОДН", "кВт·ч", Decimal("4.83"), "common_meter"),
)
TKO_SERVICES = (DemoService("tko", "Обращение с ТКО", "чел", Decimal("198.54"), "norm", Decimal("1")),)

ORGANISATIONS = (
    {
        "code": "uk-sever",
        "name": "ООО «Управляющая компания «Северный квартал»",
        "short_name": "УК «Северный квартал»",
        "kind": Organisation.Kind.UK,
        "inn": "5406012341",
        "kpp": "540601001",
        "bank_name": "Сибирский банк ПАО Сбербанк",
        "bik": "045004641",
        "account": "40702810944050012345",
        "corr_account": "30101810500000000641",
        "address": "630099, г. Новосибирск, ул. Ленина, д. 12, офис 3",
        "phone": "+7 (383) 200-00-01",
        "complaint_phone": "+7 (383) 200-00-09",
        "email": "info@sever-kvartal.example",
        "office_hours": "пн–пт 9:00–18:00, обед 13:00–14:00",
        "banner": "С 15 по 25 число принимаем показания приборов учёта.",
    },
    {
        "code": "eco-nsk",
        "name": "ООО «Экологический оператор Новосибирска»",
        "short_name": "Экооператор НСО",
        "kind": Organisation.Kind.REGOP,
        "inn": "5405123458",
        "kpp": "540501001",
        "bank_name": "Филиал «Новосибирский» АО «Альфа-Банк»",
        "bik": "045004774",
        "account": "40702810723000054321",
        "corr_account": "30101810600000000774",
        "address": "630007, г. Новосибирск, ул. Коммунистическая, д. 40",
        "phone": "+7 (383) 300-00-02",
        "complaint_phone": "+7 (383) 300-00-03",
        "email": "abonent@eco-nsk.example",
        "office_hours": "пн–пт 8:00–17:00",
        "banner": "Оплачивайте услуги по обращению с ТКО до 10 числа следующего месяца.",
    },
)


def months_back(today: datetime.date, count: int) -> list[datetime.date]:
    """The `count` months before the current one, oldest first."""
    first = today.replace(day=1)
    out = []
    for _ in range(count):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        out.append(first)
    return list(reversed(out))


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, ROUND_HALF_UP))


class DemoBuilder:
    """Writes the billing files of one organisation."""

    def __init__(
        self,
        org: dict,
        services: tuple[DemoService, ...],
        accounts: int,
        seed: int,
        months: list[datetime.date],
        today: datetime.date | None = None,
    ) -> None:
        self.org = org
        self.today = today
        self.services = services
        self.count = accounts
        self.random = random.Random(seed)  # noqa: S311 - demo data, not security
        self.months = months
        self.lines: dict[str, list[str]] = {kind.name: [] for kind in KINDS}

    def build(self) -> dict[str, list[str]]:
        rnd = self.random
        prefix = "10" if self.org["kind"] == Organisation.Kind.UK else "80"
        self.lines["accounts"].append(
            "account_number;contract_number;category;owner_name;owner_inn;address;apartment;area;residents;status;els;"
            "rooms;house_area;common_area"
        )
        self.lines["charges"].append(
            "account_number;period;service_code;service_name;kind;unit;norm;tariff;volume;volume_basis;"
            "debt_start;charged;recalculation;recalculation_reason;privilege;paid;to_pay"
        )
        self.lines["payments"].append("account_number;paid_on;amount;channel;external_id")
        self.lines["meters"].append(
            "meter_id;account_number;service_code;resource;serial_number;zones;digits;decimals;unit;installed_on;next_verification_on"
        )
        self.lines["readings"].append("meter_id;reading_date;value1;value2;value3;source")
        for n in range(self.count):
            number = f"{prefix}{n + 1:08d}"
            surname, name, patronymic = SURNAMES[n % len(SURNAMES)]
            street = STREETS[n // 20 % len(STREETS)]
            house = n // 20 + 1
            apartment = n % 20 + 1
            area = Decimal(rnd.randint(280, 900)) / 10
            residents = rnd.randint(1, 4)
            els = f"{rnd.randint(10, 99)}{rnd.choice('АБВГДЕКМНР')}{rnd.choice('АБВГДЕКМНР')}{rnd.randint(0, 999999):06d}"
            category = "Население" if n % 25 else "Льготная категория"
            self.lines["accounts"].append(
                f"{number};{self.org['code'].upper()}-{n + 1:05d};{category};{surname} {name} {patronymic};;"
                f"г. Новосибирск, {street}, д. {house};{apartment};{area};{residents};active;{els};"
                # Rooms from the area; the house's areas for the ЕПД's «Справочная информация».
                f"{min(int(area // 25) + 1, 5)};{3800 + house * 37}.40;{410 + house * 3}.60"
            )
            self._account(number, area, residents, privileged=category != "Население")
        return self.lines

    # The rest of the account's year: meters, readings, charges, payments.
    def _account(self, number: str, area: Decimal, residents: int, privileged: bool) -> None:
        rnd = self.random
        meters: dict[str, tuple[str, int, list[Decimal]]] = {}
        start = self.months[0] - datetime.timedelta(days=5)
        for service in self.services:
            if not service.resource:
                continue
            zones = 1 if service.resource != "electricity" else rnd.choice((1, 2, 2, 3))
            meter_id = f"{number}-{service.code}"
            serial = f"{rnd.randint(10**7, 10**8 - 1)}"
            verify = self.months[-1] + datetime.timedelta(days=rnd.randint(60, 2000))
            if rnd.random() < 0.05:
                verify = self.months[-1] - datetime.timedelta(days=20)  # overdue: show it
            digits = 6 if service.resource == "electricity" else 5
            self.lines["meters"].append(
                f"{meter_id};{number};{service.code};{service.resource};{serial};{zones};{digits};3;{service.unit};"
                f"{start.replace(year=start.year - 3):%Y-%m-%d};{verify:%Y-%m-%d}"
            )
            values = [Decimal(rnd.randint(100, 9000)) for _ in range(zones)]
            meters[service.code] = (meter_id, zones, values)
        debt = Decimal(rnd.randint(-300, 1500)) if rnd.random() < 0.4 else Decimal(0)
        penalty_debt = Decimal(0)
        # A month's payment is made in the next month (by the 10th) and sits in that month's
        # `paid` column, so each payment counts once, in the period it falls in (SPEC 2.3).
        paid, paid_on = Decimal(0), None
        for index, month in enumerate(self.months):
            period = f"{month:%Y-%m}"
            winter = month.month in (1, 2, 3, 10, 11, 12)
            total_due = Decimal(0)
            used: dict[str, Decimal] = {}
            rows: list[list[str]] = []
            for service in self.services:
                volume: Decimal
                basis = service.basis
                if service.code in meters:
                    meter_id, zones, values = meters[service.code]
                    per_zone = [
                        Decimal(rnd.randint(15, 80) if service.resource == "electricity" else rnd.randint(2, 9))
                        + Decimal(rnd.randint(0, 999)) / 1000
                        for _ in range(zones)
                    ]
                    for z in range(zones):
                        values[z] += per_zone[z]
                    volume = used[service.code] = sum(per_zone, Decimal(0))
                    read_on = month.replace(day=rnd.randint(15, 25))
                    cells = [str(v) for v in values] + [""] * (3 - zones)
                    self.lines["readings"].append(f"{meter_id};{read_on:%Y-%m-%d};{';'.join(cells)};billing")
                elif service.code == "vo":
                    volume = used.get("hvs", Decimal(0)) + used.get("gvs", Decimal(0))
                elif service.code == "sod":
                    volume = area
                elif service.code == "otop":
                    if not winter:
                        continue
                    volume = (area * (service.norm or 0)).quantize(Decimal("0.0001"))
                elif service.code == "el_odn":
                    volume = Decimal(rnd.randint(2, 9))
                else:  # per resident (ТКО)
                    volume = Decimal(residents)
                charged = (volume * service.tariff).quantize(CENT, ROUND_HALF_UP)
                recalc, reason = Decimal(0), ""
                if rnd.random() < 0.06:
                    recalc = -(charged * Decimal(rnd.randint(10, 50)) / 100).quantize(CENT)
                    reason = rnd.choice(
                        ("Временное отсутствие", "Некачественная услуга", "Корректировка показаний")
                    )
                privilege = (charged * Decimal("0.3")).quantize(CENT) if privileged and service.code != "el_odn" else Decimal(0)
                due = charged + recalc - privilege
                total_due += due
                rows.append(
                    [number, period, service.code, service.name, "service", service.unit, str(service.norm or ""),
                     str(service.tariff), str(volume), basis, "0.00", _money(charged), _money(recalc), reason,
                     _money(privilege), "0.00", _money(due)]
                )
            if paid > 0 and paid_on is not None:
                channel = rnd.choice(("Сбербанк Онлайн", "Касса", "Почта России", "Тинькофф"))
                self.lines["payments"].append(f"{number};{paid_on:%Y-%m-%d};{_money(paid)};{channel};{number}-{period}")
            penalty = Decimal(0)
            if debt > 0 and index >= 2:
                penalty = (debt * Decimal("0.095") / 300 * 30).quantize(CENT)
            # Payments cover services first, then penalties; anything more is an advance.
            penalty_paid = min(max(paid - max(debt + total_due, Decimal(0)), Decimal(0)), max(penalty_debt + penalty, Decimal(0)))
            service_paid = paid - penalty_paid
            if penalty or penalty_debt or penalty_paid:
                penalty_end = penalty_debt + penalty - penalty_paid
                self.lines["charges"].append(
                    f"{number};{period};peni;Пени;penalty;;;;;;{_money(penalty_debt)};{_money(penalty)};0.00;;0.00;"
                    f"{_money(penalty_paid)};{_money(penalty_end)}"
                )
            # The account's opening balance and the month's payments sit on its first service.
            first = rows[0]
            first[10], first[15] = _money(debt), _money(service_paid)
            first[16] = _money(Decimal(first[16]) + debt - service_paid)
            self.lines["charges"].extend(";".join(row) for row in rows)
            debt = debt + total_due - service_paid
            penalty_debt = penalty_debt + penalty - penalty_paid
            # What the resident pays for this month, early in the next one (never in the future).
            paid, paid_on = Decimal(0), None
            if rnd.random() < 0.85:
                owed = debt + penalty_debt
                paid = owed.quantize(CENT) if rnd.random() < 0.7 else (total_due * Decimal("0.6")).quantize(CENT)
                paid_on = (month + datetime.timedelta(days=32)).replace(day=rnd.randint(1, 10))
                if paid <= 0 or (self.today is not None and paid_on > self.today):
                    paid, paid_on = Decimal(0), None
        # The last month's payment falls after the last published period: not in any `paid` column.
        if paid > 0 and paid_on is not None:
            self.lines["payments"].append(f"{number};{paid_on:%Y-%m-%d};{_money(paid)};Касса;{number}-after")


def demo_load(*, today: datetime.date, accounts: int = 60) -> list[tuple[Organisation, ImportReport]]:
    """Create (or refresh) the two demo organisations and load a year of their billing data."""
    months = months_back(today, 12)
    results = []
    for seed, (fields, services, count) in enumerate(
        ((ORGANISATIONS[0], UK_SERVICES, accounts), (ORGANISATIONS[1], TKO_SERVICES, max(accounts // 2, 50)))
    ):
        # The demo pays through the test bank, chosen explicitly (a new organisation has none).
        defaults = {**fields, "payment_provider": Organisation.PaymentProvider.SANDBOX}
        org, _ = Organisation.objects.update_or_create(code=fields["code"], defaults=defaults)
        builder_lines = DemoBuilder(fields, services, count, seed=seed + 1, months=months, today=today).build()
        with tempfile.TemporaryDirectory() as tmp:
            paths = []
            for kind, rows in builder_lines.items():
                if len(rows) > 1:
                    path = Path(tmp) / f"{org.code}-{kind}.csv"
                    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
                    paths.append(path)
            report = billing_import(organisation=org, paths=paths)
        for period in Period.objects.filter(organisation=org, month__in=months):
            period_publish(period=period)
        results.append((org, report))
    return results


# The office (SPEC 2.7): besides the demo operator, an administrator and an accountant per
# organisation, so each role's pages can be tried.
DEMO_STAFF = (("admin", "Администратор", "admin"), ("accountant", "Бухгалтер", "buh"))


def demo_staff(*, organisation: Organisation, password: str) -> list[tuple[str, str]]:
    """(title, e-mail) of the demo staff created for `organisation`."""
    from kabinet.users.models import User

    sign_ins = []
    for role, title, mailbox in DEMO_STAFF:
        email = f"{mailbox}@{organisation.code}.local"
        user, _created = User.objects.update_or_create(
            username=email,
            defaults={
                "email": email,
                "is_staff": True,
                "organisation": organisation,
                "org_role": role,
                "first_name": title,
                "last_name": str(organisation),
            },
        )
        user.set_password(password)
        user.save()
        sign_ins.append((f"{title} «{organisation}»", email))
    return sign_ins
