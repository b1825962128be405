"""Sign-up by e-mail (6-digit code), by phone (4-digit SMS) and as a legal entity by ИНН."""

import re
from datetime import timedelta
from typing import cast

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.utils import timezone
from pytest_django.asserts import assertContains, assertRedirects

from kabinet.users import services
from kabinet.users.models import Consent, NotificationSettings, User, VerificationCode
from kabinet.users.tests.helpers import STRONG, code_from_email, code_from_sms, post, sms_messages

pytestmark = pytest.mark.django_db

CONSENTS = {"accept_rules": "on", "accept_personal_data": "on"}


def start_email_signup(client, capture, email="anna@example.com", password=STRONG):
    return post(
        client,
        capture,
        "/signup/",
        {"email": email, "password1": password, "password2": password},
    )


def test_it_signs_up_by_email_with_a_six_digit_code(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    response = start_email_signup(client, django_capture_on_commit_callbacks, "Anna@Example.com")
    assertRedirects(response, "/signup/confirm/", fetch_redirect_response=False)
    assert not User.objects.exists()  # no cabinet until the code comes back

    message = cast(EmailMultiAlternatives, mail.outbox[0])
    assert message.to == ["anna@example.com"]
    assert message.alternatives[0][1] == "text/html"
    code = code_from_email()
    assert len(code) == 6 and code.isdigit()
    assert code in str(message.alternatives[0][0])

    page = client.get("/signup/confirm/")
    assertContains(page, "Код подтверждения")
    assertContains(page, "Я согласен(на) с правилами предоставления доступа")
    assertContains(page, "Выслать код заново")
    assertContains(page, 'href="/rules/"')

    response = client.post(
        "/signup/confirm/", {"code": code, **CONSENTS}, REMOTE_ADDR="203.0.113.7"
    )

    assertRedirects(response, "/home/")
    user = User.objects.get()
    assert user.email == "anna@example.com"
    assert user.kind == User.Kind.INDIVIDUAL
    assert user.check_password(STRONG)
    assert client.session["_auth_user_id"] == str(user.pk)
    consents = {c.kind: c for c in Consent.objects.filter(user=user)}
    assert set(consents) == {Consent.Kind.ACCESS_RULES, Consent.Kind.PERSONAL_DATA}
    assert consents[Consent.Kind.PERSONAL_DATA].text_version == "2026-01"
    assert consents[Consent.Kind.PERSONAL_DATA].ip_address == "203.0.113.7"
    assert consents[Consent.Kind.PERSONAL_DATA].accepted_at is not None
    assert NotificationSettings.objects.filter(user=user).exists()


def test_it_signs_up_by_phone_with_a_four_digit_sms_code(
    client: Client, django_capture_on_commit_callbacks, sms_dir
) -> None:
    response = post(
        client,
        django_capture_on_commit_callbacks,
        "/signup/phone/",
        {"phone": "8 (913) 123-45-67", "password1": STRONG, "password2": STRONG},
    )
    assertRedirects(response, "/signup/confirm/", fetch_redirect_response=False)
    [sms] = sms_messages(sms_dir)
    assert sms["to"] == "+79131234567"
    code = code_from_sms(sms_dir)
    assert len(code) == 4 and code.isdigit()
    assert not mail.outbox

    response = client.post("/signup/confirm/", {"code": code, **CONSENTS})

    assertRedirects(response, "/home/")
    user = User.objects.get()
    assert (user.phone, user.email) == ("+79131234567", "")


def test_it_signs_up_a_legal_entity_by_inn_and_email(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    post(
        client,
        django_capture_on_commit_callbacks,
        "/signup/legal/",
        {"inn": "7707083893", "email": "buh@firma.ru", "password1": STRONG, "password2": STRONG},
    )
    client.post("/signup/confirm/", {"code": code_from_email(), **CONSENTS})

    user = User.objects.get()
    assert (user.kind, user.inn, user.email) == (User.Kind.LEGAL, "7707083893", "buh@firma.ru")


def test_it_refuses_a_bad_inn(client: Client) -> None:
    response = client.post(
        "/signup/legal/",
        {"inn": "7707083890", "email": "buh@firma.ru", "password1": STRONG, "password2": STRONG},
    )

    assertContains(response, "Проверьте ИНН")
    assert not VerificationCode.objects.exists()
    assert not mail.outbox


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/signup/", {"email": "TAKEN@example.com"}),
        ("/signup/phone/", {"phone": "+7 913 000-00-01"}),
    ],
    ids=["email", "phone"],
)
def test_it_answers_alike_whether_or_not_an_address_is_taken(
    client: Client, django_capture_on_commit_callbacks, sms_dir, url, data
) -> None:
    """Sign-up does not tell who has a cabinet: the same «code sent» page; only the owner of
    the address learns (from the message) that a cabinet exists."""
    User.objects.create_user(
        username="taken@example.com", email="taken@example.com", phone="+79130000001"
    )

    response = post(
        client, django_capture_on_commit_callbacks, url,
        {**data, "password1": STRONG, "password2": STRONG},
    )

    assertRedirects(response, "/signup/confirm/", fetch_redirect_response=False)
    page = client.get("/signup/confirm/")
    assertContains(page, "Мы отправили код подтверждения")
    assert "уже есть" not in page.content.decode()
    sent = [str(m.body) for m in mail.outbox] + [m["text"] for m in sms_messages(sms_dir)]
    assert len(sent) == 1 and "уже есть" in sent[0] and "восстановите пароль" in sent[0]
    assert not re.search(r"код подтверждения:? \d", sent[0])
    # No code ever matches, so nothing is created whatever is typed.
    for guess in ("000000", "123456", "0000"):
        client.post("/signup/confirm/", {"code": guess, **CONSENTS})
    assert User.objects.count() == 1


def test_it_tells_a_taken_inn_only_after_the_e_mail_code(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    User.objects.create_user(username="x", email="x@firma.ru", inn="7707083893", kind="legal")

    response = post(
        client, django_capture_on_commit_callbacks, "/signup/legal/",
        {"inn": "7707083893", "email": "new@firma.ru", "password1": STRONG, "password2": STRONG},
    )

    assertRedirects(response, "/signup/confirm/", fetch_redirect_response=False)
    refused = client.post("/signup/confirm/", {"code": code_from_email(), **CONSENTS})
    assertContains(refused, "Кабинет с этими данными уже есть")


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("Kor0tk1", "Kor0tk1", "Введённый пароль слишком короткий"),
        ("password123", "password123", "Введённый пароль слишком широко распространён"),
        ("4815162342", "4815162342", "Введённый пароль состоит только из цифр"),
        ("anna.petrova@example.com", "anna.petrova@example.com", "слишком похож"),
        (STRONG, STRONG + "x", "Пароли не совпадают"),
    ],
)
def test_it_refuses_a_weak_password(client: Client, password1, password2, message) -> None:
    response = client.post(
        "/signup/",
        {"email": "anna.petrova@example.com", "password1": password1, "password2": password2},
    )

    assertContains(response, message)
    assert not VerificationCode.objects.exists()


def test_it_refuses_a_wrong_code_and_counts_the_attempt(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    start_email_signup(client, django_capture_on_commit_callbacks)
    code = code_from_email()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    response = client.post("/signup/confirm/", {"code": wrong, **CONSENTS})

    assertContains(response, "Неверный код")
    assert VerificationCode.objects.get().attempts == 1
    assert not User.objects.exists()


def test_it_refuses_an_expired_code(client: Client, django_capture_on_commit_callbacks) -> None:
    start_email_signup(client, django_capture_on_commit_callbacks)
    code = code_from_email()

    with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=1)):
        response = client.post("/signup/confirm/", {"code": code, **CONSENTS})

    assertContains(response, "Срок действия кода истёк")
    assert not User.objects.exists()


def test_it_accepts_a_code_just_before_it_expires(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    start_email_signup(client, django_capture_on_commit_callbacks)

    with time_machine.travel(timezone.now() + timedelta(minutes=14, seconds=50)):
        response = client.post("/signup/confirm/", {"code": code_from_email(), **CONSENTS})

    assertRedirects(response, "/home/")


def test_it_refuses_a_reused_code(client: Client, django_capture_on_commit_callbacks) -> None:
    start_email_signup(client, django_capture_on_commit_callbacks)
    code = code_from_email()
    verification = VerificationCode.objects.get()
    services.signup_complete(verification=verification, code=code, ip=None)
    verification.refresh_from_db()

    with pytest.raises(services.CodeError, match="уже использован"):
        services.signup_complete(verification=verification, code=code, ip=None)
    assert User.objects.count() == 1


def test_it_spends_the_code_after_too_many_wrong_guesses(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    start_email_signup(client, django_capture_on_commit_callbacks)
    code = code_from_email()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(services.MAX_ATTEMPTS):
        client.post("/signup/confirm/", {"code": wrong, **CONSENTS})

    response = client.post("/signup/confirm/", {"code": code, **CONSENTS})

    assertContains(response, "Слишком много неверных попыток")
    assert not User.objects.exists()


def test_it_requires_both_consents(client: Client, django_capture_on_commit_callbacks) -> None:
    start_email_signup(client, django_capture_on_commit_callbacks)

    response = client.post("/signup/confirm/", {"code": code_from_email(), "accept_rules": "on"})

    assertContains(response, "Без согласия на обработку персональных данных")
    assert not User.objects.exists()


def test_it_resends_a_new_code_and_the_old_one_stops_working(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    start_email_signup(client, django_capture_on_commit_callbacks)
    old = code_from_email()

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        response = post(client, django_capture_on_commit_callbacks, "/signup/resend/", {})
        assertRedirects(response, "/signup/confirm/", fetch_redirect_response=False)
        new = code_from_email()
        assert len(mail.outbox) == 2
        if new != old:
            refused = client.post("/signup/confirm/", {"code": old, **CONSENTS})
            assertContains(refused, "Неверный код")
        accepted = client.post("/signup/confirm/", {"code": new, **CONSENTS})

    assertRedirects(accepted, "/home/")


def test_it_limits_how_often_a_code_is_sent_to_one_address(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    start_email_signup(client, django_capture_on_commit_callbacks)

    response = post(client, django_capture_on_commit_callbacks, "/signup/resend/", {})

    assert len(mail.outbox) == 1
    followed = client.get(response.url)
    assertContains(followed, "не чаще раза в минуту")
    assert VerificationCode.objects.get().sent_count == 1


def test_it_limits_codes_per_address_per_hour(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    start = timezone.now()
    for minute in range(services.SEND_LIMITS[1][1]):
        with time_machine.travel(start + timedelta(minutes=2 * minute)):
            start_email_signup(client, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 5

    with time_machine.travel(start + timedelta(minutes=30)):
        response = start_email_signup(client, django_capture_on_commit_callbacks)

    assertContains(response, "не больше пяти раз в час")
    assert len(mail.outbox) == 5


def test_it_limits_codes_per_ip(client: Client, django_capture_on_commit_callbacks) -> None:
    for n in range(services.SEND_IP_LIMIT[1]):
        start_email_signup(client, django_capture_on_commit_callbacks, f"person{n}@example.com")

    response = start_email_signup(client, django_capture_on_commit_callbacks, "one@more.ru")

    assertContains(response, "Попробуйте позже")
    assert len(mail.outbox) == services.SEND_IP_LIMIT[1]
    other_address = Client(REMOTE_ADDR="198.51.100.2")
    accepted = start_email_signup(other_address, django_capture_on_commit_callbacks, "one@more.ru")
    assert accepted.status_code == 302


def test_it_serves_the_access_rules_for_download(client: Client) -> None:
    response = client.get("/rules/")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Правила предоставления доступа" in response.content.decode()
    assert "2026-01" in response.content.decode()


def test_it_sends_the_confirm_page_without_a_signup_back_to_signup(client: Client) -> None:
    assertRedirects(client.get("/signup/confirm/"), "/signup/")


def test_it_signs_up_legal_entities_only_with_a_unique_inn_at_confirmation_too(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    post(
        client,
        django_capture_on_commit_callbacks,
        "/signup/legal/",
        {"inn": "7707083893", "email": "buh@firma.ru", "password1": STRONG, "password2": STRONG},
    )
    # Someone else finished a sign-up with the same ИНН in the meantime.
    User.objects.create_user(username="x", email="x@firma.ru", inn="7707083893", kind="legal")

    response = client.post("/signup/confirm/", {"code": code_from_email(), **CONSENTS})

    assertContains(response, "Кабинет с этими данными уже есть")
    assert User.objects.count() == 1


def test_it_keeps_wrong_guesses_counted_across_a_resend(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    """Six wrong codes around «Выслать код заново» and the address is locked, right code or not."""
    start_email_signup(client, django_capture_on_commit_callbacks)
    first = code_from_email()
    for n in range(3):
        client.post("/signup/confirm/", {"code": f"{(int(first) + 1 + n) % 1_000_000:06d}", **CONSENTS})

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        post(client, django_capture_on_commit_callbacks, "/signup/resend/", {})
        second = code_from_email()
        for n in range(3):
            wrong = f"{(int(second) + 1 + n) % 1_000_000:06d}"
            client.post("/signup/confirm/", {"code": wrong, **CONSENTS})
        response = client.post("/signup/confirm/", {"code": second, **CONSENTS})

    assertContains(response, "Слишком много неверных попыток ввести код")
    assert not User.objects.exists()
    # A new sign-up for the same address does not start the count again either.
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        start_email_signup(client, django_capture_on_commit_callbacks)
        response = client.post("/signup/confirm/", {"code": code_from_email(), **CONSENTS})
    assertContains(response, "Слишком много неверных попыток ввести код")
    # The window ends: a day later the right code works.
    with time_machine.travel(timezone.now() + timedelta(hours=24, minutes=10)):
        start_email_signup(client, django_capture_on_commit_callbacks)
        response = client.post("/signup/confirm/", {"code": code_from_email(), **CONSENTS})
    assertRedirects(response, "/home/")


def test_it_caps_sms_to_one_phone_per_day(
    client: Client, django_capture_on_commit_callbacks, sms_dir
) -> None:
    start = timezone.now()
    _scope, per_day, _window = services.SMS_PER_DAY
    for n in range(per_day):
        # Spread over the day, from many addresses: only the per-phone daily cap applies.
        with time_machine.travel(start + timedelta(minutes=13 * n)):
            post(
                Client(REMOTE_ADDR=f"198.51.100.{n}"), django_capture_on_commit_callbacks,
                "/signup/phone/",
                {"phone": "+7 913 555-00-11", "password1": STRONG, "password2": STRONG},
            )
    assert len(sms_messages(sms_dir)) == per_day

    with time_machine.travel(start + timedelta(hours=20)):
        response = post(
            Client(REMOTE_ADDR="203.0.113.200"), django_capture_on_commit_callbacks,
            "/signup/phone/",
            {"phone": "+7 913 555-00-11", "password1": STRONG, "password2": STRONG},
        )

    assertContains(response, "Попробуйте позже")
    assert len(sms_messages(sms_dir)) == per_day
