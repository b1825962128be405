"""The start page in a phone-sized browser: it has a title and a way to sign in."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_it_offers_sign_in_on_a_phone(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")

    assert page.title().strip()
    expect(page.get_by_role("link", name="Войти").first).to_be_visible()
