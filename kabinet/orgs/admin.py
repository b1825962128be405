from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kabinet.orgs.admin_scoping import OrgScopedAdmin, is_platform_admin
from kabinet.orgs.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(OrgScopedAdmin):
    """Operators edit their own organisation; only platform administrators create or delete."""

    org_path = "pk"
    list_display = ("name", "short_name", "kind", "inn", "code")
    list_filter = ("kind",)
    search_fields = ("name", "short_name", "inn", "code")
    fieldsets = (
        (
            _("Реквизиты"),
            {
                "fields": (
                    "code",
                    "name",
                    "short_name",
                    "kind",
                    ("inn", "kpp"),
                    "bank_name",
                    "bik",
                    ("account", "corr_account"),
                )
            },
        ),
        (
            _("Контакты"),
            {
                "fields": (
                    "address",
                    ("phone", "complaint_phone"),
                    "email",
                    "website",
                    "office_hours",
                    "banner",
                )
            },
        ),
        (
            _("Платёжный агент (расчётный центр)"),
            {
                "classes": ("collapse",),
                "fields": (
                    "agent_name",
                    ("agent_inn", "agent_kpp"),
                    "agent_bank_name",
                    "agent_bik",
                    ("agent_account", "agent_corr_account"),
                    "agent_contacts",
                ),
            },
        ),
        (
            _("Приём показаний"),
            {
                "fields": (
                    ("reading_first_day", "reading_last_day"),
                    "reading_closes_at",
                    "timezone",
                )
            },
        ),
        (
            _("Оплата"),
            {
                "fields": (
                    "payment_provider",
                    "min_payment",
                    "payment_commission_percent",
                    "payment_due_day",
                    "penalty_count_payment_day",
                )
            },
        ),
        (
            _("Регистрация и лимиты"),
            {
                "fields": (
                    "signup_by_email",
                    "signup_by_phone",
                    "signup_legal",
                    "max_accounts_per_user",
                    "keep_one_account",
                    "binding_secret",
                    "created_at",
                )
            },
        ),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = (*super().get_readonly_fields(request, obj), "created_at")
        if not is_platform_admin(request):
            # The code identifies the organisation across the platform.
            fields += ("code",)
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_platform_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_platform_admin(request)
