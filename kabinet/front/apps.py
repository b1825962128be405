from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "kabinet.front"
    label = "front"
