"""The outbox: e-mail and SMS that could not be delivered at once, kept until they are."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One e-mail or SMS waiting for its next delivery attempt (kabinet.lib.outbox)."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("e-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("ожидает отправки")
        SENT = "sent", _("отправлено")
        FAILED = "failed", _("не отправлено")

    kind = models.CharField(_("вид"), max_length=5, choices=Kind.choices)
    status = models.CharField(
        _("статус"), max_length=7, choices=Status.choices, default=Status.PENDING
    )
    # E-mail: subject, bodies, addresses, attachments (base64); SMS: {"to": ..., "text": ...}.
    payload = models.JSONField(_("сообщение"))
    attempts = models.PositiveIntegerField(_("попыток"), default=0)
    # The exception's class only: an SMTP answer may quote an address (personal data).
    last_error = models.CharField(_("последняя ошибка"), max_length=200, blank=True)
    next_attempt_at = models.DateTimeField(_("следующая попытка"))
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("сообщение в очереди отправки")
        verbose_name_plural = _("очередь отправки")
        ordering = ["next_attempt_at", "pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}: {self.get_status_display()}"
