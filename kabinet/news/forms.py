from django import forms
from django.utils.translation import gettext_lazy as _

from kabinet.news.models import PortalVote


class VoteForm(forms.Form):
    mark = forms.TypedChoiceField(
        label=_("Оцените личный кабинет"),
        coerce=int,
        choices=PortalVote.Mark.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Выберите оценку.")},
    )


class TypoForm(forms.Form):
    fragment = forms.CharField(
        label=_("Текст с ошибкой"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    comment = forms.CharField(
        label=_("Как правильно (необязательно)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    page_url = forms.CharField(max_length=500, widget=forms.HiddenInput)
