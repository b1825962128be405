from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kabinet.helpdesk.forms import PHOTOS_HELP, MultipleFileInput, PhotosField
from kabinet.helpdesk.models import Appeal, RequestType, ServiceRequest
from kabinet.news.models import News
from kabinet.orgs.models import Organisation
from kabinet.users.forms import NoColon
from kabinet.users.models import User

Status = ServiceRequest.Status


class BillingFilesField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"})

    def clean(self, data: Any, initial: Any = None) -> list:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            raise forms.ValidationError(_("Выберите хотя бы один файл."))
        return [super(BillingFilesField, self).clean(f, initial) for f in files]


class UploadForm(NoColon, forms.Form):
    files = BillingFilesField(  # type: ignore[assignment]  # a field named like the form's attribute
        label=_("Файлы биллинга"),
        help_text=_(
            "Один или несколько файлов CSV (лицевые счета, начисления, платежи, приборы учёта, "
            "показания); вид файла определяется по строке заголовка."
        ),
    )


class ExportReadingsForm(NoColon, forms.Form):
    period = forms.RegexField(
        label=_("Месяц приёма показаний"),
        regex=r"^\d{4}-\d{2}$",
        help_text=_("В формате ГГГГ-ММ, например 2025-01."),
        error_messages={"invalid": _("Укажите месяц в формате ГГГГ-ММ.")},
    )


class ExportPaymentsForm(NoColon, forms.Form):
    date_from = forms.DateField(label=_("С даты"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("По дату"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("Дата окончания раньше даты начала."))
        return data


class RequestQueueFilter(NoColon, forms.Form):
    status = forms.ChoiceField(
        label=_("Статус"),
        required=False,
        choices=[("", _("Открытые")), ("all", _("Все"))] + list(Status.choices),
    )
    type = forms.ModelChoiceField(
        label=_("Тип заявки"), required=False, queryset=RequestType.objects.none(), empty_label=_("Все")
    )
    overdue = forms.BooleanField(label=_("Только просроченные"), required=False)
    q = forms.CharField(label=_("Лицевой счёт или № заявки"), required=False, max_length=40)

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["type"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = RequestType.objects.filter(organisation=organisation)


class AppealQueueFilter(NoColon, forms.Form):
    status = forms.ChoiceField(
        label=_("Статус"),
        required=False,
        choices=[("", _("Все"))] + list(Appeal.Status.choices),
    )
    topic = forms.ChoiceField(
        label=_("Тема"), required=False, choices=[("", _("Все"))] + list(Appeal.Topic.choices)
    )
    q = forms.CharField(label=_("Лицевой счёт или № обращения"), required=False, max_length=40)


class RequestStatusForm(NoColon, forms.Form):
    status = forms.ChoiceField(label=_("Новый статус"))
    reason = forms.CharField(
        label=_("Причина или пояснение"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Обязательна при отмене; уйдёт заявителю в письме."),
    )

    def __init__(self, *args: Any, allowed: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = allowed


class StaffCommentForm(NoColon, forms.Form):
    text = forms.CharField(
        label=_("Комментарий заявителю"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("Фото"), help_text=PHOTOS_HELP)


class AnswerForm(NoColon, forms.Form):
    text = forms.CharField(label=_("Ответ"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    photos = PhotosField(label=_("Файлы"), help_text=PHOTOS_HELP)


class StaffCreateForm(NoColon, forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    name = forms.CharField(label=_("ФИО"), required=False, max_length=300)
    role = forms.ChoiceField(label=_("Роль"), choices=User.Role.choices)


class StaffRoleForm(NoColon, forms.Form):
    role = forms.ChoiceField(
        label=_("Роль"), required=False, choices=list(User.Role.choices) + [("", _("Нет доступа"))]
    )


class PreferencesForm(NoColon, forms.Form):
    new_requests = forms.BooleanField(label=_("Письмо о каждой новой заявке"), required=False)
    new_appeals = forms.BooleanField(label=_("Письмо о каждом новом обращении"), required=False)


class NewsForm(NoColon, forms.Form):
    kind = forms.ChoiceField(label=_("Вид"), choices=News.Kind.choices)
    title = forms.CharField(label=_("Заголовок"), max_length=200)
    body = forms.CharField(label=_("Текст"), widget=forms.Textarea(attrs={"rows": 6}))
    buildings = forms.MultipleChoiceField(
        label=_("Дома"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ничего не выбрано — новость для всех абонентов организации."),
    )
    starts_at = forms.DateTimeField(
        label=_("Начало"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
    )
    ends_at = forms.DateTimeField(
        label=_("Ожидаемое окончание"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
    )
    is_published = forms.BooleanField(label=_("Опубликовать"), required=False, initial=True)

    def __init__(self, *args: Any, addresses: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["buildings"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(a, a) for a in addresses]


SETTINGS_FIELDS = (
    "name", "short_name", "inn", "kpp", "bank_name", "bik", "account", "corr_account", "address",
    "phone", "complaint_phone", "email", "website", "office_hours", "banner", "timezone",
    "reading_first_day", "reading_last_day", "reading_closes_at", "min_payment",
    "payment_commission_percent", "payment_due_day", "max_accounts_per_user", "keep_one_account",
    "payment_provider",
)


class OrganisationSettingsForm(NoColon, forms.ModelForm):
    website = forms.URLField(label=_("Сайт"), required=False, assume_scheme="https")
    gateway_shop_id = forms.CharField(
        label=_("Идентификатор магазина / терминала"), required=False, max_length=100,
        help_text=_("ЮKassa: shopId; Т-Банк: TerminalKey."),
    )
    gateway_secret = forms.CharField(
        label=_("Секретный ключ / пароль терминала"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Хранится зашифрованным и не показывается. Оставьте пустым, чтобы не менять."),
    )

    class Meta:
        model = Organisation
        fields = SETTINGS_FIELDS
        widgets = {"banner": forms.Textarea(attrs={"rows": 3}), "reading_closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class RequestTypeForm(NoColon, forms.ModelForm):
    class Meta:
        model = RequestType
        fields = ("name", "is_paid", "price", "is_active", "position", "deadline_days", "deadline_hours")
