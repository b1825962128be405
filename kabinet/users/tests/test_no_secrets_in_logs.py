"""No password, code or full phone number reaches the logs (SPEC 4: no personal data in logs)."""

import logging
import re

import pytest
from django.core import mail
from django.test import Client

from kabinet.users.tests.helpers import STRONG, code_from_email, code_from_sms, post

pytestmark = pytest.mark.django_db


def test_it_logs_no_password_code_or_phone_during_sign_up_and_sign_in(
    client: Client, caplog, django_capture_on_commit_callbacks, sms_dir
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    consents = {"accept_rules": "on", "accept_personal_data": "on"}

    post(
        client,
        django_capture_on_commit_callbacks,
        "/signup/phone/",
        {"phone": "+7 913 123-45-67", "password1": STRONG, "password2": STRONG},
    )
    sms_code = code_from_sms(sms_dir)
    client.post("/signup/confirm/", {"code": "0000" if sms_code != "0000" else "1111", **consents})
    client.post("/signup/confirm/", {"code": sms_code, **consents})
    client.post("/logout/")
    client.post("/login/", {"username": "89131234567", "password": "Wrong-Password-9"})
    client.post("/login/", {"username": "89131234567", "password": STRONG})
    client.post("/logout/")

    other = Client()
    post(
        other,
        django_capture_on_commit_callbacks,
        "/signup/",
        {"email": "anna@example.com", "password1": STRONG, "password2": STRONG},
    )
    email_code = code_from_email()
    other.post("/signup/confirm/", {"code": email_code, **consents})
    post(
        other, django_capture_on_commit_callbacks, "/password/reset/", {"email": "anna@example.com"}
    )
    other.post("/logout/")
    other.post("/login/", {"username": "anna@example.com", "password": STRONG})
    assert len(mail.outbox) == 1  # the reset e-mail waits: a code went there a moment ago

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "sent by sms" in logged and "Successful login" in logged  # the flow was logged
    for secret in (STRONG, "Wrong-Password-9", "9131234567", "anna@example.com"):
        assert secret not in logged, secret
    for code in (sms_code, email_code):
        # Whole numbers only: a task id may hold the same digits by chance.
        assert not re.search(rf"(?<![0-9a-f]){code}(?![0-9a-f])", logged), code
