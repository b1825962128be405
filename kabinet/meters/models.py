"""Meters (приборы учёта) and the readings the billing system accepted."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kabinet.billing.models import PersonalAccount, Service
from kabinet.orgs.models import Organisation

ZONE_NAMES = {
    1: [_("Показание")],
    2: [_("День"), _("Ночь")],
    3: [_("Пик"), _("Полупик"), _("Ночь")],
}


def zone_names(zones: int) -> list:
    return list(ZONE_NAMES.get(zones, ZONE_NAMES[1]))


def format_reading(value: Decimal | None) -> str:
    """1234.500000 -> "1234,5": as a meter shows it, without trailing zeros."""
    if value is None:
        return ""
    text = format(value.normalize() if value == value.to_integral_value() else value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def labelled(values: list, zones: int) -> list[tuple[str, str]]:
    """(zone name, formatted value) pairs; the name is empty for a one-zone meter."""
    names = [str(name) for name in zone_names(zones)] if zones > 1 else [""]
    return [(name, format_reading(value)) for name, value in zip(names, values, strict=False)]


class Meter(models.Model):
    """A meter of an account. The billing import writes meters and readings: like Charge, the
    foreign keys it fills carry no database constraint (it checks each reference itself, and
    per-row FK triggers cost as much as the load); the ORM still protects and cascades."""

    class Resource(models.TextChoices):
        COLD_WATER = "cold_water", _("Холодная вода")
        HOT_WATER = "hot_water", _("Горячая вода")
        ELECTRICITY = "electricity", _("Электроэнергия")
        HEAT = "heat", _("Тепловая энергия")
        GAS = "gas", _("Газ")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the unique (organisation, external_id) index serves
    )
    external_id = models.CharField(_("идентификатор прибора"), max_length=64)
    account = models.ForeignKey(
        PersonalAccount,
        verbose_name=_("лицевой счёт"),
        on_delete=models.PROTECT,
        related_name="meters",
        db_constraint=False,
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("услуга"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meters",
        db_constraint=False,
    )
    resource = models.CharField(_("ресурс"), max_length=12, choices=Resource.choices)
    serial_number = models.CharField(_("заводской номер"), max_length=64)
    zones = models.PositiveSmallIntegerField(
        _("тарифных зон"), default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    digits = models.PositiveSmallIntegerField(
        _("разрядов до запятой"), default=5, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    decimals = models.PositiveSmallIntegerField(
        _("разрядов после запятой"), default=3, validators=[MaxValueValidator(6)]
    )
    unit = models.CharField(_("ед. изм."), max_length=20, blank=True)
    installed_on = models.DateField(_("дата установки"), null=True, blank=True)
    next_verification_on = models.DateField(_("дата следующей поверки"), null=True, blank=True)

    class Meta:
        verbose_name = _("прибор учёта")
        verbose_name_plural = _("приборы учёта")
        ordering = ["account", "resource", "serial_number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "external_id"], name="meter_id_unique"),
            models.CheckConstraint(condition=models.Q(zones__gte=1, zones__lte=3), name="meter_zones_1_3"),
        ]

    def __str__(self) -> str:
        return f"{self.get_resource_display()} № {self.serial_number}"


class Reading(models.Model):
    """A reading as the billing system holds it: accepted for charging."""

    meter = models.ForeignKey(
        Meter,
        verbose_name=_("прибор учёта"),
        on_delete=models.CASCADE,
        related_name="readings",
        db_constraint=False,  # see Meter
        db_index=False,  # the unique (meter, reading_date) index serves
    )
    reading_date = models.DateField(_("дата показания"))
    value1 = models.DecimalField(_("показание (зона 1)"), max_digits=18, decimal_places=6)
    value2 = models.DecimalField(_("показание (зона 2)"), max_digits=18, decimal_places=6, null=True, blank=True)
    value3 = models.DecimalField(_("показание (зона 3)"), max_digits=18, decimal_places=6, null=True, blank=True)
    source = models.CharField(_("источник"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("показание (биллинг)")
        verbose_name_plural = _("показания (биллинг)")
        ordering = ["meter", "-reading_date"]
        constraints = [
            models.UniqueConstraint(fields=["meter", "reading_date"], name="reading_natural_key")
        ]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.reading_date}"

    @property
    def values(self) -> list:
        return [self.value1, self.value2, self.value3][: self.meter.zones]

    @property
    def labelled_values(self) -> list[tuple[str, str]]:
        return labelled(self.values, self.meter.zones)


class ReadingSubmission(models.Model):
    """A reading a resident sent through the cabinet, on its way to the billing system.

    A later submission for the same meter in the same window replaces the earlier one: the
    earlier one points to its replacement and stays in the history.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Принято в систему")
        TRANSFERRED = "transferred", _("Передано в расчёт")
        ACCEPTED = "accepted", _("Принято к начислению")
        REJECTED = "rejected", _("Отклонено")

    class Source(models.TextChoices):
        WEB = "web", _("Личный кабинет")
        API = "api", _("API")

    account = models.ForeignKey(
        PersonalAccount,
        verbose_name=_("лицевой счёт"),
        on_delete=models.PROTECT,
        related_name="reading_submissions",
    )
    meter = models.ForeignKey(
        Meter, verbose_name=_("прибор учёта"), on_delete=models.PROTECT, related_name="submissions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто передал"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    period = models.DateField(_("месяц приёма"), help_text=_("первое число месяца"))
    reading_date = models.DateField(_("дата показания"))
    value1 = models.DecimalField(_("показание (зона 1)"), max_digits=18, decimal_places=6)
    value2 = models.DecimalField(_("показание (зона 2)"), max_digits=18, decimal_places=6, null=True, blank=True)
    value3 = models.DecimalField(_("показание (зона 3)"), max_digits=18, decimal_places=6, null=True, blank=True)
    rollover = models.BooleanField(_("переход через ноль подтверждён"), default=False)
    high_confirmed = models.BooleanField(_("большой расход подтверждён"), default=False)
    source = models.CharField(_("источник"), max_length=10, choices=Source.choices, default=Source.WEB)
    submitted_at = models.DateTimeField(_("передано"))
    status = models.CharField(_("статус"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    status_changed_at = models.DateTimeField(_("статус изменён"), null=True, blank=True)
    reject_reason = models.CharField(_("причина отклонения"), max_length=300, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name=_("заменено показанием"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("переданное показание")
        verbose_name_plural = _("переданные показания")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["account", "period"], name="submission_account_period"),
            models.Index(fields=["meter", "period"], name="submission_meter_period"),
        ]

    def __str__(self) -> str:
        return f"{self.meter_id} {self.reading_date}: {self.values}"

    @property
    def values(self) -> list:
        return [self.value1, self.value2, self.value3][: self.meter.zones]

    @property
    def labelled_values(self) -> list[tuple[str, str]]:
        return labelled(self.values, self.meter.zones)

    @property
    def is_current(self) -> bool:
        return self.replaced_by_id is None


class ReminderSent(models.Model):
    """One reminder per person, organisation and window, however often the job runs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    period = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "period"], name="reading_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.organisation_id} {self.period:%Y-%m}"
