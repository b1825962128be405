"""Office pages that are not queues or billing: the dashboard, staff, preferences, the audit log."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kabinet.office import dashboard, services
from kabinet.office.access import Office, Section, get_for_office, office_view
from kabinet.office.audit import ACTION_LABELS
from kabinet.office.forms import PreferencesForm, StaffCreateForm, StaffRoleForm
from kabinet.office.models import AuditEntry
from kabinet.users.models import User

PAGE_SIZE = 50


def errors_to_messages(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@office_view(Section.DASHBOARD)
def home(request: HttpRequest, office: Office) -> HttpResponse:
    ctx = dashboard.figures(office.organisation, now=timezone.now())
    return render(request, "office/home.html", ctx)


@office_view(Section.DASHBOARD)
def preferences(request: HttpRequest, office: Office) -> HttpResponse:
    prefs = services.staff_preferences(office.user)
    form = PreferencesForm(
        request.POST or None,
        initial={"new_requests": prefs.new_requests, "new_appeals": prefs.new_appeals},
    )
    if request.method == "POST" and form.is_valid():
        services.staff_preferences_set(user=office.user, **form.cleaned_data)
        messages.success(request, _("Настройки уведомлений сохранены."))
        return redirect("office:preferences")
    return render(request, "office/preferences.html", {"form": form})


@office_view(Section.STAFF)
def staff(request: HttpRequest, office: Office) -> HttpResponse:
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.staff_create(
                organisation=office.organisation, by=office.user, **form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("Сотрудник %(email)s добавлен; временный пароль отправлен ему на e-mail.")
                % {"email": member.email},
            )
            return redirect("office:staff")
    members = User.objects.filter(organisation=office.organisation, is_staff=True).order_by(
        "last_name", "email"
    )
    rows = [(m, StaffRoleForm(initial={"role": m.org_role}, prefix=f"m{m.pk}")) for m in members]
    return render(request, "office/staff.html", {"form": form, "rows": rows})


@require_POST
@office_view(Section.STAFF)
def staff_role(request: HttpRequest, office: Office, pk: int) -> HttpResponse:
    member = get_for_office(office, User.objects.filter(is_staff=True), pk)
    form = StaffRoleForm(request.POST, prefix=f"m{member.pk}")
    if form.is_valid():
        try:
            services.staff_set_role(office_user=office.user, member=member, role=form.cleaned_data["role"])
        except ValidationError as exc:
            errors_to_messages(request, exc)
        else:
            messages.success(request, _("Роль сотрудника %(email)s изменена.") % {"email": member.email})
    return redirect("office:staff")




def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@office_view(Section.AUDIT)
def audit(request: HttpRequest, office: Office) -> HttpResponse:
    entries = AuditEntry.objects.filter(organisation=office.organisation).order_by("-created_at", "-pk")
    action = request.GET.get("action", "")
    actor = request.GET.get("actor", "")
    if action in ACTION_LABELS:
        entries = entries.filter(action=action)
    if actor.isdigit():
        entries = entries.filter(actor_id=int(actor))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    staff_members = User.objects.filter(organisation=office.organisation, is_staff=True).order_by("last_name", "email")
    ctx: dict[str, Any] = {
        "page": page,
        "actions": ACTION_LABELS,
        "action": action,
        "actor": actor,
        "staff_members": staff_members,
        "query": _query_without_page(request),
    }
    return render(request, "office/audit.html", ctx)
