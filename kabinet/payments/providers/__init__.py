"""Payment gateways behind one interface; the organisation's setting picks one (SPEC 2.5)."""

from kabinet.payments.providers.base import (
    GatewayError,
    GatewayState,
    Notification,
    NotificationRefused,
    Provider,
    Started,
)
from kabinet.payments.providers.sandbox import SandboxProvider
from kabinet.payments.providers.tbank import TBankProvider
from kabinet.payments.providers.yookassa import YooKassaProvider

PROVIDERS: dict[str, type[Provider]] = {
    SandboxProvider.name: SandboxProvider,
    YooKassaProvider.name: YooKassaProvider,
    TBankProvider.name: TBankProvider,
}


def get_provider(name: str) -> Provider:
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise NotificationRefused(f"unknown provider {name!r}") from None


__all__ = [
    "PROVIDERS",
    "GatewayError",
    "GatewayState",
    "Notification",
    "NotificationRefused",
    "Provider",
    "Started",
    "get_provider",
]
