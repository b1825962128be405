"""A resident files a request with a photo, an operator takes it into work in the admin, the
resident sees the new status and has the e-mail."""

import datetime

from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from kabinet.helpdesk.models import ServiceRequest
from kabinet.helpdesk.tests.factories import make_operator, png_bytes


def operator_page(browser: Browser, live_server, user) -> Page:
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def test_it_takes_a_request_from_the_resident_to_work(
    live_server, browser: Browser, sign_in, world
) -> None:
    page = sign_in(world.holder)
    page.goto(live_server.url + "/requests/")
    page.get_by_role("link", name="Новая заявка").click()

    page.get_by_label("Лицевой счёт").select_option(
        label="1001, г. Новосибирск, ул. Ленина, д. 1, кв. 5"
    )
    page.get_by_label("Тип заявки").select_option(label="Снятие показаний")
    page.get_by_label("Причина заявки").fill("Нужно снять показания перед продажей квартиры")
    desired = timezone.localdate(timezone=world.org.tz) + datetime.timedelta(days=2)
    page.get_by_label("Желаемая дата исполнения").fill(desired.isoformat())
    page.get_by_label("Время исполнения").select_option(label="с 12:00 до 16:00")
    page.get_by_label("Фото").set_input_files(
        files=[{"name": "meter.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_role("button", name="Сохранить").click()

    expect(page.get_by_text("Принята в систему").first).to_be_visible()
    request = ServiceRequest.objects.get()
    assert request.attachments.count() == 1
    expect(page.get_by_role("img", name="Фото meter.png")).to_be_visible()

    operator = make_operator(world.org)
    admin = operator_page(browser, live_server, operator)
    admin.goto(f"{live_server.url}/admin/helpdesk/servicerequest/")
    admin.get_by_role("link", name=str(request.pk), exact=True).click()
    admin.get_by_label("Новый статус").select_option(label="В работе")
    admin.get_by_role("button", name="Сохранить", exact=True).click()
    expect(admin.locator(".messagelist")).to_be_visible()
    admin.context.close()

    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("В работе")
    page.get_by_role("link", name="← Список заявок").click()
    expect(page.get_by_role("cell", name="В работе")).to_be_visible()
    # The table scrolls inside its box; the page itself fits a 360 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    subjects = [message.subject for message in mail.outbox]
    assert f"Заявка № {request.pk}: В работе" in subjects
    assert all(message.to == [world.holder.email] for message in mail.outbox)
