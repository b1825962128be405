"""Billing data as the organisation's billing system delivers it (SPEC 3.2)."""

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from kabinet.orgs.models import Organisation

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ZERO = Decimal("0.00")


def money(verbose_name: "StrOrPromise", **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, default=ZERO, **kwargs)


class PersonalAccount(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Действующий")
        CLOSED = "closed", _("Закрыт")

    # No database constraint or index of its own on the organisation (the unique number index
    # starts with it): the billing import is the writer that matters and checks it (see Charge).
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        on_delete=models.PROTECT,
        related_name="accounts",
        db_constraint=False,
        db_index=False,
    )
    number = models.CharField(_("лицевой счёт"), max_length=30)
    contract_number = models.CharField(_("номер договора"), max_length=50, blank=True)
    category = models.CharField(_("категория"), max_length=100, blank=True)
    owner_name = models.CharField(_("владелец"), max_length=300, blank=True)
    owner_inn = models.CharField(_("ИНН владельца"), max_length=12, blank=True)
    address = models.CharField(_("адрес"), max_length=400, blank=True)
    apartment = models.CharField(_("квартира"), max_length=20, blank=True)
    area = models.DecimalField(_("площадь, м²"), max_digits=10, decimal_places=2, null=True, blank=True)
    residents = models.PositiveSmallIntegerField(_("кол-во проживающих"), null=True, blank=True)
    status = models.CharField(_("статус"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    els = models.CharField(_("ЕЛС ГИС ЖКХ"), max_length=10, blank=True)
    # A code printed on the organisation's own bills: the secret for binding where the
    # organisation chose it (Organisation.binding_secret), never shown in the portal.
    pin = models.CharField(_("код для привязки"), max_length=20, blank=True)
    # Optional columns of the accounts file, printed on the ЕПД (SPEC 2.3).
    rooms = models.PositiveSmallIntegerField(_("количество комнат"), null=True, blank=True)
    house_area = models.DecimalField(
        _("площадь жилых и нежилых помещений дома, м²"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    common_area = models.DecimalField(
        _("площадь мест общего пользования дома, м²"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("лицевой счёт")
        verbose_name_plural = _("лицевые счета")
        ordering = ["organisation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="account_number_unique")
        ]

    def __str__(self) -> str:
        return self.number


class Service(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="services"
    )
    code = models.CharField(_("код"), max_length=40)
    name = models.CharField(_("услуга"), max_length=200)

    class Meta:
        verbose_name = _("услуга")
        verbose_name_plural = _("услуги")
        ordering = ["organisation", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="service_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Period(models.Model):
    """A billing month. Residents see its charges only once it is published."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="periods"
    )
    month = models.DateField(_("месяц"), help_text=_("первое число месяца"))
    is_published = models.BooleanField(_("опубликован"), default=False)
    published_at = models.DateTimeField(_("опубликован в"), null=True, blank=True)

    class Meta:
        verbose_name = _("расчётный период")
        verbose_name_plural = _("расчётные периоды")
        ordering = ["organisation", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="period_month_unique")
        ]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")

    @staticmethod
    def parse(value: str) -> datetime.date:
        """'YYYY-MM' -> first day of the month; ValueError otherwise."""
        year, _sep, month = value.partition("-")
        if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
            raise ValueError(value)
        return datetime.date(int(year), int(month), 1)


class Charge(models.Model):
    """One service of one account in one period.

    The three foreign keys carry no database constraint: the billing import is the only writer,
    checks every reference itself, and would otherwise spend as long in per-row FK triggers as in
    loading a million rows. Accounts, periods and services are never deleted (PROTECT in the ORM;
    accounts are closed instead).
    """

    class Kind(models.TextChoices):
        SERVICE = "service", _("Услуга")
        PENALTY = "penalty", _("Пени")

    class Basis(models.TextChoices):
        METER = "meter", _("по прибору учёта")
        NORM = "norm", _("по нормативу")
        COMMON_METER = "common_meter", _("по общедомовому прибору")
        AVERAGE = "average", _("по среднему")

    account = models.ForeignKey(
        PersonalAccount,
        verbose_name=_("лицевой счёт"),
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        related_name="charges",
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("период"),
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        related_name="charges",
    )
    service = models.ForeignKey(
        Service,
        verbose_name=_("услуга"),
        on_delete=models.PROTECT,
        db_constraint=False,
        db_index=False,
        related_name="charges",
    )
    kind = models.CharField(_("вид"), max_length=10, choices=Kind.choices, default=Kind.SERVICE)
    unit = models.CharField(_("ед. изм."), max_length=20, blank=True)
    norm = models.DecimalField(_("норматив"), max_digits=16, decimal_places=6, null=True, blank=True)
    tariff = models.DecimalField(_("тариф"), max_digits=16, decimal_places=6, null=True, blank=True)
    volume = models.DecimalField(_("объём"), max_digits=16, decimal_places=6, null=True, blank=True)
    volume_basis = models.CharField(_("основание объёма"), max_length=12, choices=Basis.choices, blank=True)
    debt_start = money(_("долг/переплата на начало"))
    charged = money(_("начислено"))
    recalculation = money(_("перерасчёт"))
    recalculation_reason = models.CharField(_("причина перерасчёта"), max_length=300, blank=True)
    privilege = money(_("льготы/субсидии"))
    paid = money(_("оплачено"))
    to_pay = money(_("к оплате"))
    # Optional columns printed on the ЕПД where given (NULL: not given; adding them rewrites
    # nothing in a large table).
    excess = models.DecimalField(
        _("размер превышения платы"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    instalment_amount = models.DecimalField(
        _("сумма платы с учётом рассрочки"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    instalment_rate = models.DecimalField(
        _("проценты за рассрочку, %"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    instalment_interest = models.DecimalField(
        _("проценты за рассрочку, руб."), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("начисление")
        verbose_name_plural = _("начисления")
        # Period first: a month's upload appends at the right edge of the index instead of
        # splitting pages all over it; an account's history is one probe per published period.
        constraints = [
            models.UniqueConstraint(
                fields=["period", "account", "service"], name="charge_natural_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.period_id} {self.service_id}"


class BillingPayment(models.Model):
    """A payment as the billing system recorded it (bank, cash desk, or our own online payments).

    No database constraints on the foreign keys, for the reason given on Charge: the import
    checks every reference itself, and deferred per-row FK triggers doubled its time.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("организация"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the unique (organisation, external_id) index serves
    )
    account = models.ForeignKey(
        PersonalAccount,
        verbose_name=_("лицевой счёт"),
        on_delete=models.PROTECT,
        related_name="billing_payments",
        db_constraint=False,
    )
    external_id = models.CharField(_("идентификатор в биллинге"), max_length=64)
    paid_on = models.DateField(_("дата оплаты"))
    amount = models.DecimalField(_("сумма"), max_digits=14, decimal_places=2)
    channel = models.CharField(_("канал оплаты"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("платёж (биллинг)")
        verbose_name_plural = _("платежи (биллинг)")
        ordering = ["-paid_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"], name="billing_payment_external_id_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.external_id}: {self.amount}"


class ImportRun(models.Model):
    """One run of the billing import, kept for the operator's history and the audit."""

    class Status(models.TextChoices):
        SUCCEEDED = "succeeded", _("Загружено")
        FAILED = "failed", _("Отклонено")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.CASCADE, related_name="+"
    )
    started_at = models.DateTimeField(_("начало"), auto_now_add=True)
    finished_at = models.DateTimeField(_("окончание"), null=True, blank=True)
    status = models.CharField(_("результат"), max_length=10, choices=Status.choices)
    files = models.JSONField(_("файлы"), default=list)
    summary = models.JSONField(_("итоги"), default=dict)
    errors = models.JSONField(_("ошибки"), default=list)

    class Meta:
        verbose_name = _("загрузка биллинга")
        verbose_name_plural = _("загрузки биллинга")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.started_at:%Y-%m-%d %H:%M}"


class KeyRate(models.Model):
    """The Bank of Russia key rate from a date on, for explaining penalties (ЖК РФ ст. 155 ч. 14)."""

    valid_from = models.DateField(_("действует с"), unique=True)
    rate = models.DecimalField(_("ключевая ставка, %"), max_digits=5, decimal_places=2)
    note = models.CharField(_("основание"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ключевая ставка Банка России")
        verbose_name_plural = _("ключевые ставки Банка России")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return str(_("%(rate)s%% с %(date)s") % {"rate": self.rate, "date": f"{self.valid_from:%d.%m.%Y}"})
