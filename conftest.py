"""Project-wide pytest setup: test settings and a phone-sized Playwright page on system Chromium.

Browser tests use the Debian `chromium` package at /usr/bin/chromium and never download a
browser. Each xdist worker starts its own browser, `live_server` (on a free port) and test
database, so browser tests run in parallel like any other test.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Playwright's sync API keeps an event loop running in the test thread, and Django refuses
# ORM calls from a thread with a running loop unless told that this is intended.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BROWSER_FIXTURES = {"browser", "page"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: Playwright test on the system Chromium (deselect with -m 'not browser')"
    )
    config.addinivalue_line(
        "markers",
        "scaleout: starts two gunicorn servers and a Celery worker (PostgreSQL and Redis)",
    )
    # WhiteNoise warns that STATIC_ROOT is missing; tests serve static files from the finders.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")
    from django.conf import settings

    if settings.configured:
        # Hashing is not what the tests check: a fast hasher keeps a sign-in at microseconds
        # instead of hundreds of milliseconds on a loaded two-core machine.
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        # Tests run with DEBUG off but never run collectstatic, so the manifest storage would
        # fail on every {% static %}; serve the files as they are instead.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian package `chromium`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: "Browser") -> Iterator["Page"]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ru-RU")
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the site's language: Django's LocaleMiddleware leaves the language of
    the last request active in the thread, so an English request would leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any outgoing HTTP call a test did not replace fails loudly."""

    def refuse(method: str, url: str, **kwargs: object) -> None:
        raise AssertionError(f"a test tried to reach the network: {method} {url}")

    monkeypatch.setattr("kabinet.lib.http.send", refuse)


@pytest.fixture
def world(db: None, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The holder of account 1001, a family member sharing it, and a stranger with 1002."""
    from kabinet.accounts.tests.factories import make_world

    return make_world(tmp_path)


@pytest.fixture
def sign_in(page: "Page", live_server):  # type: ignore[no-untyped-def]
    """sign_in(user): a resident signs in through the sign-in form, as a person would (the users
    of kabinet/accounts/tests/factories.py share one password). Staff would be asked for a TOTP
    code, so for them the page gets a session cookie instead."""
    from django.conf import settings
    from django.test import Client

    from kabinet.accounts.tests.factories import PASSWORD

    def _sign_in(user, password: str = PASSWORD) -> "Page":  # type: ignore[no-untyped-def]
        if not user.is_staff:
            page.goto(live_server.url + "/login/")
            page.get_by_label("Email, телефон или ИНН").fill(user.email)
            page.get_by_label("Пароль", exact=True).fill(password)
            page.get_by_role("button", name="Войти").click()
            page.wait_for_url(live_server.url + "/home/")
            return page
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
        return page

    return _sign_in
