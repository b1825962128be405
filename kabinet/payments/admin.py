from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kabinet.orgs.admin_scoping import OrgScopedAdmin
from kabinet.payments.models import GatewayAccount, Payment, PaymentAllocation


class GatewayAccountForm(forms.ModelForm):
    class Meta:
        model = GatewayAccount
        fields = ["organisation", "shop_id", "secret"]
        # The secret is never shown back; an empty field on change keeps the stored one.
        widgets = {"secret": forms.PasswordInput(render_value=False)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["secret"].required = False
            self.fields["secret"].help_text = _("Оставьте пустым, чтобы не менять.")

    def clean_secret(self) -> str:
        secret = self.cleaned_data.get("secret", "")
        if not secret and self.instance.pk:
            return self.instance.secret
        return secret


@admin.register(GatewayAccount)
class GatewayAccountAdmin(OrgScopedAdmin):
    form = GatewayAccountForm
    list_display = ["organisation", "shop_id", "updated_at"]


class PaymentAllocationInline(admin.TabularInline):
    model = PaymentAllocation
    extra = 0
    can_delete = False
    fields = ("account", "amount", "penalty", "services", "billing_payment", "refund_payment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(OrgScopedAdmin):
    # Payments change only through the gateways' notifications and the reconciliation job.
    list_display = ["__str__", "status", "provider", "is_test", "created_at", "paid_at"]
    list_filter = ["status", "provider", "is_test"]
    search_fields = ["provider_payment_id", "uid"]
    date_hierarchy = "created_at"
    inlines = [PaymentAllocationInline]
    readonly_fields = [
        "uid",
        "organisation",
        "user",
        "provider",
        "is_test",
        "status",
        "amount",
        "commission",
        "total",
        "currency",
        "receipt_contact",
        "receipt_sent_to",
        "provider_payment_id",
        "confirmation_url",
        "failure_reason",
        "created_at",
        "updated_at",
        "paid_at",
        "refunded_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
