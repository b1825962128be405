"""The operator's office (SPEC 2.7): background billing uploads, the audit log, staff preferences.

Roles are data on the member of staff (`User.organisation` + `User.org_role`), assigned by the
organisation's administrator in the office or by `create_staff`; `kabinet.office.access` reads them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kabinet.orgs.models import Organisation


class ImportJob(models.Model):
    """One upload of billing files from the office, run by a background task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("В очереди")
        RUNNING = "running", _("Загружается")
        SUCCEEDED = "succeeded", _("Загружено")
        FAILED = "failed", _("Отклонено")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто загрузил"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("результат"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    files = models.JSONField(_("файлы"), default=list)  # the names as the person chose them
    directory = models.CharField(max_length=200)  # under MEDIA_ROOT, removed after the run
    counts = models.JSONField(_("итоги"), default=dict)
    errors = models.JSONField(_("ошибки"), default=list)  # [{file, row, column, reason}]
    error_count = models.PositiveIntegerField(_("ошибок"), default=0)
    created_at = models.DateTimeField(_("загружено"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("начало"), null=True, blank=True)
    finished_at = models.DateTimeField(_("окончание"), null=True, blank=True)

    class Meta:
        verbose_name = _("загрузка из офиса")
        verbose_name_plural = _("загрузки из офиса")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisation_id}: {', '.join(self.files)}"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @property
    def duration(self) -> float | None:
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class AuditEntry(models.Model):
    """A change made by staff, written by the service that made it (SPEC 2.7 «Журнал действий»)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сотрудник"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("сотрудник"), max_length=300)
    action = models.CharField(_("действие"), max_length=50, db_index=True)
    object_type = models.CharField(_("объект"), max_length=50)
    object_id = models.CharField(_("номер объекта"), max_length=50, blank=True)
    object_repr = models.CharField(_("объект"), max_length=300, blank=True)
    before = models.JSONField(_("было"), default=dict, blank=True)
    after = models.JSONField(_("стало"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    created_at = models.DateTimeField(_("когда"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("запись журнала действий")
        verbose_name_plural = _("журнал действий")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name}: {self.action}"


class StaffPreferences(models.Model):
    """What a member of staff wants to be e-mailed about (each may opt out)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сотрудник"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="office_preferences",
    )
    new_requests = models.BooleanField(_("письмо о каждой новой заявке"), default=True)
    new_appeals = models.BooleanField(_("письмо о каждом новом обращении"), default=True)

    class Meta:
        verbose_name = _("уведомления сотрудника")
        verbose_name_plural = _("уведомления сотрудников")

    def __str__(self) -> str:
        return str(self.user)
