from django.apps import AppConfig


class NewsConfig(AppConfig):
    name = "kabinet.news"
    label = "news"
