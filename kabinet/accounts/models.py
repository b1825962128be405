"""Which cabinet may see which personal account, and with what rights."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kabinet.billing.models import PersonalAccount


class AccountLink(models.Model):
    """A personal account bound to a cabinet: by its holder, or shared with a family member."""

    class Role(models.TextChoices):
        HOLDER = "holder", _("Владелец кабинета")
        MEMBER = "member", _("Член семьи")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="account_links",
    )
    account = models.ForeignKey(
        PersonalAccount, verbose_name=_("лицевой счёт"), on_delete=models.CASCADE, related_name="links"
    )
    role = models.CharField(_("роль"), max_length=10, choices=Role.choices, default=Role.HOLDER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пригласил"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("привязан"), auto_now_add=True)
    # The monthly payment document by e-mail (SPEC 2.1 «Notification settings»), per account,
    # until the cabinet-wide notification settings exist.
    epd_by_email = models.BooleanField(_("получать ЕПД по e-mail"), default=False)

    class Meta:
        verbose_name = _("привязка лицевого счёта")
        verbose_name_plural = _("привязки лицевых счетов")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="account_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.account_id} ({self.role})"


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """The holder's invitation of a family member to share an account, accepted by e-mail link."""

    account = models.ForeignKey(
        PersonalAccount,
        verbose_name=_("лицевой счёт"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("e-mail приглашённого"))
    token = models.CharField(_("ключ"), max_length=64, unique=True, default=new_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пригласил"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("отправлено"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("принято"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("принял"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("отозвано"), null=True, blank=True)

    class Meta:
        verbose_name = _("приглашение к лицевому счёту")
        verbose_name_plural = _("приглашения к лицевым счетам")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.account_id} → {self.email}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
