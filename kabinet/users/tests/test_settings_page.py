"""The settings page: ФИО, e-mail and phone with re-confirmation, notifications, deletion."""

from html.parser import HTMLParser

import pytest
from django.core import mail
from django.test import Client
from pytest_django.asserts import assertContains, assertRedirects

from kabinet.billing.models import PersonalAccount
from kabinet.users.models import NotificationSettings, User
from kabinet.users.tests.helpers import STRONG, code_from_email, code_from_sms, post

pytestmark = pytest.mark.django_db


class Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.labelled: set[str] = set()
        self.inputs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.labelled.add(str(a["for"]))
        elif tag in {"input", "select", "textarea"} and a.get("type") not in {"hidden", "submit"}:
            self.inputs.append(str(a.get("id")))


@pytest.fixture
def resident(db) -> User:  # type: ignore[no-untyped-def]
    return User.objects.create_user(
        username="anna@example.com", email="anna@example.com", phone="+79131234567", password=STRONG
    )


@pytest.fixture
def signed_in(client: Client, resident: User) -> Client:
    client.force_login(resident)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/login/",
        "/signup/",
        "/signup/phone/",
        "/signup/legal/",
        "/password/reset/",
        "/password/sms/",
    ],
)
def test_it_labels_every_input_of_the_public_forms(client: Client, url: str) -> None:
    parser = Fields()
    parser.feed(client.get(url).content.decode())

    assert parser.inputs
    assert set(parser.inputs) <= parser.labelled


@pytest.mark.parametrize(
    "url",
    [
        "/settings/",
        "/settings/password/",
        "/settings/email/",
        "/settings/phone/",
        "/settings/delete/",
    ],
)
def test_it_labels_every_input_of_the_settings_forms(signed_in: Client, url: str) -> None:
    parser = Fields()
    parser.feed(signed_in.get(url).content.decode())

    assert parser.inputs
    assert set(parser.inputs) <= parser.labelled


def test_it_is_the_settings_section_of_the_menu(signed_in: Client) -> None:
    response = signed_in.get("/settings/")

    assertContains(response, 'href="/settings/" aria-current="page"')
    assertContains(response, "anna@example.com")


def test_it_asks_anonymous_visitors_to_sign_in(client: Client) -> None:
    assertRedirects(client.get("/settings/"), "/login/?next=/settings/")


def test_it_edits_the_full_name(signed_in: Client, resident: User) -> None:
    response = signed_in.post(
        "/settings/",
        {
            "section": "profile",
            "last_name": "Иванова",
            "first_name": "Анна",
            "middle_name": "Петровна",
        },
    )

    assertRedirects(response, "/settings/")
    resident.refresh_from_db()
    assert (resident.last_name, resident.first_name, resident.middle_name) == (
        "Иванова",
        "Анна",
        "Петровна",
    )


def test_it_saves_notification_settings_other_apps_read(signed_in: Client, resident: User) -> None:
    response = signed_in.post(
        "/settings/", {"section": "notifications", "epd_by_email": "on", "news": "on"}
    )

    assertRedirects(response, "/settings/")
    row = NotificationSettings.objects.get(user=resident)
    assert (row.epd_by_email, row.receipt_by_email, row.reading_reminders, row.news) == (
        True,
        False,
        False,
        True,
    )
    assert list(User.objects.filter(notification_settings__epd_by_email=True)) == [resident]


def test_it_changes_the_email_after_the_new_address_confirms(
    signed_in: Client, resident: User, django_capture_on_commit_callbacks
) -> None:
    response = post(
        signed_in,
        django_capture_on_commit_callbacks,
        "/settings/email/",
        {"email": "new@example.com"},
    )
    assertRedirects(response, "/settings/email/confirm/")
    assert mail.outbox[0].to == ["new@example.com"]
    resident.refresh_from_db()
    assert resident.email == "anna@example.com"  # not before the confirmation

    response = signed_in.post("/settings/email/confirm/", {"code": code_from_email()})

    assertRedirects(response, "/settings/")
    resident.refresh_from_db()
    assert (resident.email, resident.username) == ("new@example.com", "new@example.com")


def test_it_changes_the_phone_after_an_sms_code(
    signed_in: Client, resident: User, django_capture_on_commit_callbacks, sms_dir
) -> None:
    post(
        signed_in,
        django_capture_on_commit_callbacks,
        "/settings/phone/",
        {"phone": "+7 923 000 11 22"},
    )

    wrong = signed_in.post("/settings/phone/confirm/", {"code": "xxxx"})
    assertContains(wrong, "Неверный код")
    signed_in.post("/settings/phone/confirm/", {"code": code_from_sms(sms_dir)})

    resident.refresh_from_db()
    assert resident.phone == "+79230001122"


def test_it_refuses_an_email_or_phone_of_another_cabinet(signed_in: Client) -> None:
    User.objects.create_user(username="b@example.com", email="b@example.com", phone="+79230001122")

    assertContains(signed_in.post("/settings/email/", {"email": "B@example.com"}), "уже есть")
    assertContains(signed_in.post("/settings/phone/", {"phone": "89230001122"}), "уже есть")
    assert not mail.outbox


def test_it_deletes_the_cabinet_but_keeps_billing_data(client: Client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.holder)
    accounts = PersonalAccount.objects.count()

    refused = client.post("/settings/delete/", {"password": "wrong", "confirm": "on"})
    assertContains(refused, "Пароль введён неверно")
    response = client.post("/settings/delete/", {"password": "Vetka-Sosny-2026", "confirm": "on"})

    assertRedirects(response, "/")
    assert not User.objects.filter(pk=world.holder.pk).exists()
    assert PersonalAccount.objects.count() == accounts
    assert "_auth_user_id" not in client.session
