from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "kabinet.helpdesk"
    label = "helpdesk"
