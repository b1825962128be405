"""Creating and changing organisations."""

from typing import Any

from django.db import transaction

from kabinet.orgs.models import Organisation


def organisation_create(*, code: str, name: str, inn: str, **fields: Any) -> Organisation:
    """Create an organisation after checking every field; ValidationError lists what is wrong."""
    organisation = Organisation(code=code, name=name, inn=inn, **fields)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save()
    return organisation


# --- the office's «Настройки организации» (kabinet/office) --------------------------------------

SECRET_MASK = "••••••"  # noqa: S105 - what the log shows instead of a secret


def organisation_settings_update(
    *,
    office_user: Any,
    organisation: Organisation,
    changes: dict[str, Any],
    gateway_shop_id: str = "",
    gateway_secret: str = "",
) -> Organisation:
    """Change the organisation's settings after checking every field; the payment gateway secret
    is replaced only when a new one is given, is stored encrypted and never appears in the log."""
    from kabinet.office.audit import audit_record
    from kabinet.payments.models import GatewayAccount

    editable = {f.name for f in Organisation._meta.get_fields()} - {"id", "code", "created_at"}
    unknown = set(changes) - editable
    if unknown:
        raise ValueError(f"not settings: {sorted(unknown)}")
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = {name: getattr(locked, name) for name in changes}
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        changed = {k: v for k, v in changes.items() if before[k] != v}
        account = GatewayAccount.objects.filter(organisation=locked).first()
        gateway_before: dict[str, Any] = {}
        gateway_after: dict[str, Any] = {}
        if gateway_shop_id or gateway_secret:
            if account is None:
                if not (gateway_shop_id and gateway_secret):
                    from django.core.exceptions import ValidationError
                    from django.utils.translation import gettext as _

                    raise ValidationError(
                        _("Для платёжного шлюза укажите идентификатор магазина и секретный ключ.")
                    )
                account = GatewayAccount(organisation=locked)
            if gateway_shop_id and gateway_shop_id != account.shop_id:
                gateway_before["shop_id"], gateway_after["shop_id"] = account.shop_id, gateway_shop_id
                account.shop_id = gateway_shop_id
            if gateway_secret:
                gateway_before["secret"], gateway_after["secret"] = SECRET_MASK, _changed_secret()
                account.secret = gateway_secret
            account.save()
        if changed or gateway_after:
            audit_record(
                actor=office_user,
                organisation=locked,
                action="org.settings",
                obj=locked,
                before={k: before[k] for k in changed} | gateway_before,
                after=changed | gateway_after,
            )
    return locked


def _changed_secret() -> str:
    from django.utils.translation import gettext as _

    return _("изменён")
