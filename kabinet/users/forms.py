"""Forms of sign-up, sign-in and the profile. Labels are the ones the seed manuals use."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kabinet.lib import ratelimit
from kabinet.lib.ratelimit import client_ip
from kabinet.orgs.validators import is_valid_inn
from kabinet.users import consents, signin
from kabinet.users.identity import normalize_email, normalize_phone
from kabinet.users.models import User
from kabinet.users.services import SignupData, contact_taken

# Not translated: Django's own catalogue turns a translatable "Email" into «Адрес электронной
# почты», and the manuals (and every person) call the field «Email».
EMAIL_LABEL = "Email"
PHONE_HELP = _("Мобильный номер, например +7 913 123-45-67")
TAKEN = {
    "email": _("Кабинет с этим e-mail уже есть. Войдите или восстановите пароль."),
    "phone": _("Кабинет с этим номером телефона уже есть. Войдите или восстановите пароль."),
    "inn": _("Кабинет с этим ИНН уже есть. Войдите или восстановите пароль."),
}


class NoColon:
    """Labels as in the manuals: «Пароль», not «Пароль:»."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]


class EmailField(forms.EmailField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", EMAIL_LABEL)
        kwargs.setdefault("widget", forms.EmailInput(attrs={"autocomplete": "email"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return normalize_email(super().clean(value))


class PhoneField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Телефон"))
        kwargs.setdefault("help_text", PHONE_HELP)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})
        )
        super().__init__(max_length=20, **kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return ""
        phone = normalize_phone(value)
        if phone is None:
            raise forms.ValidationError(
                _("Введите российский мобильный номер из 10 цифр, например +7 913 123-45-67.")
            )
        return phone


class CodeField(forms.CharField):
    def __init__(self, digits: int = 6, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Код подтверждения"))
        attrs = {"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        super().__init__(max_length=digits, widget=forms.TextInput(attrs=attrs), **kwargs)


class NewPasswordMixin(NoColon, forms.Form):
    """«Пароль» twice, checked against the rules of SPEC 2.1 (AUTH_PASSWORD_VALIDATORS)."""

    password1 = forms.CharField(
        label=_("Пароль"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Не короче 8 символов; не из одних цифр и не похожий на e-mail или телефон."),
    )
    password2 = forms.CharField(
        label=_("Подтверждение пароля"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def password_user(self) -> User | None:
        return None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error(
                "password2", _("Пароли не совпадают. Введите один и тот же пароль дважды.")
            )
        elif password1:
            try:
                password_validation.validate_password(password1, self.password_user())
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignupForm(NewPasswordMixin):
    kind = User.Kind.INDIVIDUAL

    def contacts(self) -> SignupData:
        data = self.cleaned_data
        return SignupData(
            kind=self.kind,
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            inn=data.get("inn", ""),
        )

    def password_user(self) -> User:
        contacts = self.contacts()
        return User(email=contacts.email, phone=contacts.phone, inn=contacts.inn)

    # No «this e-mail is taken» here: the form would tell anyone who has a cabinet.
    # services.signup_start answers alike and tells only the owner of the address.


class EmailSignupForm(SignupForm):
    email = EmailField()
    field_order = ["email", "password1", "password2"]


class PhoneSignupForm(SignupForm):
    phone = PhoneField()
    field_order = ["phone", "password1", "password2"]


class LegalSignupForm(SignupForm):
    kind = User.Kind.LEGAL
    inn = forms.CharField(
        label=_("ИНН"),
        max_length=12,
        help_text=_("10 цифр для организации, 12 — для индивидуального предпринимателя"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    email = EmailField()
    field_order = ["inn", "email", "password1", "password2"]

    def clean_inn(self) -> str:
        inn = self.cleaned_data["inn"].strip()
        if not is_valid_inn(inn):
            raise forms.ValidationError(
                _("Проверьте ИНН: нужно 10 или 12 цифр, контрольная сумма не сходится.")
            )
        return inn


class SignupConfirmForm(NoColon, forms.Form):
    code = CodeField()
    accept_rules = forms.BooleanField(
        label=consents.ACCESS_RULES_LABEL,
        error_messages={"required": _("Чтобы продолжить, согласитесь с правилами.")},
    )
    accept_personal_data = forms.BooleanField(
        label=consents.PERSONAL_DATA_LABEL,
        error_messages={
            "required": _("Без согласия на обработку персональных данных кабинет не создать.")
        },
    )

    def __init__(self, *args: Any, digits: int = 6, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"] = CodeField(digits=digits)
        self.order_fields(["code", "accept_rules", "accept_personal_data"])


class CodeForm(NoColon, forms.Form):
    def __init__(self, *args: Any, digits: int = 6, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"] = CodeField(digits=digits)


class LoginForm(NoColon, AuthenticationForm):
    """«Email, телефон или ИНН» + «Пароль», «Запомнить меня»; limits instead of a CAPTCHA
    (see kabinet/users/signin.py for why)."""

    remember = forms.BooleanField(label=_("Запомнить меня"), required=False)

    error_messages = {
        "invalid_login": _(
            "Неверный логин или пароль. Проверьте раскладку и Caps Lock или восстановите пароль."
        ),
        "inactive": _("Этот кабинет отключён. Обратитесь в свою организацию."),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email, телефон или ИНН")
        username = cast(forms.CharField, self.fields["username"])
        username.max_length = 254
        username.widget.attrs["maxlength"] = "254"
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].label = _("Пароль")

    def clean(self) -> dict[str, Any]:
        if self.request is None:
            return super().clean()
        login = str(self.data.get(self.add_prefix("username")) or "")
        ip = client_ip(self.request)
        wait = signin.wait(login=login, ip=ip)
        if wait:
            raise forms.ValidationError(
                _(
                    "Слишком много неудачных попыток входа. Повторите через %(wait)s "
                    "или восстановите пароль."
                )
                % {"wait": ratelimit.wait_text(wait)},
                code="throttled",
            )
        try:
            return super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                signin.failed(login=login, ip=ip)
            raise


class LoginCodeForm(NoColon, forms.Form):
    code = forms.CharField(
        label=_("Код из приложения"),
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordResetSmsForm(NoColon, forms.Form):
    phone = PhoneField()


class PasswordResetSmsConfirmForm(NewPasswordMixin):
    code = CodeField(digits=4)
    field_order = ["code", "password1", "password2"]


class PasswordChangeForm(NewPasswordMixin):
    """«Текущий пароль», then the new one twice (seed 000, «Смена пароля»)."""

    old_password = forms.CharField(
        label=_("Текущий пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "password1", "password2"]

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["password1"].label = _("Новый пароль")
        self.fields["password2"].label = _("Повторите новый пароль")

    def password_user(self) -> User:
        return self.user

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError(_("Текущий пароль введён неверно."))
        return old

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        old, new = cleaned.get("old_password"), cleaned.get("password1")
        if old and new and old == new:
            self.add_error("password1", _("Новый пароль должен отличаться от текущего."))
        return cleaned


class ProfileForm(NoColon, forms.ModelForm):
    class Meta:
        model = User
        fields = ["last_name", "first_name", "middle_name"]
        labels = {"last_name": _("Фамилия"), "first_name": _("Имя"), "middle_name": _("Отчество")}


class EmailChangeForm(NoColon, forms.Form):
    email = EmailField(label=_("Новый e-mail"))

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if contact_taken(email=email):
            raise forms.ValidationError(TAKEN["email"])
        return email


class PhoneChangeForm(NoColon, forms.Form):
    phone = PhoneField(label=_("Новый номер телефона"))

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if contact_taken(phone=phone):
            raise forms.ValidationError(TAKEN["phone"])
        return phone


class NotificationSettingsForm(NoColon, forms.Form):
    epd_by_email = forms.BooleanField(label=_("Ежемесячный ЕПД на e-mail"), required=False)
    receipt_by_email = forms.BooleanField(label=_("Копия чека об оплате на e-mail"), required=False)
    reading_reminders = forms.BooleanField(
        label=_("Напоминания о передаче показаний"), required=False
    )
    news = forms.BooleanField(label=_("Новости организации"), required=False)


class DeleteCabinetForm(NoColon, forms.Form):
    password = forms.CharField(
        label=_("Пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("Я понимаю, что кабинет будет удалён без возможности восстановления")
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Пароль введён неверно."))
        return password
