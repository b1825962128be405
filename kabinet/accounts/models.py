"""Which cabinet may see which personal account, and with what rights."""

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

    class Meta:
        verbose_name = _("привязка лицевого счёта")
        verbose_name_plural = _("привязки лицевых счетов")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="account_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.account_id} ({self.role})"
