from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "kabinet.news"
    label = "news"
    verbose_name = _("Новости")

    def ready(self) -> None:
        from kabinet.news import cache  # noqa: F401 - connects the news version's receivers
