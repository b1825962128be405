"""Operator side of requests and appeals: queues, status changes, comments and answers.

Requests change status only through `services.request_transition`, from the change form (a new
status with a reason) or from the list actions; the admin never writes `status` itself.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from kabinet.helpdesk import services
from kabinet.helpdesk.models import (
    Appeal,
    AppealMessage,
    Attachment,
    RequestComment,
    RequestStatusChange,
    RequestType,
    ServiceRequest,
)
from kabinet.orgs.admin_scoping import OrgScopedAdmin

Status = ServiceRequest.Status


@admin.register(RequestType)
class RequestTypeAdmin(OrgScopedAdmin):
    list_display = ("name", "is_paid", "price", "is_active", "position")
    list_filter = ("is_paid", "is_active")
    list_select_related = ()
    search_fields = ("name",)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        # The operator edits the default catalogue, which exists once someone looks at it.
        organisation = getattr(request.user, "organisation", None)
        if organisation is not None:
            services.request_types_ensure(organisation=organisation)
        return super().changelist_view(request, extra_context)


def _skip_read_only_formsets(formsets: Any) -> None:
    """The inlines are read-only and the services write everything, so nothing is saved; but the
    admin's change message reads what `formset.save()` would have set, so say «nothing»."""
    for formset in formsets:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatusChangeInline(ReadOnlyInline):
    model = RequestStatusChange
    fields = ("created_at", "from_status", "to_status", "by", "reason")
    readonly_fields = fields


class RequestCommentInline(ReadOnlyInline):
    model = RequestComment
    fields = ("created_at", "author", "by_operator", "text")
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("link", "content_type", "size")
    readonly_fields = fields

    @admin.display(description=_("файл"))
    def link(self, obj: Attachment) -> str:
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("helpdesk_attachment", args=[obj.pk]),
            obj.name,
        )


class ServiceRequestForm(forms.ModelForm):
    new_status = forms.ChoiceField(label=_("Новый статус"), required=False)
    reason_text = forms.CharField(
        label=_("Причина"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Обязательна при отмене сотрудником; уйдёт заявителю в письме."),
    )
    comment = forms.CharField(
        label=_("Комментарий заявителю"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    operator: Any = None

    class Meta:
        model = ServiceRequest
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = services.TRANSITIONS[Status(self.instance.status)] - services.RESIDENT_TRANSITIONS
        field = self.fields["new_status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— не менять —"))] + [
            (value, label) for value, label in Status.choices if value in allowed
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_status"):
            try:
                services.check_transition(
                    request=self.instance,
                    to=data["new_status"],
                    by=self.operator,
                    reason=data.get("reason_text", ""),
                )
            except ValidationError as exc:
                self.add_error("new_status", exc)
        return data


@admin.register(ServiceRequest)
class ServiceRequestAdmin(OrgScopedAdmin):
    org_path = "account__organisation"
    form = ServiceRequestForm
    list_display = ("pk", "created_at", "account", "type", "desired_date", "time_slot", "status")
    list_display_links = ("pk", "created_at")
    list_filter = ("status", "type", "time_slot")
    list_select_related = ("account", "type")
    search_fields = ("=id", "account__number", "reason")
    date_hierarchy = "created_at"
    readonly_fields = (
        "account",
        "author",
        "type",
        "reason",
        "desired_date",
        "time_slot",
        "status",
        "status_reason",
        "rating",
        "rating_comment",
        "created_at",
    )
    fieldsets = (
        (None, {"fields": readonly_fields}),
        (_("Обработка"), {"fields": ("new_status", "reason_text", "comment")}),
    )
    inlines = (AttachmentInline, StatusChangeInline, RequestCommentInline)
    actions = ("take_into_work", "mark_done", "mark_closed")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Residents file requests in their cabinet; the operator processes them.
        return False

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"operator": request.user})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Nothing on the request is edited directly: the services do the writing.
        data = form.cleaned_data
        if data.get("comment", "").strip():
            services.request_comment(request=obj, by=request.user, text=data["comment"])
        if data.get("new_status"):
            try:
                services.request_transition(
                    request=obj, to=data["new_status"], by=request.user, reason=data["reason_text"]
                )
            except ValidationError as exc:
                # Someone else changed it between the form and the save.
                for message in exc.messages:
                    self.message_user(request, message, messages.ERROR)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        _skip_read_only_formsets(formsets)

    def _move(self, request: HttpRequest, queryset: QuerySet[ServiceRequest], to: str) -> None:
        moved, refused = 0, []
        for item in queryset.select_related("account"):
            try:
                services.request_transition(request=item, to=to, by=request.user)
            except ValidationError as exc:
                refused.append(f"№ {item.pk}: {' '.join(exc.messages)}")
            else:
                moved += 1
        if moved:
            self.message_user(
                request,
                _("Статус «%(status)s» у заявок: %(count)d.")
                % {"status": Status(to).label, "count": moved},
                messages.SUCCESS,
            )
        for line in refused:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=_("Взять в работу"), permissions=["change"])
    def take_into_work(self, request: HttpRequest, queryset: QuerySet[ServiceRequest]) -> None:
        self._move(request, queryset, Status.IN_WORK)

    @admin.action(description=_("Отметить выполненными"), permissions=["change"])
    def mark_done(self, request: HttpRequest, queryset: QuerySet[ServiceRequest]) -> None:
        self._move(request, queryset, Status.DONE)

    @admin.action(description=_("Закрыть"), permissions=["change"])
    def mark_closed(self, request: HttpRequest, queryset: QuerySet[ServiceRequest]) -> None:
        self._move(request, queryset, Status.CLOSED)


class AppealMessageInline(ReadOnlyInline):
    model = AppealMessage
    fields = ("created_at", "author", "by_operator", "text")
    readonly_fields = fields


class AppealForm(forms.ModelForm):
    answer = forms.CharField(
        label=_("Ответ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Уйдёт в ленту обращения и на контакт для ответа."),
    )
    close = forms.BooleanField(label=_("Закрыть обращение"), required=False)

    class Meta:
        model = Appeal
        fields: list[str] = []


@admin.register(Appeal)
class AppealAdmin(OrgScopedAdmin):
    org_path = "account__organisation"
    form = AppealForm
    list_display = ("pk", "created_at", "account", "topic", "contact", "status")
    list_display_links = ("pk", "created_at")
    list_filter = ("status", "topic")
    list_select_related = ("account",)
    search_fields = ("=id", "account__number", "text", "contact")
    date_hierarchy = "created_at"
    readonly_fields = ("account", "author", "topic", "text", "contact", "status", "created_at")
    fieldsets = (
        (None, {"fields": readonly_fields}),
        (_("Ответ"), {"fields": ("answer", "close")}),
    )
    inlines = (AttachmentInline, AppealMessageInline)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if data.get("answer", "").strip():
                services.appeal_reply(appeal=obj, by=request.user, text=data["answer"])
            if data.get("close"):
                services.appeal_close(appeal=obj, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(request, message, messages.ERROR)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        _skip_read_only_formsets(formsets)
