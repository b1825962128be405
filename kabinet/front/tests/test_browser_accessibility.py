"""axe-core (WCAG 2.1 A/AA) and «no sideways scroll» on every resident page and state (SPEC 4).

One browser, one live server, and the data built once: each page state is opened once, checked at
360 px and again at 1280 px, and every problem found is reported together at the end. axe-core is
the `axe.min.js` shipped by the PyPI package `axe-playwright-python` (a dev dependency), injected
into each page; nothing is fetched from the network.
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from kabinet.accounts.models import Invitation
from kabinet.accounts.tests.factories import PASSWORD, make_world
from kabinet.billing.models import BillingPayment, Charge, Period, Service
from kabinet.helpdesk.models import ServiceRequest
from kabinet.helpdesk.services import appeal_create, appeal_reply
from kabinet.helpdesk.tests.factories import make_operator, make_request
from kabinet.meters.models import Meter
from kabinet.meters.tests.helpers import make_meter
from kabinet.news.models import FaqItem
from kabinet.news.tests.factories import make_news
from kabinet.payments.services import PayLine, payment_create

# A11Y_SCREENSHOTS=/some/dir saves a full-page PNG of every state at each width, to look at.
SCREENSHOTS = os.environ.get("A11Y_SCREENSHOTS", "")
# WCAG 2.1 A/AA, plus 2.2's «target size (minimum)»: touch targets of at least 24×24 px.
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = (360, 1280)
GENERIC_TITLES = {"", "Кабинет", "Cabinet"}


def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@dataclass
class Report:
    states: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def check(self, page: Page, name: str, *, error: bool = False, money: bool = False) -> None:
        """Run axe at both widths, look for sideways scroll at 360 px and at the page title."""
        self.states.append(name)
        page.wait_for_load_state("load")
        title = page.title().strip()
        if title in GENERIC_TITLES or title.startswith("Кабинет —"):
            self.problems.append(f"{name}: the title does not name the page ({title!r})")
        if error:
            self.check_errors(page, name, title)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 740 if width == 360 else 900})
            if width == 360:
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                if overflow > 0:
                    wide = page.evaluate(WIDEST_ELEMENT)
                    self.problems.append(f"{name}: scrolls sideways by {overflow}px at 360px ({wide})")
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
                AXE_RULES,
            )
            for violation in result["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = ", ".join(
                        str(node["target"]) for node in violation["nodes"][:3]
                    )
                    self.problems.append(
                        f"{name} @{width}px: {violation['impact']} {violation['id']} — {targets}"
                    )
            if width == 360:
                for field in page.evaluate(FAINT_BORDERS):
                    self.problems.append(f"{name}: the border of {field} is below 3:1")
            if SCREENSHOTS:
                slug = re.sub(r"\W+", "-", name).strip("-")
                page.screenshot(path=f"{SCREENSHOTS}/{slug}-{width}.png", full_page=True)
            if money:
                for region in page.evaluate(SCROLLING_REGIONS):
                    self.problems.append(f"{name}: money hides in a sideways scroll at {width}px ({region})")
        page.set_viewport_size({"width": 360, "height": 740})

    def check_errors(self, page: Page, name: str, title: str) -> None:
        """After a failed submit: «Ошибка:» in the title, focus on a summary whose links lead to
        the fields, every invalid field described by its error."""
        if not title.startswith("Ошибка:"):
            self.problems.append(f"{name}: after a failed submit the title is {title!r}")
        found = page.evaluate(ERROR_STATE)
        if not found["summaryFocused"]:
            self.problems.append(f"{name}: focus is not on an error summary ({found['focused']})")
        if not found["invalid"]:
            self.problems.append(f"{name}: no field is marked aria-invalid")
        for problem in found["problems"]:
            self.problems.append(f"{name}: {problem}")


# The element that sticks out furthest on the right, to say where a page overflows.
WIDEST_ELEMENT = """() => {
  let worst = null, right = document.documentElement.clientWidth;
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > right + 0.5) { right = r.right; worst = el; }
  }
  if (!worst) return 'no element';
  return worst.tagName.toLowerCase() + (worst.className ? '.' + String(worst.className).split(' ').join('.') : '')
    + ' ends at ' + Math.round(right) + 'px';
}"""


# Money pages must show their sums without any sideways scrolling, even inside a table region.
SCROLLING_REGIONS = """() => [...document.querySelectorAll('main *')]
  .filter(el => el.scrollWidth > el.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
  .map(el => el.tagName.toLowerCase() + '.' + String(el.className) + ' ' + el.scrollWidth + '>' + el.clientWidth)"""

# Inputs whose border is fainter than 3:1 against white (WCAG 1.4.11, non-text contrast).
FAINT_BORDERS = """() => {
  const lum = c => {
    const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(v => {
      v = Number(v) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const fields = document.querySelectorAll(
    'main input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit]), main select, main textarea');
  return [...fields].filter(el => el.offsetParent !== null).filter(el => {
    const style = getComputedStyle(el);
    if (parseFloat(style.borderTopWidth) === 0) return true;
    return 1.05 / (lum(style.borderTopColor) + 0.05) < 3;
  }).map(el => (el.id || el.name) + ' ' + getComputedStyle(el).borderTopColor);
}"""

# The error state: the focused summary, its links, and each invalid field's description.
ERROR_STATE = r"""() => {
  const problems = [];
  const summary = document.querySelector('[data-error-summary]');
  const active = document.activeElement;
  const invalid = [...document.querySelectorAll('[aria-invalid="true"]')];
  for (const field of invalid) {
    const ids = (field.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    const texts = ids.map(id => document.getElementById(id)).filter(Boolean).map(el => el.textContent.trim());
    if (!ids.length || texts.length !== ids.length || !texts.join('')) {
      problems.push('field ' + (field.id || field.name) + ' is not described by its error');
    }
  }
  if (summary) {
    const links = [...summary.querySelectorAll('a[href^="#"]')];
    if (!links.length) problems.push('the error summary links to no field');
    for (const link of links) {
      if (!document.getElementById(link.getAttribute('href').slice(1))) {
        problems.push('the summary links to a missing ' + link.getAttribute('href'));
      }
    }
  }
  return {
    summaryFocused: !!summary && summary.contains(active),
    focused: active ? active.tagName + '#' + active.id : 'nothing',
    invalid: invalid.length,
    problems,
  };
}"""


def build_data(tmp_path: Path) -> dict[str, Any]:
    """The shared cast with a year of charges, meters, payments, requests in every status,
    appeals, news, FAQ, a family member and a pending invitation."""
    world = make_world(tmp_path)
    org, account = world.org, world.account
    org.reading_first_day, org.reading_last_day = 1, 31
    org.save(update_fields=["reading_first_day", "reading_last_day"])
    # A year of published months with a penalty, so charges and charts have something to show.
    hvs = Service.objects.get(organisation=org, code="hvs")
    peni, _ = Service.objects.get_or_create(organisation=org, code="peni", defaults={"name": "Пени"})
    for month in range(2, 13):
        period = Period.objects.create(
            organisation=org, month=datetime.date(2024, month, 1), is_published=True
        )
        Charge.objects.create(
            account=account, period=period, service=hvs, unit="м3", tariff=Decimal("45.12"),
            norm=Decimal("6.93"), volume=Decimal("3.5"), volume_basis="meter",
            debt_start=Decimal("1250.00"), charged=Decimal("157.92"), paid=Decimal("1000.00"),
            to_pay=Decimal("407.92"),
        )
        Charge.objects.create(
            account=account, period=period, service=peni, kind="penalty",
            charged=Decimal("12.34"), to_pay=Decimal("12.34"),
        )
        BillingPayment.objects.create(
            organisation=org, account=account, external_id=f"a11y-{month}",
            paid_on=datetime.date(2024, month, 5), amount=Decimal("1000.00"), channel="Касса",
        )
    make_meter(
        account, "a11y-cold", serial_number="12345678",
        history=(("2024-11-20", "120.5"), ("2024-12-20", "125.75")),
    )
    make_meter(
        account, "a11y-el", resource=Meter.Resource.ELECTRICITY, serial_number="87654321",
        zones=2, unit="кВт·ч", history=(("2024-12-20", ("1500", "700")),),
    )
    make_news(org, "Плановое отключение горячей воды", body="С 10 по 12 июня — профилактика.")
    FaqItem.objects.create(
        organisation=org, question="Как передать показания?", answer="В разделе «Показания».",
    )
    Invitation.objects.create(account=account, invited_by=world.holder, email="granny@example.com")
    operator = make_operator(org)
    requests = {}
    for status in ServiceRequest.Status:
        request = make_request(world.holder, account, reason=f"Заявка: {status.label}")
        ServiceRequest.objects.filter(pk=request.pk).update(status=status.value)
        requests[status.value] = request
    appeal = appeal_create(
        author=world.holder, account=account, topic="charges",
        text="Почему выросла плата за воду?", contact="holder@example.com",
    )
    appeal_reply(appeal=appeal, by=operator, text="Изменился тариф с 1 июля.")
    payment = payment_create(
        user=world.holder, organisation=org, lines=[PayLine(account.pk, amount=Decimal("100.00"))],
        receipt_contact="holder@example.com",
    )
    return {"world": world, "requests": requests, "appeal": appeal, "payment": payment}


def submit(page: Page, button: str) -> None:
    page.get_by_role("main").get_by_role("button", name=button, exact=True).first.click()
    page.wait_for_load_state("load")


def test_it_finds_no_serious_axe_violation_and_no_sideways_scroll_on_resident_pages(
    transactional_db, live_server, browser, tmp_path: Path
) -> None:
    data = build_data(tmp_path)
    world = data["world"]
    account = world.account
    url = live_server.url
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="ru-RU", bypass_csp=True
    )
    context.add_init_script(script=axe_source())
    page = context.new_page()
    page.set_default_timeout(5000)
    report = Report()

    def visit(path: str, name: str, **kwargs: Any) -> None:
        try:
            page.goto(url + path)
            report.check(page, name, **kwargs)
        except PlaywrightError as exc:
            report.problems.append(f"{name}: {exc.message.splitlines()[0]}")

    def form_errors(path: str, button: str, name: str, fill: Callable[[], None] | None = None) -> None:
        try:
            page.goto(url + path)
            if fill is not None:
                fill()
            submit(page, button)
            report.check(page, name, error=True)
        except PlaywrightError as exc:
            report.problems.append(f"{name}: {exc.message.splitlines()[0]}")

    def confirmation(path: str, action: str, confirm: str, name: str) -> None:
        """The action leads to a confirmation step, not straight to the deed."""
        try:
            page.goto(url + path)
            page.get_by_role("main").get_by_role("link", name=action).first.click()
            page.wait_for_load_state("load")
            expect(page.get_by_role("button", name=confirm)).to_be_visible()
            report.check(page, name)
        except (PlaywrightError, AssertionError) as exc:
            report.problems.append(f"{name}: {str(exc).splitlines()[0]}")

    # --- before signing in ---------------------------------------------------------------------
    visit("/", "start page")
    visit("/login/", "sign-in")
    form_errors("/login/", "Войти", "sign-in with errors")
    visit("/signup/", "sign-up by e-mail")
    form_errors("/signup/", "Зарегистрироваться", "sign-up with errors")
    visit("/signup/phone/", "sign-up by phone")
    visit("/signup/legal/", "sign-up of a company")
    form_errors("/signup/legal/", "Зарегистрироваться", "company sign-up with errors")
    visit("/password/reset/", "password reset")
    form_errors("/password/reset/", "Продолжить", "password reset with errors")
    visit("/password/sms/", "password reset by SMS")
    form_errors("/password/sms/", "Продолжить", "password reset by SMS with errors")
    visit("/payments/policies/", "payment policies")

    # --- the holder ----------------------------------------------------------------------------
    page.goto(url + "/login/")
    page.get_by_label("Email, телефон или ИНН").fill(world.holder.email)
    page.get_by_label("Пароль", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(url + "/home/")
    report.check(page, "home", money=True)

    visit("/accounts/", "account list", money=True)
    visit(f"/accounts/{account.pk}/", "account card", money=True)
    visit(f"/accounts/{account.pk}/requisites/", "requisites")
    visit(f"/accounts/{account.pk}/share/", "family access")
    form_errors(f"/accounts/{account.pk}/share/", "Пригласить", "family access with errors")
    confirmation(f"/accounts/{account.pk}/", "Отвязать", "Да, отвязать", "unbind: confirmation")
    confirmation(
        f"/accounts/{account.pk}/share/", "Закрыть доступ", "Да, закрыть доступ",
        "close a member's access: confirmation",
    )
    confirmation(
        f"/accounts/{account.pk}/share/", "Отозвать", "Да, отозвать", "revoke an invitation: confirmation"
    )
    visit("/accounts/bind/", "bind an account")
    form_errors("/accounts/bind/", "Проверить", "bind with errors")

    def bind_details() -> None:
        page.get_by_label("Лицевой счет").fill("1002")
        page.get_by_label("Фамилия").fill("Петрова")
        page.get_by_label("Номер квартиры").fill("6")

    page.goto(url + "/accounts/bind/")
    bind_details()
    submit(page, "Проверить")
    report.check(page, "bind: confirmation step")
    visit("/accounts/find/", "find an account")
    form_errors("/accounts/find/", "Найти", "find with errors")

    visit("/charges/", "charges", money=True)
    page.locator("details.month summary").first.click()
    report.check(page, "charges: a month opened", money=True)
    visit(f"/charges/{account.pk}/?since=2024-13&until=x#movement", "charges: a wrong range", error=True)
    visit("/reports/", "reports", money=True)
    for kind in ("payments", "charges", "readings"):
        visit(f"/reports/{account.pk}/{kind}/", f"report: {kind}", money=True)

    visit("/readings/", "readings")
    visit(f"/readings/{account.pk}/", "readings of an account")
    page.goto(url + f"/readings/{account.pk}/")
    page.get_by_role("main").get_by_role("textbox").first.fill("1")
    submit(page, "Передать показания")
    report.check(page, "readings with errors", error=True)
    page.goto(url + f"/readings/{account.pk}/")
    boxes = page.get_by_role("main").get_by_role("textbox")
    boxes.nth(0).fill("126,5")
    submit(page, "Передать показания")
    report.check(page, "readings: confirmation step")
    visit(f"/readings/{account.pk}/history/", "reading history")

    visit("/payments/", "payments", money=True)
    visit(f"/payments/accounts/{account.pk}/", "payment history of an account", money=True)
    visit("/payments/pay/", "pay")

    def wrong_amount() -> None:
        page.get_by_label(f"Сумма по лицевому счёту {account.number}, ₽").fill("сто")

    form_errors("/payments/pay/", "Оплатить", "pay with errors", fill=wrong_amount)
    visit(f"/payments/{data['payment'].uid}/", "a payment")

    visit("/requests/", "requests")
    visit("/requests/new/", "new request")
    form_errors("/requests/new/", "Сохранить", "new request with errors")
    for status, request in data["requests"].items():
        visit(f"/requests/{request.pk}/", f"request: {status}")
    confirmation(
        f"/requests/{data['requests']['new'].pk}/", "Отменить заявку", "Да, отменить заявку",
        "cancel a request: confirmation",
    )
    visit("/appeals/", "appeals")
    visit("/appeals/new/", "new appeal")
    form_errors("/appeals/new/", "Отправить", "new appeal with errors")
    visit(f"/appeals/{data['appeal'].pk}/", "an appeal")

    visit("/news/", "news")
    visit(f"/news/{world.org.news.get().pk}/", "a news item")
    visit("/faq/", "FAQ")
    visit("/rating/", "rating")
    form_errors("/rating/", "Отправить", "rating with errors")

    visit("/settings/", "settings")
    visit("/settings/password/", "password change")
    form_errors("/settings/password/", "Сменить", "password change with errors")
    visit("/settings/email/", "e-mail change")
    form_errors("/settings/email/", "Продолжить", "e-mail change with errors")
    visit("/settings/phone/", "phone change")
    visit("/settings/two-factor/", "two-factor")
    page.goto(url + "/settings/two-factor/")
    submit(page, "Включить")
    report.check(page, "two-factor: scan the QR code")
    submit(page, "Подтвердить")
    report.check(page, "two-factor with errors", error=True)
    visit("/settings/delete/", "delete the cabinet: confirmation")

    # --- the family member sees the shared account ---------------------------------------------
    context.clear_cookies()
    page.goto(url + "/login/")
    page.get_by_label("Email, телефон или ИНН").fill(world.member.email)
    page.get_by_label("Пароль", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(url + "/home/")
    report.check(page, "home of a family member")
    visit(f"/accounts/{account.pk}/", "account card of a family member")

    context.close()
    assert len(report.states) >= 60, report.states
    assert not report.problems, "\n".join(report.problems)
