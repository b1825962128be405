"""The fast path of the accounts, payments, meters and readings imports, for PostgreSQL.

The same idea as the charges loader (`copyload`): the file is read a block at a time, each line
is checked with the rules of `importfiles` (one regular expression for an ordinary line, cell by
cell otherwise), references are turned into ids, and the records are streamed into `COPY`, so
memory does not grow with the file. Then:

- direct: when none of the first block's keys exist yet (a first load, a new month's payments or
  readings), straight into the table. A key that exists after all makes PostgreSQL refuse the
  COPY; everything is rolled back to a savepoint and the file goes the staged way.
- staged: into a temporary table, then one upsert that inserts new keys, updates changed rows and
  leaves equal rows alone, counting each (a repeated key makes it fail).

A row this path is not sure about raises GiveUp; a value PostgreSQL refuses (a day that does not
exist) fails the COPY. Either way the caller rolls back and the row-by-row loader of `imports`
judges the file and writes the report. Nothing here loads what the organisation already holds:
references are looked up per block, or all at once when the file is about as large as them.

The column lists come from the file kind (`importfiles`) and the model: a new optional column
declared in `importfiles` with a model field of the same name is loaded here as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import itemgetter
from typing import Any

import psycopg
from django.db import DatabaseError, connection, transaction

from kabinet.billing.copyload import CopyStream, csv_cell
from kabinet.billing.importfiles import METERS, PAYMENTS, READINGS, ValueRejected
from kabinet.billing.imports import (
    Context,
    GiveUp,
    KindCount,
    Refs,
    Source,
    blank_value,
    kind_model,
    split_line,
)


class KeysExist(Exception):
    """The file updates rows: it takes the staged way."""


def _iso(date: str) -> str:
    """YYYY-MM-DD for a lean date cell (either form)."""
    return date if date[4] == "-" else f"{date[6:]}-{date[3:5]}-{date[:2]}"


class Plan:
    """How the lines of one file become records of the kind's table."""

    def __init__(self, ctx: Context, src: Source) -> None:
        kind = src.kind
        assert kind is not None
        self.ctx, self.src, self.kind = ctx, src, kind
        model = kind_model(kind)
        self.model = model
        self.table = model._meta.db_table
        header = src.header
        at = {name: i for i, name in enumerate(header)}
        self.at, self.width = at, len(header)
        self.columns = [kind.by_name[h] for h in header]
        self.line_lean = re.compile(
            ";".join(f"(?:{c.rule.lean_pattern})" + ("" if c.required else "?") for c in self.columns)
        ).fullmatch
        self.cell_lean = [re.compile(f"(?:{c.rule.lean_pattern})?").fullmatch for c in self.columns]

        # Target columns and where each one's text comes from: a cell of the line, the id a
        # reference cell names, or a constant (the organisation, the default of an absent column).
        targets: list[str] = []
        sources: list[tuple[str, Any]] = []
        self.defaults: list[tuple[int, str]] = []  # (cell, text of an empty cell)
        self.refs: list[tuple[int, dict[str, Any], bool]] = []  # (cell, key -> id, optional)
        self.text_columns: list[str] = []
        if any(f.name == "organisation" for f in model._meta.fields):
            targets.append("organisation_id")
            sources.append(("const", str(ctx.organisation.pk)))
        for column in kind.columns:
            name = column.field_name
            if name is None:
                continue
            field = model._meta.get_field(name)
            targets.append(field.column)
            if field.is_relation:
                if column.name not in at:
                    sources.append(("const", ""))
                    continue
                sources.append(("ref", len(self.refs)))
                self.refs.append((at[column.name], self.mapping(column.name), not column.required))
                continue
            if not field.null and field.get_internal_type() == "CharField":
                self.text_columns.append(field.column)
            blank = blank_value(field)
            blank_text = "" if blank is None else str(blank)
            if column.name in at:
                sources.append(("cell", at[column.name]))
                if blank_text:
                    self.defaults.append((at[column.name], blank_text))
            else:
                sources.append(("const", blank_text))
        self.targets = targets
        consts = [value for where, value in sources if where == "const"]
        self.consts = consts
        positions, c = [], 0
        for where, value in sources:
            if where == "cell":
                positions.append(value)
            elif where == "ref":
                positions.append(self.width + value)
            else:
                positions.append(self.width + len(self.refs) + c)
                c += 1
        self.pick: Callable[[list[str]], Any] = itemgetter(*positions)
        self.key_cells = [at[name] for name in kind.key]
        self.check = self.checker()
        options = "FORMAT csv, DELIMITER ';'"
        if self.text_columns:
            options += f", FORCE_NOT_NULL ({', '.join(self.text_columns)})"
        self.copy_options = f"({options})"

    def mapping(self, column: str) -> dict[str, Any]:
        if column == "account_number":
            return self.ctx.accounts.found
        if column == "meter_id":
            return self.ctx.meters.found
        if column == "service_code":
            return {code: s.pk for code, s in self.ctx.services.items()}
        raise AssertionError(column)

    @property
    def lookups(self) -> list[tuple[int, Refs]]:
        """The reference cells looked up in the database (services are few and all known)."""
        out = []
        for column, refs in (("account_number", self.ctx.accounts), ("meter_id", self.ctx.meters)):
            if column in self.at and self.model._meta.get_field(self.kind.by_name[column].field_name or "").is_relation:
                out.append((self.at[column], refs))
        return out

    def checker(self) -> Callable[[list[str], list[Any]], bool]:
        """The rules that look at more than one cell, as the row-by-row loader has them."""
        at = self.at
        if self.kind is PAYMENTS:
            amount = at["amount"]
            return lambda cells, refs: cells[amount][0] != "-" and bool(cells[amount].strip("0."))
        if self.kind is METERS:
            installed, verify = at.get("installed_on"), at.get("next_verification_on")
            if installed is None or verify is None:
                return lambda cells, refs: True
            return lambda cells, refs: not (
                cells[installed] and cells[verify] and _iso(cells[verify]) < _iso(cells[installed])
            )
        if self.kind is READINGS:
            value1 = at["value1"]
            value2, value3 = at.get("value2"), at.get("value3")

            def readings(cells: list[str], refs: list[Any]) -> bool:
                zones = refs[0][1]
                has2 = value2 is not None and cells[value2] != ""
                has3 = value3 is not None and cells[value3] != ""
                if has2 != (zones >= 2) or has3 != (zones >= 3):
                    return False
                return not any(
                    i is not None and cells[i][:1] == "-" for i in (value1, value2, value3)
                )

            return readings
        return lambda cells, refs: True

    def general(self, line: str) -> list[str]:
        """The cells of a line that is not ordinary, checked one by one with the column rules."""
        cells = split_line(line)
        if len(cells) != self.width:
            raise GiveUp
        out = []
        for column, text, lean in zip(self.columns, cells, self.cell_lean, strict=True):
            text = text.strip()
            try:
                value = column.parse(text)
            except ValueRejected:
                raise GiveUp from None
            if value is None:
                out.append("")
            elif lean(text):
                out.append(text)
            else:
                out.append(column.rule.canonical(value))
        return out


def load_fast(ctx: Context, src: Source) -> None:
    """Load one file the streaming way, all or nothing; GiveUp (or a database error) if unsure."""
    plan = Plan(ctx, src)
    with transaction.atomic():
        cursor = connection.cursor().cursor  # the psycopg cursor under Django's wrapper
        # Dates come as YYYY-MM-DD or DD.MM.YYYY; PostgreSQL reads both (and refuses 30.02).
        cursor.execute("SET LOCAL datestyle = 'ISO, DMY'")
        try:
            with transaction.atomic():
                stream(plan, cursor, direct=True)
            return
        except (KeysExist, DatabaseError, psycopg.Error):
            pass  # rolled back to the savepoint
        ctx.report.counts.pop(plan.kind.name, None)
        try:
            stream(plan, cursor, direct=False)
        except psycopg.Error as exc:
            raise GiveUp from exc


def stream(plan: Plan, cursor: Any, *, direct: bool) -> None:
    ctx, src, kind = plan.ctx, plan.src, plan.kind
    target = plan.table if direct else f"stage_{kind.name}"
    columns = ", ".join(plan.targets)
    if not direct:
        cursor.execute(
            f"CREATE TEMP TABLE {target} ON COMMIT DROP AS SELECT {columns} FROM {plan.table} WITH NO DATA"  # noqa: S608
        )
    first_new_id = 0
    if direct and kind is READINGS:
        cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {plan.table}")  # noqa: S608
        first_new_id = cursor.fetchone()[0]
    copy = CopyStream(cursor, f"COPY {target} ({columns}) FROM STDIN {plan.copy_options}")
    line_lean, general, defaults, refs, consts = plan.line_lean, plan.general, plan.defaults, plan.refs, plan.consts
    pick, check, lookups = plan.pick, plan.check, plan.lookups
    first = True
    try:
        for text in src.blocks(ctx.progress):
            if "\t" in text or "\\" in text:
                raise GiveUp  # refused by the rules: the careful reader says where
            lines = text.split("\n")
            if first:
                rows = src.size * len(lines) // max(len(text), 1)
                for _at, lookup in lookups:
                    lookup.load_all_if_within(rows)
            prefetch(copy, lines, lookups)
            out: list[str] = []
            keys: list[list[str]] = []
            for line in lines:
                if line_lean(line):
                    cells = line.split(";")
                    quote = False
                elif not line.strip():
                    continue
                else:
                    cells = general(line)
                    quote = True
                for i, blank in defaults:
                    if not cells[i]:
                        cells[i] = blank
                found = []
                for i, mapping, optional in refs:
                    key = cells[i]
                    if not key and optional:
                        found.append(None)
                        continue
                    ref = mapping.get(key)
                    if ref is None:
                        raise GiveUp
                    found.append(ref)
                if not check(cells, found):
                    raise GiveUp
                if first:
                    keys.append([cells[i] for i in plan.key_cells] + found[:1])
                row = cells + ["" if r is None else str(r[0] if isinstance(r, tuple) else r) for r in found] + consts
                picked = pick(row)
                out.append(";".join(map(csv_cell, picked)) if quote else ";".join(picked))
            if first and direct and keys and keys_exist(plan, cursor, keys):
                raise KeysExist
            first = False
            copy.send(out)
        copy.pause()
    except BaseException as exc:
        copy.abort(exc)
        raise
    count = ctx.report.counts.setdefault(kind.name, KindCount())
    count.rows += copy.rows
    if direct:
        count.created += copy.rows
    else:
        merge(plan, cursor, target, count)
    if kind is READINGS:
        accept_submissions(cursor, target if not direct else None, first_new_id)


def prefetch(copy: CopyStream, lines: list[str], lookups: list[tuple[int, Refs]]) -> None:
    """Look up the references of a block that are not known yet (the COPY pauses for it)."""
    for at, refs in lookups:
        if refs.complete:
            continue
        keys = {p[at].strip() for line in lines if len(p := line.split(";")) > at}
        keys.discard("")
        if any(k not in refs.found and k not in refs.absent for k in keys):
            copy.pause()
            refs.prefetch(keys)


def keys_exist(plan: Plan, cursor: Any, keys: list[list[Any]]) -> bool:
    """Whether any of these keys (of the first block) is in the table already."""
    if plan.kind is READINGS:
        cursor.execute(
            f"""SELECT EXISTS (SELECT 1 FROM {plan.table} r
                JOIN unnest(%s::bigint[], %s::date[]) AS k(meter_id, reading_date)
                ON r.meter_id = k.meter_id AND r.reading_date = k.reading_date)""",  # noqa: S608
            [[k[2][0] for k in keys], [k[1] for k in keys]],
        )
    else:
        key = plan.model._meta.get_field(plan.kind.by_name[plan.kind.key[0]].field_name or "").column
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {plan.table} WHERE organisation_id = %s AND {key} = ANY(%s))",  # noqa: S608
            [plan.ctx.organisation.pk, [k[0] for k in keys]],
        )
    return bool(cursor.fetchone()[0])


def conflict_columns(plan: Plan) -> list[str]:
    """The columns of the unique constraint on the kind's natural key."""
    model = plan.model
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", ())
        if fields and all(model._meta.get_field(f).column in plan.targets for f in fields):
            columns = [model._meta.get_field(f).column for f in fields]
            if set(columns) >= {"organisation_id"} or plan.kind is READINGS:
                return columns
    raise AssertionError(f"no unique key for {model.__name__}")


def merge(plan: Plan, cursor: Any, stage: str, count: KindCount) -> None:
    """Upsert staged rows: insert new keys, update changed rows, leave equal rows alone."""
    cols = ", ".join(plan.targets)
    keys = conflict_columns(plan)
    values = [c for c in plan.targets if c not in keys]
    cursor.execute(
        f"""
        WITH merged AS (
            INSERT INTO {plan.table} ({cols})
            SELECT {cols} FROM {stage}
            ON CONFLICT ({", ".join(keys)}) DO UPDATE
            SET {", ".join(f"{c} = EXCLUDED.{c}" for c in values)}
            WHERE ({", ".join(f"{plan.table}.{c}" for c in values)})
                IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in values)})
            RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged
        """  # noqa: S608 - names come from the model
    )
    created, updated = cursor.fetchone()
    count.created += created
    count.updated += updated
    count.unchanged += count.rows - created - updated


def accept_submissions(cursor: Any, stage: str | None, first_new_id: int) -> None:
    """Residents' readings that came back from the billing system are «Принято к начислению».

    The same rule as `submissions_accept_from_billing`, in one query over this file's readings
    (the staged table, or the rows the direct COPY added), never over a meter's history."""
    from kabinet.meters.models import ReadingSubmission
    from kabinet.meters.services import submissions_set_status

    if stage:
        readings = f"SELECT meter_id, reading_date, value1, value2, value3 FROM {stage}"  # noqa: S608
        params: list[Any] = []
    else:
        readings = "SELECT meter_id, reading_date, value1, value2, value3 FROM meters_reading WHERE id > %s"
        params = [first_new_id]
    cursor.execute(
        f"""
        SELECT DISTINCT s.id FROM ({readings}) r
        JOIN meters_readingsubmission s ON s.meter_id = r.meter_id
        JOIN meters_meter m ON m.id = s.meter_id
        WHERE s.status = %s AND s.replaced_by_id IS NULL AND s.reading_date <= r.reading_date
          AND s.value1 = r.value1
          AND (m.zones < 2 OR s.value2 = r.value2)
          AND (m.zones < 3 OR s.value3 = r.value3)
        """,  # noqa: S608
        [*params, ReadingSubmission.Status.TRANSFERRED],
    )
    ids = [row[0] for row in cursor.fetchall()]
    if ids:
        submissions_set_status(
            submissions=ReadingSubmission.objects.filter(pk__in=ids), status=ReadingSubmission.Status.ACCEPTED
        )
