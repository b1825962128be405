"""export_payments --org CODE --from DATE --to DATE [--output FILE] (SPEC 3.3)."""

import csv
import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kabinet.lib.spreadsheet import safe_row
from kabinet.orgs.models import Organisation
from kabinet.payments.selectors import online_payment_rows

HEADER = ["external_id", "account_number", "paid_at", "amount", "provider", "provider_payment_id"]


def parse_date(value: str) -> datetime.date:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    raise CommandError(f"Дата {value!r}: ожидается YYYY-MM-DD или DD.MM.YYYY")


class Command(BaseCommand):
    help = "Online payments credited in a date range (the organisation's time zone), for billing."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--org", required=True)
        parser.add_argument("--from", dest="date_from", required=True)
        parser.add_argument("--to", dest="date_to", required=True)
        parser.add_argument("--output")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = Organisation.objects.get(code=options["org"])
        except Organisation.DoesNotExist:
            raise CommandError(f"Организация {options['org']!r} не найдена") from None
        date_from, date_to = parse_date(options["date_from"]), parse_date(options["date_to"])
        if date_to < date_from:
            raise CommandError("--to раньше --from")
        rows = online_payment_rows(organisation=organisation, date_from=date_from, date_to=date_to)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                count = self._write(out, rows)
            self.stderr.write(f"{count} rows → {options['output']}")
        else:
            self._write(self.stdout, rows)

    def _write(self, out: Any, rows: Any) -> int:
        return write_rows(out, rows)


def write_rows(out: Any, rows: Any) -> int:
    """The export file; the office's download writes it with this too."""
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(HEADER)
    count = 0
    for row in rows:
        writer.writerow(safe_row(row))
        count += 1
    return count
