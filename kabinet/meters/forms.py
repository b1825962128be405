"""The readings form: one text field per meter zone, checked by `reading_submit`, not here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kabinet.meters.selectors import MeterRow
from kabinet.meters.services import Problem


def field_name(meter_id: int, zone: int) -> str:
    return f"m{meter_id}_{zone}"


class ReadingsForm(forms.Form):
    confirm_rollover = forms.BooleanField(label=_("Счётчик перешёл через ноль"), required=False)
    confirm_high = forms.BooleanField(label=_("Подтверждаю большой расход"), required=False)

    def __init__(self, rows: Sequence[MeterRow], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.general_errors: list[str] = []
        self.asks: set[str] = set()  # the confirmations to offer
        for row in rows:
            for zone, label in enumerate(row.zone_labels, start=1):
                self.fields[field_name(row.meter.pk, zone)] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=30,
                    widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                )
        for row in rows:
            row.fields = [self[field_name(row.meter.pk, zone)] for zone in range(1, row.meter.zones + 1)]

    def values(self) -> dict[int, list[str]]:
        """The typed values of the meters that have any, for `reading_submit`."""
        values = {}
        for row in self.rows:
            typed = [
                self.cleaned_data.get(field_name(row.meter.pk, zone)) or ""
                for zone in range(1, row.meter.zones + 1)
            ]
            if any(v.strip() for v in typed):
                values[row.meter.pk] = typed
        return values

    def add_problems(self, problems: Sequence[Problem]) -> None:
        for problem in problems:
            if problem.confirm:
                self.asks.add(problem.confirm)
            if problem.meter_id is None:
                self.general_errors.append(problem.message)
                continue
            name = field_name(problem.meter_id, problem.zone or 1)
            if name in self.fields:
                self.add_error(name, problem.message)
            else:
                self.general_errors.append(problem.message)
        # Offer a box once it was asked for, and keep it while it is ticked.
        for flag in ("rollover", "high"):
            if self.cleaned_data.get(f"confirm_{flag}"):
                self.asks.add(flag)


class ReminderForm(forms.Form):
    enabled = forms.BooleanField(
        label=_("Напоминать по e-mail, когда открывается приём показаний"), required=False
    )
