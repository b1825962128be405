"""Payment gateways behind one interface; the organisation's setting picks one (SPEC 2.5)."""

from django.conf import settings

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


class ProviderDisabled(NotificationRefused):
    """The provider is not one this install may use (no gateway chosen, or the test bank off)."""


def provider_enabled(name: str) -> bool:
    """Whether payments may go through this provider here. The test bank only with
    PAYMENTS_SANDBOX (on by default only with DEBUG=1); an empty name: no gateway chosen yet."""
    if name == SandboxProvider.name:
        return bool(settings.PAYMENTS_SANDBOX)
    return name in PROVIDERS


def enabled_providers() -> list[str]:
    return [name for name in PROVIDERS if provider_enabled(name)]


def get_provider(name: str) -> Provider:
    if name not in PROVIDERS:
        raise NotificationRefused(f"unknown provider {name!r}")
    if not provider_enabled(name):
        raise ProviderDisabled(f"provider {name!r} is switched off")
    return PROVIDERS[name]()


__all__ = [
    "PROVIDERS",
    "GatewayError",
    "GatewayState",
    "Notification",
    "NotificationRefused",
    "Provider",
    "ProviderDisabled",
    "Started",
    "enabled_providers",
    "get_provider",
    "provider_enabled",
]
