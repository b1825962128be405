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
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from django.apps import apps
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

logger = logging.getLogger(__name__)

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

    def rows(self, progress: Progress | None) -> Iterator[tuple[int, str | None]]:
        """(line number, text) of each non-empty data line; text None for a line not in UTF-8."""
        done = 0
        with open(self.path, "rb") as handle:
            for number, raw in enumerate(handle, start=1):
                done += len(raw)
                if number == 1:
                    continue  # the header, read by read_header()
                if progress and number % PROGRESS_EVERY == 0:
                    progress(self.label, done, self.size, number - 1)
                try:
                    line = raw.decode("utf-8").rstrip("\r\n")
                except UnicodeDecodeError:
                    yield number, None
                    continue
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
                if progress:  # what is done before this block: 100 % is reported once, at the end
                    progress(self.label, done, self.size, rows)
                done += len(data)
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    raise GiveUp from None
                if "\r" in text:
                    text = text.replace("\r\n", "\n")
                rows += text.count("\n")
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
        self,
        report: ImportReport,
        progress: Progress | None,
        prefetch: Callable[[list[list[str]]], None] | None = None,
    ) -> Iterator[tuple[int, dict[str, Any]]]:
        """Rows as {column: value} with every cell checked; bad rows are reported and skipped.

        Lines are read CHUNK at a time; `prefetch` sees the cells of each chunk first, so the
        rows it refers to can be looked up with one query per chunk rather than one per row.
        """
        assert self.kind is not None
        columns = [self.kind.by_name[h] for h in self.header]
        width = len(columns)
        for chunk in chunked(self.rows(progress), CHUNK):
            lines = [(number, None if line is None else split_line(line)) for number, line in chunk]
            if prefetch:
                prefetch([cells for _number, cells in lines if cells is not None and len(cells) == width])
            for number, cells in lines:
                if cells is None:
                    report.error(self.label, number, "", "строка не в кодировке UTF-8")
                    continue
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

    def cells_of(self, name: str) -> Callable[[list[list[str]]], list[str]]:
        """For a prefetch: the stripped, non-empty cells of column `name` (none if it is absent)."""
        at = self.header.index(name) if name in self.header else None

        def pick(rows: list[list[str]]) -> list[str]:
            if at is None:
                return []
            return [text for cells in rows if (text := cells[at].strip())]

        return pick


CHUNK = 2000
T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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


M = TypeVar("M", bound=models.Model)


def kind_model(kind: FileKind) -> type[models.Model]:
    return apps.get_model(kind.model)


def model_field(model: type[models.Model], name: str) -> Any:
    """A concrete field of `model` (typed loosely: every field here has a column)."""
    return model._meta.get_field(name)


def blank_value(field: Any) -> Any:
    """What an empty or absent optional cell stores: the field's default, NULL, or ''."""
    if field.has_default():
        return field.get_default()
    text = field.get_internal_type() in ("CharField", "TextField")
    return "" if text and not field.null else None


def field_values(kind: FileKind, row: dict[str, Any]) -> dict[str, Any]:
    """{attribute: value} for every column of `kind` that fills a plain (not foreign key) field.

    The column list of SPEC 3.2 in `importfiles` is the one place a column is declared: a new
    optional column with a model field of the same name is stored by every loader."""
    model = kind_model(kind)
    out = {}
    for column in kind.columns:
        name = column.field_name
        if name is None:
            continue
        field = model_field(model, name)
        if field.is_relation:
            continue
        value = row.get(column.name)
        out[field.attname] = blank_value(field) if value is None else value
    return out


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


class Refs:
    """Rows the file refers to (accounts by number, meters by meter_id), looked up as needed.

    Nothing is loaded up front: an import costs what its file costs, not what the organisation
    holds. A file about as large as the organisation loads them all in one query instead.
    """

    def __init__(self, queryset: models.QuerySet[Any], key: str, *fields: str) -> None:
        self.queryset = queryset
        self.key = key
        self.fields = ("id", *fields)
        self.found: dict[str, Any] = {}  # key -> id, or (id, *fields)
        self.absent: set[str] = set()
        self.complete = False

    def _store(self, rows: Iterable[tuple[Any, ...]]) -> None:
        single = len(self.fields) == 1
        for key, *values in rows:
            self.found[key] = values[0] if single else tuple(values)

    def prefetch(self, keys: Iterable[str]) -> None:
        if self.complete:
            return
        missing = sorted({k for k in keys if k not in self.found and k not in self.absent})
        for batch in chunked(missing, 1000):
            self._store(self.queryset.filter(**{f"{self.key}__in": batch}).values_list(self.key, *self.fields))
            self.absent.update(k for k in batch if k not in self.found)

    def get(self, key: str) -> Any:
        if not self.complete and key not in self.found and key not in self.absent:
            self.prefetch([key])
        return self.found.get(key)

    def load_all_if_within(self, rows: int) -> bool:
        """Load every row when there are at most `rows` of them (counting no further)."""
        if not self.complete:
            limit = max(rows, 1000)
            if self.queryset.order_by()[: limit + 1].count() <= limit:
                self._store(self.queryset.values_list(self.key, *self.fields).iterator(chunk_size=10_000))
                self.absent.clear()
                self.complete = True
        return self.complete

    def forget(self) -> None:
        """After rows of this kind were written: look them up again."""
        self.found.clear()
        self.absent.clear()
        self.complete = False


@dataclass
class Context:
    """What the rows of one import refer to, looked up as each file needs it."""

    organisation: Organisation
    report: ImportReport
    progress: Progress | None
    services: dict[str, Service]
    periods: dict[datetime.date, Period]
    accounts: Refs = field(init=False)
    meters: Refs = field(init=False)  # meter_id -> (id, zones)
    # Keys named by this import's own rows, written or not (not written: the import is failing
    # already, and a row referring to one of them is not reported as referring to nothing).
    account_numbers: set[str] = field(default_factory=set)
    meter_ids: set[str] = field(default_factory=set)
    keys: dict[str, KeyTracker] = field(default_factory=dict)
    files_of_kind: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.accounts = Refs(PersonalAccount.objects.filter(organisation=self.organisation), "number")
        self.meters = Refs(Meter.objects.filter(organisation=self.organisation), "external_id", "zones")

    def tracker(self, kind: FileKind) -> KeyTracker:
        return self.keys.setdefault(kind.name, KeyTracker())

    @property
    def writing(self) -> bool:
        # Once anything is wrong nothing more is written; the rest is only checked.
        return self.report.ok

    def account_id(self, src: Source, number: int, value: str) -> int | None:
        account = self.accounts.get(value)
        if account is None and value not in self.account_numbers:
            self.report.error(src.label, number, "account_number", f"лицевой счёт {value} не найден")
        return account

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
    their key within the organisation, a thousand at a time. True if written."""
    count = ctx.report.counts.setdefault(kind.name, KindCount())
    count.rows += len(wanted)
    if not ctx.writing:
        return False
    for batch in chunked(list(wanted), 1000):
        rows = model._default_manager.filter(organisation=ctx.organisation, **{f"{key}__in": batch})
        _upsert(model, {k: wanted[k] for k in batch}, {getattr(obj, key): obj for obj in rows}, count)
    return True


def load_accounts_slowly(ctx: Context, src: Source) -> None:
    tracker = ctx.tracker(ACCOUNTS)
    wanted: dict[str, dict[str, Any]] = {}
    for number, row in src.parsed(ctx.report, ctx.progress):
        key = row["account_number"]
        if tracker.repeated(ctx.report, src, number, key, "account_number"):
            continue
        ctx.account_numbers.add(key)
        wanted[key] = {"organisation": ctx.organisation, **field_values(ACCOUNTS, row)}
    if _save_by_key(ctx, ACCOUNTS, PersonalAccount, "number", wanted):
        ctx.accounts.forget()


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
    prefetch_accounts = src.cells_of("account_number")
    for number, row in src.parsed(
        ctx.report, ctx.progress, lambda rows: ctx.accounts.prefetch(prefetch_accounts(rows))
    ):
        account_id = ctx.account_id(src, number, row["account_number"])
        key = (row["account_number"], row["period"], row["service_code"])
        if tracker.repeated(ctx.report, src, number, key, "service_code"):
            continue
        count.rows += 1
        if not ctx.writing or account_id is None:
            continue
        period = ctx.period(row["period"])
        service = ctx.service(row["service_code"], row.get("service_name"))
        values = {
            "account_id": account_id,
            "period_id": period.id,
            "service_id": service.id,
            **field_values(CHARGES, row),
        }
        if row.get("to_pay") is None:
            values["to_pay"] = charge_to_pay(row)
        wanted[(account_id, period.id, service.id)] = values
    if not ctx.writing or not wanted:
        return
    by_period: dict[int, list[int]] = {}
    for account_id, period_id, _service_id in wanted:
        by_period.setdefault(period_id, []).append(account_id)
    existing: dict[tuple[int, int, int], Charge] = {}
    for period_id, account_ids in by_period.items():
        for batch in chunked(sorted(set(account_ids)), 1000):
            for c in Charge.objects.filter(period_id=period_id, account_id__in=batch):
                existing[(c.account_id, c.period_id, c.service_id)] = c
    _upsert(Charge, wanted, existing, count)


def load_payments_slowly(ctx: Context, src: Source) -> None:
    tracker = ctx.tracker(PAYMENTS)
    wanted: dict[str, dict[str, Any]] = {}
    prefetch_accounts = src.cells_of("account_number")
    for number, row in src.parsed(
        ctx.report, ctx.progress, lambda rows: ctx.accounts.prefetch(prefetch_accounts(rows))
    ):
        account_id = ctx.account_id(src, number, row["account_number"])
        if tracker.repeated(ctx.report, src, number, row["external_id"], "external_id"):
            continue
        if row["amount"] <= 0:
            ctx.report.error(src.label, number, "amount", "сумма платежа должна быть больше нуля")
            continue
        wanted[row["external_id"]] = {
            "organisation": ctx.organisation,
            "account_id": account_id,
            **field_values(PAYMENTS, row),
        }
    _save_by_key(ctx, PAYMENTS, BillingPayment, "external_id", wanted)


def load_meters_slowly(ctx: Context, src: Source) -> None:
    tracker = ctx.tracker(METERS)
    wanted: dict[str, dict[str, Any]] = {}
    prefetch_accounts = src.cells_of("account_number")
    for number, row in src.parsed(
        ctx.report, ctx.progress, lambda rows: ctx.accounts.prefetch(prefetch_accounts(rows))
    ):
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
        ctx.meter_ids.add(key)
        wanted[key] = {
            "organisation": ctx.organisation,
            "account_id": account_id,
            "service": service,
            **field_values(METERS, row),
        }
    if _save_by_key(ctx, METERS, Meter, "external_id", wanted):
        ctx.meters.forget()


def load_readings_slowly(ctx: Context, src: Source) -> None:
    tracker = ctx.tracker(READINGS)
    wanted: dict[tuple[int, datetime.date], dict[str, Any]] = {}
    rows = 0
    prefetch_meters = src.cells_of("meter_id")
    for number, row in src.parsed(
        ctx.report, ctx.progress, lambda chunk: ctx.meters.prefetch(prefetch_meters(chunk))
    ):
        meter_key = row["meter_id"]
        meter = ctx.meters.get(meter_key)
        if meter is None and meter_key not in ctx.meter_ids:
            ctx.report.error(src.label, number, "meter_id", f"прибор учёта {meter_key} не найден")
            continue
        if tracker.repeated(ctx.report, src, number, (meter_key, row["reading_date"]), "reading_date"):
            continue
        rows += 1
        if meter is None:
            continue  # its own row was rejected; that error is reported already
        meter_id, zones = meter
        values = [row.get("value1"), row.get("value2"), row.get("value3")]
        missing = [i for i in range(zones) if values[i] is None]
        extra = [i for i in range(zones, 3) if values[i] is not None]
        if missing or extra:
            given = 3 - values.count(None)
            ctx.report.error(
                src.label,
                number,
                f"value{(missing or extra)[0] + 1}",
                f"у прибора {meter_key} тарифных зон: {zones}, а значений показаний: {given}",
            )
            continue
        if any(v is not None and v < 0 for v in values):
            ctx.report.error(src.label, number, "value1", "показание не может быть отрицательным")
            continue
        wanted[(meter_id, row["reading_date"])] = {"meter_id": meter_id, **field_values(READINGS, row)}
    count = ctx.report.counts.setdefault(READINGS.name, KindCount())
    count.rows += rows
    if not ctx.writing or not wanted:
        return
    # Only the readings this file names: a meter's earlier history is never loaded.
    existing: dict[tuple[int, datetime.date], Reading] = {}
    for batch in chunked(list(wanted), 1000):
        meter_ids = {k[0] for k in batch}
        dates = {k[1] for k in batch}
        for r in Reading.objects.filter(meter_id__in=meter_ids, reading_date__in=dates):
            existing[(r.meter_id, r.reading_date)] = r
    _upsert(Reading, wanted, existing, count)
    # Residents' readings that came back from the billing system are «Принято к начислению».
    from kabinet.meters.services import submissions_accept_from_billing

    submissions_accept_from_billing(
        readings=[(v["meter_id"], v["reading_date"], [v["value1"], v["value2"], v["value3"]]) for v in wanted.values()]
    )


def load_charges(ctx: Context, src: Source) -> None:
    if connection.vendor == "postgresql" and ctx.report.ok and ctx.files_of_kind.get(CHARGES.name) == 1:
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
            _forget_fast_attempt(ctx, CHARGES)
    load_charges_slowly(ctx, src)


def _forget_fast_attempt(ctx: Context, kind: FileKind) -> None:
    ctx.report.counts.pop(kind.name, None)
    ctx.keys.pop(kind.name, None)
    ctx.accounts.forget()
    ctx.meters.forget()
    if not ctx.report.ok:
        # Only errors the fast path itself found (bad encoding): the slow pass finds them again.
        ctx.report.errors.clear()
        ctx.report.error_count = 0


def fast_or_slow(kind: FileKind, slowly: Callable[[Context, Source], None]) -> Callable[[Context, Source], None]:
    """On PostgreSQL, try the streaming loader of `streamload` first (in a savepoint); anything it
    is not sure about hands the file to the row-by-row loader, which reports every error.

    Several files of one kind in one import take the row-by-row loader, which finds a key
    repeated across them."""

    def load(ctx: Context, src: Source) -> None:
        if connection.vendor == "postgresql" and ctx.report.ok and ctx.files_of_kind.get(kind.name) == 1:
            from kabinet.billing.streamload import load_fast  # PostgreSQL only; imports this module

            try:
                load_fast(ctx, src)
                return
            except (GiveUp, DatabaseError):
                logger.debug("%s: the streaming loader gave up", src.label, exc_info=True)
                _forget_fast_attempt(ctx, kind)
        slowly(ctx, src)

    load.__name__ = f"load_{kind.name}"
    return load


load_accounts = fast_or_slow(ACCOUNTS, load_accounts_slowly)
load_payments = fast_or_slow(PAYMENTS, load_payments_slowly)
load_meters = fast_or_slow(METERS, load_meters_slowly)
load_readings = fast_or_slow(READINGS, load_readings_slowly)


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
                services={s.code: s for s in Service.objects.filter(organisation=organisation)},
                periods={p.month: p for p in Period.objects.filter(organisation=organisation)},
            )
            for src in sources:
                assert src.kind is not None
                ctx.files_of_kind[src.kind.name] = ctx.files_of_kind.get(src.kind.name, 0) + 1
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
