"""Т-Банк интернет-эквайринг, API v2 (https://www.tbank.ru/kassa/dev/payments/).

Every request and notification is signed with `Token`: SHA-256 (hex) of the values of the root
scalar fields plus `Password`, concatenated in the order of the sorted keys. Nested objects
(Receipt, DATA) take no part. A notification we accept is answered with the plain text `OK`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kabinet.lib import http
from kabinet.payments.providers.base import (
    GatewayError,
    GatewayState,
    Notification,
    NotificationRefused,
    Provider,
    Started,
    kopecks,
)

if TYPE_CHECKING:
    from kabinet.payments.models import GatewayAccount, Payment

API = "https://securepay.tinkoff.ru/v2"
STATUSES = {
    "CONFIRMED": "succeeded",
    "REJECTED": "failed",
    "AUTH_FAIL": "failed",
    "CANCELED": "canceled",
    "REVERSED": "canceled",
    "DEADLINE_EXPIRED": "canceled",
    "REFUNDED": "refunded",
}


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def token(params: Mapping[str, Any], password: str) -> str:
    values = {
        key: value
        for key, value in params.items()
        if key != "Token" and value is not None and not isinstance(value, dict | list)
    }
    values["Password"] = password
    joined = "".join(_scalar(values[key]) for key in sorted(values))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def credentials(payment: Payment) -> GatewayAccount:
    from kabinet.payments.models import GatewayAccount

    try:
        return GatewayAccount.objects.get(organisation_id=payment.organisation_id)
    except GatewayAccount.DoesNotExist:
        raise GatewayError("tbank: the organisation has no gateway credentials") from None


def receipt(payment: Payment) -> dict[str, Any]:
    contact = payment.receipt_contact
    who = {"Email": contact} if "@" in contact else {"Phone": contact}
    items = [
        {
            "Name": f"Оплата ЖКУ, лицевой счёт {allocation.account.number}"[:128],
            "Price": kopecks(allocation.total),
            "Quantity": 1,
            "Amount": kopecks(allocation.total),
            "Tax": "none",
            "PaymentMethod": "full_payment",
            "PaymentObject": "service",
        }
        for allocation in payment.allocations.select_related("account")
    ]
    if payment.commission:
        amount = kopecks(payment.commission)
        items.append(
            {
                "Name": "Комиссия за приём платежа",
                "Price": amount,
                "Quantity": 1,
                "Amount": amount,
                "Tax": "none",
                "PaymentMethod": "full_payment",
                "PaymentObject": "service",
            }
        )
    return {**who, "Taxation": "usn_income", "Items": items}


def state_of(data: Mapping[str, Any]) -> GatewayState:
    status = STATUSES.get(str(data.get("Status", "")), "pending")
    amount = data.get("Amount")
    return GatewayState(
        provider_payment_id=str(data.get("PaymentId", "")),
        status=status,
        amount=(Decimal(int(amount)) / 100).quantize(Decimal("0.01")) if amount is not None else None,
        currency="RUB",  # the API works in roubles only; amounts are in kopecks
        reason=str(data.get("Message", "") or data.get("ErrorCode", ""))[:300]
        if status in {"failed", "canceled"}
        else "",
    )


class TBankProvider(Provider):
    name = "tbank"

    def _call(self, method: str, params: dict[str, Any], password: str) -> dict[str, Any]:
        answer = http.send("POST", f"{API}/{method}", json={**params, "Token": token(params, password)})
        if not answer.ok:
            raise GatewayError(f"tbank: {method} answered {answer.status}")
        data = answer.json()
        if not data.get("Success") or str(data.get("ErrorCode", "0")) != "0":
            raise GatewayError(f"tbank: {method} refused, error {data.get('ErrorCode')}")
        return data

    def start(self, payment: Payment, *, return_url: str, notification_url: str) -> Started:
        account = credentials(payment)
        params: dict[str, Any] = {
            "TerminalKey": account.shop_id,
            "Amount": kopecks(payment.total),
            "OrderId": str(payment.uid),
            "Description": f"Оплата ЖКУ, платёж {payment.number}",
            "SuccessURL": return_url,
            "FailURL": return_url,
            "NotificationURL": notification_url,
            "Receipt": receipt(payment),
        }
        data = self._call("Init", params, account.secret)
        try:
            return Started(str(data["PaymentId"]), str(data["PaymentURL"]))
        except KeyError as exc:
            raise GatewayError("tbank: Init gave no PaymentURL") from exc

    def fetch(self, payment: Payment) -> GatewayState | None:
        if not payment.provider_payment_id:
            return None
        account = credentials(payment)
        params = {"TerminalKey": account.shop_id, "PaymentId": payment.provider_payment_id}
        return state_of(self._call("GetState", params, account.secret))

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        from kabinet.payments.models import GatewayAccount, Payment

        try:
            data = json.loads(body.decode("utf-8"))
            given = str(data["Token"])
            provider_payment_id = str(data["PaymentId"])
            terminal_key = str(data["TerminalKey"])
        except (ValueError, KeyError, TypeError) as exc:
            raise NotificationRefused("tbank: malformed notification") from exc
        payment = Payment.objects.filter(
            provider=self.name, provider_payment_id=provider_payment_id
        ).first()
        if payment is None:
            raise NotificationRefused("tbank: unknown payment")
        account = GatewayAccount.objects.filter(organisation_id=payment.organisation_id).first()
        if account is None or account.shop_id != terminal_key:
            raise NotificationRefused("tbank: terminal does not match the payment")
        if not hmac.compare_digest(given.lower(), token(data, account.secret)):
            raise NotificationRefused("tbank: bad token")
        return Notification(payment_id=payment.pk, state=state_of(data))
