"""Password recovery by an e-mail link or an SMS code."""

import re
from typing import cast

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from pytest_django.asserts import assertContains, assertRedirects

from kabinet.users.models import User, VerificationCode
from kabinet.users.tests.helpers import STRONG, post, sms_messages

pytestmark = pytest.mark.django_db
NEW = "Novyi-Parol-2026"


@pytest.fixture
def resident(db) -> User:  # type: ignore[no-untyped-def]
    return User.objects.create_user(
        username="anna@example.com",
        email="anna@example.com",
        phone="+79131234567",
        password=STRONG,
        must_change_password=True,
    )


def test_it_resets_a_password_by_an_email_link(
    client: Client, resident: User, django_capture_on_commit_callbacks
) -> None:
    response = post(
        client,
        django_capture_on_commit_callbacks,
        "/password/reset/",
        {"email": "Anna@example.com"},
    )
    assertRedirects(response, "/password/reset/sent/")
    message = cast(EmailMultiAlternatives, mail.outbox[0])
    assert message.alternatives[0][1] == "text/html"
    link = re.search(r"http://testserver(/password/reset/\S+/)", str(message.body))
    assert link

    form = client.get(link.group(1), follow=True)
    assertContains(form, "Смена пароля")
    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})

    assertRedirects(response, "/password/reset/done/")
    resident.refresh_from_db()
    assert resident.check_password(NEW)
    assert not resident.must_change_password


def test_it_answers_the_same_for_an_unknown_email(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    response = post(
        client, django_capture_on_commit_callbacks, "/password/reset/", {"email": "no@example.com"}
    )

    assertRedirects(response, "/password/reset/sent/")
    assert not mail.outbox


def test_it_limits_reset_emails(
    client: Client, resident: User, django_capture_on_commit_callbacks
) -> None:
    post(
        client,
        django_capture_on_commit_callbacks,
        "/password/reset/",
        {"email": "anna@example.com"},
    )
    response = post(
        client,
        django_capture_on_commit_callbacks,
        "/password/reset/",
        {"email": "anna@example.com"},
    )

    assertContains(response, "не чаще раза в минуту")
    assert len(mail.outbox) == 1


def test_it_resets_a_password_by_an_sms_code(
    client: Client, resident: User, django_capture_on_commit_callbacks, sms_dir
) -> None:
    response = post(
        client, django_capture_on_commit_callbacks, "/password/sms/", {"phone": "+7 913 123 45 67"}
    )
    assertRedirects(response, "/password/sms/confirm/")
    [sms] = sms_messages(sms_dir)
    assert sms["to"] == "+79131234567"
    code = re.search(r"(\d{4})", sms["text"]).group(1)  # type: ignore[union-attr]

    wrong = client.post(
        "/password/sms/confirm/",
        {"code": f"{(int(code) + 1) % 10000:04d}", "password1": NEW, "password2": NEW},
    )
    assertContains(wrong, "Неверный код")
    response = client.post(
        "/password/sms/confirm/", {"code": code, "password1": NEW, "password2": NEW}
    )

    assertRedirects(response, "/login/")
    resident.refresh_from_db()
    assert resident.check_password(NEW)
    reused = client.post(
        "/password/sms/confirm/", {"code": code, "password1": NEW, "password2": NEW}
    )
    assertRedirects(reused, "/password/sms/")  # the flow is over


def test_it_sends_nothing_to_an_unknown_phone_and_looks_the_same(
    client: Client, django_capture_on_commit_callbacks, sms_dir
) -> None:
    response = post(
        client, django_capture_on_commit_callbacks, "/password/sms/", {"phone": "+79990000000"}
    )

    assertRedirects(response, "/password/sms/confirm/")
    assert not sms_messages(sms_dir)
    refused = client.post(
        "/password/sms/confirm/", {"code": "1234", "password1": NEW, "password2": NEW}
    )
    assertContains(refused, "Неверный код")
    assert VerificationCode.objects.get().user is None
