"""The built-in test gateway: a "bank page" inside the portal, for demos and tests.

The bank page (views.sandbox_bank) takes a card number, expiry and CVC. Test cards decide the
outcome; the bank then notifies the portal exactly as a real gateway would: a JSON body signed
with HMAC-SHA256 (PAYMENTS_SANDBOX_SECRET, or a random key kept in the database), handled by the same service as the HTTP endpoint
/payments/notify/sandbox/.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop as _

from kabinet.payments.providers.base import (
    GatewayState,
    Notification,
    NotificationRefused,
    Provider,
    Started,
    money,
)

if TYPE_CHECKING:
    from kabinet.payments.models import Payment

SIGNATURE_HEADER = "X-Sandbox-Signature"
# The bank page session, as on a real bank's page («До окончания сессии осталось ...»).
SESSION = datetime.timedelta(minutes=20)


@dataclass(frozen=True)
class TestCard:
    number: str
    outcome: str  # "success", "decline" or "otp" (success after a one-time code)
    label: str


TEST_CARDS = (
    TestCard("4111111111111111", "success", _("оплата проходит")),
    TestCard("4000000000003220", "otp", _("запрашивает одноразовый код, затем оплата проходит")),
    TestCard("4000000000000002", "decline", _("банк отказывает в оплате")),
)
TEST_OTP = "123456"


def card_outcome(number: str) -> str | None:
    digits = "".join(ch for ch in number if ch.isdigit())
    for card in TEST_CARDS:
        if card.number == digits:
            return card.outcome
    return None


def signing_key() -> bytes:
    """PAYMENTS_SANDBOX_SECRET, or else a random key made once and kept in the database; never
    anything derived from SECRET_KEY or written in the code."""
    if settings.PAYMENTS_SANDBOX_SECRET:
        return settings.PAYMENTS_SANDBOX_SECRET.encode()
    from kabinet.payments.models import SandboxKey

    stored, _created = SandboxKey.objects.get_or_create(
        pk=1, defaults={"key": secrets.token_hex(32)}
    )
    return stored.key.encode()


def sign(body: bytes) -> str:
    return hmac.new(signing_key(), body, hashlib.sha256).hexdigest()


def notification_body(payment: Payment, status: str, reason: str = "") -> bytes:
    data = {
        "payment_id": payment.provider_payment_id,
        "status": status,
        "amount": money(payment.total),
        "currency": payment.currency,
        "reason": reason,
    }
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


class SandboxProvider(Provider):
    name = "sandbox"

    def start(self, payment: Payment, *, return_url: str, notification_url: str) -> Started:
        return Started(
            provider_payment_id=f"sb_{payment.uid.hex}",
            confirmation_url=reverse("payment_sandbox_bank", args=[payment.uid]),
        )

    def fetch(self, payment: Payment) -> GatewayState | None:
        # The sandbox bank keeps no state of its own: a page left unpaid expires.
        if payment.provider_payment_id and timezone.now() - payment.created_at > SESSION:
            return GatewayState(
                provider_payment_id=payment.provider_payment_id,
                status="canceled",
                amount=payment.total,
                currency=payment.currency,
                reason="Время сессии оплаты истекло",
            )
        return None

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        from kabinet.payments.models import Payment

        signature = headers.get(SIGNATURE_HEADER, "")
        if not signature or not hmac.compare_digest(signature, sign(body)):
            raise NotificationRefused("sandbox: bad signature")
        try:
            data = json.loads(body.decode("utf-8"))
            provider_payment_id = str(data["payment_id"])
            amount = Decimal(str(data["amount"]))
            status = str(data["status"])
        except (ValueError, KeyError, TypeError, InvalidOperation) as exc:
            raise NotificationRefused("sandbox: malformed notification") from exc
        if status not in {"succeeded", "failed", "canceled", "refunded"}:
            raise NotificationRefused("sandbox: unknown status")
        payment_id = (
            Payment.objects.filter(provider=self.name, provider_payment_id=provider_payment_id)
            .values_list("pk", flat=True)
            .first()
        )
        if payment_id is None:
            raise NotificationRefused("sandbox: unknown payment")
        state = GatewayState(
            provider_payment_id=provider_payment_id,
            status=status,
            amount=amount,
            currency=str(data.get("currency", "")),
            reason=str(data.get("reason", ""))[:300],
        )
        return Notification(payment_id=payment_id, state=state)
