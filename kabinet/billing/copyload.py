"""The fast path of the charges import, for PostgreSQL.

Rows are checked with the rules of `importfiles` and streamed into `COPY billing_charge` in CSV
form, so PostgreSQL stores one batch while this process checks the next.
Rows of months that already hold charges go to a temporary table and are merged with one upsert.

A row in the column order of SPEC 3.2 whose cells all look ordinary is checked by one regular
expression and passed on almost as it came (the lean path); any other row is taken apart cell by
cell with the same rules as the row-by-row loader (the general path). A row that neither path is
sure about raises GiveUp: the caller rolls back to its savepoint and the row-by-row loader judges
the whole file and reports every error.

Every column list here comes from `importfiles.CHARGES` and the `Charge` model: a new optional
column declared there (with a model field of the same name) is loaded by this path too.
"""

from __future__ import annotations

import re
import tempfile
from typing import IO, Any

import psycopg
from django.db import connection

from kabinet.billing.importfiles import CHARGES, Column, ValueRejected
from kabinet.billing.imports import (
    Context,
    GiveUp,
    KindCount,
    Source,
    blank_value,
    charge_to_pay,
    split_line,
)
from kabinet.billing.models import Charge, Service

# Columns that name the account, period and service rather than a field of the charge.
REFERENCES = ("account_number", "period", "service_code", "service_name")
SPEC_HEADER = [c.name for c in CHARGES.columns]
TAIL_COLUMNS: tuple[Column, ...] = tuple(c for c in CHARGES.columns if c.name not in REFERENCES)
TAIL = tuple(c.name for c in TAIL_COLUMNS)
# A cell left empty stores the field's default ("" and NULL need no text in CSV); `to_pay`
# is worked out from the other sums.
DERIVED = "to_pay"


def _field(column: Column) -> Any:
    name = column.field_name
    assert name is not None
    return Charge._meta.get_field(name)


def _default_text(column: Column) -> str:
    value = blank_value(_field(column))
    return "" if value is None else str(value)


DEFAULTS = {c.name: _default_text(c) for c in TAIL_COLUMNS}
COLUMNS = ("account_id", "period_id", "service_id", *(_field(c).column for c in TAIL_COLUMNS))
TEXT_COLUMNS = tuple(
    _field(c).column for c in TAIL_COLUMNS if not _field(c).null and _field(c).get_internal_type() == "CharField"
)
# CSV: an empty unquoted cell is NULL, except in the text columns, where it is ''.
COPY_OPTIONS = f"(FORMAT csv, DELIMITER ';', FORCE_NOT_NULL ({', '.join(TEXT_COLUMNS)}))"


def _lean_cell(column: Column) -> str:
    """The cell as the lean path takes it; a cell that would need a default takes the general path."""
    pattern = f"(?:{column.rule.lean_pattern})"
    return pattern if DEFAULTS[column.name] or column.name == DERIVED else pattern + "?+"


LEAN_TAIL = re.compile(";".join(_lean_cell(c) for c in TAIL_COLUMNS))
# Most files carry SPEC 3.2's columns only, without the optional ЕПД ones after `to_pay`: they
# take the lean path too, with the optional cells left empty (NULL).
BASE_TAIL_COLUMNS = TAIL_COLUMNS[: TAIL.index(DERIVED) + 1]
BASE_HEADER = SPEC_HEADER[: len(SPEC_HEADER) - (len(TAIL_COLUMNS) - len(BASE_TAIL_COLUMNS))]
NO_OPTIONAL = ";" * (len(TAIL_COLUMNS) - len(BASE_TAIL_COLUMNS))
LEAN_TAIL_BASE = re.compile(";".join(_lean_cell(c) for c in BASE_TAIL_COLUMNS))
# A block of lines in SPEC 3.2's column order with ordinary tails; the account, period, service
# and its name are checked by looking them up (a cell that is not a known key is no key).
LEAN_BLOCK = re.compile(r"(?:(?:[^;\n]*+;){4}" + LEAN_TAIL.pattern + "\n)*+").fullmatch
LEAN_BLOCK_BASE = re.compile(r"(?:(?:[^;\n]*+;){4}" + LEAN_TAIL_BASE.pattern + "\n)*+").fullmatch
HEAD = re.compile(r"^([^;\n]*);([^;\n]*);([^;\n]*);([^;\n]*);", re.MULTILINE)
CELL = {c.name: re.compile(f"(?:{c.rule.lean_pattern})?") for c in TAIL_COLUMNS}


def csv_cell(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if ";" in text or '"' in text else text


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

    def write(self, text: str, rows: int) -> None:
        """Send text of whole records (each ending in a line feed)."""
        if self.copy is None:
            self.block = self.cursor.copy(self.sql)
            self.copy = self.block.__enter__()
        self.rows += rows
        self.copy.write(text)

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
        self.lean = header in (SPEC_HEADER, BASE_HEADER)
        # Cells to add to a lean record for the optional columns the file does not have.
        self.suffix = NO_OPTIONAL if header == BASE_HEADER else ""
        self.at = {name: i for i, name in enumerate(header)}
        self.width = len(header)
        self.accounts = ctx.accounts.found
        self.old_periods = {str(p.id) for p in ctx.periods.values()}
        self.period_ids = {p.month.strftime("%Y-%m"): str(p.id) for p in ctx.periods.values()}
        self.service_ids = {code: str(s.id) for code, s in ctx.services.items()}
        self.service_names = {code: s.name for code, s in ctx.services.items()}
        self.renamed: dict[str, str] = {}

    def prefetch(self, lines: list[str]) -> None:
        """Look up the accounts of a block that are not known yet (the COPY pauses for it)."""
        refs = self.ctx.accounts
        if refs.complete:
            return
        at = self.at["account_number"]
        numbers = {p[at].strip() for line in lines if len(p := line.split(";", at + 1)) > at}
        if any(n not in refs.found and n not in refs.absent for n in numbers):
            self.direct.pause()
            refs.prefetch(numbers)

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
            try:
                CHARGES.by_name["service_name"].parse(name)
            except ValueRejected:
                raise GiveUp from None
            self.renamed[code] = self.service_names[code] = name
        return service

    def general(self, line: str, pending: list[str]) -> tuple[str, str]:
        """(period id, record) for a row in any column order, checked cell by cell."""
        p = [cell.strip() for cell in split_line(line)]
        if len(p) != self.width:
            raise GiveUp
        at = self.at
        number = p[at["account_number"]]
        account = self.accounts.get(number)
        refs = self.ctx.accounts
        if account is None and not refs.complete and number not in refs.absent:
            self.direct.send(pending)
            self.direct.pause()
            account = refs.get(number)
        if account is None:
            raise GiveUp
        period = self.period(p[at["period"]], pending)
        name = p[at["service_name"]] if "service_name" in at else ""
        service = self.service(p[at["service_code"]], name, pending)
        cells: dict[str, str] = {}
        values: dict[str, Any] = {}
        for column in TAIL_COLUMNS:
            text = p[at[column.name]] if column.name in at else ""
            try:
                value = column.parse(text)
            except ValueRejected:
                raise GiveUp from None
            values[column.name] = value
            if value is None:
                cells[column.name] = DEFAULTS[column.name]
            elif CELL[column.name].fullmatch(text):
                cells[column.name] = text
            else:
                cells[column.name] = csv_cell(column.rule.canonical(value))
        if values[DERIVED] is None:
            cells[DERIVED] = str(charge_to_pay(values))
        return period, ";".join((str(account), period, service, *(cells[n] for n in TAIL)))


def load_charges_fast(ctx: Context, src: Source) -> None:
    """Stream the file's rows into COPY; raise GiveUp at the first row the slow path must judge."""
    cursor = connection.cursor().cursor  # the psycopg cursor under Django's wrapper
    direct = CopyStream(cursor, f"COPY billing_charge ({', '.join(COLUMNS)}) FROM STDIN {COPY_OPTIONS}")
    rows = ChargeRows(ctx, src, direct)
    staged: IO[str] = tempfile.SpooledTemporaryFile(max_size=64 << 20, mode="w+", encoding="utf-8")
    staged_rows = total = 0
    accounts, period_ids, service_ids = rows.accounts, rows.period_ids, rows.service_ids
    service_names, old_periods, lean = rows.service_names, rows.old_periods, rows.lean
    suffix = rows.suffix
    lean_tail = (LEAN_TAIL_BASE if suffix else LEAN_TAIL).fullmatch
    lean_block = LEAN_BLOCK_BASE if suffix else LEAN_BLOCK
    def head(match: re.Match[str]) -> str:
        acc, per, code, name = match.groups()
        period = period_ids[per]
        if name != service_names[code] or period in old_periods:
            raise LookupError(code)  # a renamed service, or a month that holds charges: staged
        return f"{accounts[acc]};{period};{service_ids[code]};"

    first = True
    try:
        for text in src.blocks(ctx.progress):
            # Tabs and backslashes are refused by the rules: the careful reader says where.
            if "\t" in text or "\\" in text:
                raise GiveUp
            if first:
                # A file about as large as the organisation: its accounts in one query.
                ctx.accounts.load_all_if_within(src.size * text.count("\n") // max(len(text), 1))
                first = False
            if lean and ctx.accounts.complete:
                # The whole block at once: one regular expression checks every line, one
                # substitution puts the ids in; any surprise sends the block line by line.
                if not text.endswith("\n"):
                    text += "\n"
                if lean_block(text):
                    try:
                        block = HEAD.sub(head, text)
                    except LookupError:
                        pass
                    else:
                        if suffix:
                            block = block.replace("\n", suffix + "\n")
                        rows_in_block = block.count("\n")
                        total += rows_in_block
                        direct.write(block, rows_in_block)
                        continue
            lines = text.split("\n")
            rows.prefetch(lines)
            out: list[str] = []
            for line in lines:
                if not line:
                    continue
                # The lean path: known account, period and service, ordinary cells.
                parts = line.split(";", 4)
                if lean and len(parts) == 5:
                    acc, per, code, name, tail = parts
                    account, period, service = accounts.get(acc), period_ids.get(per), service_ids.get(code)
                    if account and period and service and name == service_names[code] and lean_tail(tail):
                        record = f"{account};{period};{service};{tail}{suffix}"
                    else:
                        period, record = rows.general(line, out)
                elif not line.strip():
                    continue
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
