from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kabinet.meters.models import Meter, Reading, ReadingSubmission
from kabinet.meters.services import TransitionNotAllowed, submissions_set_status
from kabinet.orgs.admin_scoping import OrgScopedAdmin

Status = ReadingSubmission.Status


@admin.register(Meter)
class MeterAdmin(OrgScopedAdmin):
    list_display = (
        "serial_number",
        "resource",
        "account",
        "service",
        "zones",
        "next_verification_on",
    )
    list_filter = ("resource", "service")
    list_select_related = ("account", "service")
    search_fields = ("serial_number", "external_id", "account__number")
    autocomplete_fields = ("account",)


@admin.register(Reading)
class ReadingAdmin(OrgScopedAdmin):
    org_path = "meter__organisation"
    operator_read_only = True
    list_display = (
        "meter",
        "meter__account",
        "reading_date",
        "value1",
        "value2",
        "value3",
        "source",
    )
    list_select_related = ("meter", "meter__account")
    search_fields = ("meter__serial_number", "meter__account__number")
    date_hierarchy = "reading_date"
    autocomplete_fields = ("meter",)


@admin.register(ReadingSubmission)
class ReadingSubmissionAdmin(OrgScopedAdmin):
    """Residents' readings. Nothing here is typed in: statuses change only by the actions."""

    org_path = "account__organisation"
    list_display = (
        "submitted_at",
        "account",
        "meter",
        "value1",
        "value2",
        "value3",
        "status",
        "is_current",
        "reject_reason",
    )
    list_filter = ("status", "period", "source")
    list_select_related = ("account", "meter")
    search_fields = ("account__number", "meter__serial_number", "meter__external_id")
    date_hierarchy = "submitted_at"
    actions = ("mark_transferred", "mark_accepted", "mark_rejected")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return tuple(f.name for f in self.model._meta.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(boolean=True, description=gettext_lazy("действующее"))
    def is_current(self, obj: ReadingSubmission) -> bool:
        return obj.is_current

    def _apply(self, request: HttpRequest, queryset: QuerySet, status: str, reason: str = "") -> None:
        try:
            changed, skipped = submissions_set_status(submissions=queryset, status=status, reason=reason)
        except TransitionNotAllowed as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        label = Status(status).label
        self.message_user(request, _("Статус «%(s)s»: %(n)s.") % {"s": label, "n": changed})
        if skipped:
            self.message_user(
                request,
                _(
                    "Не изменено: %(n)s — из их текущего статуса в «%(s)s» перейти нельзя "
                    "(порядок: Принято в систему → Передано в расчёт → Принято к начислению или Отклонено)."
                )
                % {"n": skipped, "s": label},
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Отметить «Передано в расчёт»"))
    def mark_transferred(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(request, queryset, Status.TRANSFERRED)

    @admin.action(description=gettext_lazy("Отметить «Принято к начислению»"))
    def mark_accepted(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._apply(request, queryset, Status.ACCEPTED)

    @admin.action(description=gettext_lazy("Отклонить (с причиной)"))
    def mark_rejected(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        reason = request.POST.get("reject_reason", "").strip()
        if "apply" in request.POST and reason:
            self._apply(request, queryset, Status.REJECTED, reason)
            return None
        # The first click asks for the reason; the resident will see it.
        return TemplateResponse(
            request,
            "admin/meters/reject_submissions.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Отклонить показания"),
                "opts": self.model._meta,
                "submissions": queryset.select_related("account", "meter"),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "missing_reason": "apply" in request.POST,
            },
        )
