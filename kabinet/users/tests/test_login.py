"""Sign-in by e-mail, phone or ИНН; «Запомнить меня»; lockout and limits; sign-out."""


import pytest
from axes.models import AccessAttempt
from django.test import Client
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from kabinet.users import signin
from kabinet.users.models import User
from kabinet.users.tests.helpers import STRONG

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(db) -> User:  # type: ignore[no-untyped-def]
    return User.objects.create_user(
        username="anna@example.com",
        email="anna@example.com",
        phone="+79131234567",
        password=STRONG,
    )


@pytest.fixture
def firm(db) -> User:  # type: ignore[no-untyped-def]
    return User.objects.create_user(
        username="buh@firma.ru",
        email="buh@firma.ru",
        inn="7707083893",
        kind=User.Kind.LEGAL,
        password=STRONG,
    )


def sign_in(client: Client, login: str, password: str = STRONG, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/login/", {"username": login, "password": password, **extra})


def test_it_shows_the_sign_in_form_with_the_labels_from_the_manuals(client: Client) -> None:
    response = client.get("/login/")

    for label in (
        "Email, телефон или ИНН",
        "Пароль",
        "Запомнить меня",
        "Забыли пароль?",
        "Зарегистрироваться",
    ):
        assertContains(response, label)
    assertContains(response, '<button class="button" type="submit">Войти</button>', html=True)
    assertNotContains(response, "Сколько будет")


@pytest.mark.parametrize(
    "login",
    ["anna@example.com", "ANNA@example.com", "+7 913 123-45-67", "89131234567", "9131234567"],
)
def test_it_signs_in_by_email_or_phone(client: Client, resident: User, login: str) -> None:
    response = sign_in(client, login)

    assertRedirects(response, "/home/")
    assert client.session["_auth_user_id"] == str(resident.pk)


def test_it_signs_in_a_legal_entity_by_inn(client: Client, firm: User) -> None:
    assertRedirects(sign_in(client, "7707083893"), "/home/")
    assert client.session["_auth_user_id"] == str(firm.pk)


def test_it_goes_back_to_the_page_asked_for(client: Client, resident: User) -> None:
    response = client.post(
        "/login/?next=/settings/",
        {"username": "anna@example.com", "password": STRONG, "next": "/settings/"},
    )

    assertRedirects(response, "/settings/")


def test_it_remembers_the_session_only_when_asked(client: Client, resident: User) -> None:
    sign_in(client, "anna@example.com")
    assert client.session.get_expire_at_browser_close()

    other = Client()
    sign_in(other, "anna@example.com", remember="on")
    assert not other.session.get_expire_at_browser_close()
    assert other.session.get_expiry_age() == 30 * 24 * 3600


def test_it_refuses_a_wrong_password(client: Client, resident: User) -> None:
    response = sign_in(client, "anna@example.com", "Wrong-Password-1")

    assertContains(response, "Неверный логин или пароль")
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_disabled_account(client: Client, resident: User) -> None:
    resident.is_active = False
    resident.save()

    response = sign_in(client, "anna@example.com")

    assertContains(response, "Неверный логин или пароль")
    assert "_auth_user_id" not in client.session


def test_it_asks_no_arithmetic_question_a_script_could_answer(client: Client, resident: User) -> None:
    for _ in range(3):
        response = sign_in(client, "anna@example.com", "Wrong-Password-1")
    assertNotContains(response, "Сколько будет")
    assertRedirects(sign_in(client, "anna@example.com"), "/home/")
    # A successful sign-in clears axes' failures.
    assert not AccessAttempt.objects.exists()


def test_it_locks_a_login_out_after_too_many_failures(client: Client, resident: User) -> None:
    response = None
    for _ in range(5):
        response = sign_in(client, "anna@example.com", "Wrong-Password-1")
    assert response is not None and response.status_code == 429
    assertContains(response, "Вход временно заблокирован", status_code=429)

    locked = sign_in(client, "anna@example.com")

    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not locked out of this login.
    assertRedirects(sign_in(Client(REMOTE_ADDR="198.51.100.9"), "anna@example.com"), "/home/")


def test_it_stops_one_login_guessed_from_many_addresses(client: Client, resident: User) -> None:
    for n in range(signin.PER_LOGIN):
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{n}"), "Anna@Example.com", f"Wrong-{n}")

    refused = sign_in(Client(REMOTE_ADDR="203.0.113.1"), "anna@example.com")

    assertContains(refused, "Слишком много неудачных попыток входа")
    assert "_auth_user_id" not in refused.wsgi_request.session
    # Other logins from those addresses are not affected.
    User.objects.create_user(username="b@example.com", email="b@example.com", password=STRONG)
    assertRedirects(sign_in(Client(REMOTE_ADDR="198.51.100.1"), "b@example.com"), "/home/")


def test_it_stops_an_address_trying_many_logins(client: Client, resident: User) -> None:
    for n in range(signin.PER_IP):
        sign_in(client, f"nobody{n}@example.com", "Wrong-Password-1")

    assertContains(sign_in(client, "anna@example.com"), "Слишком много неудачных попыток входа")
    assertRedirects(sign_in(Client(REMOTE_ADDR="198.51.100.9"), "anna@example.com"), "/home/")


def test_it_signs_out(client: Client, resident: User) -> None:
    sign_in(client, "anna@example.com")

    response = client.post("/logout/")

    assertRedirects(response, "/")
    assert "_auth_user_id" not in client.session
    assertRedirects(client.get("/settings/"), "/login/?next=/settings/")


def test_it_sends_a_signed_in_user_home_from_the_sign_in_page(
    client: Client, resident: User
) -> None:
    client.force_login(resident)

    assertRedirects(client.get("/login/"), "/home/", fetch_redirect_response=False)


def test_it_sends_the_back_office_sign_in_to_the_same_form(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/billing/")

    assertRedirects(response, "/login/?next=%2Fadmin%2Fbilling%2F")


def test_it_offers_sign_in_and_sign_up_in_the_header(client: Client) -> None:
    response = client.get("/")

    assertContains(response, '<a href="/login/">Войти</a>', html=True)
    assertContains(response, '<a href="/signup/">Зарегистрироваться</a>', html=True)
