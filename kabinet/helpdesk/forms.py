from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kabinet.billing.models import PersonalAccount
from kabinet.helpdesk.models import Appeal, RequestType, ServiceRequest
from kabinet.helpdesk.uploads import MAX_FILES, check_photos
from kabinet.lib.dates import validate_filter_date


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to five photos in one input; each is checked by its bytes, not its name."""

    widget = MultipleFileInput(attrs={"accept": "image/jpeg,image/png"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        files = [super(PhotosField, self).clean(f, initial) for f in files]
        check_photos(files)
        return files


PHOTOS_HELP = _("JPEG или PNG, до 5 МБ каждое, не больше %(max)d файлов.") % {"max": MAX_FILES}


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: PersonalAccount) -> str:
        parts = [obj.number, obj.address, obj.apartment and f"{_('кв.')} {obj.apartment}"]
        return ", ".join(p for p in parts if p)


class RequestTypeChoiceField(forms.ModelChoiceField):
    show_organisation = False

    def label_from_instance(self, obj: RequestType) -> str:
        label = str(obj)
        if self.show_organisation:
            return f"{obj.organisation}: {label}"
        return label


class RequestForm(forms.Form):
    account = AccountChoiceField(label=_("Лицевой счёт"), queryset=PersonalAccount.objects.none())
    type = RequestTypeChoiceField(label=_("Тип заявки"), queryset=RequestType.objects.none())
    reason = forms.CharField(
        label=_("Причина заявки"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Что случилось и что нужно сделать."),
    )
    desired_date = forms.DateField(
        label=_("Желаемая дата исполнения"), widget=forms.DateInput(attrs={"type": "date"})
    )
    time_slot = forms.ChoiceField(
        label=_("Время исполнения"), choices=ServiceRequest.TimeSlot.choices
    )
    photos = PhotosField(label=_("Фото"), help_text=PHOTOS_HELP)

    def __init__(
        self,
        *args: Any,
        accounts: QuerySet[PersonalAccount],
        types: QuerySet[RequestType],
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        account_field = self.fields["account"]
        type_field = self.fields["type"]
        assert isinstance(account_field, AccountChoiceField)
        assert isinstance(type_field, RequestTypeChoiceField)
        account_field.queryset = accounts
        type_field.queryset = types.select_related("organisation")
        type_field.show_organisation = len({a.organisation_id for a in accounts}) > 1

class RequestFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("Заявки с"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_filter_date],
    )
    date_to = forms.DateField(
        label=_("по"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_filter_date],
    )
    status = forms.MultipleChoiceField(
        label=_("Статус"),
        required=False,
        choices=ServiceRequest.Status.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Конец периода раньше начала: поменяйте даты местами."))
        return data


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Комментарий"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Оценка"),
        coerce=int,
        choices=[(5, _("5 — отлично")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 — плохо"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Отзыв"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AppealForm(forms.Form):
    account = AccountChoiceField(label=_("Лицевой счёт"), queryset=PersonalAccount.objects.none())
    topic = forms.ChoiceField(label=_("Тема"), choices=Appeal.Topic.choices)
    text = forms.CharField(
        label=_("Вопрос или пожелание"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6})
    )
    contact = forms.CharField(
        label=_("Контакт для ответа"),
        max_length=200,
        help_text=_("E-mail или телефон, по которому с вами свяжутся."),
    )
    photos = PhotosField(label=_("Вложения"), help_text=PHOTOS_HELP)

    def __init__(self, *args: Any, accounts: QuerySet[PersonalAccount], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["account"]
        assert isinstance(field, AccountChoiceField)
        field.queryset = accounts


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Сообщение"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
