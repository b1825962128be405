from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kabinet.orgs.admin_scoping import OrgScopedAdmin, is_platform_admin
from kabinet.users import services
from kabinet.users.models import Consent, User


@admin.register(User)
class UserAdmin(OrgScopedAdmin, auth_admin.UserAdmin):
    """Platform administrators manage everyone; an organisation's staff manage its staff only.

    Residents have no organisation, so operators do not see them here.
    """

    org_path = "organisation"
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Личные данные"),
            {"fields": ("kind", "last_name", "first_name", "middle_name", "email", "phone", "inn")},
        ),
        (_("Организация"), {"fields": ("organisation", "org_role")}),
        (
            _("Права доступа"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "must_change_password",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        (_("Важные даты"), {"fields": ("last_login", "date_joined")}),
        (_("Согласия"), {"fields": ("consents_summary",)}),
    )
    readonly_fields = ("consents_summary",)
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (
            _("Организация"),
            {"fields": ("organisation", "org_role", "is_staff", "must_change_password")},
        ),
    )
    list_display = (
        "username",
        "last_name",
        "first_name",
        "email",
        "organisation",
        "org_role",
        "is_staff",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "org_role", "kind", "groups")
    list_select_related = ("organisation",)
    search_fields = ("username", "last_name", "first_name", "email", "phone", "inn")
    actions = ("send_temporary_password",)

    @admin.action(description=_("Выслать временный пароль на e-mail"))
    def send_temporary_password(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Seed 000: the operator opens the cabinet, the person gets a temporary password and
        must change it at the first sign-in."""
        sent = 0
        for user in queryset:
            try:
                services.user_send_temporary_password(user=user)
            except ValidationError as error:
                self.message_user(request, f"{user}: {error.messages[0]}", messages.ERROR)
            else:
                sent += 1
        if sent:
            self.message_user(request, _("Временных паролей отправлено: %d") % sent)

    @admin.display(description=_("Согласия"))
    def consents_summary(self, obj: User) -> str:
        rows = [
            f"{c.get_kind_display()}, {_('версия')} {c.text_version}, {c.accepted_at:%d.%m.%Y %H:%M}, "
            f"IP {c.ip_address or '—'}"
            for c in Consent.objects.filter(user=obj).order_by("accepted_at")
        ]
        return "; ".join(rows) or "—"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if not is_platform_admin(request):
            # A platform administrator attached to an organisation is still not theirs to edit.
            queryset = queryset.exclude(is_superuser=True)
        return queryset

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if not is_platform_admin(request):
            fields += ("is_superuser", "user_permissions")
        return fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not is_platform_admin(request):
            # Nobody hands out more than they hold.
            kwargs["queryset"] = request.user.groups.all()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The form offers only the editor's own groups; keep the others the user already has.
        kept = []
        if change and not is_platform_admin(request):
            kept = list(form.instance.groups.exclude(pk__in=request.user.groups.values("pk")))
        super().save_related(request, form, formsets, change)
        if kept:
            form.instance.groups.add(*kept)
