from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "kabinet.users"
    label = "users"
    verbose_name = "Пользователи"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from kabinet.users.models import NotificationSettings, User

        def create_notification_settings(sender, instance, created, raw=False, **kwargs):  # type: ignore[no-untyped-def]
            # Every user has a row, so other apps can filter on it.
            if created and not raw:
                NotificationSettings.objects.get_or_create(user=instance)

        post_save.connect(
            create_notification_settings, sender=User, dispatch_uid="users_notification_settings"
        )
