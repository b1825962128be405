from django.contrib import admin

from kabinet.accounts.models import AccountLink, Invitation
from kabinet.orgs.admin_scoping import OrgScopedAdmin


@admin.register(AccountLink)
class AccountLinkAdmin(OrgScopedAdmin):
    """Who holds which account; operators look, residents bind and share in the cabinet."""

    org_path = "account__organisation"
    operator_read_only = True
    list_display = ("account", "user", "role", "epd_by_email", "created_at")
    list_filter = ("role", "epd_by_email")
    list_select_related = ("account", "user")
    search_fields = ("account__number", "user__email")


@admin.register(Invitation)
class InvitationAdmin(OrgScopedAdmin):
    org_path = "account__organisation"
    operator_read_only = True
    list_display = ("account", "email", "invited_by", "created_at", "accepted_at", "revoked_at")
    list_select_related = ("account", "invited_by")
    search_fields = ("account__number", "email")
    exclude = ("token",)
