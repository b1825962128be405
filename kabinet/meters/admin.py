from django.contrib import admin

from kabinet.meters.models import Meter, Reading
from kabinet.orgs.admin_scoping import OrgScopedAdmin


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
