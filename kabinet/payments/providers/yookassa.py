"""ЮKassa, API v3 (https://yookassa.ru/developers/api).

A payment is created with an `Idempotence-Key` (our payment's uid, so a retried request cannot
create a second payment) and a redirect confirmation. Notifications (`payment.succeeded`,
`payment.canceled`, `refund.succeeded`) carry no signature: only the payment id is taken from
them, and the payment is then fetched from the API with the organisation's credentials; that
answer, not the notification, decides.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from kabinet.lib import http
from kabinet.payments.providers.base import (
    GatewayError,
    GatewayState,
    Notification,
    NotificationRefused,
    Provider,
    Started,
    money,
)

if TYPE_CHECKING:
    from kabinet.payments.models import GatewayAccount, Payment

API = "https://api.yookassa.ru/v3"
STATUSES = {
    "pending": "pending",
    "waiting_for_capture": "pending",
    "succeeded": "succeeded",
    "canceled": "canceled",
}


def credentials(payment: Payment) -> GatewayAccount:
    from kabinet.payments.models import GatewayAccount

    try:
        return GatewayAccount.objects.get(organisation_id=payment.organisation_id)
    except GatewayAccount.DoesNotExist:
        raise GatewayError("yookassa: the organisation has no gateway credentials") from None


def receipt(payment: Payment) -> dict[str, Any]:
    """The fiscal receipt (54-ФЗ): who gets it, and one line per account."""
    contact = payment.receipt_contact
    customer = {"email": contact} if "@" in contact else {"phone": contact.lstrip("+")}
    items = [
        {
            "description": f"Оплата ЖКУ, лицевой счёт {allocation.account.number}"[:128],
            "quantity": "1.00",
            "amount": {"value": money(allocation.total), "currency": payment.currency},
            "vat_code": 1,
            "payment_mode": "full_payment",
            "payment_subject": "service",
        }
        for allocation in payment.allocations.select_related("account")
    ]
    if payment.commission:
        items.append(
            {
                "description": "Комиссия за приём платежа",
                "quantity": "1.00",
                "amount": {"value": money(payment.commission), "currency": payment.currency},
                "vat_code": 1,
                "payment_mode": "full_payment",
                "payment_subject": "service",
            }
        )
    return {"customer": customer, "items": items}


def state_of(data: Mapping[str, Any]) -> GatewayState:
    """A payment object of the API, as our state."""
    try:
        status = str(data["status"])
        amount = Decimal(str(data["amount"]["value"]))
        currency = str(data["amount"]["currency"])
        provider_payment_id = str(data["id"])
    except (KeyError, TypeError, InvalidOperation) as exc:
        raise GatewayError("yookassa: unexpected payment object") from exc
    ours = STATUSES.get(status, "pending")
    refunded = data.get("refunded_amount") or {}
    if ours == "succeeded" and refunded.get("value") is not None:
        try:
            if Decimal(str(refunded["value"])) >= amount:
                ours = "refunded"
        except InvalidOperation as exc:
            raise GatewayError("yookassa: unexpected refunded amount") from exc
    reason = ""
    if ours == "canceled":
        reason = str((data.get("cancellation_details") or {}).get("reason", ""))
    return GatewayState(provider_payment_id, ours, amount, currency, reason)


class YooKassaProvider(Provider):
    name = "yookassa"

    def start(self, payment: Payment, *, return_url: str, notification_url: str) -> Started:
        account = credentials(payment)
        body = {
            "amount": {"value": money(payment.total), "currency": payment.currency},
            "capture": True,
            "confirmation": {"type": "redirect", "return_url": return_url},
            "description": f"Оплата ЖКУ, платёж {payment.number}",
            "metadata": {"payment_uid": str(payment.uid)},
            "receipt": receipt(payment),
        }
        answer = http.send(
            "POST",
            f"{API}/payments",
            json=body,
            headers={"Idempotence-Key": str(payment.uid)},
            basic_auth=(account.shop_id, account.secret),
        )
        if not answer.ok:
            raise GatewayError(f"yookassa: create answered {answer.status}")
        data = answer.json()
        try:
            url = str(data["confirmation"]["confirmation_url"])
            provider_payment_id = str(data["id"])
        except (KeyError, TypeError) as exc:
            raise GatewayError("yookassa: no confirmation URL") from exc
        return Started(provider_payment_id=provider_payment_id, confirmation_url=url)

    def fetch(self, payment: Payment) -> GatewayState | None:
        if not payment.provider_payment_id:
            return None
        account = credentials(payment)
        answer = http.send(
            "GET",
            f"{API}/payments/{payment.provider_payment_id}",
            basic_auth=(account.shop_id, account.secret),
        )
        if not answer.ok:
            raise GatewayError(f"yookassa: fetch answered {answer.status}")
        return state_of(answer.json())

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        from kabinet.payments.models import Payment

        try:
            data = json.loads(body.decode("utf-8"))
            event = str(data["event"])
            obj = data["object"]
            provider_payment_id = str(obj["payment_id"] if event.startswith("refund.") else obj["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise NotificationRefused("yookassa: malformed notification") from exc
        payment = (
            Payment.objects.filter(provider=self.name, provider_payment_id=provider_payment_id)
            .select_related("organisation")
            .first()
        )
        if payment is None:
            raise NotificationRefused("yookassa: unknown payment")
        # The notification itself proves nothing: ask the API.
        # A failure to reach the API propagates (GatewayError, HttpError): the endpoint answers
        # 503 and ЮKassa delivers the notification again later.
        state = self.fetch(payment)
        if state is None or state.provider_payment_id != provider_payment_id:
            raise NotificationRefused("yookassa: re-fetched another payment")
        return Notification(payment_id=payment.pk, state=state)
