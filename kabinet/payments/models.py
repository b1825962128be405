"""Online payments (SPEC 2.5): what a resident asked to pay, what the gateway said, what was credited.

A `Payment` covers accounts of one organisation (one gateway per organisation). Its
`PaymentAllocation` rows are the split per account, fixed when the payment is created; when the
gateway confirms the money, each allocation gets its `BillingPayment` (channel «Онлайн»), so the
history and balance everyone else reads include it at once. The one-to-one link and the unique
`external_id` of billing payments make a second crediting impossible, not merely unlikely.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from kabinet.billing.models import BillingPayment, PersonalAccount
from kabinet.lib.crypto import EncryptedTextField
from kabinet.orgs.models import Organisation

ZERO = Decimal("0.00")
# Stored in BillingPayment.channel as Russian text; marked so that pages can translate them.
ONLINE_CHANNEL = gettext_noop("Онлайн")
ONLINE_REFUND_CHANNEL = gettext_noop("Онлайн, возврат")


class GatewayAccount(models.Model):
    """An organisation's credentials with its payment gateway; never in code or settings."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("организация"),
        on_delete=models.CASCADE,
        related_name="gateway_account",
    )
    shop_id = models.CharField(
        _("идентификатор магазина / терминала"),
        max_length=100,
        help_text=_("ЮKassa: shopId; Т-Банк: TerminalKey."),
    )
    # Stored encrypted (kabinet.lib.crypto); the code reads the plain text.
    secret = EncryptedTextField(
        _("секретный ключ / пароль терминала"),
        help_text=_("ЮKassa: секретный ключ; Т-Банк: пароль терминала."),
    )
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("доступ к платёжному шлюзу")
        verbose_name_plural = _("доступы к платёжным шлюзам")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.shop_id})"


class Payment(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", _("Создан")
        PENDING = "pending", _("Ожидает оплаты")
        SUCCEEDED = "succeeded", _("Оплачен")
        CANCELED = "canceled", _("Отменён")
        FAILED = "failed", _("Не прошёл")
        REFUNDED = "refunded", _("Возвращён")

    uid = models.UUIDField(_("номер платежа"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("плательщик"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payments",
    )
    provider = models.CharField(
        _("платёжный шлюз"), max_length=20, choices=Organisation.PaymentProvider.choices
    )
    status = models.CharField(
        _("статус"), max_length=10, choices=Status.choices, default=Status.CREATED
    )
    amount = models.DecimalField(_("сумма по счетам"), max_digits=12, decimal_places=2)
    commission = models.DecimalField(
        _("комиссия"), max_digits=12, decimal_places=2, default=ZERO
    )
    total = models.DecimalField(_("к списанию"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("валюта"), max_length=3, default="RUB")
    receipt_contact = models.CharField(_("e-mail или телефон для чека"), max_length=254)
    # Set when the receipt copy was actually queued: the payment page names the address only then.
    receipt_sent_to = models.EmailField(_("копия чека отправлена на"), blank=True)
    # NULL until the gateway has given one: many unstarted payments, yet each id unique.
    provider_payment_id = models.CharField(  # noqa: DJ001
        _("номер платежа в шлюзе"), max_length=100, null=True, blank=True
    )
    # Made through the built-in test bank: never money, never exported, never in a balance.
    is_test = models.BooleanField(_("тестовый платёж"), default=False)
    confirmation_url = models.URLField(_("страница оплаты"), max_length=500, blank=True)
    failure_reason = models.CharField(_("причина отказа"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)
    paid_at = models.DateTimeField(_("оплачен"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("возвращён"), null=True, blank=True)

    class Meta:
        verbose_name = _("онлайн-платёж")
        verbose_name_plural = _("онлайн-платежи")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_payment_id"], name="payment_provider_id_unique"
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="payment_status_idx")]

    def __str__(self) -> str:
        return f"{self.number}: {self.total} {self.currency}"

    @property
    def number(self) -> str:
        """The payment's number for people and for billing systems."""
        return f"K{self.pk:08d}"

    @property
    def is_final(self) -> bool:
        return self.status in {
            self.Status.SUCCEEDED,
            self.Status.CANCELED,
            self.Status.FAILED,
            self.Status.REFUNDED,
        }


def money_received(billing_payments: QuerySet[BillingPayment] | None = None) -> QuerySet[BillingPayment]:
    """Billing payments that are money: all but the credits and refunds of test payments.

    Every figure of money received (balance, paid since the period, payment history, reports)
    reads billing payments through this, so a test bank payment never lowers a real debt.
    """
    if billing_payments is None:
        billing_payments = BillingPayment.objects.all()
    return billing_payments.exclude(allocation__payment__is_test=True).exclude(
        refund_allocation__payment__is_test=True
    )


class SandboxKey(models.Model):
    """The test bank's signing key when PAYMENTS_SANDBOX_SECRET is not set: random, made once,
    shared by every app server through the database (one row)."""

    key = models.CharField(_("ключ"), max_length=128)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("ключ тестового банка")
        verbose_name_plural = _("ключи тестового банка")

    def __str__(self) -> str:
        return str(_("ключ тестового банка"))


class PaymentAllocation(models.Model):
    """The part of a payment that goes to one account: services, penalties, per-service split."""

    payment = models.ForeignKey(
        Payment, verbose_name=_("платёж"), on_delete=models.CASCADE, related_name="allocations"
    )
    account = models.ForeignKey(
        PersonalAccount,
        verbose_name=_("лицевой счёт"),
        on_delete=models.PROTECT,
        related_name="payment_allocations",
    )
    amount = models.DecimalField(_("за услуги"), max_digits=12, decimal_places=2, default=ZERO)
    penalty = models.DecimalField(_("пени"), max_digits=12, decimal_places=2, default=ZERO)
    # {"service code": "amount"} when the payer corrected the split per service.
    services = models.JSONField(_("по услугам"), default=dict, blank=True)
    billing_payment = models.OneToOneField(
        BillingPayment,
        verbose_name=_("зачтено"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocation",
    )
    refund_payment = models.OneToOneField(
        BillingPayment,
        verbose_name=_("возврат"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refund_allocation",
    )

    class Meta:
        verbose_name = _("зачисление на лицевой счёт")
        verbose_name_plural = _("зачисления на лицевые счета")
        ordering = ["payment", "account__number"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "account"], name="allocation_account_unique")
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.account_id}: {self.total}"

    @property
    def total(self) -> Decimal:
        return self.amount + self.penalty

    @property
    def external_id(self) -> str:
        """Stable across retries: the billing system dedupes on it when it sends payments back."""
        return f"{self.payment.number}-{self.account.number}"[:64]
