"""In English the interface chrome of the main pages has no Russian left (SPEC 4, issue 14.4).

A resident switches the language with the site's own switch and walks the main pages; the
operator's office home is opened the same way. On each page the text of the chrome — the title,
navigation, headings, labels, buttons, table headers, legends, captions, summaries, and the
aria-label / placeholder / title attributes — must contain no Cyrillic. Data is excepted: the
elements a template marks with `data-content` (names, addresses, service names, free text people
typed) and anything in `lang="ru"` (the switch's «Русский»).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page

from kabinet.accounts.tests.factories import PASSWORD
from kabinet.front.tests.test_browser_accessibility import build_data
from kabinet.office.tests.factories import make_staff
from kabinet.users.models import User

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
# ENGLISH_SCREENSHOTS=/some/dir saves a 1280 px PNG of every page, to look at.
SCREENSHOTS = os.environ.get("ENGLISH_SCREENSHOTS", "")

CHROME = """() => {
  const data = el => el.closest('[data-content], [lang="ru"]');
  const out = [];
  const seen = new Set();
  const add = (where, text) => {
    text = (text || '').replace(/\\s+/g, ' ').trim();
    const key = where + '|' + text;
    if (text && !seen.has(key)) { seen.add(key); out.push([where, text]); }
  };
  add('title', document.title);
  const chrome = 'nav a, nav button, h1, h2, h3, h4, label, button, th, legend, caption, summary, '
    + 'dt, .button, [role=button], [role=tab], .messages, .errorlist, .help, .hint';
  for (const el of document.querySelectorAll(chrome)) {
    if (data(el) || !el.getClientRects().length) continue;
    // The element's own words: text of the children not marked as data.
    let text = '';
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!data(node.parentElement) || data(node.parentElement) === data(el)) text += ' ' + node.textContent;
    }
    add(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : ''), text);
  }
  for (const el of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
    if (data(el) || el.tagName === 'HTML') continue;
    for (const attr of ['aria-label', 'placeholder', 'title']) {
      if (el.hasAttribute(attr)) add(el.tagName.toLowerCase() + '@' + attr, el.getAttribute(attr));
    }
  }
  return out;
}"""


def data_strings() -> list[str]:
    """What people and organisations wrote (data, not chrome), longest first."""
    from kabinet.billing.models import PersonalAccount, Service
    from kabinet.news.models import FaqItem, News
    from kabinet.orgs.models import Organisation

    found: set[str] = set()
    for account in PersonalAccount.objects.all():
        found.update({account.address, account.owner_name, account.contract_number})
        found.update(account.owner_name.split())
    for user in User.objects.all():
        found.update({user.first_name, user.last_name, user.middle_name})
    found.update(Organisation.objects.values_list("name", flat=True))
    found.update(Service.objects.values_list("name", flat=True))
    found.update(News.objects.values_list("title", flat=True))
    found.update(FaqItem.objects.values_list("question", flat=True))
    return sorted((s for s in found if s), key=len, reverse=True)


def russian_left(page: Page, data: list[str]) -> list[str]:
    left = []
    for where, text in page.evaluate(CHROME):
        chrome = text
        for value in data:
            chrome = chrome.replace(value, "")
        if CYRILLIC.search(chrome):
            left.append(f"{where}: {text}")
    return left


def test_it_shows_no_russian_in_the_interface_chrome_in_english(
    transactional_db, live_server, browser, tmp_path: Path
) -> None:
    data = build_data(tmp_path)
    world = data["world"]
    account = world.account
    url = live_server.url
    # The browser asks for Russian: English comes from the site's language switch alone.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = context.new_page()
    page.set_default_timeout(10000)

    # Before signing in: the switch on the sign-in page, then the pages anyone can open.
    page.goto(url + "/login/")
    page.get_by_label("Язык").select_option("en")
    page.get_by_role("button", name="Сменить").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "en"
    found: list[str] = []
    known_data = data_strings()
    for name, path in {"start page": "/", "sign-in": "/login/", "sign-up": "/signup/",
                       "password reset": "/password/reset/"}.items():
        page.goto(url + path)
        found.extend(f"{name}: {line}" for line in russian_left(page, known_data))

    page.goto(url + "/login/")
    page.get_by_label("E-mail, phone or INN").fill(world.holder.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/home/")
    assert page.locator("html").get_attribute("lang") == "en"

    pages = {
        "home": "/home/",
        "accounts": "/accounts/",
        "account card": f"/accounts/{account.pk}/",
        "requisites": f"/accounts/{account.pk}/requisites/",
        "family access": f"/accounts/{account.pk}/share/",
        "bind an account": "/accounts/bind/",
        "charges": "/charges/",
        "charges of the account": f"/charges/{account.pk}/",
        "reports": "/reports/",
        "readings": f"/readings/{account.pk}/",
        "reading history": f"/readings/{account.pk}/history/",
        "payments": "/payments/",
        "payment history": f"/payments/accounts/{account.pk}/",
        "pay": "/payments/pay/",
        "a payment": f"/payments/{data['payment'].uid}/",
        "requests": "/requests/",
        "new request": "/requests/new/",
        "a request": f"/requests/{data['requests']['in_work'].pk}/",
        "appeals": "/appeals/",
        "new appeal": "/appeals/new/",
        "an appeal": f"/appeals/{data['appeal'].pk}/",
        "news": "/news/",
        "faq": "/faq/",
        "settings": "/settings/",
    }
    shots = Path(SCREENSHOTS) if SCREENSHOTS else None

    def check(name: str, path: str) -> None:
        page.goto(url + path)
        page.wait_for_load_state("load")
        if page.locator("details.month summary").count() and name == "charges":
            page.locator("details.month summary").first.click()
        assert page.locator("html").get_attribute("lang") == "en", name
        found.extend(f"{name}: {line}" for line in russian_left(page, known_data))
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
            slug = re.sub(r"\W+", "-", name)
            page.screenshot(path=str(shots / f"{slug}.png"), full_page=True)

    for name, path in pages.items():
        check(name, path)

    # The office, for a member of staff with every section, in the same language.
    admin = make_staff(world.org, User.Role.ADMIN)
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(admin)
    context.clear_cookies()
    context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": url},
    ])
    check("office home", "/office/")
    context.close()

    assert found == [], "Russian left in the English interface:\n" + "\n".join(found)
