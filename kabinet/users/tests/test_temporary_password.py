"""Operator-created cabinets (seed 000): a temporary password by e-mail, changed at first sign-in."""

import re
from typing import cast

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from pytest_django.asserts import assertContains, assertRedirects

from kabinet.users.models import User
from kabinet.users.tests.helpers import STRONG

pytestmark = pytest.mark.django_db


def every_plain_url() -> list[str]:
    """Every project URL without parameters (the admin included)."""
    urls: list[str] = []

    def walk(patterns: list, prefix: str) -> None:  # type: ignore[type-arg]
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + route)
            elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route:
                urls.append("/" + (prefix + route).lstrip("^").rstrip("$").replace("\\Z", ""))

    walk(get_resolver().url_patterns, "")
    return sorted(set(urls))


@pytest.fixture
def cabinet(django_capture_on_commit_callbacks) -> tuple[User, str]:  # type: ignore[no-untyped-def]
    """A cabinet an operator opened; the temporary password as the e-mail brought it."""
    from kabinet.users import services

    user = User.objects.create_user(username="ivanov@example.com", email="ivanov@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.user_send_temporary_password(user=user)
    message = cast(EmailMultiAlternatives, mail.outbox[-1])
    match = re.search(r"Временный пароль: (\S+)", str(message.body))
    assert match
    assert match.group(1) in str(message.alternatives[0][0])
    return user, match.group(1)


def test_it_emails_a_temporary_password_from_the_admin_action(
    admin_client: Client, django_capture_on_commit_callbacks
) -> None:
    user = User.objects.create_user(username="petrov@example.com", email="petrov@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/users/user/",
            {"action": "send_temporary_password", "_selected_action": [user.pk]},
        )

    user.refresh_from_db()
    assert user.must_change_password
    assert mail.outbox[-1].to == ["petrov@example.com"]
    assert "Временный пароль" in mail.outbox[-1].body


def test_it_lets_a_temporary_password_cabinet_reach_no_page_before_the_change(
    client: Client, cabinet: tuple[User, str]
) -> None:
    user, temporary = cabinet
    assertRedirects(
        client.post("/login/", {"username": user.email, "password": temporary}),
        "/home/",
        target_status_code=302,
    )

    urls = every_plain_url()
    assert {"/", "/home/", "/settings/", "/admin/", "/signup/"} <= set(urls)
    for url in urls:
        if url in ("/settings/password/", "/logout/"):
            continue
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"] == "/settings/password/", url

    page = client.get("/settings/password/")
    assertContains(page, "временным паролем")
    response = client.post(
        "/settings/password/",
        {"old_password": temporary, "password1": STRONG, "password2": STRONG},
    )

    assertRedirects(response, "/home/")
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/settings/").status_code == 200


def test_it_lets_a_temporary_password_cabinet_sign_out(
    client: Client, cabinet: tuple[User, str]
) -> None:
    user, temporary = cabinet
    client.post("/login/", {"username": user.email, "password": temporary})

    assertRedirects(client.post("/logout/"), "/")
    assert "_auth_user_id" not in client.session


def test_it_changes_a_password_only_with_the_current_one(client: Client) -> None:
    user = User.objects.create_user(
        username="a@example.com", email="a@example.com", password=STRONG
    )
    client.force_login(user)

    wrong = client.post(
        "/settings/password/",
        {
            "old_password": "not-it",
            "password1": "Novyi-Parol-2026",
            "password2": "Novyi-Parol-2026",
        },
    )
    weak = client.post(
        "/settings/password/",
        {"old_password": STRONG, "password1": "12345678", "password2": "12345678"},
    )
    right = client.post(
        "/settings/password/",
        {"old_password": STRONG, "password1": "Novyi-Parol-2026", "password2": "Novyi-Parol-2026"},
    )

    assertContains(wrong, "Текущий пароль введён неверно")
    assertContains(weak, "слишком")
    assertRedirects(right, "/settings/", fetch_redirect_response=False)
    user.refresh_from_db()
    assert user.check_password("Novyi-Parol-2026")
    # The session survives its own password change.
    assert client.get("/settings/").status_code == 200
