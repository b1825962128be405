"""The pay form (SPEC 2.5; seed 000 fig. 7, seed 002 fig. 20–22)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from kabinet.payments.models import ZERO
from kabinet.payments.selectors import AccountDue
from kabinet.payments.services import PayLine, rub

FIELD = re.compile(r"^(amount|penalty|service)_(\d+)(?:_(\d+))?$")
PHONE = re.compile(r"^\+?[78]?\d{10}$")


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


def normal_phone(value: str) -> str:
    digits = re.sub(r"[\s()\-]", "", value)
    if not PHONE.match(digits):
        raise forms.ValidationError("")
    digits = digits.lstrip("+")
    return "+7" + digits[-10:]


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
        value = self.cleaned_data["receipt_contact"].strip()
        if "@" in value:
            try:
                validate_email(value)
            except forms.ValidationError:
                raise forms.ValidationError(_("Проверьте e-mail: например, ivanov@mail.ru.")) from None
            return value
        try:
            return normal_phone(value)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Укажите e-mail или телефон в формате +7 900 123-45-67.")
            ) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lines: dict[int, PayLine] = {}
        prefills = {due.account.pk: due for due in self.dues}
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
        for line in lines.values():
            due = prefills.get(line.account_id)
            line.services = self._corrected_services(line, due)
        self.pay_lines = list(lines.values())
        return cleaned

    def _corrected_services(self, line: PayLine, due: AccountDue | None) -> dict[str, Decimal]:
        """The per-service split when the payer corrected it; {} when it was left as offered."""
        if due is None or not line.services:
            return {}
        by_id = {str(service.service_id): service for service in due.services}
        if any(key not in by_id for key in line.services):
            raise forms.ValidationError(_("Услуга не найдена в начислениях лицевого счёта."))
        offered = {key: service.prefill for key, service in by_id.items()}
        given = {key: line.services.get(key, ZERO) for key in by_id}
        if given == offered:
            return {}
        if sum(given.values(), ZERO) != line.amount:
            self.bad_fields.append(f"amount_{line.account_id}")
            raise forms.ValidationError(
                _(
                    "Лицевой счёт %(number)s: сумма по услугам (%(services)s ₽) не равна сумме "
                    "к оплате (%(amount)s ₽). Исправьте сумму или нажмите «Сбросить»."
                )
                % {
                    "number": due.account.number,
                    "services": rub(sum(given.values(), ZERO)),
                    "amount": rub(line.amount),
                }
            )
        return {by_id[key].code: value for key, value in given.items() if value}
