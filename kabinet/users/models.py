"""People who sign in: residents (individuals and legal entities) and organisation staff."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Физическое лицо")
        LEGAL = "legal", _("Юридическое лицо / ИП")

    class Role(models.TextChoices):
        ADMIN = "admin", _("Администратор")
        OPERATOR = "operator", _("Оператор")
        ACCOUNTANT = "accountant", _("Бухгалтер")

    kind = models.CharField(_("тип"), max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)
    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    phone = models.CharField(_("телефон"), max_length=20, blank=True)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True)
    # Staff of one organisation; residents have none.
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("организация"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    org_role = models.CharField(_("роль"), max_length=12, choices=Role.choices, blank=True)
    must_change_password = models.BooleanField(_("сменить пароль при входе"), default=False)

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="user_email_unique"
            ),
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="user_phone_unique"
            ),
            # A legal entity signs in by its ИНН, so one cabinet per ИНН.
            models.UniqueConstraint(
                fields=["inn"], condition=Q(kind="legal") & ~Q(inn=""), name="user_legal_inn_unique"
            ),
        ]

    def __str__(self) -> str:
        full = " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)
        return full or self.email or self.username


class VerificationCode(models.Model):
    """A one-time code sent by e-mail or SMS: sign-up, password recovery, a new e-mail or phone.

    Only an HMAC of the code is stored. A code works once, for 15 minutes, and a few wrong
    guesses spend it; «Выслать код заново» replaces the code of the same row.
    """

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("регистрация")
        PASSWORD_RESET = "password_reset", _("восстановление пароля")
        EMAIL_CHANGE = "email_change", _("смена e-mail")
        PHONE_CHANGE = "phone_change", _("смена телефона")

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    purpose = models.CharField(_("назначение"), max_length=20, choices=Purpose.choices)
    channel = models.CharField(_("канал"), max_length=5, choices=Channel.choices)
    # The e-mail address or the normalised phone number the code was sent to.
    target = models.CharField(_("адрес"), max_length=254)
    user = models.ForeignKey(
        User, verbose_name=_("пользователь"), null=True, blank=True, on_delete=models.CASCADE
    )
    # Sign-up keeps what the person entered (password already hashed) until the code is confirmed.
    payload = models.JSONField(_("данные"), default=dict, blank=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    expires_at = models.DateTimeField(_("действует до"))
    attempts = models.PositiveSmallIntegerField(_("неверных попыток"), default=0)
    sent_count = models.PositiveSmallIntegerField(_("отправлено раз"), default=1)
    used_at = models.DateTimeField(_("использован"), null=True, blank=True)

    class Meta:
        verbose_name = _("код подтверждения")
        verbose_name_plural = _("коды подтверждения")
        indexes = [models.Index(fields=["purpose", "target"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} #{self.pk}"


class Consent(models.Model):
    """What a person agreed to, which version of the text, when and from which address."""

    class Kind(models.TextChoices):
        ACCESS_RULES = "access_rules", _("правила предоставления доступа")
        PERSONAL_DATA = "personal_data", _("обработка персональных данных")

    user = models.ForeignKey(
        User, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(_("согласие"), max_length=20, choices=Kind.choices)
    text_version = models.CharField(_("версия текста"), max_length=20)
    accepted_at = models.DateTimeField(_("дано"))
    ip_address = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)

    class Meta:
        verbose_name = _("согласие")
        verbose_name_plural = _("согласия")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.text_version}"


class NotificationSettings(models.Model):
    """What a resident wants to receive. Every user has one row (created with the user);
    the apps that send ЕПД, receipts, reminders and news read it."""

    user = models.OneToOneField(
        User,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    epd_by_email = models.BooleanField(_("ежемесячный ЕПД на e-mail"), default=False)
    receipt_by_email = models.BooleanField(_("копия чека об оплате на e-mail"), default=True)
    reading_reminders = models.BooleanField(_("напоминания о передаче показаний"), default=False)
    news = models.BooleanField(_("новости"), default=False)

    class Meta:
        verbose_name = _("настройки уведомлений")
        verbose_name_plural = _("настройки уведомлений")

    def __str__(self) -> str:
        return str(self.user)


@receiver(post_save, sender=User, dispatch_uid="users_notification_settings")
def create_notification_settings(
    sender: type[User], instance: User, created: bool, raw: bool = False, **kwargs: object
) -> None:
    # Every user has a row, so the apps that send notifications can filter on it.
    if created and not raw:
        NotificationSettings.objects.get_or_create(user=instance)
