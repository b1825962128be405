from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kabinet.office.access import Section

register = template.Library()

# The office menu in order; an entry shows when the person's role includes its section.
MENU: tuple[tuple[Section, str, Promise], ...] = (
    (Section.DASHBOARD, "home", _("Сводка")),
    (Section.REQUESTS, "requests", _("Заявки")),
    (Section.REQUESTS, "appeals", _("Обращения")),
    (Section.NEWS, "news", _("Новости")),
    (Section.RESIDENTS, "residents", _("Абоненты")),
    (Section.BILLING, "imports", _("Загрузка данных биллинга")),
    (Section.BILLING, "periods", _("Периоды")),
    (Section.BILLING, "exports", _("Выгрузки")),
    (Section.STAFF, "staff", _("Сотрудники")),
    (Section.SETTINGS, "settings", _("Настройки организации")),
    (Section.SETTINGS, "request_types", _("Типы заявок")),
    (Section.AUDIT, "audit", _("Журнал действий")),
    (Section.DASHBOARD, "preferences", _("Мои уведомления")),
)


@dataclass(frozen=True)
class MenuLink:
    label: Promise
    url: str
    current: bool


@register.simple_tag(takes_context=True)
def office_menu(context: dict[str, Any]) -> list[MenuLink]:
    request = context.get("request")
    office = getattr(request, "office", None)
    if office is None:
        return []
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None else None
    links = []
    for section, name, label in MENU:
        if not office.can(section):
            continue
        try:
            url = reverse(f"office:{name}")
        except NoReverseMatch:
            continue
        links.append(MenuLink(label=label, url=url, current=name == current))
    return links


@register.filter
def percent_of(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


@register.filter
def audit_action(action: str) -> str:
    from kabinet.office.audit import ACTION_LABELS

    return str(ACTION_LABELS.get(action, action))


FIELD_LABELS = {
    "status": _("статус"),
    "reason": _("причина"),
    "comment": _("комментарий"),
    "answer": _("ответ"),
    "published": _("опубликован"),
    "files": _("файлы"),
    "result": _("результат"),
    "errors": _("ошибок"),
    "role": _("роль"),
    "email": _("e-mail"),
    "title": _("заголовок"),
    "kind": _("вид"),
    "buildings": _("дома"),
    "period": _("период"),
    "rows": _("строк"),
    "cabinet": _("кабинет"),
    "shop_id": _("идентификатор магазина"),
    "secret": _("секретный ключ"),
}


@register.filter
def audit_changes(values: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs of a before/after dict in Russian, empty values left out."""
    from kabinet.helpdesk.models import RequestType
    from kabinet.orgs.models import Organisation

    out = []
    for key, value in (values or {}).items():
        if value in ("", None, []):
            continue
        label = FIELD_LABELS.get(key)
        if label is None:
            for model in (Organisation, RequestType):
                try:
                    label = model._meta.get_field(key).verbose_name  # type: ignore[assignment,union-attr]
                    break
                except Exception:  # noqa: S112, BLE001 - not a field of this model
                    continue
        if isinstance(value, bool):
            value = _("да") if value else _("нет")
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        out.append((str(label or key), str(value)))
    return out
