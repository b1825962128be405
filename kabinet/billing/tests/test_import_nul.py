"""A NUL byte in an import file is a row error on every database (issue 10, item 9): PostgreSQL
cannot store it, SQLite silently would; both now name the row and the column."""

from pathlib import Path

import pytest

from kabinet.billing.models import BillingPayment, PersonalAccount
from kabinet.billing.tests.factories import make_org, sample_files, write
from kabinet.billing.tests.test_import import rejected

pytestmark = pytest.mark.django_db

NUL = "\x00"


def test_it_reports_a_nul_byte_in_a_text_cell_as_a_row_error(tmp_path: Path) -> None:
    org = make_org()
    accounts = write(
        tmp_path, "accounts.csv", "account_number;owner_name", "1001;Иванов", f"1002;Пет{NUL}ров"
    )

    errors = rejected(org, [accounts])

    assert [e[:3] for e in errors] == [("accounts.csv", 3, "owner_name")]
    assert "недопустимый символ NUL" in errors[0][3]
    assert not PersonalAccount.objects.exists()


def test_it_reports_a_nul_byte_in_an_identifier_as_a_row_error(tmp_path: Path) -> None:
    org = make_org()
    accounts, *_ = sample_files(tmp_path)
    payments = write(
        tmp_path,
        "payments.csv",
        "external_id;account_number;paid_on;amount;channel",
        f"P-1{NUL};1001;2025-02-03;10;Сбербанк",
        f"P-2;1001;2025-02-03;10;Сбер{NUL}банк",
    )

    errors = rejected(org, [accounts, payments])

    assert [e[:3] for e in errors] == [
        ("payments.csv", 2, "external_id"),
        ("payments.csv", 3, "channel"),
    ]
    assert not BillingPayment.objects.exists()
