"""Personal access tokens, idempotency keys and calendar feeds of the REST API (SPEC 2.8, 3.6).

A token's secret is shown once and stored only as its SHA-256: it has 256 bits of entropy, so a
fast hash is enough and lets every request find its token by one indexed lookup.
"""

import datetime
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Scope(models.TextChoices):
    READ = "read", _("Чтение (все запросы GET)")
    READINGS = "readings", _("Передача показаний")
    PAYMENTS = "payments", _("Создание платежей")
    REQUESTS = "requests", _("Заявки: создание и отмена")


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("название"), max_length=100)
    scopes = models.JSONField(_("права"), default=list)
    prefix = models.CharField(_("начало ключа"), max_length=12)
    token_hash = models.CharField(_("хеш ключа"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    expires_at = models.DateTimeField(_("действует до"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("последнее использование"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)

    class Meta:
        verbose_name = _("ключ доступа к API")
        verbose_name_plural = _("ключи доступа к API")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_active(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    def scope_labels(self) -> list[str]:
        labels = dict(Scope.choices)
        return [str(labels.get(scope, scope)) for scope in self.scopes]


class IdempotencyKey(models.Model):
    """The first answer to a write sent with an `Idempotency-Key`; a repeat gets the same answer.

    The unique constraint makes concurrent repeats wait for the first one's transaction and
    then read its answer instead of doing the write again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status_code = models.PositiveSmallIntegerField(default=0)
    body = models.TextField(default="")  # the exact bytes of the answer, replayed as they are
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"


class CalendarFeed(models.Model):
    """A person's secret calendar address (ICS) with reading windows and payment due dates."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    prefix = models.CharField(_("начало ключа"), max_length=12)
    token_hash = models.CharField(_("хеш ключа"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("последнее использование"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)

    class Meta:
        verbose_name = _("календарь")
        verbose_name_plural = _("календари")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} ({self.prefix}…)"
