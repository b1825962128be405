"""Everything that changes a cabinet: sign-up, codes, passwords, contacts, settings, deletion.

Codes (VerificationCode) are 6 digits by e-mail and 4 by SMS, live 15 minutes and work once.
Wrong guesses are counted per address (e-mail or phone) over GUESS_WINDOW, whatever code they
were aimed at: «Выслать код заново» gives a new code, never new guesses. Sending is limited per
address, per IP and, for SMS, per phone and day (kabinet/lib/ratelimit.py). Logs name addresses
only masked; codes and passwords never.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from kabinet.lib import ratelimit
from kabinet.users import consents
from kabinet.users.identity import mask
from kabinet.users.models import Consent, NotificationSettings, User, VerificationCode
from kabinet.users.tasks import deliver_email, deliver_sms

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=15)
MAX_ATTEMPTS = 5
CODE_DIGITS = {VerificationCode.Channel.EMAIL: 6, VerificationCode.Channel.SMS: 4}

Purpose = VerificationCode.Purpose
Channel = VerificationCode.Channel


# Sending: per address one code a minute and five an hour; per IP twenty an hour; SMS to one
# phone at most SMS_PER_DAY a day (each costs money and can be used to pester someone).
SEND_LIMITS = (("code-send-minute", 1, 60), ("code-send-hour", 5, 3600))
SEND_IP_LIMIT = ("code-send-ip", 20, 3600)
SMS_PER_DAY = ("sms-send-day", 10, 24 * 3600)
# Guessing: wrong codes per address over a day, across codes and resends.
GUESS_SCOPE = "code-guess"
GUESS_LIMIT = 5
GUESS_WINDOW = 24 * 3600


def _send_limits(target: str, ip: str | None, channel: str) -> list[tuple[str, str, int, int]]:
    limits = [(scope, target, limit, window) for scope, limit, window in SEND_LIMITS]
    if channel == Channel.SMS:
        scope, limit, window = SMS_PER_DAY
        limits.append((scope, target, limit, window))
    if ip is not None:
        scope, limit, window = SEND_IP_LIMIT
        limits.append((scope, ip, limit, window))
    return limits


def code_sending_allowed(*, target: str, ip: str | None, channel: str = "email") -> bool:
    return all(
        ratelimit.peek(scope, key, limit=limit, window=window)
        for scope, key, limit, window in _send_limits(target, ip, channel)
    )


def code_sent(*, target: str, ip: str | None, channel: str = "email") -> None:
    for scope, key, limit, window in _send_limits(target, ip, channel):
        ratelimit.hit(scope, key, limit=limit, window=window)


class CodeError(Exception):
    """The code cannot be accepted; the message says what to do."""


class TooManyCodes(Exception):
    pass


class AlreadyTaken(Exception):
    pass


# Sending codes


def _hash(verification: VerificationCode, code: str) -> str:
    value = f"{verification.purpose}:{verification.target}:{code}"
    return salted_hmac("kabinet.users.code", value).hexdigest()


def _new_code(channel: str) -> str:
    digits = CODE_DIGITS[Channel(channel)]
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def _deliver(verification: VerificationCode, code: str) -> None:
    context = {
        "code": code,
        "purpose": verification.purpose,
        "minutes": int(CODE_TTL.total_seconds() // 60),
        "site_url": settings.SITE_URL,
    }
    if verification.channel == Channel.SMS:
        text = _("Кабинет: код подтверждения %(code)s. Никому его не сообщайте.") % {"code": code}
        transaction.on_commit(lambda: deliver_sms.delay(verification.target, text))
    else:
        subject = _("Код подтверждения — Кабинет")
        text = render_to_string("users/email/code.txt", context)
        html = render_to_string("users/email/code.html", context)
        transaction.on_commit(lambda: deliver_email.delay(subject, verification.target, text, html))
    log.info(
        "%s code #%s sent by %s to %s",
        verification.purpose,
        verification.pk,
        verification.channel,
        mask(verification.target),
    )


def code_send(
    *,
    purpose: str,
    channel: str,
    target: str,
    ip: str | None,
    user: User | None = None,
    payload: dict[str, Any] | None = None,
    deliver: bool = True,
) -> VerificationCode:
    """A new code for `target`; TooManyCodes when this address or this IP asked too often."""
    if not code_sending_allowed(target=target, ip=ip, channel=channel):
        log.info("%s code refused: too many for %s", purpose, mask(target))
        raise TooManyCodes
    code = _new_code(channel)
    with transaction.atomic():
        verification = VerificationCode(
            purpose=purpose,
            channel=channel,
            target=target,
            user=user,
            payload=payload or {},
            expires_at=timezone.now() + CODE_TTL,
        )
        verification.code_hash = _hash(verification, code)
        verification.save()
        if deliver:
            _deliver(verification, code)
    code_sent(target=target, ip=ip, channel=channel)
    return verification


def code_resend(*, verification: VerificationCode, ip: str | None) -> VerificationCode:
    """«Выслать код заново»: a fresh code replaces the old one in the same row."""
    if verification.used_at is not None:
        raise CodeError(_("Этот код уже использован."))
    channel = verification.channel
    if not code_sending_allowed(target=verification.target, ip=ip, channel=channel):
        raise TooManyCodes
    code = _new_code(channel)
    with transaction.atomic():
        verification.code_hash = _hash(verification, code)
        verification.expires_at = timezone.now() + CODE_TTL
        # The per-code counter starts again; the per-address one (GUESS_SCOPE) does not.
        verification.attempts = 0
        verification.sent_count += 1
        verification.save()
        # A recovery request for an unknown number sends nothing, the same way every time; so
        # does a sign-up for a taken address (signup_start).
        if verification.user_id is not None or (
            verification.purpose == Purpose.SIGNUP and not verification.payload.get("taken")
        ):
            _deliver(verification, code)
        elif verification.purpose == Purpose.SIGNUP:
            _deliver_already_registered(verification)
    code_sent(target=verification.target, ip=ip, channel=channel)
    return verification


def _code_check(verification: VerificationCode, code: str) -> None:
    """CodeError unless `code` is the current one; a wrong guess is counted (and committed)."""
    if verification.used_at is not None:
        raise CodeError(_("Этот код уже использован. Запросите новый код."))
    if verification.expires_at <= timezone.now():
        raise CodeError(_("Срок действия кода истёк. Нажмите «Выслать код заново»."))
    guesses = ratelimit.peek(
        GUESS_SCOPE, verification.target, limit=GUESS_LIMIT, window=GUESS_WINDOW
    )
    if not guesses:
        raise CodeError(
            _(
                "Слишком много неверных попыток ввести код. Повторите через %(wait)s или "
                "обратитесь в свою организацию."
            )
            % {"wait": ratelimit.wait_text(guesses.retry_after)}
        )
    if verification.attempts >= MAX_ATTEMPTS:
        raise CodeError(_("Слишком много неверных попыток. Нажмите «Выслать код заново»."))
    if not constant_time_compare(_hash(verification, code.strip()), verification.code_hash):
        VerificationCode.objects.filter(pk=verification.pk).update(
            attempts=verification.attempts + 1
        )
        verification.attempts += 1
        ratelimit.hit(GUESS_SCOPE, verification.target, limit=GUESS_LIMIT, window=GUESS_WINDOW)
        raise CodeError(_("Неверный код. Проверьте код и введите его ещё раз."))


def _code_use(verification: VerificationCode) -> None:
    """Marks the code used; of two simultaneous confirmations only one gets here."""
    used = VerificationCode.objects.filter(pk=verification.pk, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if not used:
        raise CodeError(_("Этот код уже использован. Запросите новый код."))


# Sign-up


@dataclass(frozen=True)
class SignupData:
    kind: str
    email: str = ""
    phone: str = ""
    inn: str = ""


def contact_taken(*, email: str = "", phone: str = "", inn: str = "") -> str | None:
    """The first of the given contacts another cabinet already has, by name; None when free."""
    if email and User.objects.filter(email__iexact=email).exists():
        return "email"
    if phone and User.objects.filter(phone=phone).exists():
        return "phone"
    if inn and User.objects.filter(kind=User.Kind.LEGAL, inn=inn).exists():
        return "inn"
    return None


def _deliver_already_registered(verification: VerificationCode) -> None:
    """Instead of a code: the address already has a cabinet. Only its owner reads this."""
    login_url = settings.SITE_URL + reverse("login")
    if verification.channel == Channel.SMS:
        text = _("Кабинет: с этим номером уже есть кабинет. Войдите или восстановите пароль.")
        transaction.on_commit(lambda: deliver_sms.delay(verification.target, text))
        return
    subject = _("Регистрация в Кабинете")
    text = _(
        "Здравствуйте!\n\nКто-то, возможно вы, начал регистрацию в Кабинете с этим адресом, "
        "но кабинет с ним уже есть. Войдите или восстановите пароль:\n%(url)s\n\n"
        "Если это были не вы, ничего делать не нужно.\n"
    ) % {"url": login_url}
    html = linebreaks(escape(text))
    transaction.on_commit(lambda: deliver_email.delay(subject, verification.target, text, html))


def signup_start(*, data: SignupData, password: str, ip: str | None) -> VerificationCode:
    """Sends the code; the cabinet is created only when the code comes back (signup_complete).

    The answer is the same whether or not the address is taken («код отправлен»), so sign-up
    does not tell who has a cabinet: for a taken e-mail or phone the address gets a note
    instead of a code, and no code will ever match. A taken ИНН is told only after the code
    came back, i.e. to someone who proved an address, within the code-sending limits."""
    channel = Channel.SMS if data.phone and not data.email else Channel.EMAIL
    target = data.email if channel == Channel.EMAIL else data.phone
    taken = contact_taken(**{"email" if channel == Channel.EMAIL else "phone": target})
    verification = code_send(
        purpose=Purpose.SIGNUP,
        channel=channel,
        target=target,
        ip=ip,
        payload={
            "kind": data.kind,
            "email": data.email,
            "phone": data.phone,
            "inn": data.inn,
            "password": make_password(password),
            "taken": bool(taken),
        },
        deliver=not taken,
    )
    if taken:
        with transaction.atomic():
            _deliver_already_registered(verification)
    return verification


def signup_complete(*, verification: VerificationCode, code: str, ip: str | None) -> User:
    """Creates the cabinet and records both consents (the person ticked them with the code)."""
    if verification.purpose != Purpose.SIGNUP:
        raise CodeError(_("Неверный код."))
    _code_check(verification, code)
    payload = verification.payload
    if contact_taken(email=payload["email"], phone=payload["phone"], inn=payload["inn"]):
        raise AlreadyTaken
    now = timezone.now()
    try:
        with transaction.atomic():
            _code_use(verification)
            user = User(
                username=payload["email"] or payload["phone"],
                email=payload["email"],
                phone=payload["phone"],
                inn=payload["inn"],
                kind=payload["kind"],
                password=payload["password"],
            )
            user.save()
            Consent.objects.bulk_create(
                [
                    Consent(
                        user=user,
                        kind=Consent.Kind.ACCESS_RULES,
                        text_version=consents.ACCESS_RULES_VERSION,
                        accepted_at=now,
                        ip_address=ip,
                    ),
                    Consent(
                        user=user,
                        kind=Consent.Kind.PERSONAL_DATA,
                        text_version=consents.PERSONAL_DATA_VERSION,
                        accepted_at=now,
                        ip_address=ip,
                    ),
                ]
            )
    except IntegrityError as exc:
        raise AlreadyTaken from exc
    log.info("cabinet #%s signed up by %s", user.pk, verification.channel)
    return user


# Passwords


def user_change_password(*, user: User, password: str) -> None:
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
    log.info("cabinet #%s changed its password", user.pk)


def user_send_temporary_password(*, user: User) -> None:
    """An operator-created cabinet (seed 000): a temporary password by e-mail, to be changed at
    the first sign-in."""
    if not user.email:
        raise ValidationError(_("У пользователя нет e-mail: временный пароль некуда отправить."))
    password = "-".join(secrets.token_hex(3) for _ in range(3))
    context = {"password": password, "login": user.email, "site_url": settings.SITE_URL}
    subject = _("Доступ в Кабинет предоставлен")
    text = render_to_string("users/email/temporary_password.txt", context)
    html = render_to_string("users/email/temporary_password.html", context)
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        transaction.on_commit(lambda: deliver_email.delay(subject, user.email, text, html))
    log.info("cabinet #%s got a temporary password", user.pk)


def password_reset_sms_start(*, phone: str, ip: str | None) -> VerificationCode:
    """Sends a code when the phone belongs to a cabinet; for an unknown phone the answer looks
    the same and nothing is sent."""
    user = User.objects.filter(phone=phone, is_active=True).first()
    return code_send(
        purpose=Purpose.PASSWORD_RESET,
        channel=Channel.SMS,
        target=phone,
        ip=ip,
        user=user,
        deliver=user is not None,
    )


def password_reset_sms_complete(
    *, verification: VerificationCode, code: str, password: str
) -> User:
    if verification.purpose != Purpose.PASSWORD_RESET or verification.user is None:
        # The same answer as a wrong code: whether the number has a cabinet is not told.
        _code_check(verification, code)
        raise CodeError(_("Неверный код. Проверьте код и введите его ещё раз."))
    _code_check(verification, code)
    with transaction.atomic():
        _code_use(verification)
        user_change_password(user=verification.user, password=password)
    return verification.user


# Contacts and profile


def email_change_start(*, user: User, email: str, ip: str | None) -> VerificationCode:
    return code_send(
        purpose=Purpose.EMAIL_CHANGE, channel=Channel.EMAIL, target=email, ip=ip, user=user
    )


def phone_change_start(*, user: User, phone: str, ip: str | None) -> VerificationCode:
    return code_send(
        purpose=Purpose.PHONE_CHANGE, channel=Channel.SMS, target=phone, ip=ip, user=user
    )


def contact_change_complete(*, user: User, verification: VerificationCode, code: str) -> User:
    """The new e-mail or phone, once its code came back."""
    if verification.user_id != user.pk or verification.purpose not in (
        Purpose.EMAIL_CHANGE,
        Purpose.PHONE_CHANGE,
    ):
        raise CodeError(_("Неверный код."))
    _code_check(verification, code)
    field = "email" if verification.purpose == Purpose.EMAIL_CHANGE else "phone"
    if contact_taken(**{field: verification.target}):
        raise AlreadyTaken
    try:
        with transaction.atomic():
            _code_use(verification)
            # The login follows the e-mail for cabinets that signed in by it.
            fields = [field]
            if user.username in (user.email, user.phone) and user.username:
                user.username = verification.target
                fields.append("username")
            setattr(user, field, verification.target)
            user.save(update_fields=fields)
    except IntegrityError as exc:
        raise AlreadyTaken from exc
    log.info("cabinet #%s changed its %s", user.pk, field)
    return user


def profile_update(*, user: User, last_name: str, first_name: str, middle_name: str) -> User:
    with transaction.atomic():
        user.last_name, user.first_name, user.middle_name = last_name, first_name, middle_name
        user.save(update_fields=["last_name", "first_name", "middle_name"])
    return user


def notification_settings_update(
    *, user: User, epd_by_email: bool, receipt_by_email: bool, reading_reminders: bool, news: bool
) -> NotificationSettings:
    with transaction.atomic():
        settings_row, _created = NotificationSettings.objects.update_or_create(
            user=user,
            defaults={
                "epd_by_email": epd_by_email,
                "receipt_by_email": receipt_by_email,
                "reading_reminders": reading_reminders,
                "news": news,
            },
        )
    return settings_row


def notification_set(*, user: User, **flags: bool) -> NotificationSettings:
    """Switch some notifications on or off (e.g. `reading_reminders=True`), leaving the rest."""
    unknown = set(flags) - {"epd_by_email", "receipt_by_email", "reading_reminders", "news"}
    if unknown:
        raise ValueError(f"unknown notification settings: {sorted(unknown)}")
    with transaction.atomic():
        settings_row, _created = NotificationSettings.objects.update_or_create(user=user, defaults=flags)
    return settings_row


def user_delete(*, user: User) -> None:
    """Deletes the cabinet and its links to accounts; the organisation's billing data stays."""
    if user.is_staff or user.is_superuser:
        raise ValidationError(_("Кабинет сотрудника удаляет администратор платформы."))
    pk = user.pk
    with transaction.atomic():
        user.delete()
    log.info("cabinet #%s deleted by its owner", pk)


# Two-factor sign-in (TOTP)


def totp_device_start(*, user: User) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (any earlier unconfirmed one is dropped)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    log.info("cabinet #%s turned on two-factor sign-in", device.user_id)
    return True


def totp_device_remove(*, user: User) -> None:
    if user.is_staff:
        raise ValidationError(_("Сотрудникам вход с кодом из приложения обязателен."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
    log.info("cabinet #%s turned off two-factor sign-in", user.pk)


def totp_device_for(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()
