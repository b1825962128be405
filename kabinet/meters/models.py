"""Meters (приборы учёта) and the readings the billing system accepted."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kabinet.billing.models import PersonalAccount, Service
from kabinet.orgs.models import Organisation


class Meter(models.Model):
    class Resource(models.TextChoices):
        COLD_WATER = "cold_water", _("Холодная вода")
        HOT_WATER = "hot_water", _("Горячая вода")
        ELECTRICITY = "electricity", _("Электроэнергия")
        HEAT = "heat", _("Тепловая энергия")
        GAS = "gas", _("Газ")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="+"
    )
    external_id = models.CharField(_("идентификатор прибора"), max_length=64)
    account = models.ForeignKey(
        PersonalAccount, verbose_name=_("лицевой счёт"), on_delete=models.PROTECT, related_name="meters"
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("услуга"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meters",
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
        Meter, verbose_name=_("прибор учёта"), on_delete=models.CASCADE, related_name="readings"
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
