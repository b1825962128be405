from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kabinet.accounts"
    label = "accounts"
    verbose_name = _("Лицевые счета в кабинетах")
