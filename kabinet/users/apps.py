from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "kabinet.users"
    label = "users"
