from typing import Any

from django.core.management.base import BaseCommand

from kabinet.lib.outbox import outbox_send_due


class Command(BaseCommand):
    help = "Отправить письма и SMS из очереди, которые не ушли сразу (сервер почты или SMS не отвечал)."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = outbox_send_due()
        self.stdout.write("sent {sent}, retry later {retry}, failed {failed}".format(**counts))
