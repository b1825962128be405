"""The fast path of the accounts, payments, meters and readings imports, for PostgreSQL.

The file is read a block at a time and checked with the rules of `importfiles`: a block whose
every line is ordinary is checked by one regular expression and streamed into `COPY` as it is;
in any other block each line is checked alone (an odd line cell by cell, with the very rules of
the row-by-row loader). The rows land in a temporary table with the file's own columns, so
memory does not grow with the file and Python never sees what the organisation already holds.
Then set-based SQL does the rest:

- insert: one `INSERT … SELECT` joins the staged rows to what they refer to (accounts by
  number, meters by meter_id, services by code) and applies the rules that look at more than
  one cell; if it inserts fewer rows than were staged, a reference or a rule failed.
- upsert, when a key exists already (the insert fails on the unique key and is rolled back to
  its savepoint): the same checks as one query, then an upsert that inserts new keys, updates
  changed rows and leaves equal rows alone, counting each.

Into an organisation's empty table (no key of the file exists yet) the rows skip the temporary
table: each block is checked by one regular expression (with the one-cell rules: an amount above
zero, readings not negative), cut around its references, which are replaced by ids looked up in
dictionaries read with one aggregate, and sent to `COPY` of the kind's own table while the next
block is checked. A reading's zones are checked by the same lookup (meters are kept by their number
of zones); a meter's dates by one query over the new rows. A key that exists already makes the
COPY fail on the unique key: rolled back to a savepoint, the file takes the staged way above.

Anything this path is not sure about raises GiveUp, and a value PostgreSQL refuses (30.02.2025)
fails the COPY: the caller rolls back and the row-by-row loader of `imports` judges the file
and writes the report, so the report is the same whichever path loaded the file.

The column lists come from the file kind (`importfiles`) and its model: a new optional column
declared in `importfiles` with a model field of the same name is staged and stored here too.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import psycopg
from django.db import DatabaseError, IntegrityError, connection, transaction

from kabinet.billing.copyload import CopyStream, csv_cell
from kabinet.billing.importfiles import ACCOUNTS, METERS, PAYMENTS, READINGS, ValueRejected
from kabinet.billing.imports import (
    Context,
    GiveUp,
    KindCount,
    Source,
    blank_value,
    kind_model,
    model_field,
    split_line,
)

# Staged rows from which the joins are made by hash: the statistics of a table loaded moments
# ago (by this import, or one before autovacuum came by) say it is empty, and a planner that
# believes them loops over it once per staged row.
HASH_JOINS_FROM = 5000

# What each reference column is joined to: (table, alias, key column).
REFERENCES = {
    "account_number": ("billing_personalaccount", "a", "number"),
    "meter_id": ("meters_meter", "m", "external_id"),
    "service_code": ("billing_service", "sv", "code"),
}
# The rules of the row-by-row loader that look at more than one cell, as SQL over a staged row
# `s` and what it refers to (a NULL comparison counts as broken).
RULES = {
    PAYMENTS.name: ["s.amount > 0"],
    METERS.name: ["(s.installed_on IS NULL OR s.next_verification_on IS NULL OR s.next_verification_on >= s.installed_on)"],
    READINGS.name: [
        "(s.value2 IS NOT NULL) = (m.zones >= 2)",
        "(s.value3 IS NOT NULL) = (m.zones >= 3)",
        "s.value1 >= 0",
        "COALESCE(s.value2, 0) >= 0",
        "COALESCE(s.value3, 0) >= 0",
    ],
}


class Plan:
    """The staged table of one file and the SQL that moves its rows into the kind's table."""

    def __init__(self, ctx: Context, src: Source) -> None:
        kind = src.kind
        assert kind is not None
        self.ctx, self.src, self.kind = ctx, src, kind
        model = kind_model(kind)
        self.model, self.table = model, model._meta.db_table
        self.stage = f"stage_{kind.name}"
        header = src.header
        self.columns = [kind.by_name[h] for h in header]
        line = ";".join(c.rule.lean_pattern + ("" if c.required else "?+") for c in self.columns)
        self.line_lean = re.compile(line).fullmatch
        self.block_lean = re.compile(f"(?:{line}\n)*+").fullmatch
        self.cell_lean = [re.compile(f"(?:{c.rule.lean_pattern})?").fullmatch for c in self.columns]

        stage_columns: list[str] = []
        targets: list[str] = []
        values: list[str] = []
        value_params: list[Any] = []
        joins: list[tuple[bool, str]] = []  # (required, join condition)
        ref_ids: list[str] = []  # ids of required references: NULL when the row names nothing
        rules = list(RULES.get(kind.name, []))
        org = ctx.organisation.pk
        has_org = any(f.name == "organisation" for f in model._meta.fields)
        if has_org:
            targets.append("organisation_id")
            values.append("%s")
            value_params.append(org)
        for column in kind.columns:
            name = column.field_name
            if name is None:
                continue
            field = model_field(model, name)
            present = column.name in header
            if present:
                sql_type = "text" if field.is_relation else field.db_type(connection)
                stage_columns.append(f"{column.name} {sql_type}")
            targets.append(field.column)
            if field.is_relation:
                if not present:
                    values.append("NULL")
                    continue
                table, alias, key = REFERENCES[column.name]
                joins.append(
                    (column.required, f"{table} {alias} ON {alias}.organisation_id = %s AND {alias}.{key} = s.{column.name}")
                )
                values.append(f"{alias}.id")
                if column.required:
                    ref_ids.append(f"{alias}.id")
                else:
                    rules.append(f"(s.{column.name} IS NULL OR {alias}.id IS NOT NULL)")
                continue
            blank = blank_value(field)
            if not present:
                values.append("%s")
                value_params.append(blank)
            elif blank is None:
                values.append(f"s.{column.name}")
            else:
                values.append(f"COALESCE(s.{column.name}, %s)")
                value_params.append(blank)
        self.stage_columns, self.targets, self.rules = stage_columns, targets, rules
        head = f"SELECT {', '.join(values)} FROM {self.stage} s"  # noqa: S608 - names from the model
        # `select` drops a row whose required reference names nothing; `select_all` keeps it.
        self.select = head + "".join(f" {'' if req else 'LEFT '}JOIN {sql}" for req, sql in joins)
        self.select_all = head + "".join(f" LEFT JOIN {sql}" for _req, sql in joins)
        self.params = value_params + [org] * len(joins)
        self.where = f" WHERE {' AND '.join(rules)}" if rules else ""
        self.broken = " OR ".join([f"NOT ({rule})" for rule in rules] + [f"{i} IS NULL" for i in ref_ids]) or "false"
        self.key_columns = (["organisation_id"] if has_org else []) + [
            model_field(model, kind.by_name[k].field_name or "").column for k in kind.key
        ]
        self.stage_keys = list(kind.key)

    def general(self, line: str) -> str:
        """A line that is not ordinary, checked cell by cell with the column rules, as CSV."""
        cells = split_line(line)
        if len(cells) != len(self.columns):
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
                out.append(csv_cell(column.rule.canonical(value)))
        return ";".join(out)


def load_fast(ctx: Context, src: Source) -> None:
    """Load one file the streaming way, all or nothing; GiveUp (or a database error) if unsure."""
    plan = Plan(ctx, src)
    with transaction.atomic(), connection.cursor() as cursor:
        try:
            # Dates come as YYYY-MM-DD or DD.MM.YYYY; PostgreSQL reads both (and refuses 30.02).
            cursor.execute("SET LOCAL datestyle = 'ISO, DMY'")
            if direct_possible(plan):
                try:
                    with transaction.atomic():
                        load_direct(plan, cursor)
                    forget_written(plan)
                    return
                except (NotDirect, IntegrityError, psycopg.errors.UniqueViolation):
                    pass  # rolled back to the savepoint: the staged way takes the file
                plan.ctx.report.counts.pop(plan.kind.name, None)
            staged = stage(plan, cursor)
            store(plan, cursor, staged)
            cursor.execute(f"DROP TABLE {plan.stage}")
            forget_written(plan)
        except (psycopg.Error, DatabaseError) as exc:
            raise GiveUp from exc


def forget_written(plan: Plan) -> None:
    """Accounts or meters looked up before this file was written are looked up again."""
    if plan.kind is ACCOUNTS:
        plan.ctx.accounts.forget()
    elif plan.kind is METERS:
        plan.ctx.meters.forget()


class NotDirect(Exception):
    """A line the direct COPY does not take as it is, or a key that exists: stage the file."""


def absent_fields(plan: Plan) -> list[tuple[str, str]]:
    """(column, CSV text) of each field the file leaves out that is not NULL when absent."""
    out = []
    for column in plan.kind.columns:
        name = column.field_name
        if name is None or column.name in plan.src.header:
            continue
        field = model_field(plan.model, name)
        value = blank_value(field)
        if value is not None:
            out.append((field.column, csv_cell(str(value))))
    return out


def direct_possible(plan: Plan) -> bool:
    """Every field the file leaves out stores NULL, text or a number the COPY can take as text."""
    for column in plan.kind.columns:
        name = column.field_name
        if name is None or column.name in plan.src.header:
            continue
        value = blank_value(model_field(plan.model, name))
        if value is not None and not isinstance(value, (str, int, Decimal)):
            return False
    return True


# Stricter cells for the direct path: a rule over one cell that the block's regular expression
# checks, so that PostgreSQL need not look at the rows again (a row outside it is staged, and
# the staged checks say whether it is wrong).
DIRECT_CELLS = {
    (PAYMENTS.name, "amount"): r"(?!-|0++(?:\.0*+)?+[;\n])",  # more than zero
    (READINGS.name, "value1"): r"(?!-)",  # not negative
    (READINGS.name, "value2"): r"(?!-)",
    (READINGS.name, "value3"): r"(?!-)",
}
# Rules left for one query over the new rows after the direct COPY.
DIRECT_RULES = {METERS.name: RULES[METERS.name]}
# A reference column: the table it names and the key column there.
REFERENCE_TABLES = {
    "account_number": ("billing_personalaccount", "number"),
    "meter_id": ("meters_meter", "external_id"),
}


class RefIds:
    """Key -> id (as text) of the rows one reference column names, looked up for the direct COPY.

    Read with one aggregate per look-up (no Python object per row), and the whole organisation's
    rows at once when they are about as many as the file's lines. A key with a tab or line feed
    cannot be a lean cell and is left out. Meters are kept by the values a reading of them gives:
    `by_zones` holds the meters of one zone, of two, none (a third value without a second is
    wrong whatever the meter) and of three, so that a reading's second value counts 1 and its
    third 2 in the index."""

    def __init__(self, table: str, key: str, org: int, zones: bool) -> None:
        self.fields = f"{key}, id" + (", zones" if zones else "")
        self.table, self.key, self.org, self.zones = table, key, org, zones
        self.ids: dict[str, str] = {}
        self.by_zones: list[dict[str, str]] = [{}, {}, {}, {}] if zones else [self.ids]
        self.absent: set[str] = set()
        self.complete = False

    def _store(self, cursor: Any, where: str, params: list[Any]) -> int:
        # Meters come as one text per number of zones (one pass over the rows), so that each
        # dictionary is built straight from its text, with no test per row in Python.
        pair = f"concat_ws(E'\\t', {self.key}, id)"
        groups = ["true"] if not self.zones else [f"zones = {n}" for n in (1, 2, 3)]
        aggregates = ", ".join(
            f"count(*) FILTER (WHERE {g}), string_agg({pair}, E'\\n') FILTER (WHERE {g})" for g in groups
        )
        cursor.execute(
            f"SELECT count(*), {aggregates} FROM ("  # noqa: S608
            f"SELECT {self.fields} FROM {self.table} WHERE organisation_id = %s"
            # strpos, not a regular expression: a third of the query's time over 540,000 meters.
            f" AND strpos({self.key}, E'\\t') = 0 AND strpos({self.key}, E'\\n') = 0 {where}) r",
            [self.org, *params],
        )
        count, *found = cursor.fetchone()
        targets = [self.ids] if not self.zones else self.by_zones[:2] + self.by_zones[3:]
        for ids, n, text in zip(targets, found[0::2], found[1::2], strict=True):
            if not n:
                continue
            cells = text.replace("\n", "\t").split("\t")
            if len(cells) != 2 * n:
                raise NotDirect  # a key PostgreSQL wrote out otherwise: the staged way takes it
            ids.update(zip(cells[0::2], cells[1::2], strict=True))
        return int(count)

    def load_all_if_within(self, cursor: Any, rows: int) -> None:
        """Every row of the organisation, when there are at most about `rows` of them."""
        limit = max(rows, 1000)
        if self._store(cursor, "LIMIT %s", [limit + 1]) <= limit:
            self.complete = True
        else:
            for ids in self.by_zones:
                ids.clear()

    def missing(self, keys: set[str]) -> set[str]:
        return {
            k for k in keys if k not in self.absent and all(k not in ids for ids in self.by_zones)
        }

    def fetch(self, cursor: Any, keys: set[str]) -> None:
        missing = sorted(self.missing(keys))
        for start in range(0, len(missing), 10_000):
            batch = missing[start : start + 10_000]
            self._store(cursor, f"AND {self.key} IN ({', '.join(['%s'] * len(batch))})", batch)
        self.absent.update(self.missing(set(missing)))


def direct_block_pattern(plan: Plan) -> str:
    """A block of ordinary lines for the direct COPY: every cell that needs a value has one."""
    pieces = []
    for column in plan.columns:
        field = model_field(plan.model, column.field_name or "") if column.field_name else None
        needed = column.required or (
            field is not None and not field.is_relation and blank_value(field) not in (None, "")
        )
        cell = DIRECT_CELLS.get((plan.kind.name, column.name), "") + column.rule.lean_pattern
        pieces.append(cell if needed else f"(?:{cell})?+")
    return "(?:" + ";".join(pieces) + "\n)*+"


def split_pattern(n: int, at: list[int]) -> re.Pattern[str]:
    """Lines of n cells (checked already) cut around the cells at `at`: (before, cell, between,
    cell, …, the rest of the line)."""
    pattern, segment = "^", ""
    for i in range(n):
        if i > at[-1]:
            break
        if i:
            segment += ";"
        if i in at:
            pattern += f"({segment})([^;\\n]*+)"
            segment = ""
        else:
            segment += "[^;\\n]*+"
    return re.compile(pattern + "([^\\n]*+\\n)", re.MULTILINE)


def _joined(rows: list[Any], maps: list[dict[str, str]]) -> list[str]:
    """The lines with each reference replaced by its id (KeyError for a key that names nothing)."""
    if len(maps) == 1:
        (m,) = maps
        return [a + m[k] + b for a, k, b in rows]
    if len(maps) == 2:
        m, n = maps
        return [a + m[k] + b + n[j] + c for a, k, b, j, c in rows]
    out = []
    for row in rows:
        parts = list(row)
        for i, m in enumerate(maps):
            parts[2 * i + 1] = m[parts[2 * i + 1]]
        out.append("".join(parts))
    return out


def readings_cut(plan: Plan, meters: RefIds) -> tuple[re.Pattern[str], Any]:
    """Readings lines cut into (meter, the rest, the second and third values where the file has
    them), and the meter's id put in from the meters of as many zones as the values given."""
    names = [c.name for c in plan.columns]
    if names[0] != "meter_id":
        raise NotDirect  # the order of SPEC 3.2 is the one taken straight
    rest = "".join(
        ";([^;\\n]*+)" if name in ("value2", "value3") else ";[^;\\n]*+" for name in names[1:]
    )
    cut = re.compile(f"^([^;\\n]*+)({rest}\\n)", re.MULTILINE)
    values = [name for name in names if name in ("value2", "value3")]
    by = meters.by_zones
    if values == ["value2", "value3"]:
        return cut, lambda rows: [by[(a != "") + 2 * (b != "")][k] + r for k, r, a, b in rows]
    if values == ["value3", "value2"]:
        return cut, lambda rows: [by[(a != "") + 2 * (b != "")][k] + r for k, r, b, a in rows]
    if values == ["value2"]:
        return cut, lambda rows: [by[a != ""][k] + r for k, r, a in rows]
    if values == ["value3"]:
        return cut, lambda rows: [by[2 * (b != "")][k] + r for k, r, b in rows]
    return cut, lambda rows: [by[0][k] + r for k, r in rows]


def load_direct(plan: Plan, cursor: Any) -> None:
    """Straight into the table: each block checked by one regular expression, its references
    replaced by ids (one cut of the block by a regular expression, one lookup a cell), then COPY
    (batched by PostgreSQL, unlike an INSERT … SELECT) while the next block is checked. What the
    expression cannot see (a reading's zones) is checked against the looked-up rows; a rule over
    several cells of a meter by one query over the new rows."""
    ctx, kind, model = plan.ctx, plan.kind, plan.model
    org = ctx.organisation.pk
    has_org = "organisation_id" in plan.targets
    block_ok = re.compile(direct_block_pattern(plan)).fullmatch
    columns = ["organisation_id"] if has_org else []
    text_columns = []
    at: list[int] = []
    lookups: list[tuple[int, RefIds]] = []
    maps: list[dict[str, str]] = []
    meters: RefIds | None = None
    for i, column in enumerate(plan.columns):
        field = model_field(model, column.field_name or "")
        columns.append(field.column)
        if not field.null and field.get_internal_type() == "CharField":
            text_columns.append(field.column)
        if field.is_relation:
            at.append(i)
            if column.name == "service_code":
                ids = {code: str(s.pk) for code, s in ctx.services.items()}
                if not column.required:
                    ids[""] = ""  # no service: NULL
                maps.append(ids)
            else:
                table, key = REFERENCE_TABLES[column.name]
                refs = RefIds(table, key, org, zones=column.name == "meter_id")
                lookups.append((i, refs))
                maps.append(refs.ids)
                if column.name == "meter_id":
                    meters = refs
    cut = split_pattern(len(plan.columns), at) if at else None
    key_at = [2 * n + 1 for n in range(len(at))]  # where each reference's key is in a cut line
    if kind is READINGS:
        assert meters is not None
        cut, join = readings_cut(plan, meters)
        key_at = [0]
    else:

        def join(rows: list[Any]) -> list[str]:
            return _joined(rows, maps)

    # Fields the file leaves out that are not NULL then ('' or the default): one cell each at
    # the end of every line.
    absent = absent_fields(plan)
    columns += [name for name, _text in absent]
    text_columns += [name for name, text in absent if text == ""]
    suffix = "".join(";" + text for _name, text in absent)
    options = "FORMAT csv, DELIMITER ';'"
    if text_columns:
        options += f", FORCE_NOT_NULL ({', '.join(text_columns)})"
    cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {plan.table}")  # noqa: S608
    before = cursor.fetchone()[0]
    copy = CopyStream(
        cursor.cursor, f"COPY {plan.table} ({', '.join(columns)}) FROM STDIN ({options})"
    )
    org_prefix = f"{org};"
    first = True
    try:
        for text in plan.src.blocks(ctx.progress):
            if not text.endswith("\n"):
                text += "\n"
            if not block_ok(text):
                raise NotDirect
            rows = cut.findall(text) if cut else []
            if first and lookups:
                estimate = plan.src.size * len(rows) // max(len(text), 1)
                copy.pause()
                for _i, refs in lookups:
                    refs.load_all_if_within(cursor, estimate)
                first = False
            for n, (_i, refs) in enumerate(lookups):
                if not refs.complete:
                    wanted_keys = {row[key_at[n]] for row in rows}
                    if refs.missing(wanted_keys):
                        copy.pause()
                        refs.fetch(cursor, wanted_keys)
            if at:
                try:
                    lines = join(rows)
                except KeyError:
                    # A reference to nothing, or a reading whose values are not its meter's
                    # zones: the careful reader says which.
                    raise GiveUp from None
                data = org_prefix + org_prefix.join(lines) if has_org else "".join(lines)
            elif has_org:
                data = org_prefix + text[:-1].replace("\n", "\n" + org_prefix) + "\n"
            else:
                data = text
            if suffix:
                data = data.replace("\n", suffix + "\n")
            rows_in_block = len(rows) if at else text.count("\n")
            copy.write(data, rows_in_block)
        copy.pause()
    except BaseException as exc:
        copy.abort(exc)
        raise
    count = ctx.report.counts.setdefault(kind.name, KindCount())
    count.rows += copy.rows
    count.created += copy.rows
    rules = DIRECT_RULES.get(kind.name)
    if rules and copy.rows:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {plan.table} s WHERE s.id > %s AND NOT ({' AND '.join(rules)}))",  # noqa: S608
            [before],
        )
        if cursor.fetchone()[0]:
            raise GiveUp
    if kind is READINGS:
        accept_submissions(
            plan,
            cursor,
            "SELECT meter_id AS id, reading_date, value1, value2, value3 FROM meters_reading WHERE id > %s",
            [before],
        )


def stage(plan: Plan, cursor: Any) -> int:
    """Stream the file's checked lines into the temporary table; the number of rows."""
    cursor.execute(f"DROP TABLE IF EXISTS {plan.stage}")
    cursor.execute(f"CREATE TEMP TABLE {plan.stage} ({', '.join(plan.stage_columns)}) ON COMMIT DROP")
    header = ", ".join(c.name for c in plan.columns)
    copy = CopyStream(cursor.cursor, f"COPY {plan.stage} ({header}) FROM STDIN (FORMAT csv, DELIMITER ';')")
    block_lean, line_lean, general = plan.block_lean, plan.line_lean, plan.general
    try:
        for text in plan.src.blocks(plan.ctx.progress):
            if not text.endswith("\n"):
                text += "\n"
            if "\t" in text or "\\" in text:
                raise GiveUp  # refused by the rules: the careful reader says where
            if block_lean(text):
                copy.write(text, text.count("\n"))  # every line ordinary: as it came
                continue
            out = []
            for line in text.split("\n"):
                if line_lean(line):
                    out.append(line)
                elif line.strip():
                    out.append(general(line))
            copy.send(out)
        copy.pause()
    except BaseException as exc:
        copy.abort(exc)
        raise
    return copy.rows


def store(plan: Plan, cursor: Any, staged: int) -> None:
    """Insert the staged rows (or upsert them when some keys exist); GiveUp if any row is wrong."""
    count = plan.ctx.report.counts.setdefault(plan.kind.name, KindCount())
    count.rows += staged
    cols = ", ".join(plan.targets)
    if staged >= HASH_JOINS_FROM:
        cursor.execute("SET LOCAL enable_nestloop = off")
    try:
        with transaction.atomic():
            cursor.execute(f"INSERT INTO {plan.table} ({cols}) {plan.select}{plan.where}", plan.params)  # noqa: S608
            inserted = cursor.rowcount
    except IntegrityError:
        inserted = -1  # some keys exist: rolled back to the savepoint, the upsert takes them
    if inserted >= 0:
        if inserted != staged:
            raise GiveUp  # a reference to nothing, or a rule broken
        count.created += inserted
    else:
        upsert(plan, cursor, staged, count)
    if plan.kind is READINGS:
        accept_submissions(plan, cursor)
    cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")


def upsert(plan: Plan, cursor: Any, staged: int, count: KindCount) -> None:
    """Check every staged row at once, then insert new keys, update changed rows, count equal ones."""
    cols = ", ".join(plan.targets)
    cursor.execute(
        f"""SELECT EXISTS (SELECT 1 FROM {plan.stage} s GROUP BY {", ".join(plan.stage_keys)} HAVING count(*) > 1)
                OR EXISTS ({plan.select_all} WHERE {plan.broken})""",  # noqa: S608
        plan.params,
    )
    if cursor.fetchone()[0]:
        raise GiveUp
    values = [c for c in plan.targets if c not in plan.key_columns]
    cursor.execute(
        f"""
        WITH merged AS (
            INSERT INTO {plan.table} ({cols})
            {plan.select}
            ON CONFLICT ({", ".join(plan.key_columns)}) DO UPDATE
            SET {", ".join(f"{c} = EXCLUDED.{c}" for c in values)}
            WHERE ({", ".join(f"{plan.table}.{c}" for c in values)})
                IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in values)})
            RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged
        """,  # noqa: S608 - names come from the model
        plan.params,
    )
    created, updated = cursor.fetchone()
    count.created += created
    count.updated += updated
    count.unchanged += staged - created - updated


def accept_submissions(plan: Plan, cursor: Any, readings: str = "", params: list[Any] | None = None) -> None:
    """Residents' readings that came back from the billing system are «Принято к начислению».

    The rule of `submissions_accept_from_billing`, in one query over this file's readings
    (the staged table), never over a meter's history."""
    from kabinet.meters.models import ReadingSubmission
    from kabinet.meters.services import submissions_set_status

    if not readings:
        readings = (
            f"SELECT m.id, s.reading_date, s.value1, s.value2, s.value3 FROM {plan.stage} s"  # noqa: S608
            " JOIN meters_meter m ON m.organisation_id = %s AND m.external_id = s.meter_id"
        )
        params = [plan.ctx.organisation.pk]
    cursor.execute(
        f"""
        SELECT DISTINCT sub.id FROM ({readings}) s
        JOIN meters_meter m ON m.id = s.id
        JOIN meters_readingsubmission sub ON sub.meter_id = m.id
        WHERE sub.status = %s AND sub.replaced_by_id IS NULL AND sub.reading_date <= s.reading_date
          AND sub.value1 = s.value1
          AND (m.zones < 2 OR sub.value2 = s.value2)
          AND (m.zones < 3 OR sub.value3 = s.value3)
        """,  # noqa: S608
        [*(params or []), ReadingSubmission.Status.TRANSFERRED],
    )
    ids = [row[0] for row in cursor.fetchall()]
    if ids:
        submissions_set_status(
            submissions=ReadingSubmission.objects.filter(pk__in=ids),
            status=ReadingSubmission.Status.ACCEPTED,
        )
