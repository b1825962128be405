"""Two-factor sign-in with an authenticator app (TOTP): optional for residents, required for staff."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from pytest_django.asserts import assertContains, assertRedirects

from kabinet.users.models import User
from kabinet.users.tests.helpers import STRONG

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.fixture
def resident(db) -> User:  # type: ignore[no-untyped-def]
    return User.objects.create_user(
        username="anna@example.com", email="anna@example.com", password=STRONG
    )


def test_it_lets_a_resident_turn_two_factor_on_and_then_asks_for_the_code(
    client: Client, resident: User
) -> None:
    client.force_login(resident)
    client.post("/settings/two-factor/", {"start": "1"})
    page = client.get("/settings/two-factor/")
    assertContains(page, "<svg")
    device = TOTPDevice.objects.get(user=resident, confirmed=False)

    refused = client.post(
        "/settings/two-factor/",
        {"code": "000000" if current_code(device) != "000000" else "111111"},
    )
    assertContains(refused, "Неверный код из приложения")
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code makes the next try wait a second
    assertRedirects(
        client.post("/settings/two-factor/", {"code": current_code(device)}), "/settings/"
    )
    device.refresh_from_db()
    assert device.confirmed

    fresh = Client()
    response = fresh.post("/login/", {"username": "anna@example.com", "password": STRONG})
    assertRedirects(response, "/login/code/")
    assert "_auth_user_id" not in fresh.session
    assertContains(fresh.post("/login/code/", {"code": "12345"}), "Неверный код из приложения")
    device.refresh_from_db()
    device.throttle_reset()
    device.last_t = -1  # the code of this 30-second step was spent turning it on
    device.save()
    assertRedirects(fresh.post("/login/code/", {"code": current_code(device)}), "/home/")
    assert fresh.session["_auth_user_id"] == str(resident.pk)


def test_it_makes_staff_set_up_two_factor_at_sign_in(client: Client) -> None:
    operator = User.objects.create_user(username="operator", password=STRONG, is_staff=True)

    response = client.post("/login/", {"username": "operator", "password": STRONG})

    assertRedirects(response, "/login/code/")
    page = client.get("/login/code/")
    assertContains(page, "обязателен")
    assert "_auth_user_id" not in client.session
    device = TOTPDevice.objects.get(user=operator)
    assertRedirects(client.post("/login/code/", {"code": current_code(device)}), "/home/")
    device.refresh_from_db()
    assert device.confirmed
    assert client.session["_auth_user_id"] == str(operator.pk)


def test_it_does_not_let_staff_turn_two_factor_off(client: Client) -> None:
    operator = User.objects.create_user(username="operator", password=STRONG, is_staff=True)
    device = TOTPDevice.objects.create(user=operator, confirmed=True)
    client.force_login(operator)

    client.post("/settings/two-factor/", {"code": current_code(device)})

    assert TOTPDevice.objects.filter(user=operator, confirmed=True).exists()


def test_it_lets_a_resident_turn_two_factor_off_with_a_code(client: Client, resident: User) -> None:
    device = TOTPDevice.objects.create(user=resident, confirmed=True)
    client.force_login(resident)

    assertRedirects(
        client.post("/settings/two-factor/", {"code": current_code(device)}), "/settings/"
    )

    assert not TOTPDevice.objects.filter(user=resident).exists()


def test_it_sends_the_code_step_without_a_password_back_to_sign_in(client: Client) -> None:
    assertRedirects(client.get("/login/code/"), "/login/")
