"""The billing import (SPEC 3.2): all-or-nothing, idempotent, with a report naming every error.

One import is one transaction. Files are read in dependency order (accounts before charges,
meters before readings) whatever order they were given in. Every row of every file is checked;
if any check fails nothing is written and the report lists file, row, column and reason.

Charges are the large kind (a million rows a month for a big settlement centre). On PostgreSQL
they take a fast path: rows are checked with the same rules, turned into the table's own text
format and streamed into `COPY`, so PostgreSQL stores one batch while Python checks the next.
Rows of months that already hold charges go through a temporary table and one upsert instead.
Anything the fast path is not sure about makes it step back (to a savepoint) and hand the file to
the row-by-row loader, which produces the full report or loads the file the slow way.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone

from kabinet.billing.cache import charges_version_bump
from kabinet.billing.importfiles import (
    ACCOUNTS,
    CHARGES,
    KINDS,
    METERS,
    PAYMENTS,
    READINGS,
    FileKind,
    ValueRejected,
    detect_kind,
    split_line,
)
from kabinet.billing.models import (
    BillingPayment,
    Charge,
    ImportRun,
    Period,
    PersonalAccount,
    Service,
)
from kabinet.billing.services import period_publish
from kabinet.meters.models import Meter, Reading
from kabinet.orgs.models import Organisation

MAX_REPORTED_ERRORS = 500
PROGRESS_EVERY = 50_000

Progress = Callable[[str, int, int, int], None]  # file label, bytes done, bytes total, rows done


@dataclass(frozen=True)
class RowError:
    file: str
    row: int  # line number in the file; the header is line 1; 0 for the file as a whole
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, строка {self.row}" if self.row else self.file
        if self.column:
            where += f", столбец «{self.column}»"
        return f"{where}: {self.reason}"


class ImportRejected(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"загрузка отклонена: ошибок {report.error_count}")
        self.report = report


@dataclass
class KindCount:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    files: list[tuple[str, str]] = field(default_factory=list)  # (label, kind title)
    counts: dict[str, KindCount] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    published: str = ""

    def error(self, file: str, row: int, column: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(file, row, column, reason))

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def lines(self) -> list[str]:
        out = []
        for kind in KINDS:
            c = self.counts.get(kind.name)
            if c:
                out.append(
                    f"{kind.title}: строк {c.rows}, добавлено {c.created}, изменено {c.updated}, "
                    f"без изменений {c.unchanged}"
                )
        if self.published:
            out.append(f"опубликован период {self.published}")
        out.extend(str(e) for e in self.errors)
        if self.error_count > len(self.errors):
            out.append(f"… и ещё ошибок: {self.error_count - len(self.errors)}")
        return out


# --------------------------------------------------------------------------------------------
# Reading files


@dataclass
class Source:
    path: Path
    label: str
    kind: FileKind | None = None
    header: list[str] = field(default_factory=list)
    size: int = 0

    def rows(self, report: ImportReport, progress: Progress | None) -> Iterator[tuple[int, str]]:
        """(line number, text) of each non-empty data line, reporting bad encoding as an error."""
        done = 0
        with open(self.path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                done += len(raw)
                if number == 1:
                    continue  # the header, read by read_header()
                try:
                    line = raw.decode("utf-8").rstrip("\r\n")
                except UnicodeDecodeError:
                    report.error(self.label, number, "", "строка не в кодировке UTF-8")
                    continue
                if progress and number % PROGRESS_EVERY == 0:
                    progress(self.label, done, self.size, number - 1)
                if line.strip():
                    yield number, line
        if progress:
            progress(self.label, self.size, self.size, -1)

    def blocks(self, progress: Progress | None, size: int = 256 << 10) -> Iterator[str]:
        """The data lines as text, a few megabytes at a time, cut at line ends.

        Raises GiveUp on bytes that are not UTF-8: the line-by-line reader reports where.
        """
        with open(self.path, "rb") as handle:
            done = len(handle.readline())
            rest = b""
            rows = 0
            while chunk := handle.read(size):
                data = rest + chunk
                cut = data.rfind(b"\n") + 1
                data, rest = data[:cut], data[cut:]
                done += len(data)
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    raise GiveUp from None
                if "\r" in text:
                    text = text.replace("\r\n", "\n")
                rows += text.count("\n")
                if progress:
                    progress(self.label, done, self.size, rows)
                yield text
            if rest:
                try:
                    yield rest.decode("utf-8")
                except UnicodeDecodeError:
                    raise GiveUp from None
        if progress:
            progress(self.label, self.size, self.size, -1)

    def read_header(self, report: ImportReport) -> bool:
        self.size = self.path.stat().st_size
        with open(self.path, "rb") as handle:
            first = handle.readline()
        try:
            text = first.decode("utf-8-sig").rstrip("\r\n")
        except UnicodeDecodeError:
            report.error(self.label, 1, "", "файл не в кодировке UTF-8")
            return False
        self.header = [h.strip().lower() for h in split_line(text)] if text.strip() else []
        if not self.header:
            report.error(self.label, 1, "", "файл пуст: нет строки заголовка")
            return False
        self.kind = detect_kind(self.header)
        if self.kind is None:
            report.error(
                self.label,
                1,
                "",
                "не удалось определить вид файла по заголовку; ожидаются столбцы одного из видов: "
                + "; ".join(f"{k.title} ({', '.join(sorted(k.required))})" for k in KINDS),
            )
            return False
        ok = True
        seen: set[str] = set()
        for name in self.header:
            if name in seen:
                report.error(self.label, 1, name, "столбец повторяется")
                ok = False
            seen.add(name)
            if name not in self.kind.by_name:
                report.error(
                    self.label,
                    1,
                    name,
                    f"неизвестный столбец для файла вида «{self.kind.title}»; допустимы: "
                    + ", ".join(self.kind.by_name),
                )
                ok = False
        for name in sorted(self.kind.required - seen):
            report.error(self.label, 1, name, "нет обязательного столбца")
            ok = False
        return ok

    def parsed(
        self, report: ImportReport, progress: Progress | None
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        """Rows as {column: value} with every cell checked; bad rows are reported and skipped."""
        assert self.kind is not None
        columns = [self.kind.by_name[h] for h in self.header]
        width = len(columns)
        for number, line in self.rows(report, progress):
            cells = split_line(line)
            if len(cells) != width:
                report.error(
                    self.label, number, "", f"значений в строке {len(cells)}, а столбцов {width}"
                )
                continue
            values: dict[str, Any] = {}
            good = True
            for column, text in zip(columns, cells, strict=True):
                try:
                    values[column.name] = column.parse(text)
                except ValueRejected as exc:
                    report.error(self.label, number, column.name, str(exc))
                    good = False
            if good:
                yield number, values


class GiveUp(Exception):
    """The fast path is not sure about a row; the row-by-row loader takes the file."""


class KeyTracker:
    """Finds a natural key repeated inside one import."""

    def __init__(self) -> None:
        self.seen: dict[Any, tuple[str, int]] = {}

    def repeated(self, report: ImportReport, src: Source, number: int, key: Any, column: str) -> bool:
        first = self.seen.get(key)
        if first is not None:
            where = f"строку {first[1]}" if first[0] == src.label else f"{first[0]}, строку {first[1]}"
            report.error(src.label, number, column, f"ключ повторяется: дублирует {where}")
            return True
        self.seen[key] = (src.label, number)
        return False


# --------------------------------------------------------------------------------------------
# Writing


def _blank(value: Any) -> Any:
    return "" if value is None else value


M = TypeVar("M", bound=models.Model)


def _upsert(
    model: type[M],
    wanted: dict[Any, dict[str, Any]],
    existing: Mapping[Any, M],
    count: KindCount,
) -> None:
    """Create missing rows and update changed ones; rows that match are left alone."""
    to_create, to_update, changed_fields = [], [], set()
    for key, values in wanted.items():
        obj = existing.get(key)
        if obj is None:
            to_create.append(model(**values))
            continue
        diff = [name for name, value in values.items() if getattr(obj, name) != value]
        if diff:
            for name in diff:
                setattr(obj, name, values[name])
            changed_fields.update(diff)
            to_update.append(obj)
    model._default_manager.bulk_create(to_create, batch_size=2000)
    if to_update:
        model._default_manager.bulk_update(to_update, sorted(changed_fields), batch_size=1000)
    count.created += len(to_create)
    count.updated += len(to_update)
    count.unchanged += len(wanted) - len(to_create) - len(to_update)


@dataclass
class Context:
    """What the rows of one import refer to, grown as each file is loaded."""

    organisation: Organisation
    report: ImportReport
    progress: Progress | None
    accounts: dict[str, int | None]  # number -> id (None: in this import's rejected rows)
    services: dict[str, Service]
    periods: dict[datetime.date, Period]
    meters: dict[str, Meter | None] = field(default_factory=dict)
    keys: dict[str, KeyTracker] = field(default_factory=dict)

    def tracker(self, kind: FileKind) -> KeyTracker:
        return self.keys.setdefault(kind.name, KeyTracker())

    @property
    def writing(self) -> bool:
        # Once anything is wrong nothing more is written; the rest is only checked.
        return self.report.ok

    def account_id(self, src: Source, number: int, value: str) -> int | None:
        if value not in self.accounts:
            self.report.error(src.label, number, "account_number", f"лицевой счёт {value} не найден")
        return self.accounts.get(value)

    def period(self, month: datetime.date) -> Period:
        period = self.periods.get(month)
        if period is None:
            period = Period.objects.create(organisation=self.organisation, month=month)
            self.periods[month] = period
        return period

    def service(self, code: str, name: str | None) -> Service:
        service = self.services.get(code)
        if service is None:
            service = Service.objects.create(organisation=self.organisation, code=code, name=name or code)
            self.services[code] = service
        elif name and service.name != name:
            service.name = name
            service.save(update_fields=["name"])
        return service


def _save_by_key(
    ctx: Context, kind: FileKind, model: type[M], key: str, wanted: dict[str, dict[str, Any]]
) -> bool:
    """Count the rows of one file and, unless the import is already failing, upsert them by
    their key within the organisation. True if written."""
    count = ctx.report.counts.setdefault(kind.name, KindCount())
    count.rows += len(wanted)
    if not ctx.writing:
        return False
    rows = model._default_manager.filter(organisation=ctx.organisation, **{f"{key}__in": list(wanted)})
    _upsert(model, wanted, {getattr(obj, key): obj for obj in rows}, count)
    return True


def load_accounts(ctx: Context, src: Source) -> None:
    tracker = ctx.tracker(ACCOUNTS)
    wanted: dict[str, dict[str, Any]] = {}
    for number, row in src.parsed(ctx.report, ctx.progress):
        key = row["account_number"]
        if tracker.repeated(ctx.report, src, number, key, "account_number"):
            continue
        ctx.accounts.setdefault(key, None)
        wanted[key] = {
            "organisation": ctx.organisation,
            "number": key,
            "contract_number": _blank(row.get("contract_number")),
            "category": _blank(row.get("category")),
            "owner_name": _blank(row.get("owner_name")),
            "owner_inn": _blank(row.get("owner_inn")),
            "address": _blank(row.get("address")),
            "apartment": _blank(row.get("apartment")),
            "area": row.get("area"),
            "residents": row.get("residents"),
            "status": row.get("status") or PersonalAccount.Status.ACTIVE,
            "els": _blank(row.get("els")),
            "pin": _blank(row.get("pin")),
            # Optional ЕПД columns (SPEC 2.3).
            "rooms": row.get("rooms"),
            "house_area": row.get("house_area"),
            "common_area": row.get("common_area"),
        }
    if not _save_by_key(ctx, ACCOUNTS, PersonalAccount, "number", wanted):
        return
    for acc_number, acc_id in PersonalAccount.objects.filter(
        organisation=ctx.organisation, number__in=list(wanted)
    ).values_list("number", "id"):
        ctx.accounts[acc_number] = acc_id


CHARGE_MONEY = ("debt_start", "charged", "recalculation", "privilege", "paid", "to_pay")
CHARGE_QUANTITY = ("norm", "tariff", "volume")
# Optional ЕПД columns (SPEC 2.3): NULL when not given.
CHARGE_OPTIONAL = ("excess", "instalment_amount", "instalment_rate", "instalment_interest")


def charge_to_pay(row: dict[str, Any]) -> Decimal:
    """SPEC 3.2: to_pay = debt_start + charged + recalculation - privilege - paid."""
    g = lambda name: row.get(name) or Decimal(0)  # noqa: E731
    return g("debt_start") + g("charged") + g("recalculation") - g("privilege") - g("paid")


def load_charges_slowly(ctx: Context, src: Source) -> None:
    tracker = ctx.tracker(CHARGES)
    wanted: dict[tuple[int, int, int], dict[str, Any]] = {}
    count = ctx.report.counts.setdefault(CHARGES.name, KindCount())
    for number, row in src.parsed(ctx.report, ctx.progress):
        account_id = ctx.account_id(src, number, row["account_number"])
        key = (row["account_number"], row["period"], row["service_code"])
        if tracker.repeated(ctx.report, src, number, key, "service_code"):
            continue
        count.rows += 1
        if not ctx.writing or account_id is None:
            continue
        period = ctx.period(row["period"])
        service = ctx.service(row["service_code"], row.get("service_name"))
        values: dict[str, Any] = {
            "account_id": account_id,
            "period_id": period.id,
            "service_id": service.id,
            "kind": row.get("kind") or Charge.Kind.SERVICE,
            "unit": _blank(row.get("unit")),
            "volume_basis": _blank(row.get("volume_basis")),
            "recalculation_reason": _blank(row.get("recalculation_reason")),
        }
        for name in CHARGE_QUANTITY + CHARGE_OPTIONAL:
            values[name] = row.get(name)
        for name in CHARGE_MONEY:
            values[name] = row.get(name) or Decimal("0.00")
        if row.get("to_pay") is None:
            values["to_pay"] = charge_to_pay(row)
        wanted[(account_id, period.id, service.id)] = values
    if not ctx.writing or not wanted:
        return
    period_ids = {k[1] for k in wanted}
    account_ids = {k[0] for k in wanted}
    existing = {
        (c.account_id, c.period_id, c.service_id): c
        for c in Charge.objects.filter(period_id__in=period_ids, account_id__in=account_ids)
    }
    _upsert(Charge, wanted, existing, count)


def load_payments(ctx: Context, src: Source) -> None:
    tracker = ctx.tracker(PAYMENTS)
    wanted: dict[str, dict[str, Any]] = {}
    for number, row in src.parsed(ctx.report, ctx.progress):
        account_id = ctx.account_id(src, number, row["account_number"])
        if tracker.repeated(ctx.report, src, number, row["external_id"], "external_id"):
            continue
        if row["amount"] <= 0:
            ctx.report.error(src.label, number, "amount", "сумма платежа должна быть больше нуля")
            continue
        wanted[row["external_id"]] = {
            "organisation": ctx.organisation,
            "account_id": account_id,
            "external_id": row["external_id"],
            "paid_on": row["paid_on"],
            "amount": row["amount"],
            "channel": _blank(row.get("channel")),
        }
    _save_by_key(ctx, PAYMENTS, BillingPayment, "external_id", wanted)


def load_meters(ctx: Context, src: Source) -> None:
    tracker = ctx.tracker(METERS)
    wanted: dict[str, dict[str, Any]] = {}
    for number, row in src.parsed(ctx.report, ctx.progress):
        account_id = ctx.account_id(src, number, row["account_number"])
        key = row["meter_id"]
        if tracker.repeated(ctx.report, src, number, key, "meter_id"):
            continue
        service = None
        if row.get("service_code"):
            service = ctx.services.get(row["service_code"])
            if service is None:
                ctx.report.error(
                    src.label, number, "service_code", f"услуга с кодом {row['service_code']} не найдена"
                )
        installed, verify = row.get("installed_on"), row.get("next_verification_on")
        if installed and verify and verify < installed:
            ctx.report.error(
                src.label, number, "next_verification_on", "дата поверки раньше даты установки"
            )
        ctx.meters.setdefault(key, None)
        wanted[key] = {
            "organisation": ctx.organisation,
            "external_id": key,
            "account_id": account_id,
            "service": service,
            "resource": row["resource"],
            "serial_number": row["serial_number"],
            "zones": row.get("zones") or 1,
            "digits": row.get("digits") or 5,
            "decimals": 3 if row.get("decimals") is None else row["decimals"],
            "unit": _blank(row.get("unit")),
            "installed_on": installed,
            "next_verification_on": verify,
        }
    if not _save_by_key(ctx, METERS, Meter, "external_id", wanted):
        return
    for meter in Meter.objects.filter(organisation=ctx.organisation, external_id__in=list(wanted)):
        ctx.meters[meter.external_id] = meter


def load_readings(ctx: Context, src: Source) -> None:
    tracker = ctx.tracker(READINGS)
    wanted: dict[tuple[int, datetime.date], dict[str, Any]] = {}
    rows = 0
    for number, row in src.parsed(ctx.report, ctx.progress):
        meter_key = row["meter_id"]
        if meter_key not in ctx.meters:
            ctx.report.error(src.label, number, "meter_id", f"прибор учёта {meter_key} не найден")
            continue
        if tracker.repeated(ctx.report, src, number, (meter_key, row["reading_date"]), "reading_date"):
            continue
        rows += 1
        meter = ctx.meters[meter_key]
        if meter is None:
            continue  # its own row was rejected; that error is reported already
        values = [row.get("value1"), row.get("value2"), row.get("value3")]
        missing = [i for i in range(meter.zones) if values[i] is None]
        extra = [i for i in range(meter.zones, 3) if values[i] is not None]
        if missing or extra:
            given = 3 - values.count(None)
            ctx.report.error(
                src.label,
                number,
                f"value{(missing or extra)[0] + 1}",
                f"у прибора {meter_key} тарифных зон: {meter.zones}, а значений показаний: {given}",
            )
            continue
        if any(v is not None and v < 0 for v in values):
            ctx.report.error(src.label, number, "value1", "показание не может быть отрицательным")
            continue
        wanted[(meter.id, row["reading_date"])] = {
            "meter_id": meter.id,
            "reading_date": row["reading_date"],
            "value1": values[0],
            "value2": values[1],
            "value3": values[2],
            "source": _blank(row.get("source")),
        }
    count = ctx.report.counts.setdefault(READINGS.name, KindCount())
    count.rows += rows
    if not ctx.writing or not wanted:
        return
    existing = {
        (r.meter_id, r.reading_date): r
        for r in Reading.objects.filter(meter_id__in={k[0] for k in wanted})
    }
    _upsert(Reading, wanted, existing, count)
    # Residents' readings that came back from the billing system are «Принято к начислению».
    from kabinet.meters.services import submissions_accept_from_billing

    submissions_accept_from_billing(
        readings=[(v["meter_id"], v["reading_date"], [v["value1"], v["value2"], v["value3"]]) for v in wanted.values()]
    )


def load_charges(ctx: Context, src: Source) -> None:
    if connection.vendor == "postgresql" and ctx.report.ok:
        from kabinet.billing.copyload import (
            load_charges_fast,  # PostgreSQL only; imports this module
        )

        services, periods = dict(ctx.services), dict(ctx.periods)
        try:
            with transaction.atomic():
                load_charges_fast(ctx, src)
            return
        except (GiveUp, DatabaseError):
            # Everything the fast path did is rolled back to the savepoint; start over slowly.
            ctx.services, ctx.periods = services, periods
            ctx.report.counts.pop(CHARGES.name, None)
            ctx.keys.pop(CHARGES.name, None)
            if not ctx.report.ok:
                # Only errors the fast path itself found (bad encoding): the slow pass finds them again.
                ctx.report.errors.clear()
                ctx.report.error_count = 0
    load_charges_slowly(ctx, src)


LOADERS: dict[str, Callable[[Context, Source], None]] = {
    ACCOUNTS.name: load_accounts,
    CHARGES.name: load_charges,
    PAYMENTS.name: load_payments,
    METERS.name: load_meters,
    READINGS.name: load_readings,
}


# --------------------------------------------------------------------------------------------
# The service


def billing_import(
    *,
    organisation: Organisation,
    paths: Iterable[Path | str],
    publish: str | None = None,
    progress: Progress | None = None,
    labels: Iterable[str] | None = None,
) -> ImportReport:
    """Load billing files into `organisation`; raise ImportRejected (nothing written) on any error."""
    files = [Path(p) for p in paths]
    names = list(labels) if labels is not None else [p.name for p in files]
    report = ImportReport()
    sources = []
    for path, label in zip(files, names, strict=True):
        src = Source(path=path, label=label)
        if not path.is_file():
            report.error(label, 0, "", "файл не найден")
            continue
        if src.read_header(report):
            assert src.kind is not None
            report.files.append((label, src.kind.title))
            sources.append(src)
    publish_month = None
    if publish:
        try:
            publish_month = Period.parse(publish)
        except ValueError:
            report.error("--publish", 0, "", f"период {publish} не в формате ГГГГ-ММ")
    run = ImportRun(organisation=organisation, files=names, status=ImportRun.Status.FAILED)
    try:
        if not report.ok:
            raise ImportRejected(report)
        with transaction.atomic():
            ctx = Context(
                organisation=organisation,
                report=report,
                progress=progress,
                accounts=dict(
                    PersonalAccount.objects.filter(organisation=organisation).values_list("number", "id")
                ),
                services={s.code: s for s in Service.objects.filter(organisation=organisation)},
                periods={p.month: p for p in Period.objects.filter(organisation=organisation)},
                meters={
                    m.external_id: m for m in Meter.objects.filter(organisation=organisation)
                },
            )
            for src in sorted(sources, key=lambda s: s.kind.order if s.kind else 0):
                assert src.kind is not None
                LOADERS[src.kind.name](ctx, src)
            if publish_month and report.ok:
                period = ctx.periods.get(publish_month)
                if period is None:
                    report.error("--publish", 0, "", f"за период {publish} нет начислений")
                else:
                    period_publish(period=period)
                    report.published = publish or ""
            if not report.ok:
                raise ImportRejected(report)
            # Cached charge tables of this organisation are stale once the import commits.
            org_id = organisation.pk
            transaction.on_commit(lambda: charges_version_bump(organisation_ids=[org_id]))
        run.status = ImportRun.Status.SUCCEEDED
    finally:
        run.finished_at = timezone.now()
        run.summary = {k: vars(v) for k, v in report.counts.items()} | {"published": report.published}
        run.errors = [str(e) for e in report.errors[:100]]
        run.save()
    return report
