"""The audit log: services call `audit_record` for every change a member of staff makes.

The client IP is not a service argument: `AuditMiddleware` keeps it for the request being served
(a context variable), so the HTML view, the admin and the API record it the same way; a command or
a task has none.
"""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from axes.helpers import get_client_ip_address
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from kabinet.office.models import AuditEntry

ACTION_LABELS = {
    "request.status": _("Статус заявки"),
    "request.comment": _("Комментарий к заявке"),
    "appeal.answer": _("Ответ на обращение"),
    "appeal.close": _("Обращение закрыто"),
    "period.publish": _("Период опубликован"),
    "billing.import": _("Загрузка биллинга"),
    "staff.create": _("Новый сотрудник"),
    "staff.role": _("Роль сотрудника"),
    "org.settings": _("Настройки организации"),
    "news.save": _("Новость"),
    "link.remove": _("Отвязка лицевого счёта"),
    "readings.export": _("Выгрузка показаний"),
    "request_type.save": _("Тип заявки"),
    "invitation.resend": _("Приглашение выслано повторно"),
}


_client_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)


class AuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _client_ip.set(get_client_ip_address(request) or None)
        try:
            return self.get_response(request)
        finally:
            _client_ip.reset(token)


def is_staff_actor(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_staff or user.is_superuser))


def audit_record(
    *,
    actor: Any,
    organisation: Any,
    action: str,
    obj: Model | None = None,
    object_type: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry | None:
    """Record what a member of staff changed; a resident's own actions are not staff changes."""
    if not is_staff_actor(actor):
        return None
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor,
        actor_name=(str(actor) or actor.email)[:300],
        action=action,
        object_type=object_type or (str(obj._meta.model_name) if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        before={k: _plain(v) for k, v in (before or {}).items()},
        after={k: _plain(v) for k, v in (after or {}).items()},
        ip_address=_client_ip.get(),
    )


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)
