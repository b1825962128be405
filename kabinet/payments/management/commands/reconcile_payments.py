from typing import Any

from django.core.management.base import BaseCommand

from kabinet.payments.services import payments_reconcile


class Command(BaseCommand):
    help = "Ask the gateways about payments still pending and apply their answers."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = payments_reconcile()
        self.stdout.write(
            "checked {checked}, changed {changed}, errors {errors}, abandoned {abandoned}".format(
                **counts
            )
        )
