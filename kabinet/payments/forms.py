"""The pay form (SPEC 2.5; seed 000 fig. 7, seed 002 fig. 20–22)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kabinet.payments.models import ZERO
from kabinet.payments.selectors import AccountDue
from kabinet.payments.services import PayLine, receipt_contact_normal

FIELD = re.compile(r"^(amount|penalty|service)_(\d+)(?:_(\d+))?$")


def parse_money(raw: str) -> Decimal:
    """'1 234,50' → Decimal('1234.50'); ValueError for anything that is not a sum of money."""
    text = raw.replace("\u00a0", "").replace(" ", "").replace(",", ".").strip()
    if text == "":
        return ZERO
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite() or abs(value) >= Decimal("1e10"):
        raise ValueError(raw)
    return value


class PayForm(forms.Form):
    confirm_total = forms.BooleanField(
        label=_("Итоговая сумма верна"),
        error_messages={"required": _("Проверьте суммы и отметьте «Итоговая сумма верна».")},
    )
    accept_terms = forms.BooleanField(
        label=_("Я принимаю условия оферты, политику конфиденциальности и политику возврата платежей"),
        error_messages={"required": _("Чтобы оплатить, примите условия оферты и политики.")},
    )
    receipt_contact = forms.CharField(
        label=_("E-mail или телефон для кассового чека"),
        max_length=254,
        help_text=_("По закону 54-ФЗ чек об оплате придёт на этот адрес или номер."),
        error_messages={"required": _("Укажите e-mail или телефон: на него придёт кассовый чек.")},
    )

    def __init__(self, *args: Any, dues: list[AccountDue], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dues = dues
        self.pay_lines: list[PayLine] = []
        # The amount inputs the non-field errors are about, so the page can mark and link them.
        self.bad_fields: list[str] = []

    def clean_receipt_contact(self) -> str:
        # The rule is the service's, so the pay page and the API cannot drift apart.
        return receipt_contact_normal(self.cleaned_data["receipt_contact"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lines: dict[int, PayLine] = {}
        bad = False
        # Every posted amount field counts, not only those we rendered: an account that is not
        # the payer's must be refused by the service, never silently dropped.
        for name, raw in self.data.items():
            match = FIELD.match(name)
            if not match:
                continue
            kind, account_id = match.group(1), int(match.group(2))
            try:
                value = parse_money(str(raw))
            except ValueError:
                bad = True
                self.bad_fields.append(name)
                continue
            line = lines.setdefault(account_id, PayLine(account_id))
            if kind == "amount":
                line.amount = value
            elif kind == "penalty":
                line.penalty = value
            elif match.group(3):
                line.services[match.group(3)] = value
        if bad:
            raise forms.ValidationError(
                _("Суммы вводятся цифрами, копейки — через запятую: например, 1250,50.")
            )
        self.pay_lines = list(lines.values())
        return cleaned
