from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "kabinet.payments"
    label = "payments"
    verbose_name = _("Платежи")

    def ready(self) -> None:
        from kabinet.payments import cache  # noqa: F401 - connects the payments version's receivers
