from django.apps import AppConfig


class MetersConfig(AppConfig):
    name = "kabinet.meters"
    label = "meters"
