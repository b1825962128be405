from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "kabinet.news"
    label = "news"

    def ready(self) -> None:
        from kabinet.news import cache  # noqa: F401 - connects the news version's receivers
