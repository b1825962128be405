"""Serializers only parse requests and shape answers; every rule is in the services they feed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kabinet.helpdesk.models import ServiceRequest


def plain(value: Decimal | None) -> str | None:
    """Decimal('6.930000') → '6.93' (a quantity as people write it, with a point)."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@extend_schema_field({"type": "string", "nullable": True, "example": "6.93"})
class QuantityField(serializers.Field):
    def to_representation(self, value: Decimal | None) -> str | None:
        return plain(value)


def money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Стабильный код ошибки, например window_closed.")
    detail = serializers.CharField(help_text="Объяснение по-русски.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Сообщения по полям запроса.",
    )


class OrganisationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    inn = serializers.CharField()


class AccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    organisation = OrganisationBriefSerializer()
    address = serializers.CharField()
    apartment = serializers.CharField()
    role = serializers.ChoiceField(choices=["holder", "member"])
    balance = money()
    due = money()
    penalty_due = money()
    period = serializers.CharField(
        allow_null=True, help_text="Последний опубликованный период, YYYY-MM."
    )


class ChargeLineSerializer(serializers.Serializer):
    service_code = serializers.CharField(source="service.code")
    service_name = serializers.CharField(source="service.name")
    kind = serializers.ChoiceField(choices=["service", "penalty"])
    unit = serializers.CharField()
    norm = QuantityField()
    tariff = QuantityField()
    volume = QuantityField()
    volume_basis = serializers.CharField()
    debt_start = money()
    charged = money()
    recalculation = money()
    recalculation_reason = serializers.CharField()
    privilege = money()
    paid = money()
    to_pay = money()


class ChargeTotalsSerializer(serializers.Serializer):
    debt_start = money()
    charged = money()
    recalculation = money()
    privilege = money()
    paid = money()
    to_pay = money()
    penalty_to_pay = money()
    total_to_pay = money()


class ChargePeriodSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM")
    lines = ChargeLineSerializer(many=True)
    totals = ChargeTotalsSerializer()


class ReadingSerializer(serializers.Serializer):
    id = serializers.CharField(
        source="key",
        help_text="«s…» — показание, переданное жителем; «b…» — показание из биллинга.",
    )
    meter = serializers.IntegerField(source="meter.pk")
    reading_date = serializers.DateField()
    values = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=["accepted", "sent", "charged", "rejected"])
    status_label = serializers.CharField()
    reason = serializers.CharField(source="reject_reason")
    source = serializers.ChoiceField(
        choices=["resident_web", "resident_api", "billing", "estimated"]
    )
    submitted_at = serializers.DateTimeField(allow_null=True)
    replaced = serializers.BooleanField(help_text="Заменено более поздним показанием того же окна.")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_values(self, entry: Any) -> list[str]:
        return [plain(value) or "" for value in entry.values]


class WindowSerializer(serializers.Serializer):
    open = serializers.BooleanField(source="is_open")
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()


class MeterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account = serializers.IntegerField(source="account_id")
    service_code = serializers.SerializerMethodField()
    resource = serializers.CharField()
    serial_number = serializers.CharField()
    zones = serializers.IntegerField()
    digits = serializers.IntegerField()
    decimals = serializers.IntegerField()
    unit = serializers.CharField()
    next_verification_on = serializers.DateField(allow_null=True)
    last_reading = serializers.SerializerMethodField()
    window = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_service_code(self, meter: Any) -> str | None:
        return meter.service.code if meter.service_id else None

    @extend_schema_field(ReadingSerializer(allow_null=True))
    def get_last_reading(self, meter: Any) -> dict | None:
        entry = self.context["last"].get(meter.pk)
        return ReadingSerializer(entry).data if entry else None

    @extend_schema_field(WindowSerializer)
    def get_window(self, meter: Any) -> dict:
        return dict(WindowSerializer(self.context["windows"][meter.account.organisation_id]).data)


class ReadingSubmitSerializer(serializers.Serializer):
    meter = serializers.IntegerField()
    values = serializers.ListField(
        child=serializers.CharField(max_length=30, allow_blank=True),
        min_length=1,
        max_length=3,
        help_text="Показания по зонам, строками: [\"123.4\"] или [\"1000.5\", \"400.2\"].",
    )
    confirm = serializers.BooleanField(
        default=False,
        help_text="true — подтвердить переход через ноль или большой расход (после needs_confirmation).",
    )


class PaymentLineSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    penalty = serializers.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))


class PaymentCreateSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    lines = PaymentLineSerializer(many=True, min_length=1, max_length=50)  # type: ignore[call-arg]
    receipt_contact = serializers.CharField(max_length=254)


class PaymentAllocationSerializer(serializers.Serializer):
    account = serializers.IntegerField(source="account_id")
    amount = money()
    penalty = money()


class PaymentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uid")
    number = serializers.CharField()
    organisation = serializers.IntegerField(source="organisation_id")
    status = serializers.ChoiceField(choices=["created", "pending", "succeeded", "canceled", "failed", "refunded"])
    amount = money()
    commission = money()
    total = money()
    confirmation_url = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    lines = PaymentAllocationSerializer(source="allocations.all", many=True)


class RequestTypeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.IntegerField(source="organisation_id")
    name = serializers.CharField()
    is_paid = serializers.BooleanField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)


class ServiceRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    account = serializers.IntegerField(source="account_id")
    type = RequestTypeSerializer()
    reason = serializers.CharField()
    desired_date = serializers.DateField()
    time_slot = serializers.ChoiceField(choices=ServiceRequest.TimeSlot.values)
    status = serializers.ChoiceField(choices=ServiceRequest.Status.values)
    status_label = serializers.CharField(source="get_status_display")
    status_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class ServiceRequestCreateSerializer(serializers.Serializer):
    account = serializers.IntegerField()
    type = serializers.IntegerField()
    reason = serializers.CharField(max_length=2000)
    desired_date = serializers.DateField()
    time_slot = serializers.ChoiceField(choices=ServiceRequest.TimeSlot.values)


class NewsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.IntegerField(source="organisation_id")
    title = serializers.CharField()
    body = serializers.CharField()
    address_prefix = serializers.CharField(help_text="Пусто — для всех абонентов организации.")
    published_at = serializers.DateTimeField()
