"""Cells of exported CSV and XLSX files that a spreadsheet cannot run as formulas.

A text starting with =, +, - or @ (or a tab or carriage return before one) is a formula to
Excel and LibreOffice: an imported address or service name like `=HYPERLINK(...)` would run on
the accountant's machine. Such text gets a leading apostrophe (OWASP's advice); plain numbers,
negative amounts among them, stay numbers.
"""

import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def safe_cell(value: Any) -> Any:
    """The value, or for a text a spreadsheet would take as a formula, the text made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]
