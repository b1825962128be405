from typing import Any

from django.core.management.base import BaseCommand

from kabinet.meters.services import reading_reminders_send


class Command(BaseCommand):
    help = (
        "Разослать напоминания о приёме показаний тем, кто их включил и ещё не передал показания "
        "в открытом окне. Запускать раз в день (cron); каждому — одно письмо за окно."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = reading_reminders_send()
        self.stdout.write(f"Напоминаний поставлено в очередь: {count}")
