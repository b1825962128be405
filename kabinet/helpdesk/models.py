"""Service requests («Заявки») and appeals («Обращения», «Вопрос-ответ») (SPEC 2.6).

Both hang off a personal account, so a resident reaches them only through the account gate
(kabinet.accounts.access). Status changes of a request go through
`kabinet.helpdesk.services.request_transition` only.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kabinet.billing.models import PersonalAccount
from kabinet.orgs.models import Organisation

EXTENSIONS = {"image/png": ".png", "image/jpeg": ".jpg"}


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name with the extension of the type we found in the bytes; the sender's file
    # name is kept in the row for display only, never used as a path.
    return f"helpdesk/{uuid.uuid4().hex}{EXTENSIONS.get(instance.content_type, '')}"


class RequestType(models.Model):
    """An organisation's catalogue of what a resident may ask for, with a price if paid."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        on_delete=models.CASCADE,
        related_name="request_types",
    )
    name = models.CharField(_("тип заявки"), max_length=200)
    is_paid = models.BooleanField(_("платная услуга"), default=False)
    price = models.DecimalField(
        _("цена, ₽"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    is_active = models.BooleanField(_("доступен для заявок"), default=True)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)
    # SPEC 2.6: 10 working days by default (ПП РФ № 416); an emergency type counts in hours.
    deadline_days = models.PositiveSmallIntegerField(
        _("срок исполнения, рабочих дней"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    deadline_hours = models.PositiveSmallIntegerField(
        _("аварийная: срок исполнения, часов"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=_("Заполните для аварийных заявок: тогда срок считается в часах."),
    )

    class Meta:
        verbose_name = _("тип заявки")
        verbose_name_plural = _("типы заявок")
        ordering = ["organisation", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="request_type_unique")
        ]

    def __str__(self) -> str:
        if self.is_paid and self.price is not None:
            return f"{self.name} — {self.price:.2f} ₽".replace(".", ",")
        return self.name


class ServiceRequest(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("Принята в систему")
        IN_WORK = "in_work", _("В работе")
        DONE = "done", _("Выполнена")
        CLOSED = "closed", _("Закрыта")
        CANCELLED_CLIENT = "cancelled_client", _("Отменена клиентом")
        CANCELLED_STAFF = "cancelled_staff", _("Отменена сотрудником")

    class TimeSlot(models.TextChoices):
        MORNING = "08-12", _("с 8:00 до 12:00")
        AFTERNOON = "12-16", _("с 12:00 до 16:00")
        EVENING = "16-20", _("с 16:00 до 20:00")

    account = models.ForeignKey(
        PersonalAccount,
        verbose_name=_("лицевой счёт"),
        on_delete=models.CASCADE,
        related_name="service_requests",
    )
    # A deleted cabinet leaves its requests with the organisation, like its billing data.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="service_requests",
    )
    type = models.ForeignKey(
        RequestType, verbose_name=_("тип заявки"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("причина заявки"), max_length=2000)
    desired_date = models.DateField(_("желаемая дата исполнения"))
    time_slot = models.CharField(_("время исполнения"), max_length=5, choices=TimeSlot.choices)
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    status_reason = models.TextField(_("причина отмены"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("оценка"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.TextField(_("отзыв"), blank=True)
    created_at = models.DateTimeField(_("дата заявки"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("изменена"), auto_now=True)
    due_at = models.DateTimeField(_("срок исполнения"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("заявка")
        verbose_name_plural = _("заявки")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return _("Заявка № %(number)s") % {"number": self.pk}

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.NEW, self.Status.IN_WORK}

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return self.is_open and self.due_at is not None and self.due_at < timezone.now()


class RequestStatusChange(models.Model):
    request = models.ForeignKey(
        ServiceRequest,
        verbose_name=_("заявка"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    from_status = models.CharField(
        _("был статус"), max_length=20, choices=ServiceRequest.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("новый статус"), max_length=20, choices=ServiceRequest.Status.choices
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто изменил"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("причина"), blank=True)
    created_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("смена статуса заявки")
        verbose_name_plural = _("история статусов заявок")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"


class RequestComment(models.Model):
    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("заявка"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_operator = models.BooleanField(_("от сотрудника"), default=False)
    text = models.TextField(_("комментарий"), max_length=4000)
    created_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("комментарий к заявке")
        verbose_name_plural = _("комментарии к заявкам")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Appeal(models.Model):
    """«Обращение» / «Вопрос-ответ»: a question to the organisation, answered in a thread."""

    class Topic(models.TextChoices):
        CHARGES = "charges", _("Начисления и оплата")
        METERS = "meters", _("Приборы учёта и показания")
        SERVICE = "service", _("Качество услуг")
        CABINET = "cabinet", _("Работа личного кабинета")
        OTHER = "other", _("Другое")

    class Status(models.TextChoices):
        OPEN = "open", _("Ожидает ответа")
        ANSWERED = "answered", _("Дан ответ")
        CLOSED = "closed", _("Закрыто")

    account = models.ForeignKey(
        PersonalAccount,
        verbose_name=_("лицевой счёт"),
        on_delete=models.CASCADE,
        related_name="appeals",
    )
    # A deleted cabinet leaves its requests with the organisation, like its billing data.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="appeals",
    )
    topic = models.CharField(_("тема"), max_length=20, choices=Topic.choices)
    text = models.TextField(_("текст обращения"), max_length=4000)
    contact = models.CharField(_("контакт для ответа"), max_length=200)
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(_("дата обращения"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("обращение")
        verbose_name_plural = _("обращения")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return _("Обращение № %(number)s") % {"number": self.pk}


class AppealMessage(models.Model):
    appeal = models.ForeignKey(
        Appeal, verbose_name=_("обращение"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_operator = models.BooleanField(_("от сотрудника"), default=False)
    text = models.TextField(_("сообщение"), max_length=4000)
    created_at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("сообщение по обращению")
        verbose_name_plural = _("сообщения по обращениям")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class Attachment(models.Model):
    """A photo or scan attached to a request or an appeal; served only by the checking view."""

    request = models.ForeignKey(
        ServiceRequest,
        verbose_name=_("заявка"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    appeal = models.ForeignKey(
        Appeal,
        verbose_name=_("обращение"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("файл"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("имя файла"), max_length=200)
    content_type = models.CharField(_("тип"), max_length=50)
    size = models.PositiveIntegerField(_("размер, байт"))
    created_at = models.DateTimeField(_("загружен"), auto_now_add=True)

    class Meta:
        verbose_name = _("вложение")
        verbose_name_plural = _("вложения")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(request__isnull=False, appeal__isnull=True)
                | models.Q(request__isnull=True, appeal__isnull=False),
                name="attachment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return self.name
