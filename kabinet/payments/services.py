"""Everything that changes payments: create, start at the gateway, apply what the gateway says.

Exactly once: every change of a payment's state happens in `payment_apply` under a row lock on
the payment (`select_for_update`), and only along `TRANSITIONS`; crediting writes one
`BillingPayment` per allocation, linked one-to-one and unique by `external_id`. However many
notifications arrive, in whatever order and at whatever moment, the first success credits and
the rest find nothing left to do.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kabinet.accounts.access import Right, linked_accounts
from kabinet.billing.models import BillingPayment, PersonalAccount
from kabinet.lib.http import HttpError
from kabinet.orgs.models import Organisation
from kabinet.payments.models import (
    ONLINE_CHANNEL,
    ONLINE_REFUND_CHANNEL,
    ZERO,
    Payment,
    PaymentAllocation,
)
from kabinet.payments.providers import (
    GatewayError,
    GatewayState,
    NotificationRefused,
    enabled_providers,
    get_provider,
    provider_enabled,
)
from kabinet.payments.providers.sandbox import SandboxProvider
from kabinet.users.models import User

log = logging.getLogger(__name__)

KOPECK = Decimal("0.01")
# Far above any household's bill; a typo of a few extra zeros is refused instead of charged.
MAX_PAYMENT = Decimal("500000.00")
STALE_CREATED = datetime.timedelta(hours=1)
ONLINE_PAYMENT_UNAVAILABLE = _lazy(
    "Онлайн-оплата для этой организации пока недоступна. Оплатите по квитанции (ЕПД) в банке "
    "или в кассе организации."
)

S = Payment.Status
TRANSITIONS: dict[str, set[str]] = {
    S.CREATED: {S.PENDING, S.SUCCEEDED, S.CANCELED, S.FAILED},
    S.PENDING: {S.SUCCEEDED, S.CANCELED, S.FAILED},
    # The gateway holds the money: if it confirms after we gave up waiting, the money is credited.
    S.CANCELED: {S.SUCCEEDED},
    S.FAILED: {S.SUCCEEDED},
    S.SUCCEEDED: {S.REFUNDED},
    S.REFUNDED: set(),
}


class PaymentMismatch(Exception):
    """The gateway reports another amount or currency than the payment's: nothing is credited."""


PHONE = re.compile(r"^\+?[78]?\d{10}$")


@dataclass
class PayLine:
    """What the payer asked to pay on one account.

    `services` is the payer's own split of `amount` by service, keyed by the service's id as
    the pay page offers it; empty when the amount is paid as the organisation splits it.
    """

    account_id: int
    amount: Decimal = ZERO
    penalty: Decimal = ZERO
    services: dict[str, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.amount + self.penalty


def rub(value: Decimal) -> str:
    """1234.5 → '1 234,50' as Russians write sums in text."""
    return f"{value:,.2f}".replace(",", "\u00a0").replace(".", ",")


def commission_for(organisation: Organisation, amount: Decimal) -> Decimal:
    percent = organisation.payment_commission_percent or ZERO
    return (amount * percent / 100).quantize(KOPECK, rounding=ROUND_HALF_UP)


def receipt_contact_normal(value: str) -> str:
    """The e-mail or phone (as +7XXXXXXXXXX) for the fiscal receipt (54-ФЗ); ValidationError
    with code "receipt_contact" when it is neither."""
    value = (value or "").strip()
    if not value:
        raise ValidationError(
            _("Укажите e-mail или телефон: на него придёт кассовый чек."), code="receipt_contact"
        )
    if "@" in value:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(
                _("Проверьте e-mail: например, ivanov@mail.ru."), code="receipt_contact"
            ) from None
        return value
    digits = re.sub(r"[\s()\-]", "", value)
    if not PHONE.match(digits):
        raise ValidationError(
            _("Укажите e-mail или телефон в формате +7 900 123-45-67."), code="receipt_contact"
        )
    return "+7" + digits.lstrip("+")[-10:]


def _corrected_services(line: PayLine, account: PersonalAccount) -> dict[str, Decimal]:
    """The payer's split by service code when it differs from the offered one; {} otherwise.

    The split must name services of the account's latest published period and add up to the
    line's amount.
    """
    from kabinet.payments.selectors import account_dues

    if not line.services:
        return {}
    (due,) = account_dues([account], with_services=True)
    by_id = {str(service.service_id): service for service in due.services}
    if any(key not in by_id for key in line.services):
        raise ValidationError(_("Услуга не найдена в начислениях лицевого счёта."), code="services")
    offered = {key: service.prefill for key, service in by_id.items()}
    given = {key: line.services.get(key, ZERO) for key in by_id}
    if given == offered:
        return {}
    if sum(given.values(), ZERO) != line.amount:
        raise ValidationError(
            _(
                "Лицевой счёт %(number)s: сумма по услугам (%(services)s ₽) не равна сумме "
                "к оплате (%(amount)s ₽). Исправьте сумму или нажмите «Сбросить»."
            )
            % {
                "number": account.number,
                "services": rub(sum(given.values(), ZERO)),
                "amount": rub(line.amount),
            },
            code="services",
            params={"account_id": account.pk},
        )
    return {by_id[key].code: value for key, value in given.items() if value}


def payment_create(
    *, user: User, organisation: Organisation, lines: list[PayLine], receipt_contact: str
) -> Payment:
    """A payment of the given accounts of one organisation, not yet sent to the gateway.

    Refused (ValidationError) when an account is not one this user may pay, belongs to another
    organisation, an amount is negative or has fractions of a kopeck, a per-service split does
    not add up, the receipt contact is neither an e-mail nor a phone, or the total is below the
    organisation's minimum or above MAX_PAYMENT. Rows of 0 are skipped.
    """
    receipt_contact = receipt_contact_normal(receipt_contact)
    if not provider_enabled(organisation.payment_provider):
        raise ValidationError(ONLINE_PAYMENT_UNAVAILABLE, code="no_gateway")
    allowed = {
        account.pk: account
        for account in linked_accounts(user, Right.PAY).filter(
            pk__in=[line.account_id for line in lines]
        )
    }
    kept: list[PayLine] = []
    for line in lines:
        account = allowed.get(line.account_id)
        if account is None or account.organisation_id != organisation.pk:
            raise ValidationError(
                _("Лицевой счёт не найден среди ваших счетов этой организации."), code="account"
            )
        for value in (line.amount, line.penalty, *line.services.values()):
            if value < 0:
                raise ValidationError(_("Сумма не может быть отрицательной."), code="negative")
            if value != value.quantize(KOPECK):
                raise ValidationError(_("Укажите сумму в рублях и копейках."), code="kopecks")
        line.services = _corrected_services(line, account)
        if line.total > 0:
            kept.append(line)
    amount = sum((line.total for line in kept), ZERO)
    if amount <= 0:
        raise ValidationError(
            _("Укажите сумму хотя бы по одному лицевому счёту."), code="empty"
        )
    if amount < organisation.min_payment:
        raise ValidationError(
            _("Минимальная сумма платежа — %(min)s ₽. Увеличьте сумму.")
            % {"min": rub(organisation.min_payment)},
            code="minimum",
        )
    if amount > MAX_PAYMENT:
        raise ValidationError(
            _("Сумма платежа не может быть больше %(max)s ₽. Проверьте сумму.")
            % {"max": rub(MAX_PAYMENT)},
            code="ceiling",
        )
    commission = commission_for(organisation, amount)
    with transaction.atomic():
        payment = Payment.objects.create(
            organisation=organisation,
            user=user,
            provider=organisation.payment_provider,
            is_test=organisation.payment_provider == SandboxProvider.name,
            amount=amount,
            commission=commission,
            total=amount + commission,
            receipt_contact=receipt_contact,
        )
        PaymentAllocation.objects.bulk_create(
            PaymentAllocation(
                payment=payment,
                account_id=line.account_id,
                amount=line.amount,
                penalty=line.penalty,
                services={code: str(value) for code, value in line.services.items()},
            )
            for line in kept
        )
    return payment


def payment_start(*, payment: Payment, return_url: str, notification_url: str) -> Payment:
    """Create the payment at its gateway; the payer is then sent to `payment.confirmation_url`.

    The gateway is called outside any transaction (no lock is held while waiting for it). If it
    fails, the payment is marked failed and GatewayError is raised for the page to explain.
    """
    provider = get_provider(payment.provider)
    try:
        started = provider.start(payment, return_url=return_url, notification_url=notification_url)
    except (GatewayError, HttpError) as exc:
        log.warning("payment %s: the gateway %s failed to start it: %s", payment.number, payment.provider, exc)
        payment_apply(
            payment_id=payment.pk,
            state=GatewayState("", S.FAILED, None, reason="Платёжный шлюз недоступен"),
        )
        raise GatewayError(str(exc)) from exc
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment.provider_payment_id = started.provider_payment_id
        payment.confirmation_url = started.confirmation_url
        if payment.status == S.CREATED:
            payment.status = S.PENDING
        payment.save(
            update_fields=["provider_payment_id", "confirmation_url", "status", "updated_at"]
        )
    return payment


def payment_apply(*, payment_id: int, state: GatewayState) -> Payment:
    """Move the payment to the gateway's state if the state machine allows it; credit on success.

    Repeats and out-of-order states change nothing. An amount or currency other than the
    payment's is refused (PaymentMismatch) and logged, with no personal data.
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if (
            state.provider_payment_id
            and payment.provider_payment_id
            and state.provider_payment_id != payment.provider_payment_id
        ):
            raise NotificationRefused("the state is about another gateway payment")
        target = state.status
        if target == payment.status or target not in TRANSITIONS[payment.status]:
            if target != payment.status and target != S.PENDING:
                log.info("payment %s: %s after %s ignored", payment.number, target, payment.status)
            return payment
        if target in {S.SUCCEEDED, S.REFUNDED}:
            if state.amount != payment.total or state.currency != payment.currency:
                log.warning(
                    "payment %s: %s reports %s %s, expected %s %s; refused",
                    payment.number,
                    payment.provider,
                    state.amount,
                    state.currency,
                    payment.total,
                    payment.currency,
                )
                raise PaymentMismatch(payment.number)
        payment.status = target
        fields = ["status", "updated_at"]
        if target == S.SUCCEEDED:
            payment.paid_at = timezone.now()
            payment.failure_reason = ""
            fields += ["paid_at", "failure_reason"]
            _credit(payment)
            recipient = receipt_recipient(payment)
            if recipient:
                # The payment page names this address: only when the copy is really queued.
                payment.receipt_sent_to = recipient
                fields.append("receipt_sent_to")
                transaction.on_commit(lambda: _queue_receipt(payment.pk))
        elif target == S.REFUNDED:
            payment.refunded_at = timezone.now()
            fields.append("refunded_at")
            _reverse(payment)
        else:
            payment.failure_reason = state.reason[:300]
            fields.append("failure_reason")
        payment.save(update_fields=fields)
        log.info("payment %s: %s", payment.number, target)
    return payment


def _credit(payment: Payment) -> None:
    """One BillingPayment per allocation: the money shows in history and balance at once."""
    assert payment.paid_at is not None
    paid_on = timezone.localtime(payment.paid_at, payment.organisation.tz).date()
    for allocation in payment.allocations.select_related("account").select_for_update():
        if allocation.billing_payment_id is not None:
            continue
        billing_payment, _created = BillingPayment.objects.get_or_create(
            organisation_id=payment.organisation_id,
            external_id=allocation.external_id,
            defaults={
                "account": allocation.account,
                "paid_on": paid_on,
                "amount": allocation.total,
                "channel": ONLINE_CHANNEL,
            },
        )
        allocation.billing_payment = billing_payment
        allocation.save(update_fields=["billing_payment"])


def _reverse(payment: Payment) -> None:
    assert payment.refunded_at is not None
    refunded_on = timezone.localtime(payment.refunded_at, payment.organisation.tz).date()
    for allocation in payment.allocations.select_related("account").select_for_update():
        if allocation.refund_payment_id is not None:
            continue
        refund, _created = BillingPayment.objects.get_or_create(
            organisation_id=payment.organisation_id,
            external_id=f"{allocation.external_id}-R"[:64],
            defaults={
                "account": allocation.account,
                "paid_on": refunded_on,
                "amount": -allocation.total,
                "channel": ONLINE_REFUND_CHANNEL,
            },
        )
        allocation.refund_payment = refund
        allocation.save(update_fields=["refund_payment"])


def receipt_recipient(payment: Payment) -> str:
    """Where the e-mailed receipt copy goes, or "" when none is sent: the profile switched it
    off («копия чека об оплате на e-mail»), or there is no e-mail address to send it to."""
    from kabinet.users.models import NotificationSettings

    if payment.user is not None and not NotificationSettings.objects.filter(
        user=payment.user, receipt_by_email=True
    ).exists():
        return ""
    if "@" in payment.receipt_contact:
        return payment.receipt_contact
    if payment.user is not None and payment.user.email:
        return payment.user.email
    return ""


def _queue_receipt(payment_id: int) -> None:
    from kabinet.payments.tasks import send_payment_receipt

    send_payment_receipt.delay(payment_id)


def payment_notification_handle(*, provider: str, body: bytes, headers: Mapping[str, str]) -> Payment:
    """A gateway's notification: verified by its provider, then applied.

    The HTTP endpoint and the sandbox bank page both come here. Raises NotificationRefused for
    anything not genuine, PaymentMismatch for a wrong amount or currency.
    """
    notification = get_provider(provider).verify_notification(body, headers)
    return payment_apply(payment_id=notification.payment_id, state=notification.state)


def payment_refresh(*, payment: Payment) -> Payment:
    """Ask the gateway about the payment and apply the answer (return page, reconciliation)."""
    state = get_provider(payment.provider).fetch(payment)
    if state is None:
        return payment
    return payment_apply(payment_id=payment.pk, state=state)


def payments_reconcile(*, older_than: datetime.timedelta = datetime.timedelta(minutes=2)) -> dict[str, int]:
    """Poll the gateways for payments still pending; give up on payments never started."""
    now = timezone.now()
    counts = {"checked": 0, "changed": 0, "errors": 0, "abandoned": 0}
    # A provider switched off here (the test bank with DEBUG=0) is never asked.
    pending = Payment.objects.filter(
        status=S.PENDING, updated_at__lt=now - older_than, provider__in=enabled_providers()
    )
    for payment in pending.select_related("organisation").iterator():
        counts["checked"] += 1
        try:
            after = payment_refresh(payment=payment)
        except (GatewayError, HttpError, PaymentMismatch, NotificationRefused) as exc:
            counts["errors"] += 1
            log.warning("payment %s: reconciliation failed: %s", payment.number, type(exc).__name__)
            continue
        if after.status != payment.status:
            counts["changed"] += 1
    stale = Payment.objects.filter(
        status=S.CREATED, provider_payment_id__isnull=True, created_at__lt=now - STALE_CREATED
    )
    for payment_id in stale.values_list("pk", flat=True):
        payment_apply(
            payment_id=payment_id,
            state=GatewayState("", S.FAILED, None, reason="Платёж не был начат в банке"),
        )
        counts["abandoned"] += 1
    return counts
