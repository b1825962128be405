"""People who sign in: residents (individuals and legal entities) and organisation staff."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
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
        ]

    def __str__(self) -> str:
        full = " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)
        return full or self.email or self.username
