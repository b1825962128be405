"""The interface every payment gateway implements, and what it reports back.

A provider starts a payment (returns where to send the payer), verifies a notification (returns
the gateway's state of the payment, or refuses), and fetches a payment's state on demand (for the
reconciliation job and the return page). Only `kabinet.payments.services` changes payments: a
provider never writes to the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from kabinet.payments.models import Payment


class GatewayError(Exception):
    """The gateway refused a request or could not be reached; the payer should try again later."""


class NotificationRefused(Exception):
    """A notification that is not genuine or not about a payment of ours: nothing is changed."""


@dataclass(frozen=True)
class Started:
    provider_payment_id: str
    confirmation_url: str


@dataclass(frozen=True)
class GatewayState:
    """What the gateway says about one payment. `status` uses Payment.Status values."""

    provider_payment_id: str
    status: str
    amount: Decimal | None
    currency: str = "RUB"
    reason: str = ""


@dataclass(frozen=True)
class Notification:
    """A verified notification: the payment it is about and the gateway's state of it."""

    payment_id: int
    state: GatewayState


class Provider:
    name: ClassVar[str]
    # What the gateway expects back from a notification we accepted.
    reply_body: ClassVar[str] = "OK"
    reply_content_type: ClassVar[str] = "text/plain; charset=utf-8"

    def start(self, payment: Payment, *, return_url: str, notification_url: str) -> Started:
        raise NotImplementedError

    def fetch(self, payment: Payment) -> GatewayState | None:
        """The gateway's current state of the payment; None when it has nothing to say yet."""
        raise NotImplementedError

    def verify_notification(self, body: bytes, headers: Mapping[str, str]) -> Notification:
        raise NotImplementedError


def money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


def kopecks(value: Decimal) -> int:
    return int((value * 100).quantize(Decimal("1")))
