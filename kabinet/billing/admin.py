from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kabinet.billing.models import (
    BillingPayment,
    Charge,
    ImportRun,
    KeyRate,
    Period,
    PersonalAccount,
    Service,
)
from kabinet.billing.services import period_publish
from kabinet.orgs.admin_scoping import OrgScopedAdmin, is_platform_admin
from kabinet.users.models import User


@admin.register(PersonalAccount)
class PersonalAccountAdmin(OrgScopedAdmin):
    list_display = ("number", "owner_name", "address", "apartment", "category", "status")
    list_filter = ("status", "category")
    list_select_related = ()
    search_fields = ("number", "owner_name", "address", "contract_number", "els")


@admin.register(Service)
class ServiceAdmin(OrgScopedAdmin):
    operator_read_only = True
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Period)
class PeriodAdmin(OrgScopedAdmin):
    """Periods come from the import; operators publish them."""

    list_display = ("month", "is_published", "published_at")
    list_filter = ("is_published",)
    list_select_related = ()
    readonly_fields = ("is_published", "published_at")
    date_hierarchy = "month"
    actions = ("publish",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += tuple(f for f in ("organisation", "month") if f not in fields)
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request) and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request) and super().has_delete_permission(request, obj)

    @admin.action(description=_("Опубликовать"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Period]) -> None:
        published = 0
        for period in queryset.filter(is_published=False):
            period_publish(period=period, user=cast(User, request.user))
            published += 1
        self.message_user(
            request,
            ngettext(
                "Опубликован %(count)d период.",
                "Опубликовано периодов: %(count)d.",
                published,
            )
            % {"count": published},
            messages.SUCCESS,
        )


@admin.register(Charge)
class ChargeAdmin(OrgScopedAdmin):
    org_path = "account__organisation"
    operator_read_only = True
    list_display = (
        "account",
        "period",
        "service",
        "kind",
        "charged",
        "recalculation",
        "paid",
        "to_pay",
    )
    list_filter = ("period", "kind", "service")
    list_select_related = ("account", "period", "service")
    search_fields = ("account__number",)
    autocomplete_fields = ("account", "service")


@admin.register(BillingPayment)
class BillingPaymentAdmin(OrgScopedAdmin):
    operator_read_only = True
    list_display = ("paid_on", "account", "amount", "channel", "external_id")
    list_filter = ("channel",)
    list_select_related = ("account",)
    search_fields = ("account__number", "external_id")
    date_hierarchy = "paid_on"
    autocomplete_fields = ("account",)


@admin.register(ImportRun)
class ImportRunAdmin(OrgScopedAdmin):
    """A record of what happened: nobody edits it."""

    list_display = ("started_at", "finished_at", "status")
    list_filter = ("status",)
    list_select_related = ()
    date_hierarchy = "started_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(KeyRate)
class KeyRateAdmin(admin.ModelAdmin):
    """Platform data: only the platform administrator changes it; operators may read it."""

    list_display = ("valid_from", "rate", "note")
    date_hierarchy = "valid_from"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request)
