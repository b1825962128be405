from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "kabinet.lib"
    label = "lib"
