from django import forms
from django.utils.translation import gettext_lazy as _

from kabinet.api.models import Scope


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Название ключа"),
        max_length=100,
        help_text=_("Например, «Home Assistant» или «Шлюз счётчиков»."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Права"),
        choices=Scope.choices,
        initial=[Scope.READ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Выберите хотя бы одно право.")},
    )
    expires_on = forms.DateField(
        label=_("Действует до (необязательно)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Пусто — бессрочно, пока вы не отзовёте ключ."),
    )
