"""The billing import's file formats (SPEC 3.2): columns, value rules and reading of rows.

Every value rule is a regular expression plus a converter, so the fast loader of charges and
the row-by-row validator accept exactly the same text.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any


class ValueRejected(ValueError):
    """A cell that breaks its column's rule; the message is the Russian reason."""


@dataclass(frozen=True)
class Rule:
    pattern: str  # regular expression for the whole cell, empty allowed only where `optional`
    convert: Callable[[str], Any]
    describe: str  # what the cell must look like, for the error message
    # The cells the fast loaders pass on to PostgreSQL exactly as written (a subset of `pattern`:
    # no decimal comma, no space to strip, no quote, every integer in range). Empty: `pattern`.
    lean: str = ""
    # The converted value as PostgreSQL's text input, for a cell outside `lean`.
    canonical: Callable[[Any], str] = str

    @property
    def lean_pattern(self) -> str:
        """`lean` (or `pattern`) as an atomic group: the fast loaders match whole blocks with it,
        and a cell that never gives characters back saves the engine its backtracking. Every
        pattern's first match is its longest (alternatives longest first), and a cell ends at `;`
        or a line end, which no pattern takes, so the group accepts exactly what `lean` does."""
        return f"(?>{self.lean or self.pattern})"


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def decimal_rule(int_digits: int, decimals: int) -> Rule:
    return Rule(
        pattern=rf"-?\d{{1,{int_digits}}}(?:[.,]\d{{1,{decimals}}})?",
        convert=_decimal,
        describe=f"число: не более {int_digits} цифр до запятой и {decimals} после",
        lean=rf"-?\d{{1,{int_digits}}}(?:\.\d{{1,{decimals}}})?",
        canonical=lambda value: format(value, "f"),
    )


def _date(text: str) -> datetime.date:
    if "." in text:
        day, month, year = text.split(".")
    else:
        year, month, day = text.split("-")
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError as exc:
        raise ValueRejected(f"такой даты нет: «{text}»") from exc


def _period(text: str) -> datetime.date:
    year, month = text.split("-")
    if not 1 <= int(month) <= 12:
        raise ValueRejected(f"такого месяца нет: «{text}»")
    return datetime.date(int(year), int(month), 1)


def stripped_lean(max_length: int) -> str:
    """Text of 1..max_length characters with nothing to strip at either end, no quote or `;`.

    Written as one run of characters between look-arounds for its first and last character,
    so the run is taken in one step (no backtracking to find where the last character is)."""
    edge = r'[^;"\s\\]'
    inner = r'[^;"\t\\\r\n]'
    return rf"(?={edge}){inner}{{1,{max_length}}}(?<!\s)"


def text_rule(max_length: int) -> Rule:
    # Tabs, backslashes and line breaks never belong in billing text and would need escaping.
    return Rule(
        pattern=rf"[^\t\\\r\n]{{1,{max_length}}}",
        convert=str.strip,
        describe=f"текст не длиннее {max_length} символов",
        lean=stripped_lean(max_length),
    )


def choice_rule(*values: str) -> Rule:
    return Rule(
        pattern="|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)),
        convert=str,
        describe="одно из значений: " + ", ".join(values),
    )


MONEY = decimal_rule(12, 2)
QUANTITY = decimal_rule(10, 6)
READING = decimal_rule(12, 6)
# PostgreSQL reads both date forms itself (DateStyle ISO, DMY) and refuses a day that does not exist.
DATE = Rule(
    r"\d{4}-\d{2}-\d{2}|\d{2}\.\d{2}\.\d{4}", _date, "дата ГГГГ-ММ-ДД или ДД.ММ.ГГГГ",
    canonical=datetime.date.isoformat,
)
PERIOD = Rule(
    r"\d{4}-\d{2}", _period, "период ГГГГ-ММ", lean=r"\d{4}-(?:0[1-9]|1[0-2])",
    canonical=lambda month: month.strftime("%Y-%m"),
)
CODE = Rule(r"[0-9A-Za-zА-Яа-яЁё_./-]{1,30}", str, "код: буквы, цифры, _ . / - (до 30 символов)")
ACCOUNT = Rule(r"[0-9A-Za-zА-Яа-яЁё_/-]{1,30}", str, "номер счёта: буквы, цифры, _ / - (до 30)")
EXTERNAL_ID = Rule(
    r"[^\t\\\r\n;]{1,64}", str.strip, "идентификатор до 64 символов", lean=stripped_lean(64)
)
INN = Rule(r"\d{12}|\d{10}", str, "ИНН: 10 или 12 цифр")
ELS = Rule(r"\d{2}[А-ЯЁ]{2}\d{6}", str, "ЕЛС: 2 цифры, 2 заглавные русские буквы, 6 цифр")


def int_rule(low: int, high: int) -> Rule:
    describe = f"целое число от {low} до {high}"

    def convert(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueRejected(f"ожидается {describe}, получено «{text}»")
        return value

    # Small ranges are spelt out for the fast loaders, so a lean cell is always in range.
    lean = _range_pattern(low, high) if high < 100 else ""
    return Rule(rf"\d{{1,{len(str(high))}}}", convert, describe, lean=lean)


def _range_pattern(low: int, high: int) -> str:
    """The numbers low..high (0 <= low <= high < 100) as written, two digits first."""
    parts = []
    for tens in range(9, 0, -1):
        first, last = max(low, tens * 10), min(high, tens * 10 + 9)
        if first <= last:
            parts.append(f"{tens}[{first % 10}-{last % 10}]")
    if low <= 9:
        parts.append(f"[{low}-{min(high, 9)}]")
    return "|".join(parts)


@dataclass(frozen=True)
class Column:
    name: str
    rule: Rule
    required: bool = False  # column must be present and every cell filled
    # The model field the column fills: "" for the field of the same name, None for none
    # (`service_name` names the service). A reference column fills the foreign key.
    field: str | None = ""

    @property
    def field_name(self) -> str | None:
        return self.name if self.field == "" else self.field

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled(self.rule.pattern)

    def parse(self, text: str) -> Any:
        """Text of one cell -> value (None for an empty optional cell); ValueRejected otherwise."""
        if "\x00" in text:
            # PostgreSQL cannot store it and SQLite would: refused alike on every database.
            raise ValueRejected("недопустимый символ NUL (код 0): удалите его из файла")
        text = text.strip()
        if text == "":
            if self.required:
                raise ValueRejected("значение обязательно")
            return None
        if not self.regex.fullmatch(text):
            shown = text if len(text) <= 40 else text[:40] + "…"
            raise ValueRejected(f"ожидается {self.rule.describe}, получено «{shown}»")
        return self.rule.convert(text)


_regex_cache: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    if pattern not in _regex_cache:
        _regex_cache[pattern] = re.compile(pattern)
    return _regex_cache[pattern]


@dataclass(frozen=True)
class FileKind:
    name: str
    title: str  # in Russian, for reports
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # natural key inside one organisation
    order: int  # load order: referenced kinds first
    model: str  # "app_label.Model" the rows go to
    by_name: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {c.name: c for c in self.columns})

    @property
    def required(self) -> set[str]:
        return {c.name for c in self.columns if c.required}


ACCOUNTS = FileKind(
    "accounts",
    "лицевые счета",
    (
        Column("account_number", ACCOUNT, required=True, field="number"),
        Column("contract_number", text_rule(50)),
        Column("category", text_rule(100)),
        Column("owner_name", text_rule(300)),
        Column("owner_inn", INN),
        Column("address", text_rule(400)),
        Column("apartment", text_rule(20)),
        Column("area", decimal_rule(8, 2)),
        Column("residents", int_rule(0, 999)),
        Column("status", choice_rule("active", "closed")),
        Column("els", ELS),
        Column("pin", text_rule(20)),
        # Optional, printed on the ЕПД (SPEC 2.3): rooms, and the house's areas for
        # «Справочная информация».
        Column("rooms", int_rule(0, 99)),
        Column("house_area", decimal_rule(10, 2)),
        Column("common_area", decimal_rule(10, 2)),
    ),
    key=("account_number",),
    order=1,
    model="billing.PersonalAccount",
)

CHARGES = FileKind(
    "charges",
    "начисления",
    (
        Column("account_number", ACCOUNT, required=True, field="account"),
        Column("period", PERIOD, required=True),
        Column("service_code", CODE, required=True, field="service"),
        Column("service_name", text_rule(200), field=None),
        Column("kind", choice_rule("service", "penalty")),
        Column("unit", text_rule(20)),
        Column("norm", QUANTITY),
        Column("tariff", QUANTITY),
        Column("volume", QUANTITY),
        Column("volume_basis", choice_rule("meter", "norm", "common_meter", "average")),
        Column("debt_start", MONEY),
        Column("charged", MONEY),
        Column("recalculation", MONEY),
        Column("recalculation_reason", text_rule(300)),
        Column("privilege", MONEY),
        Column("paid", MONEY),
        Column("to_pay", MONEY),
        # Optional, printed on the ЕПД where given (SPEC 2.3): «Размер превышения платы» and the
        # instalment block («Расчёт суммы к оплате с учётом рассрочки платежа»).
        Column("excess", MONEY),
        Column("instalment_amount", MONEY),
        Column("instalment_rate", decimal_rule(3, 3)),
        Column("instalment_interest", MONEY),
    ),
    key=("account_number", "period", "service_code"),
    order=2,
    model="billing.Charge",
)

PAYMENTS = FileKind(
    "payments",
    "платежи",
    (
        Column("account_number", ACCOUNT, required=True, field="account"),
        Column("paid_on", DATE, required=True),
        Column("amount", MONEY, required=True),
        Column("channel", text_rule(100)),
        Column("external_id", EXTERNAL_ID, required=True),
    ),
    key=("external_id",),
    order=3,
    model="billing.BillingPayment",
)

METERS = FileKind(
    "meters",
    "приборы учёта",
    (
        Column("meter_id", EXTERNAL_ID, required=True, field="external_id"),
        Column("account_number", ACCOUNT, required=True, field="account"),
        Column("service_code", CODE, field="service"),
        Column("resource", choice_rule("cold_water", "hot_water", "electricity", "heat", "gas"), required=True),
        Column("serial_number", text_rule(64), required=True),
        Column("zones", int_rule(1, 3)),
        Column("digits", int_rule(1, 12)),
        Column("decimals", int_rule(0, 6)),
        Column("unit", text_rule(20)),
        Column("installed_on", DATE),
        Column("next_verification_on", DATE),
    ),
    key=("meter_id",),
    order=4,
    model="meters.Meter",
)

READINGS = FileKind(
    "readings",
    "показания",
    (
        Column("meter_id", EXTERNAL_ID, required=True, field="meter"),
        Column("reading_date", DATE, required=True),
        Column("value1", READING, required=True),
        Column("value2", READING),
        Column("value3", READING),
        Column("source", text_rule(40)),
    ),
    key=("meter_id", "reading_date"),
    order=5,
    model="meters.Reading",
)

KINDS = (ACCOUNTS, CHARGES, PAYMENTS, METERS, READINGS)


def detect_kind(header: list[str]) -> FileKind | None:
    """The kind that best explains the header: most known columns, fewest unknown or missing.

    Several kinds share `account_number`, so a kind whose required columns happen to be present
    is not enough; a file with a typo in one column is still recognised, so its report can name
    the column rather than give up on the whole file.
    """
    names = set(header)

    def score(kind: FileKind) -> int:
        known = set(kind.by_name)
        return len(names & known) - len(names - known) - len(kind.required - names)

    best = max(KINDS, key=score)
    return best if score(best) > 0 else None


@dataclass
class SourceFile:
    """One file of an import: its name for the report, its header and an iterator of rows."""

    path: Path
    label: str

    def lines(self) -> Iterator[tuple[int, str]]:
        """(line number, line without its end) for every non-empty line; UTF-8, BOM allowed."""
        with open(self.path, encoding="utf-8-sig", newline="") as handle:
            for number, line in enumerate(handle, start=1):
                line = line.rstrip("\r\n")
                if line.strip():
                    yield number, line


def split_line(line: str) -> list[str]:
    """Cells of one `;`-separated line; quoted cells (with `;` or quotes inside) are honoured."""
    if '"' not in line:
        return line.split(";")
    return next(csv.reader([line], delimiter=";"))
