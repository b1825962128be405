"""Sign-up journeys in a phone-sized browser: by e-mail through a real SMTP conversation, and by
phone with SMS written to files."""

import asyncio
import re
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Page, expect

from kabinet.users.tests.helpers import STRONG, code_from_sms

pytestmark = pytest.mark.browser


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> EmailMessage:
        import time

        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, "no e-mail arrived"
        return self.messages[count - 1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), loop=asyncio.new_event_loop()
    )
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def sign_out(page: Page) -> None:
    page.wait_for_load_state("load")  # the menu button works once nav.js has run
    menu = page.get_by_role("button", name="Меню")
    if menu.is_visible():
        menu.click()
    page.get_by_role("button", name="Выход").click()


def confirm(page: Page, code: str) -> None:
    page.get_by_label("Код подтверждения").fill(code)
    page.get_by_label("Я согласен(на) с правилами предоставления доступа").check()
    page.get_by_label("Я даю согласие на обработку моих персональных данных", exact=False).check()
    page.get_by_role("button", name="Подтвердить").click()


def test_it_signs_up_by_email_end_to_end(live_server, page: Page, smtp: Inbox) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Зарегистрироваться").click()
    page.get_by_label("Email", exact=True).fill("anna@example.com")
    page.get_by_label("Пароль", exact=True).fill(STRONG)
    page.get_by_label("Подтверждение пароля").fill(STRONG)
    page.get_by_role("button", name="Зарегистрироваться").click()

    expect(page.get_by_role("heading", name="Подтверждение Email")).to_be_visible()
    message = smtp.wait_for(1)
    assert message["To"] == "anna@example.com"
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert message.get_body(preferencelist=("html",)) is not None
    code = re.search(r"код подтверждения: (\d{6})", text).group(1)  # type: ignore[union-attr]
    confirm(page, code)

    expect(page).to_have_url(live_server.url + "/home/")
    sign_out(page)
    expect(page).to_have_url(live_server.url + "/")

    page.get_by_role("link", name="Войти").first.click()
    page.get_by_label("Email, телефон или ИНН").fill("anna@example.com")
    page.get_by_label("Пароль", exact=True).fill(STRONG)
    page.get_by_label("Запомнить меня").check()
    page.get_by_role("button", name="Войти").click()

    expect(page).to_have_url(live_server.url + "/home/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_it_signs_up_by_phone_with_the_code_from_the_sms_file(
    live_server, page: Page, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_DIR = str(tmp_path)
    page.goto(live_server.url + "/signup/")
    page.get_by_role("link", name="Физ. лицо: по телефону").click()
    page.get_by_label("Телефон").fill("+7 913 123-45-67")
    page.get_by_label("Пароль", exact=True).fill(STRONG)
    page.get_by_label("Подтверждение пароля").fill(STRONG)
    page.get_by_role("button", name="Зарегистрироваться").click()

    expect(page.get_by_role("heading", name="Подтверждение телефона")).to_be_visible()
    confirm(page, code_from_sms(tmp_path))

    expect(page).to_have_url(live_server.url + "/home/")
    sign_out(page)
    page.goto(live_server.url + "/login/")
    page.get_by_label("Email, телефон или ИНН").fill("89131234567")
    page.get_by_label("Пароль", exact=True).fill(STRONG)
    page.get_by_role("button", name="Войти").click()
    expect(page).to_have_url(live_server.url + "/home/")
