import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kabinet.billing.models import Period
from kabinet.meters.services import readings_export
from kabinet.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Выгрузить показания, переданные жителями за период, для биллинга (SPEC 3.3). "
        "Выгруженные показания получают статус «Передано в расчёт»."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="код организации")
        parser.add_argument("--period", required=True, help="месяц приёма показаний, ГГГГ-ММ")
        parser.add_argument("--output", help="файл (по умолчанию — стандартный вывод)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = Organisation.objects.get(code=options["org"])
        except Organisation.DoesNotExist as exc:
            raise CommandError(f"Организация с кодом {options['org']} не найдена.") from exc
        try:
            period = Period.parse(options["period"])
        except ValueError as exc:
            raise CommandError(f"Период {options['period']} не в формате ГГГГ-ММ.") from exc
        if options["output"]:
            path = Path(options["output"])
            with path.open("w", encoding="utf-8", newline="") as out:
                count = readings_export(organisation=org, period=period, out=out)
            self.stderr.write(f"Выгружено показаний: {count} → {path}")
        else:
            count = readings_export(organisation=org, period=period, out=self.stdout)  # type: ignore[arg-type]
            if sys.stderr.isatty():
                self.stderr.write(f"Выгружено показаний: {count}")
