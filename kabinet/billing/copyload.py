"""The fast path of the charges import, for PostgreSQL.

Rows are checked with the rules of `importfiles` and streamed into `COPY billing_charge` in CSV
form, from a writer thread, so PostgreSQL stores one batch while this thread checks the next.
Rows of months that already hold charges go to a temporary table and are merged with one upsert.

A row in the column order of SPEC 3.2 whose cells all look ordinary is checked by one regular
expression and passed on almost as it came (the lean path); any other row is taken apart cell by
cell (the general path). A row that neither path is sure about raises GiveUp: the caller rolls
back to its savepoint and the row-by-row loader judges the whole file and reports every error.
"""

from __future__ import annotations

import re
import tempfile
from decimal import Decimal
from typing import IO, Any

import psycopg
from django.db import connection

from kabinet.billing.importfiles import CHARGES, MONEY, QUANTITY, ValueRejected
from kabinet.billing.imports import (
    CHARGE_MONEY,
    CHARGE_OPTIONAL,
    CHARGE_QUANTITY,
    Context,
    GiveUp,
    KindCount,
    Source,
    charge_to_pay,
)
from kabinet.billing.models import Service

# The charge columns in the order of SPEC 3.2, after the account, period and service.
TAIL = (
    "kind",
    "unit",
    "norm",
    "tariff",
    "volume",
    "volume_basis",
    "debt_start",
    "charged",
    "recalculation",
    "recalculation_reason",
    "privilege",
    "paid",
    "to_pay",
)
SPEC_HEADER = ["account_number", "period", "service_code", "service_name", *TAIL]
# Optional ЕПД columns (SPEC 2.3), after the SPEC 3.2 ones; NULL when the file has none.
OPTIONAL = CHARGE_OPTIONAL
NO_OPTIONAL = ";" * len(OPTIONAL)
COLUMNS = ("account_id", "period_id", "service_id", *TAIL, *OPTIONAL)
TEXT_COLUMNS = ("kind", "unit", "volume_basis", "recalculation_reason")
# CSV: an empty unquoted cell is NULL, except in the text columns, where it is ''.
COPY_OPTIONS = f"(FORMAT csv, DELIMITER ';', FORCE_NOT_NULL ({', '.join(TEXT_COLUMNS)}))"
LIMITS = {"unit": 20, "recalculation_reason": 300, "service_name": 200}
KINDS = {"": "service", "service": "service", "penalty": "penalty"}
BASES = {"", "meter", "norm", "common_meter", "average"}


def _text(limit: int) -> str:
    """A text cell of at most `limit` characters with no space at either end (the careful
    reader strips those, so such a cell takes the general path and agrees with it)."""
    return rf"(?:[^;\s](?:[^;]{{0,{limit - 2}}}[^;\s])?)?"


LEAN_TAIL = re.compile(
    ";".join(
        [
            "(?:service|penalty)",
            _text(LIMITS["unit"]),
            *[f"(?:{QUANTITY.pattern})?"] * 3,
            "(?:meter|norm|common_meter|average)?",
            *[MONEY.pattern] * 3,
            _text(LIMITS["recalculation_reason"]),
            *[MONEY.pattern] * 3,
        ]
    ).replace("[.,]", r"\.")  # a decimal comma takes the general path
)


class CopyStream:
    """A COPY that can be paused to run other statements on the same connection."""

    def __init__(self, cursor: Any, sql: str) -> None:
        self.cursor = cursor
        self.sql = sql
        self.block: Any = None
        self.copy: Any = None
        self.rows = 0

    def send(self, records: list[str]) -> None:
        """Send records (lines without their end) and empty the list."""
        if not records:
            return
        if self.copy is None:
            self.block = self.cursor.copy(self.sql)
            self.copy = self.block.__enter__()
        self.rows += len(records)
        records.append("")
        self.copy.write("\n".join(records))
        records.clear()

    def pause(self) -> None:
        if self.copy is not None:
            block, self.block, self.copy = self.block, None, None
            block.__exit__(None, None, None)

    def abort(self, exc: BaseException) -> None:
        if self.copy is not None:
            block, self.block, self.copy = self.block, None, None
            try:
                block.__exit__(type(exc), exc, exc.__traceback__)
            except Exception:  # noqa: S110 - the original error is the one that matters
                pass


class ChargeRows:
    """Turns the lines of one charges file into COPY records; knows the file's columns."""

    def __init__(self, ctx: Context, src: Source, direct: CopyStream) -> None:
        self.ctx = ctx
        self.direct = direct
        header = src.header
        self.lean = header == SPEC_HEADER
        self.at = {name: i for i, name in enumerate(header)}
        self.width = len(header)
        self.present = [n for n in TAIL if n in self.at]
        self.rules = {
            n: re.compile(f"(?:{(QUANTITY if n in CHARGE_QUANTITY else MONEY).pattern})?")
            for n in (*CHARGE_QUANTITY, *CHARGE_MONEY)
        }
        self.accounts = {number: str(pk) for number, pk in ctx.accounts.items() if pk is not None}
        self.old_periods = {str(p.id) for p in ctx.periods.values()}
        self.period_ids = {p.month.strftime("%Y-%m"): str(p.id) for p in ctx.periods.values()}
        self.service_ids = {code: str(s.id) for code, s in ctx.services.items()}
        self.service_names = {code: s.name for code, s in ctx.services.items()}
        self.renamed: dict[str, str] = {}

    def period(self, text: str, pending: list[str]) -> str:
        period = self.period_ids.get(text)
        if period is None:
            try:
                month = CHARGES.by_name["period"].parse(text)
            except ValueRejected:
                raise GiveUp from None
            self.direct.send(pending)  # what came before goes first: the COPY is paused
            self.direct.pause()
            period = self.period_ids[text] = str(self.ctx.period(month).id)
        return period

    def service(self, code: str, name: str, pending: list[str]) -> str:
        service = self.service_ids.get(code)
        if service is None:
            try:
                CHARGES.by_name["service_code"].parse(code)
                if name:
                    CHARGES.by_name["service_name"].parse(name)
            except ValueRejected:
                raise GiveUp from None
            self.direct.send(pending)
            self.direct.pause()
            created = self.ctx.service(code, name)
            service = self.service_ids[code] = str(created.id)
            self.service_names[code] = created.name
        elif name and name != self.service_names[code]:
            if len(name) > LIMITS["service_name"] or name != name.strip():
                raise GiveUp
            self.renamed[code] = self.service_names[code] = name
        return service

    def general(self, line: str, pending: list[str]) -> tuple[str, str]:
        """(period id, record) for a row in any column order, checked cell by cell."""
        p = line.split(";")
        if len(p) != self.width:
            raise GiveUp
        at = self.at
        account = self.accounts.get(p[at["account_number"]])
        if account is None:
            raise GiveUp
        period = self.period(p[at["period"]], pending)
        name = p[at["service_name"]] if "service_name" in at else ""
        service = self.service(p[at["service_code"]], name, pending)
        cells = {n: p[at[n]] for n in self.present}
        kind = KINDS.get(cells.get("kind", ""))
        if kind is None or cells.get("volume_basis", "") not in BASES:
            raise GiveUp
        cells["kind"] = kind
        for n in ("unit", "recalculation_reason"):
            if len(cells.get(n, "")) > LIMITS[n] or cells.get(n, "") != cells.get(n, "").strip():
                raise GiveUp
        for n, rule in self.rules.items():
            value = cells.get(n, "")
            if rule.fullmatch(value) is None:
                raise GiveUp
            value = value.replace(",", ".")
            cells[n] = value if value or n in CHARGE_QUANTITY or n == "to_pay" else "0"
        if not cells["to_pay"]:
            cells["to_pay"] = str(charge_to_pay({n: Decimal(cells[n]) for n in CHARGE_MONEY if n != "to_pay"}))
        optional = []
        for n in OPTIONAL:
            value = p[at[n]] if n in at else ""
            if value and not CHARGES.by_name[n].regex.fullmatch(value):
                raise GiveUp
            optional.append(value.replace(",", "."))
        return period, ";".join((account, period, service, *(cells.get(n, "") for n in TAIL), *optional))


def load_charges_fast(ctx: Context, src: Source) -> None:
    """Stream the file's rows into COPY; raise GiveUp at the first row the slow path must judge."""
    cursor = connection.cursor().cursor  # the psycopg cursor under Django's wrapper
    direct = CopyStream(cursor, f"COPY billing_charge ({', '.join(COLUMNS)}) FROM STDIN {COPY_OPTIONS}")
    rows = ChargeRows(ctx, src, direct)
    staged: IO[str] = tempfile.SpooledTemporaryFile(max_size=64 << 20, mode="w+", encoding="utf-8")
    staged_rows = total = 0
    accounts, period_ids, service_ids = rows.accounts, rows.period_ids, rows.service_ids
    service_names, old_periods, lean = rows.service_names, rows.old_periods, rows.lean
    lean_tail = LEAN_TAIL.fullmatch
    try:
        for text in src.blocks(ctx.progress):
            # Quotes, tabs and backslashes are for the careful reader (the rules refuse the
            # last two; quoted cells need the csv module).
            if '"' in text or "\t" in text or "\\" in text:
                raise GiveUp
            out: list[str] = []
            for line in text.split("\n"):
                if not line:
                    continue
                # The lean path: known account, period and service, ordinary cells.
                parts = line.split(";", 4)
                if lean and len(parts) == 5:
                    acc, per, code, name, tail = parts
                    account, period, service = accounts.get(acc), period_ids.get(per), service_ids.get(code)
                    if account and period and service and name == service_names[code] and lean_tail(tail):
                        record = f"{account};{period};{service};{tail}{NO_OPTIONAL}"
                    else:
                        period, record = rows.general(line, out)
                else:
                    period, record = rows.general(line, out)
                total += 1
                if period in old_periods:
                    staged.write(record + "\n")
                    staged_rows += 1
                else:
                    out.append(record)
            direct.send(out)
        direct.pause()
    except BaseException as exc:
        direct.abort(exc)
        if isinstance(exc, psycopg.Error):
            # A row PostgreSQL refused (a repeated key, say): the careful reader will say which.
            raise GiveUp from exc
        raise
    count = ctx.report.counts.setdefault(CHARGES.name, KindCount())
    count.rows += total
    count.created += direct.rows
    for code, name in rows.renamed.items():
        Service.objects.filter(organisation=ctx.organisation, code=code).update(name=name)
        ctx.services[code].name = name
    try:
        if staged_rows:
            merge_staged(cursor, staged, count)
    except psycopg.Error as exc:
        raise GiveUp from exc
    finally:
        staged.close()


def merge_staged(cursor: Any, staged: IO[str], count: KindCount) -> None:
    """Upsert staged rows: insert new keys, update changed rows, leave equal rows alone."""
    cols = ", ".join(COLUMNS)
    values = [c for c in COLUMNS if c not in ("account_id", "period_id", "service_id")]
    cursor.execute(
        f"CREATE TEMP TABLE charge_stage ON COMMIT DROP AS SELECT {cols} FROM billing_charge WITH NO DATA"  # noqa: S608
    )
    staged.seek(0)
    with cursor.copy(f"COPY charge_stage ({cols}) FROM STDIN {COPY_OPTIONS}") as copy:  # noqa: S608
        while chunk := staged.read(1 << 20):
            copy.write(chunk)
    cursor.execute(
        f"""
        WITH merged AS (
            INSERT INTO billing_charge ({cols})
            SELECT {cols} FROM charge_stage
            ON CONFLICT (period_id, account_id, service_id) DO UPDATE
            SET {", ".join(f"{c} = EXCLUDED.{c}" for c in values)}
            WHERE ({", ".join(f"billing_charge.{c}" for c in values)})
                IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in values)})
            RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted),
               (SELECT count(*) FROM charge_stage)
        FROM merged
        """  # noqa: S608 - column names are constants of this module
    )
    created, updated, total = cursor.fetchone()
    cursor.execute("DROP TABLE charge_stage")
    count.created += created
    count.updated += updated
    count.unchanged += total - created - updated
