"""Organisations that bill residents, with the settings where the seed systems disagree."""

import datetime
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kabinet.orgs.validators import validate_inn


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Неизвестный часовой пояс: %(tz)s"), params={"tz": value}) from exc


class Organisation(models.Model):
    class Kind(models.TextChoices):
        UK = "uk", _("Управляющая компания")
        TSJ = "tsj", _("ТСЖ")
        RSO = "rso", _("Ресурсоснабжающая организация")
        REGOP = "regop", _("Региональный оператор ТКО")
        ERKC = "erkc", _("Расчётный центр (ЕРКЦ)")

    class PaymentProvider(models.TextChoices):
        SANDBOX = "sandbox", _("Тестовый шлюз (sandbox)")
        YOOKASSA = "yookassa", _("ЮKassa")
        TBANK = "tbank", _("Т-Банк")

    code = models.SlugField(_("код"), max_length=40, unique=True)
    name = models.CharField(_("наименование"), max_length=300)
    short_name = models.CharField(_("краткое наименование"), max_length=120, blank=True)
    kind = models.CharField(_("тип"), max_length=10, choices=Kind.choices, default=Kind.UK)

    inn = models.CharField(_("ИНН"), max_length=12, validators=[validate_inn])
    kpp = models.CharField(
        _("КПП"), max_length=9, blank=True, validators=[RegexValidator(r"^\d{9}$", _("КПП — 9 цифр"))]
    )
    bank_name = models.CharField(_("банк"), max_length=200, blank=True)
    bik = models.CharField(
        _("БИК"), max_length=9, blank=True, validators=[RegexValidator(r"^\d{9}$", _("БИК — 9 цифр"))]
    )
    account = models.CharField(
        _("расчётный счёт"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\d{20}$", _("Расчётный счёт — 20 цифр"))],
    )
    corr_account = models.CharField(
        _("корреспондентский счёт"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\d{20}$", _("Корреспондентский счёт — 20 цифр"))],
    )
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    phone = models.CharField(_("телефон"), max_length=40, blank=True)
    complaint_phone = models.CharField(_("телефон для жалоб"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("сайт"), blank=True)
    office_hours = models.CharField(_("часы приёма"), max_length=200, blank=True)
    banner = models.TextField(_("объявление (баннер)"), blank=True)
    timezone = models.CharField(
        _("часовой пояс"), max_length=64, default="Asia/Novosibirsk", validators=[validate_timezone]
    )

    # Settings where the seed systems disagree (SPEC §0).
    reading_first_day = models.PositiveSmallIntegerField(
        _("приём показаний: первый день"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    reading_last_day = models.PositiveSmallIntegerField(
        _("приём показаний: последний день"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    reading_closes_at = models.TimeField(
        _("приём показаний: до (время последнего дня)"), default=datetime.time(23, 59)
    )
    min_payment = models.DecimalField(
        _("минимальная сумма платежа, ₽"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    max_accounts_per_user = models.PositiveSmallIntegerField(
        _("лицевых счетов в кабинете, не более"), default=10, validators=[MinValueValidator(1)]
    )
    keep_one_account = models.BooleanField(
        _("в личном кабинете должен быть привязан хотя бы один лицевой счёт"), default=True
    )
    class BindingSecret(models.TextChoices):
        AMOUNT_DUE = "amount_due", _("сумма к оплате из последней квитанции")
        PIN = "pin", _("код с квитанции (колонка pin файла лицевых счетов)")

    binding_secret = models.CharField(
        _("секрет для привязки лицевого счёта"),
        max_length=12,
        choices=BindingSecret.choices,
        default=BindingSecret.AMOUNT_DUE,
        help_text=_("Что житель вводит, кроме номера счёта и фамилии, чтобы привязать счёт."),
    )
    signup_by_email = models.BooleanField(_("регистрация по e-mail"), default=True)
    signup_by_phone = models.BooleanField(_("регистрация по телефону (SMS)"), default=True)
    signup_legal = models.BooleanField(_("регистрация юридических лиц и ИП"), default=True)
    payment_provider = models.CharField(
        _("платёжный шлюз"),
        max_length=20,
        choices=PaymentProvider.choices,
        # None until an operator chooses one: a new organisation takes no money by accident.
        blank=True,
        default="",
        help_text=_("Пока шлюз не выбран, онлайн-оплата организации недоступна."),
    )
    payment_commission_percent = models.DecimalField(
        _("комиссия за оплату, %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))],
    )
    payment_due_day = models.PositiveSmallIntegerField(
        _("срок оплаты: число следующего месяца"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )

    penalty_count_payment_day = models.BooleanField(
        _("пени: день оплаты считается днём просрочки"), default=True
    )

    # The settlement agent (платёжный агент, расчётный центр) that collects the payments, where
    # there is one: printed on the ЕПД beside the payee (приказ Минстроя № 43/пр).
    agent_name = models.CharField(_("платёжный агент: наименование"), max_length=300, blank=True)
    agent_inn = models.CharField(
        _("платёжный агент: ИНН"), max_length=12, blank=True, validators=[validate_inn]
    )
    agent_kpp = models.CharField(
        _("платёжный агент: КПП"),
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^\d{9}$", _("КПП — 9 цифр"))],
    )
    agent_bank_name = models.CharField(_("платёжный агент: банк"), max_length=200, blank=True)
    agent_bik = models.CharField(
        _("платёжный агент: БИК"),
        max_length=9,
        blank=True,
        validators=[RegexValidator(r"^\d{9}$", _("БИК — 9 цифр"))],
    )
    agent_account = models.CharField(
        _("платёжный агент: расчётный счёт"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\d{20}$", _("Расчётный счёт — 20 цифр"))],
    )
    agent_corr_account = models.CharField(
        _("платёжный агент: корреспондентский счёт"),
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^\d{20}$", _("Корреспондентский счёт — 20 цифр"))],
    )
    agent_contacts = models.CharField(
        _("платёжный агент: адрес, телефон, сайт"), max_length=300, blank=True
    )

    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def clean(self) -> None:
        if self.reading_first_day > self.reading_last_day:
            raise ValidationError(
                {"reading_last_day": _("Последний день приёма показаний раньше первого.")}
            )
