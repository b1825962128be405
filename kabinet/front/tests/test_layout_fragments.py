"""The shared layout's fragments are kept per process (kabinet/front/layout.py): each person still
gets their own CSRF token and path, and what differs between people, languages and sections is
never served from another's copy."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from kabinet.accounts.tests.factories import make_user
from kabinet.billing.tests.factories import make_org
from kabinet.front import layout
from kabinet.office.tests.factories import make_staff

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(autouse=True)
def _fresh_fragments() -> None:
    layout._fragments.clear()


def signed_in(email: str, **fields: object) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(email, **fields))
    return client


def test_fragments_are_kept_and_reused() -> None:
    client = signed_in("a@example.com")
    client.get("/settings/")
    kept = dict(layout._fragments)
    assert {key[1] for key in kept} == {"head", "header", "nav", "footer"}
    client.get("/settings/")
    assert layout._fragments == kept


def test_each_person_gets_their_own_csrf_token_and_it_works() -> None:
    first, second = signed_in("a@example.com"), signed_in("b@example.com")
    pages = [client.get("/settings/").content.decode() for client in (first, second)]
    tokens = [set(TOKEN.findall(page)) for page in pages]
    # The language form, the sign-out button and the typo dialog carry the page's one token.
    assert [len(found) for found in tokens] == [1, 1]
    assert tokens[0] != tokens[1]
    assert layout.CSRF_MARK not in pages[0] + pages[1]
    for client, found in zip((first, second), tokens, strict=True):
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/settings/",
                                                  "csrfmiddlewaretoken": found.pop()})
        assert response.status_code == 302


def test_the_request_path_is_the_requests_own_and_escaped() -> None:
    client = signed_in("a@example.com")
    client.get("/settings/?from=first")
    page = client.get('/settings/?q="><b>x').content.decode()
    assert layout.PATH_MARK not in page
    assert 'name="next" value="/settings/?q=%22%3E%3Cb%3Ex"' in page
    assert 'name="page_url" value="/settings/?q=%22%3E%3Cb%3Ex"' in page
    assert "from=first" not in page


def test_office_link_only_for_staff_whoever_came_first() -> None:
    org = make_org("uk")
    staff = Client()
    staff.force_login(make_staff(org, "operator", email="op@example.com"))
    resident = signed_in("a@example.com")
    office = "Офис организации"
    assert office in staff.get("/settings/").content.decode()
    assert office not in resident.get("/settings/").content.decode()
    layout._fragments.clear()
    assert office not in resident.get("/settings/").content.decode()
    assert office in staff.get("/settings/").content.decode()


def test_signed_out_and_signed_in_headers_differ() -> None:
    client = signed_in("a@example.com")
    assert "Выход" in client.get("/settings/").content.decode()
    anonymous = Client().get("/login/").content.decode()
    assert "Выход" not in anonymous
    assert "Зарегистрироваться" in anonymous


def test_language_is_part_of_the_key() -> None:
    client = signed_in("a@example.com")
    russian = client.get("/settings/").content.decode()
    english = client.get("/settings/", headers={"accept-language": "en"}).content.decode()
    assert "Главная" in russian and 'lang="ru"' in russian
    assert 'lang="en"' in english and "Главная" not in english
    assert "Главная" in client.get("/settings/").content.decode()


def test_the_current_section_is_marked_on_its_own_page() -> None:
    client = signed_in("a@example.com")
    settings_page = client.get("/settings/").content.decode()
    news_page = client.get("/news/").content.decode()
    current = re.compile(r'href="([^"]+)" aria-current="page"')
    assert current.findall(settings_page) == ["/settings/"]
    assert current.findall(news_page) == ["/news/"]


def test_sandbox_note_follows_the_setting() -> None:
    client = signed_in("a@example.com")
    with override_settings(PAYMENTS_SANDBOX=True):
        assert "Тестовый режим оплаты" in client.get("/settings/").content.decode()
    with override_settings(PAYMENTS_SANDBOX=False):
        assert "Тестовый режим оплаты" not in client.get("/settings/").content.decode()
