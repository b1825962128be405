from django.contrib import admin

from kabinet.lib.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """For the platform administrator only: the payload holds addresses and texts."""

    list_display = ("pk", "kind", "status", "attempts", "last_error", "next_attempt_at", "created_at")
    list_filter = ("kind", "status")
    fields = ("kind", "status", "attempts", "last_error", "next_attempt_at", "created_at", "sent_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_module_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.user.is_superuser)
