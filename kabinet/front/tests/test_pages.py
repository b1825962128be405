import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.utils.translation import gettext_lazy
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from kabinet.front import nav
from kabinet.front.nav import Section
from kabinet.users.models import User

pytestmark = pytest.mark.django_db


class FormFields(HTMLParser):
    """Collects the ids of labels' targets and the fields a person fills in."""

    def __init__(self) -> None:
        super().__init__()
        self.label_targets: set[str] = set()
        self.fields: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "label" and attributes.get("for"):
            self.label_targets.add(str(attributes["for"]))
        elif tag in {"input", "select", "textarea"} and attributes.get("type") not in {
            "hidden",
            "submit",
            "button",
        }:
            self.fields.append(attributes)


def test_it_serves_the_start_page(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assertContains(response, "<h1", count=1)
    assertContains(response, "Кабинет")
    login_url = resolve_url(settings.LOGIN_URL)
    assertContains(
        response, f'<a class="button" href="{login_url}?next=%2Fhome%2F">Войти</a>', html=True
    )
    assertContains(response, '<html lang="ru">')
    assertContains(response, 'href="#content"')


def test_it_offers_the_cabinet_instead_of_sign_in_to_a_signed_in_user(
    client: Client, django_user_model: type[User]
) -> None:
    client.force_login(django_user_model.objects.create_user(username="ivanov"))

    response = client.get("/")

    assertContains(response, "Перейти в кабинет")
    assertNotContains(response, ">Войти<")


def test_it_shows_nav_only_to_signed_in_users(
    client: Client, django_user_model: type[User]
) -> None:
    anonymous = client.get("/")
    assertNotContains(anonymous, 'id="site-nav"')
    assertNotContains(anonymous, "Главная")
    assertNotContains(anonymous, 'action="/logout/"')

    client.force_login(django_user_model.objects.create_user(username="ivanov"))
    signed_in = client.get("/")

    assertContains(signed_in, 'id="site-nav"')
    assertContains(signed_in, '<a class="site-nav__link" href="/home/">Главная</a>', html=True)
    assertContains(signed_in, 'action="/logout/"')
    assertContains(signed_in, "Выход")


GHOST = Section("ghost-section", gettext_lazy("Раздел-призрак"))


def test_it_lists_only_sections_that_have_a_page(
    client: Client, django_user_model: type[User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nav, "SECTIONS", (*nav.SECTIONS, GHOST))
    client.force_login(django_user_model.objects.create_user(username="ivanov"))

    response = client.get("/home/")

    menu = response.content.decode().split('id="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="([^"]+)"', menu)[0] == "/home/"
    assert "Раздел-призрак" not in menu
    assertContains(response, 'href="/home/" aria-current="page"')


@pytest.mark.urls("kabinet.front.tests.urls_with_sections")
def test_it_adds_a_section_to_the_nav_once_its_url_exists(
    client: Client, django_user_model: type[User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nav, "SECTIONS", (*nav.SECTIONS, GHOST))
    client.force_login(django_user_model.objects.create_user(username="ivanov"))

    response = client.get("/home/")

    menu = response.content.decode().split('id="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert re.findall(r'href="([^"]+)"', menu)[-1] == "/ghost/"
    assert "Раздел-призрак" in menu


def test_it_greets_the_user_by_name(client: Client, django_user_model: type[User]) -> None:
    user = django_user_model.objects.create_user(
        username="petrova", first_name="Анна", middle_name="Сергеевна", last_name="Петрова"
    )
    client.force_login(user)

    response = client.get("/home/")

    assert response.status_code == 200
    assertContains(response, "Здравствуйте, Анна Сергеевна!")


def test_it_escapes_the_name_in_the_greeting(client: Client, django_user_model: type[User]) -> None:
    client.force_login(django_user_model.objects.create_user(username="x", first_name="<b>Ян</b>"))

    response = client.get("/home/")

    assertContains(response, "&lt;b&gt;Ян&lt;/b&gt;")
    assertNotContains(response, "<b>Ян</b>")


def test_it_sends_anonymous_visitors_of_home_to_sign_in(client: Client) -> None:
    response = client.get("/home/")

    login_url = resolve_url(settings.LOGIN_URL)
    assertRedirects(response, f"{login_url}?next=/home/", fetch_redirect_response=False)


def test_it_switches_to_english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assertRedirects(response, "/", fetch_redirect_response=False)

    page = client.get("/")

    assertContains(page, '<html lang="en">')
    assertContains(page, "Sign in")
    assertContains(page, "For residents")
    assertNotContains(page, "Жителям")


def test_it_sets_csp_header(client: Client) -> None:
    response = client.get("/")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy


@pytest.mark.parametrize("path", ["/", "/home/"])
def test_it_needs_no_inline_scripts_or_styles(
    client: Client, django_user_model: type[User], path: str
) -> None:
    client.force_login(django_user_model.objects.create_user(username="ivanov"))

    html = client.get(path).content.decode()

    scripts = re.findall(r"<script\b[^>]*>", html)
    assert '<script src="/static/js/nav.js" defer>' in scripts
    assert all(re.fullmatch(r'<script src="/static/[^"]+" defer>', tag) for tag in scripts)
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


@pytest.mark.parametrize("path", ["/", "/home/"])
def test_it_labels_every_input(client: Client, django_user_model: type[User], path: str) -> None:
    client.force_login(django_user_model.objects.create_user(username="ivanov"))
    parser = FormFields()

    parser.feed(client.get(path).content.decode())

    assert parser.fields, "the language switcher should be on every page"
    for field in parser.fields:
        assert field.get("id") in parser.label_targets, field


def test_it_logs_out_with_post_and_csrf(django_user_model: type[User]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_user(username="ivanov"))

    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 403
    home = client.get("/home/")
    assert home.status_code == 200

    token = re.search(
        r'action="/logout/".*?name="csrfmiddlewaretoken" value="([^"]+)"',
        home.content.decode(),
        re.DOTALL,
    )
    assert token
    response = client.post("/logout/", {"csrfmiddlewaretoken": token.group(1)})

    assertRedirects(response, "/", fetch_redirect_response=False)
    assert client.get("/home/").status_code == 302
