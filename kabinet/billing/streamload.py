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

Anything this path is not sure about raises GiveUp, and a value PostgreSQL refuses (30.02.2025)
fails the COPY: the caller rolls back and the row-by-row loader of `imports` judges the file
and writes the report, so the report is the same whichever path loaded the file.

The column lists come from the file kind (`importfiles`) and its model: a new optional column
declared in `importfiles` with a model field of the same name is staged and stored here too.
"""

from __future__ import annotations

import re
from typing import Any

import psycopg
from django.db import DatabaseError, IntegrityError, connection, transaction

from kabinet.billing.copyload import CopyStream, csv_cell
from kabinet.billing.importfiles import METERS, PAYMENTS, READINGS, ValueRejected
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
        line = ";".join(f"(?:{c.rule.lean_pattern})" + ("" if c.required else "?") for c in self.columns)
        self.line_lean = re.compile(line).fullmatch
        self.block_lean = re.compile(f"(?:{line}\n)*").fullmatch
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
                    return
                except (NotDirect, IntegrityError, psycopg.errors.UniqueViolation):
                    pass  # rolled back to the savepoint: the staged way takes the file
                plan.ctx.report.counts.pop(plan.kind.name, None)
            staged = stage(plan, cursor)
            store(plan, cursor, staged)
            cursor.execute(f"DROP TABLE {plan.stage}")
        except (psycopg.Error, DatabaseError) as exc:
            raise GiveUp from exc


class NotDirect(Exception):
    """A line the direct COPY does not take as it is, or a key that exists: stage the file."""


def direct_possible(plan: Plan) -> bool:
    """Every field the file leaves out may be NULL or ''; the organisation's own table."""
    for column in plan.kind.columns:
        name = column.field_name
        if name is None or column.name in plan.src.header:
            continue
        field = model_field(plan.model, name)
        if blank_value(field) not in (None, ""):
            return False
    return True


def load_direct(plan: Plan, cursor: Any) -> None:
    """Straight into the table: each block checked by one regular expression, its references
    replaced by ids with one substitution a column, then COPY (batched by PostgreSQL, unlike an
    INSERT … SELECT). The rules over several cells are checked on the new rows by one query."""
    ctx, kind, model = plan.ctx, plan.kind, plan.model
    has_org = "organisation_id" in plan.targets
    # A cell whose field has a default (status, zones) must be written out on this path.
    pieces = []
    for column in plan.columns:
        field = model_field(model, column.field_name or "") if column.field_name else None
        needed = column.required or (field is not None and not field.is_relation and blank_value(field) not in (None, ""))
        pieces.append(f"(?:{column.rule.lean_pattern})" + ("" if needed else "?"))
    block_ok = re.compile("(?:" + ";".join(pieces) + "\n)*").fullmatch
    columns = ["organisation_id"] if has_org else []
    text_columns = []
    subs: list[tuple[re.Pattern[str], dict[str, str], bool]] = []
    lookups = []
    for i, column in enumerate(plan.columns):
        field = model_field(model, column.field_name or "")
        columns.append(field.column)
        if not field.null and field.get_internal_type() == "CharField":
            text_columns.append(field.column)
        if field.is_relation:
            cell = re.compile(rf"^((?:[^;\n]*;){{{i}}})([^;\n]*)(?=[;\n])", re.MULTILINE)
            if column.name == "service_code":
                ids = {code: str(s.pk) for code, s in ctx.services.items()}
            else:
                refs = ctx.accounts if column.name == "account_number" else ctx.meters
                ids = {}
                lookups.append((i, refs, ids))
            subs.append((cell, ids, not column.required))
    options = "FORMAT csv, DELIMITER ';'"
    if text_columns:
        options += f", FORCE_NOT_NULL ({', '.join(text_columns)})"
    cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {plan.table}")  # noqa: S608
    before = cursor.fetchone()[0]
    copy = CopyStream(cursor.cursor, f"COPY {plan.table} ({', '.join(columns)}) FROM STDIN ({options})")
    org_prefix = f"{ctx.organisation.pk};"
    first = True
    try:
        for text in plan.src.blocks(ctx.progress):
            if not text.endswith("\n"):
                text += "\n"
            if not block_ok(text):
                raise NotDirect
            if first:
                estimate = plan.src.size * text.count("\n") // max(len(text), 1)
                for _i, refs, ids in lookups:
                    refs.load_all_if_within(estimate)
                    ids.update(_id_texts(refs.found))
            for i, refs, ids in lookups:
                if refs.complete:
                    continue
                wanted = _cells(text, i)
                missing = wanted - ids.keys()
                if missing:
                    copy.pause()
                    refs.prefetch(missing)
                    ids.update(_id_texts({k: refs.found[k] for k in missing if k in refs.found}))
            try:
                for pattern, ids, optional in subs:
                    text = pattern.sub(_replacer(ids, optional), text)
            except KeyError:
                raise GiveUp from None  # a reference to nothing: the careful reader says which
            if has_org:
                text = org_prefix + text[:-1].replace("\n", "\n" + org_prefix) + "\n"
            copy.write(text, text.count("\n"))
            first = False
        copy.pause()
    except BaseException as exc:
        copy.abort(exc)
        raise
    count = ctx.report.counts.setdefault(kind.name, KindCount())
    count.rows += copy.rows
    count.created += copy.rows
    rules = RULES.get(kind.name)
    if rules and copy.rows:
        join = " JOIN meters_meter m ON m.id = s.meter_id" if kind is READINGS else ""
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {plan.table} s{join} WHERE s.id > %s AND NOT ({' AND '.join(rules)}))",  # noqa: S608
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


def _id_texts(found: dict[str, Any]) -> dict[str, str]:
    return {k: str(v[0] if isinstance(v, tuple) else v) for k, v in found.items()}


def _cells(text: str, i: int) -> set[str]:
    return {line.split(";")[i] for line in text.split("\n") if line}


def _replacer(ids: dict[str, str], optional: bool) -> Any:
    def replace(match: re.Match[str]) -> str:
        key = match.group(2)
        if not key and optional:
            return match.group(1)
        return match.group(1) + ids[key]

    return replace


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
            submissions=ReadingSubmission.objects.filter(pk__in=ids), status=ReadingSubmission.Status.ACCEPTED
        )
