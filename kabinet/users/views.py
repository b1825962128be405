"""Sign-up, sign-in, password recovery and the settings page. Views are thin: form → service."""

from __future__ import annotations

from base64 import b32encode
from collections.abc import Callable
from typing import Any, cast

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from kabinet.lib.ratelimit import client_ip
from kabinet.users import consents, forms, services
from kabinet.users.identity import mask
from kabinet.users.models import NotificationSettings, User, VerificationCode
from kabinet.users.tasks import deliver_email

BACKEND = "kabinet.users.backends.LoginBackend"
TOO_MANY_CODES = _(
    "Код можно запрашивать не чаще раза в минуту и не больше пяти раз в час. Попробуйте позже."
)
SIGNUP_FORMS: dict[str, type[forms.SignupForm]] = {
    "email": forms.EmailSignupForm,
    "phone": forms.PhoneSignupForm,
    "legal": forms.LegalSignupForm,
}


def complete_sign_in(request: HttpRequest, user: User, *, remember: bool) -> None:
    auth_login(request, user, backend=BACKEND)
    # «Запомнить меня»: the session outlives the browser for SESSION_COOKIE_AGE; otherwise not.
    request.session.set_expiry(settings.SESSION_COOKIE_AGE if remember else 0)


def _code_in_session(request: HttpRequest, key: str, purpose: str) -> VerificationCode | None:
    pk = request.session.get(key)
    if pk is None:
        return None
    return VerificationCode.objects.filter(pk=pk, purpose=purpose).select_related("user").first()


# Sign-up


def signup(request: HttpRequest, channel: str = "email") -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form_class = SIGNUP_FORMS[channel]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verification = services.signup_start(
                data=form.contacts(), password=form.cleaned_data["password1"], ip=client_ip(request)
            )
        except services.TooManyCodes:
            form.add_error(None, TOO_MANY_CODES)
        else:
            request.session["signup_code"] = verification.pk
            return redirect("signup_confirm")
    return render(request, "users/signup.html", {"form": form, "channel": channel})


def signup_confirm(request: HttpRequest) -> HttpResponse:
    verification = _code_in_session(request, "signup_code", VerificationCode.Purpose.SIGNUP)
    if verification is None:
        return redirect("signup")
    digits = services.CODE_DIGITS[VerificationCode.Channel(verification.channel)]
    form = forms.SignupConfirmForm(request.POST or None, digits=digits)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.signup_complete(
                verification=verification, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except services.CodeError as error:
            form.add_error("code", str(error))
        except services.AlreadyTaken:
            form.add_error(
                None, _("Кабинет с этими данными уже есть. Войдите или восстановите пароль.")
            )
        else:
            del request.session["signup_code"]
            complete_sign_in(request, user, remember=False)
            messages.success(request, _("Регистрация завершена. Добро пожаловать в Кабинет!"))
            return redirect("home")
    ctx = {
        "form": form,
        "verification": verification,
        "target": mask(verification.target),
        "resend_url": reverse("signup_resend"),
    }
    return render(request, "users/signup_confirm.html", ctx)


def _resend(request: HttpRequest, verification: VerificationCode | None) -> None:
    if verification is None:
        return
    try:
        services.code_resend(verification=verification, ip=client_ip(request))
    except services.TooManyCodes:
        messages.error(request, TOO_MANY_CODES)
    except services.CodeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Новый код отправлен на %(target)s.") % {"target": mask(verification.target)}
        )


@require_POST
def signup_resend(request: HttpRequest) -> HttpResponse:
    _resend(request, _code_in_session(request, "signup_code", VerificationCode.Purpose.SIGNUP))
    return redirect("signup_confirm")


def access_rules(request: HttpRequest) -> HttpResponse:
    """«Скачать правила предоставления доступа»: the version a person agrees to."""
    text = render_to_string("users/access_rules.txt", {"version": consents.ACCESS_RULES_VERSION})
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    filename = f"pravila-predostavleniya-dostupa-{consents.ACCESS_RULES_VERSION}.txt"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Sign-in


class SignInView(auth_views.LoginView):
    form_class = forms.LoginForm
    template_name = "users/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: forms.LoginForm) -> HttpResponse:  # type: ignore[override]
        user = cast(User, form.get_user())
        remember = bool(form.cleaned_data.get("remember"))
        if user.is_staff or services.totp_device_for(user) is not None:
            # Password is right; the code from the authenticator app comes next.
            self.request.session["otp_pending"] = {
                "user": user.pk,
                "remember": remember,
                "next": self.get_success_url(),
            }
            return redirect("login_otp")
        complete_sign_in(self.request, user, remember=remember)
        return redirect(self.get_success_url())


def _qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def _totp_context(device: TOTPDevice) -> dict[str, Any]:
    return {"qr_svg": _qr_svg(device), "secret": b32encode(device.bin_key).decode()}


def login_otp(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the authenticator app; staff set one up here if they have
    none (two-factor sign-in is mandatory for them)."""
    pending: dict[str, Any] | None = request.session.get("otp_pending")
    if pending is None:
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        return redirect("login")
    device = services.totp_device_for(user)
    setup = None
    if device is None:
        setup = TOTPDevice.objects.filter(pk=pending.get("setup"), user=user).first()
        if setup is None:
            setup = services.totp_device_start(user=user)
            pending["setup"] = setup.pk
            request.session["otp_pending"] = pending
    form = forms.LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["code"]
        ok = (
            services.totp_device_confirm(device=setup, token=token)
            if setup is not None
            else cast(TOTPDevice, device).verify_token(token)
        )
        if ok:
            del request.session["otp_pending"]
            complete_sign_in(request, user, remember=pending["remember"])
            return redirect(pending["next"])
        form.add_error("code", _("Неверный код из приложения. Введите текущий код."))
    ctx: dict[str, Any] = {"form": form, "setup": setup is not None}
    if setup is not None:
        ctx.update(_totp_context(setup))
    return render(request, "users/login_otp.html", ctx)


# Password recovery and change


class EmailPasswordResetForm(forms.NoColon, PasswordResetForm):
    email = forms.EmailField(label=forms.EMAIL_LABEL)

    def send_mail(  # type: ignore[override]
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        text = render_to_string(email_template_name, context)
        html = render_to_string(cast(str, html_email_template_name), context)
        transaction.on_commit(lambda: deliver_email.delay(subject, to_email, text, html))


class PasswordResetView(auth_views.PasswordResetView):
    form_class = EmailPasswordResetForm
    template_name = "users/password_reset.html"
    email_template_name = "users/email/password_reset.txt"
    html_email_template_name = "users/email/password_reset.html"
    subject_template_name = "users/email/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: EmailPasswordResetForm) -> HttpResponse:  # type: ignore[override]
        email, ip = form.cleaned_data["email"].lower(), client_ip(self.request)
        if not services.code_sending_allowed(target=email, ip=ip):
            form.add_error(None, TOO_MANY_CODES)
            return self.form_invalid(form)
        services.code_sent(target=email, ip=ip)
        return super().form_valid(form)


class NewPasswordForm(forms.NoColon, SetPasswordForm):
    def save(self, commit: bool = True) -> Any:
        services.user_change_password(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "users/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


def password_reset_sms(request: HttpRequest) -> HttpResponse:
    form = forms.PasswordResetSmsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verification = services.password_reset_sms_start(
                phone=form.cleaned_data["phone"], ip=client_ip(request)
            )
        except services.TooManyCodes:
            form.add_error(None, TOO_MANY_CODES)
        else:
            request.session["reset_code"] = verification.pk
            return redirect("password_reset_sms_confirm")
    return render(request, "users/password_reset_sms.html", {"form": form})


def password_reset_sms_confirm(request: HttpRequest) -> HttpResponse:
    purpose = VerificationCode.Purpose.PASSWORD_RESET
    verification = _code_in_session(request, "reset_code", purpose)
    if verification is None:
        return redirect("password_reset_sms")
    if request.method == "POST" and "resend" in request.POST:
        _resend(request, verification)
        return redirect("password_reset_sms_confirm")
    form = forms.PasswordResetSmsConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_sms_complete(
                verification=verification,
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password1"],
            )
        except services.CodeError as error:
            form.add_error("code", str(error))
        else:
            del request.session["reset_code"]
            messages.success(request, _("Пароль изменён. Войдите с новым паролем."))
            return redirect("login")
    ctx = {"form": form, "target": mask(verification.target)}
    return render(request, "users/password_reset_sms_confirm.html", ctx)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    forced = user.must_change_password
    form = forms.PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_change_password(user=user, password=form.cleaned_data["password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Пароль изменён."))
        return redirect("home" if forced else "settings")
    return render(request, "users/password_change.html", {"form": form, "forced": forced})


# Settings


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    notifications, _created = NotificationSettings.objects.get_or_create(user=user)
    profile_form = forms.ProfileForm(instance=user)
    notifications_form = forms.NotificationSettingsForm(
        initial={
            field: getattr(notifications, field)
            for field in ("epd_by_email", "receipt_by_email", "reading_reminders", "news")
        }
    )
    if request.method == "POST" and request.POST.get("section") == "profile":
        profile_form = forms.ProfileForm(request.POST, instance=user)
        if profile_form.is_valid():
            services.profile_update(user=user, **profile_form.cleaned_data)
            messages.success(request, _("Персональные данные сохранены."))
            return redirect("settings")
    elif request.method == "POST" and request.POST.get("section") == "notifications":
        notifications_form = forms.NotificationSettingsForm(request.POST)
        if notifications_form.is_valid():
            services.notification_settings_update(user=user, **notifications_form.cleaned_data)
            messages.success(request, _("Настройки уведомлений сохранены."))
            return redirect("settings")
    ctx = {
        "profile_form": profile_form,
        "notifications_form": notifications_form,
        "two_factor": services.totp_device_for(user) is not None,
    }
    return render(request, "users/settings.html", ctx)


CONTACTS: dict[str, tuple[type[forms.forms.Form], Callable[..., VerificationCode], str]] = {
    "email": (
        forms.EmailChangeForm,
        services.email_change_start,
        VerificationCode.Purpose.EMAIL_CHANGE,
    ),
    "phone": (
        forms.PhoneChangeForm,
        services.phone_change_start,
        VerificationCode.Purpose.PHONE_CHANGE,
    ),
}


@login_required
def contact_change(request: HttpRequest, contact: str) -> HttpResponse:
    form_class, start, _purpose = CONTACTS[contact]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verification = start(
                user=cast(User, request.user), ip=client_ip(request), **form.cleaned_data
            )
        except services.TooManyCodes:
            form.add_error(None, TOO_MANY_CODES)
        else:
            request.session[f"{contact}_change_code"] = verification.pk
            return redirect(f"{contact}_change_confirm")
    return render(request, "users/contact_change.html", {"form": form, "contact": contact})


@login_required
def contact_change_confirm(request: HttpRequest, contact: str) -> HttpResponse:
    _form_class, _start, purpose = CONTACTS[contact]
    verification = _code_in_session(request, f"{contact}_change_code", purpose)
    if verification is None or verification.user_id != request.user.pk:
        return redirect(f"{contact}_change")
    if request.method == "POST" and "resend" in request.POST:
        _resend(request, verification)
        return redirect(f"{contact}_change_confirm")
    digits = services.CODE_DIGITS[VerificationCode.Channel(verification.channel)]
    form = forms.CodeForm(request.POST or None, digits=digits)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_change_complete(
                user=cast(User, request.user),
                verification=verification,
                code=form.cleaned_data["code"],
            )
        except services.CodeError as error:
            form.add_error("code", str(error))
        except services.AlreadyTaken:
            form.add_error(None, forms.TAKEN[contact])
        else:
            del request.session[f"{contact}_change_code"]
            messages.success(request, _("Изменения сохранены."))
            return redirect("settings")
    ctx = {"form": form, "contact": contact, "target": mask(verification.target)}
    return render(request, "users/contact_change_confirm.html", ctx)


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn the authenticator-app code at sign-in on (scan, confirm with a code) or off."""
    user = cast(User, request.user)
    device = services.totp_device_for(user)
    form = forms.LoginCodeForm(request.POST or None)
    setup = None
    if device is None:
        setup = TOTPDevice.objects.filter(pk=request.session.get("totp_setup"), user=user).first()
        if setup is None and request.method == "POST" and "start" in request.POST:
            setup = services.totp_device_start(user=user)
            request.session["totp_setup"] = setup.pk
            return redirect("two_factor")
    if request.method == "POST" and "start" not in request.POST and form.is_valid():
        token = form.cleaned_data["code"]
        if setup is not None and services.totp_device_confirm(device=setup, token=token):
            del request.session["totp_setup"]
            messages.success(request, _("Вход с кодом из приложения включён."))
            return redirect("settings")
        if device is not None and device.verify_token(token):
            try:
                services.totp_device_remove(user=user)
            except ValidationError as error:
                messages.error(request, error.messages[0])
            else:
                messages.success(request, _("Вход с кодом из приложения выключен."))
            return redirect("settings")
        form.add_error("code", _("Неверный код из приложения. Введите текущий код."))
    ctx: dict[str, Any] = {"form": form, "enabled": device is not None, "setup": setup is not None}
    if setup is not None:
        ctx.update(_totp_context(setup))
    return render(request, "users/two_factor.html", ctx)


@login_required
def cabinet_delete(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = forms.DeleteCabinetForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_delete(user=user)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            auth_logout(request)
            messages.success(request, _("Кабинет удалён."))
            return redirect("index")
    return render(request, "users/cabinet_delete.html", {"form": form})
