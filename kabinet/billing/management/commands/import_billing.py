import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kabinet.billing.imports import ImportRejected, billing_import
from kabinet.orgs.models import Organisation


class Command(BaseCommand):
    help = (
        "Загрузить файлы биллинга (лицевые счета, начисления, платежи, приборы учёта, показания). "
        "Загрузка целиком проходит или целиком отклоняется."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="код организации")
        parser.add_argument("--publish", metavar="PERIOD", help="опубликовать период ГГГГ-ММ")
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = Organisation.objects.get(code=options["org"])
        except Organisation.DoesNotExist as exc:
            raise CommandError(f"Организация с кодом {options['org']} не найдена.") from exc
        started = time.monotonic()
        progress = self.show_progress if sys.stdout.isatty() and options["verbosity"] > 0 else None
        try:
            report = billing_import(
                organisation=org, paths=options["files"], publish=options["publish"], progress=progress
            )
        except ImportRejected as exc:
            self.stderr.write(f"Загрузка отклонена, ничего не изменено. Ошибок: {exc.report.error_count}")
            for line in exc.report.lines():
                self.stderr.write("  " + line)
            raise CommandError("загрузка отклонена") from exc
        self.stdout.write(self.style.SUCCESS(f"Загружено за {time.monotonic() - started:.1f} с"))
        for line in report.lines():
            self.stdout.write("  " + line)

    def show_progress(self, label: str, done: int, total: int, rows: int) -> None:
        percent = 100 * done // total if total else 100
        if rows < 0:
            sys.stdout.write(f"\r{label}: 100%{' ' * 30}\n")
        else:
            sys.stdout.write(f"\r{label}: {percent:3d}% ({rows:,} строк)".replace(",", " "))
        sys.stdout.flush()
