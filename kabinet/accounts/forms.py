import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from kabinet.billing.models import Period
from kabinet.lib.dates import validate_filter_date


class BindForm(forms.Form):
    number = forms.CharField(label=_("Лицевой счет"), max_length=30)
    surname = forms.CharField(label=_("Фамилия"), max_length=100, required=False)
    apartment = forms.CharField(
        label=_("Номер квартиры"),
        max_length=20,
        required=False,
        help_text=_("Если в квитанции нет квартиры (частный дом), оставьте поле пустым."),
    )
    inn = forms.CharField(label=_("ИНН"), max_length=12, required=False)
    secret = forms.CharField(
        label=_("Сумма к оплате или код из квитанции"),
        max_length=30,
        help_text=_(
            "«Сумма к оплате» из последней квитанции, до копеек, например 1234,56. Если к оплате "
            "ноль или переплата — сумма «Начислено» за тот же месяц. Если на квитанции напечатан "
            "код для привязки к личному кабинету, введите этот код."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, legal: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.legal = legal
        if legal:
            del self.fields["surname"]
            del self.fields["apartment"]
            self.fields["inn"].required = True
        else:
            del self.fields["inn"]
            self.fields["surname"].required = True
            self.fields["surname"].help_text = _("Фамилия владельца, как в квитанции.")
        self.fields["number"].help_text = _("Номер из квитанции, без пробелов.")
        self.order_fields(["number", "surname", "apartment", "inn", "secret"])


class FindForm(forms.Form):
    address = forms.CharField(
        label=_("Адрес"),
        max_length=400,
        help_text=_("Как в квитанции, например: г. Новосибирск, ул. Ленина, д. 1"),
    )
    apartment = forms.CharField(label=_("Номер квартиры"), max_length=20, required=False)
    surname = forms.CharField(label=_("Фамилия владельца"), max_length=100)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail члена семьи"))


class SubscriptionForm(forms.Form):
    epd_by_email = forms.BooleanField(
        label=_("Получать платёжный документ по e-mail каждый месяц"), required=False
    )


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m")
        return value


class MonthField(forms.DateField):
    widget = MonthInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        try:
            return Period.parse(str(value).strip())
        except ValueError:
            raise forms.ValidationError(_("Укажите месяц в формате ГГГГ-ММ.")) from None


class RangeForm(forms.Form):
    """A range of months («с», «по»); either end may be left open."""

    since = MonthField(label=_("С месяца"), required=False, validators=[validate_filter_date])
    until = MonthField(label=_("По месяц"), required=False, validators=[validate_filter_date])

    def clean(self):
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("Начало периода позже конца: поменяйте их местами."))
        return data


class DateRangeForm(forms.Form):
    since = forms.DateField(
        label=_("С"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_filter_date],
    )
    until = forms.DateField(
        label=_("По"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_filter_date],
    )

    def clean(self):
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(_("Начальная дата позже конечной: поменяйте их местами."))
        return data
