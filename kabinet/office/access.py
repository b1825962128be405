"""The one gate of the office: this member of staff, this section, this organisation's object.

Every office view is wrapped in `office_view(Section.X)`. Someone who is not staff of an
organisation (a resident, a platform administrator without one) gets 404, as for any page that
is not theirs; staff whose role does not include the section get 403; an object of another
organisation is fetched through `get_for_office` and answers 404, like a resident's stranger.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from kabinet.orgs.models import Organisation
from kabinet.users.models import User

Role = User.Role
M = TypeVar("M", bound=Model)


class Section(StrEnum):
    DASHBOARD = "dashboard"
    BILLING = "billing"  # upload, publish, exports, payments
    REQUESTS = "requests"  # requests and appeals
    NEWS = "news"
    RESIDENTS = "residents"
    STAFF = "staff"
    SETTINGS = "settings"
    AUDIT = "audit"


# SPEC 2.7: a role grants what it names, nothing else.
ROLE_SECTIONS: dict[str, frozenset[Section]] = {
    Role.ADMIN: frozenset(Section),
    Role.OPERATOR: frozenset(
        {Section.DASHBOARD, Section.REQUESTS, Section.NEWS, Section.RESIDENTS}
    ),
    Role.ACCOUNTANT: frozenset({Section.DASHBOARD, Section.BILLING}),
}

SECTION_LABELS = {
    Section.DASHBOARD: _("Сводка"),
    Section.BILLING: _("Биллинг"),
    Section.REQUESTS: _("Заявки и обращения"),
    Section.NEWS: _("Новости"),
    Section.RESIDENTS: _("Абоненты"),
    Section.STAFF: _("Сотрудники"),
    Section.SETTINGS: _("Настройки организации"),
    Section.AUDIT: _("Журнал действий"),
}


@dataclass(frozen=True)
class Office:
    """Who is working and for which organisation."""

    user: User
    organisation: Organisation
    role: str

    def can(self, section: Section) -> bool:
        return section in ROLE_SECTIONS.get(self.role, frozenset())


def office_for(user: Any) -> Office | None:
    """The office of a signed-in member of staff with an organisation and a role; else None."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return None
    if user.organisation_id is None or user.org_role not in ROLE_SECTIONS:
        return None
    return Office(user=user, organisation=user.organisation, role=user.org_role)


def office_view(section: Section) -> Callable[..., Callable[..., HttpResponse]]:
    """Wrap a view `view(request, office, ...)` that belongs to `section`."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            office = office_for(request.user)
            if office is None:
                raise Http404("Страница не найдена")
            if not office.can(section):
                raise PermissionDenied(_("Этот раздел недоступен вашей роли."))
            request.office = office  # type: ignore[attr-defined]  # the menu reads it
            return view(request, office, *args, **kwargs)

        wrapper.office_section = section  # type: ignore[attr-defined]  # read by the URL walk tests
        return wrapper

    return decorate


def get_for_office(
    office: Office, queryset: QuerySet[M], pk: Any, org_path: str = "organisation"
) -> M:
    """The object if it belongs to the office's organisation; Http404 otherwise."""
    try:
        return queryset.get(pk=int(pk), **{org_path: office.organisation})
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("Объект не найден") from None
