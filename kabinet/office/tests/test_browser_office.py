"""Office journeys in the system Chromium, selected by labels and roles as a person reads."""

from pathlib import Path
from typing import TYPE_CHECKING

from django.core import mail
from playwright.sync_api import Page, expect

from kabinet.billing.models import Charge, PersonalAccount
from kabinet.billing.tests.factories import (
    ACCOUNTS_HEADER,
    CHARGES_HEADER,
    METERS_HEADER,
    PAYMENTS_HEADER,
    READINGS_HEADER,
    write,
)
from kabinet.helpdesk.models import Appeal, ServiceRequest
from kabinet.helpdesk.services import appeal_create
from kabinet.helpdesk.tests.factories import make_request
from kabinet.office.models import AuditEntry
from kabinet.office.tests.factories import make_staff
from kabinet.users.models import User

if TYPE_CHECKING:
    from playwright._impl._api_structures import ViewportSize

DESKTOP: "ViewportSize" = {"width": 1280, "height": 900}
PHONE: "ViewportSize" = {"width": 360, "height": 740}
TABLET: "ViewportSize" = {"width": 1024, "height": 768}
SHOTS = Path("/tmp/office-shots")


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def february_files(directory: Path, *, broken: bool = False) -> list[Path]:
    """The four kinds an organisation sends each month (accounts, charges, payments, meters and
    readings), for February 2025."""
    directory.mkdir(exist_ok=True)
    charges = [
        CHARGES_HEADER,
        "1001;2025-02;hvs;Холодное водоснабжение;service;м3;6.93;45.12;4.000;meter;0;180.48;0;;0;0;180.48",
        "1002;2025-02;hvs;Холодное водоснабжение;service;м3;6.93;45.12;6.93;norm;0;312.68;0;;0;0;312.68",
    ]
    if broken:
        charges.append("1002;2025-02;gvs;Горячее водоснабжение;service;м3;;;;;0;сто;0;;0;0;")
    return [
        write(
            directory,
            "accounts.csv",
            ACCOUNTS_HEADER,
            "1001;Д-1;Население;Иванов Иван Иванович;;г. Новосибирск, ул. Ленина, д. 1;5;54.30;3;active;80РС558347",
            "1002;Д-2;Население;Петрова Анна Сергеевна;;г. Новосибирск, ул. Ленина, д. 1;6;40,10;1;;",
        ),
        write(directory, "charges.csv", *charges),
        write(directory, "payments.csv", PAYMENTS_HEADER, "1001;2025-03-03;180.48;Сбербанк;P-3"),
        write(directory, "meters.csv", METERS_HEADER, "M-3;1002;hvs;cold_water;98765;1;5;3;м3;2021-01-10;2027-01-10"),
        write(directory, "readings.csv", READINGS_HEADER, "M-3;2025-02-20;12.500;;;billing"),
    ]


def test_an_accountant_uploads_watches_progress_publishes_and_the_resident_sees_the_month(
    transactional_db, world, sign_in, page: Page, live_server, tmp_path: Path
) -> None:
    accountant = make_staff(world.org, User.Role.ACCOUNTANT)
    page.set_viewport_size(DESKTOP)
    sign_in(accountant)

    page.goto(f"{live_server.url}/office/")
    page.get_by_role("link", name="Загрузка данных биллинга").click()
    page.get_by_label("Файлы биллинга").set_input_files(february_files(tmp_path / "feb"))
    page.get_by_role("button", name="Загрузить").click()

    progress = page.get_by_label("Ход загрузки")
    expect(progress).to_have_attribute("value", "100")
    expect(page.get_by_text("100 %", exact=True)).to_be_visible()
    counts = page.get_by_role("region", name="Загружено")
    expect(counts.get_by_role("row", name="Начисления 2 2 0 0")).to_be_visible()
    expect(counts.get_by_role("row", name="Лицевые счета 2 0 1 1")).to_be_visible()
    _shot(page, "import-done-1280")

    page.get_by_role("link", name="Опубликовать период 02.2025").click()
    expect(page.get_by_role("heading", name="Опубликовать период 02.2025?")).to_be_visible()
    page.get_by_role("button", name="Да, опубликовать").click()
    expect(page.get_by_text("Период 02.2025 опубликован")).to_be_visible()

    page.get_by_role("link", name="Загрузка данных биллинга").click()
    history = page.get_by_role("region", name="История загрузок")
    expect(history.get_by_text("accounts.csv, charges.csv, payments.csv, meters.csv, readings.csv")).to_be_visible()
    expect(history.get_by_text("Загружено")).to_be_visible()

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    sign_in(world.holder)
    page.goto(f"{live_server.url}/charges/{world.account.pk}/")
    # The month's heading among «По месяцам» (the chart's text table names it too).
    expect(page.locator(".month__name").get_by_text("Февраль 2025", exact=True)).to_be_visible()


def test_an_upload_with_an_error_in_its_last_row_shows_row_and_column_and_changes_nothing(
    transactional_db, world, sign_in, page: Page, live_server, tmp_path: Path
) -> None:
    accountant = make_staff(world.org, User.Role.ACCOUNTANT)
    before = (Charge.objects.count(), list(PersonalAccount.objects.values_list("residents", flat=True).order_by("pk")))
    page.set_viewport_size(DESKTOP)
    sign_in(accountant)

    page.goto(f"{live_server.url}/office/billing/")
    page.get_by_label("Файлы биллинга").set_input_files(february_files(tmp_path / "bad", broken=True))
    page.get_by_role("button", name="Загрузить").click()

    expect(page.get_by_role("heading", name="Загрузка отклонена, данные не изменены")).to_be_visible()
    errors = page.get_by_role("region", name="Загрузка отклонена, данные не изменены")
    row = errors.get_by_role("row").filter(has_text="charges.csv")
    expect(row).to_have_count(1)
    expect(row.get_by_role("cell", name="4", exact=True)).to_be_visible()
    expect(row.get_by_role("cell", name="charged", exact=True)).to_be_visible()
    _shot(page, "import-error-1280")
    after = (Charge.objects.count(), list(PersonalAccount.objects.values_list("residents", flat=True).order_by("pk")))
    assert after == before


def test_an_operator_answers_an_appeal_and_moves_a_request_and_the_resident_sees_it(
    transactional_db, world, sign_in, page: Page, live_server
) -> None:
    operator = make_staff(world.org, User.Role.OPERATOR)
    request = make_request(world.holder, world.account, reason="Течёт кран на кухне")
    appeal = appeal_create(
        author=world.holder,
        account=world.account,
        topic=Appeal.Topic.CHARGES,
        text="Почему выросла сумма за воду?",
        contact="holder@example.com",
    )
    mail.outbox.clear()
    page.set_viewport_size(TABLET)
    sign_in(operator)

    page.goto(f"{live_server.url}/office/")
    page.get_by_role("link", name="Обращения").click()
    page.get_by_role("link", name=f"Обращение № {appeal.pk}").click()
    page.get_by_label("Ответ", exact=True).fill("Начислено по показаниям за январь, перерасчёта нет.")
    page.get_by_role("button", name="Отправить ответ").click()
    expect(page.get_by_text("Ответ отправлен.")).to_be_visible()
    _shot(page, "appeal-answered-1024")

    page.get_by_role("link", name="Заявки").click()
    page.get_by_role("link", name=f"Заявка № {request.pk}").click()
    page.get_by_label("Новый статус").select_option(label="В работе")
    page.get_by_label("Причина или пояснение").fill("Мастер придёт завтра с 8 до 12")
    page.get_by_role("button", name="Сменить статус").click()
    expect(page.get_by_test_id("status")).to_have_text("В работе")
    page.get_by_label("Новый статус").select_option(label="Выполнена")
    page.get_by_role("button", name="Сменить статус").click()
    expect(page.get_by_test_id("status")).to_have_text("Выполнена")
    _shot(page, "request-done-1024")

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    sign_in(world.holder)
    page.goto(f"{live_server.url}/requests/{request.pk}/")
    expect(page.get_by_test_id("status")).to_have_text("Выполнена")
    history = page.get_by_role("region", name="История статусов").or_(page.locator(".timeline"))
    expect(history.get_by_text("В работе: Мастер придёт завтра с 8 до 12")).to_be_visible()
    page.goto(f"{live_server.url}/appeals/{appeal.pk}/")
    expect(page.get_by_text("Начислено по показаниям за январь, перерасчёта нет.")).to_be_visible()

    subjects = sorted(m.subject for m in mail.outbox if m.to == ["holder@example.com"])
    assert f"Заявка № {request.pk}: В работе" in subjects
    assert f"Заявка № {request.pk}: Выполнена" in subjects
    assert any(str(appeal.pk) in s for s in subjects if "Обращени" in s or "Ответ" in s)
    request.refresh_from_db()
    assert request.status == ServiceRequest.Status.DONE

    # The organisation's administrator reads the journey in the audit log, before → after.
    page.context.clear_cookies()
    page.set_viewport_size(DESKTOP)
    sign_in(make_staff(world.org, User.Role.ADMIN))
    page.goto(f"{live_server.url}/office/")
    page.get_by_role("link", name="Журнал действий").click()
    log = page.get_by_role("region", name="Журнал действий")
    moved = log.get_by_role("row").filter(has_text="Статус заявки").filter(has_text="статус: Принята в систему")
    expect(moved).to_have_count(1)
    expect(moved.get_by_role("cell").nth(5)).to_contain_text("статус: В работе")
    expect(log.get_by_role("row").filter(has_text="Ответ на обращение")).to_have_count(1)
    page.get_by_label("Действие").select_option(label="Статус заявки")
    page.get_by_role("button", name="Показать").click()
    expect(log.get_by_role("row")).to_have_count(3)  # the header and the two moves
    _shot(page, "audit-journey-1280")
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "before", "after"))
    assert [a[0] for a in actions] == ["appeal.answer", "request.status", "request.status"]
    assert actions[1][1:] == ({"status": "Принята в систему"}, {"status": "В работе", "reason": "Мастер придёт завтра с 8 до 12"})


def test_an_operator_publishes_an_outage_for_one_building_and_only_its_residents_see_it_pinned(
    transactional_db, world, sign_in, page: Page, live_server
) -> None:
    import datetime

    from django.utils import timezone

    from kabinet.accounts.tests.factories import link, make_user

    neighbour = make_user("mira@example.com", first_name="Ольга", last_name="Миронова")
    link(neighbour, PersonalAccount.objects.get(organisation=world.org, number="2001"))
    operator = make_staff(world.org, User.Role.OPERATOR)
    now = timezone.localtime(timezone.now(), world.org.tz)
    mail.outbox.clear()
    page.set_viewport_size(DESKTOP)
    sign_in(operator)

    page.goto(f"{live_server.url}/office/")
    page.get_by_role("link", name="Новости").click()
    page.get_by_role("link", name="Написать").click()
    page.get_by_label("Вид").select_option(label="Авария / отключение")
    page.get_by_label("Заголовок", exact=True).fill("Отключение горячей воды")
    page.get_by_label("Текст", exact=True).fill("Авария на теплотрассе, бригада работает.")
    page.get_by_label("г. Новосибирск, ул. Ленина, д. 1").check()
    page.get_by_label("Начало").fill((now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ожидаемое окончание").fill((now + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    _shot(page, "outage-form-1280")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Новость сохранена.")).to_be_visible()

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    sign_in(world.holder)
    pinned = page.get_by_role("region", name="Отключения в вашем доме")
    expect(pinned.get_by_role("heading", name="Отключение горячей воды")).to_be_visible()
    _shot(page, "outage-pinned-360")

    page.context.clear_cookies()
    sign_in(neighbour)
    expect(page.get_by_role("heading", name="Главная").or_(page.get_by_role("heading").first)).to_be_visible()
    expect(page.get_by_text("Отключение горячей воды")).to_have_count(0)
    assert sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Отключение")) == [
        "holder@example.com",
        "member@example.com",
        "stranger@example.com",
    ]


def test_every_office_page_fits_a_phone_and_a_desktop_without_sideways_scrolling(
    transactional_db, world, sign_in, page: Page, live_server
) -> None:
    from django.urls import reverse

    from kabinet.office.tests.factories import make_office, object_for, office_patterns

    office = make_office(world)
    sign_in(office.admin)
    pages = []
    for pattern in office_patterns():
        if pattern.name in {"import_progress"} or pattern.callback.__name__ in {  # type: ignore[attr-defined]
            "staff_role", "request_status", "request_comment", "appeal_close", "export_readings",
            "export_payments", "link_remove", "invitation_resend",
        }:
            continue
        pk = object_for(pattern, office, office.admin)
        pages.append((pattern.name, reverse(f"office:{pattern.name}", args=[pk] if pk else [])))
    assert len(pages) >= 15
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        for name, url in pages:
            response = page.goto(live_server.url + url)
            assert response is not None and response.status == 200, name
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0 or name in {"home", "requests", "imports", "settings", "audit"}:
                _shot(page, f"{name}-{size['width']}")
            assert overflow <= 0, (name, size["width"], overflow)


def test_the_progress_bar_follows_a_running_import_and_shows_the_report_when_it_ends(
    transactional_db, world, sign_in, page: Page, live_server, tmp_path: Path, settings
) -> None:
    import shutil

    from django.core.cache import cache

    from kabinet.office import services
    from kabinet.office.models import ImportJob

    accountant = make_staff(world.org, User.Role.ACCOUNTANT)
    files = february_files(tmp_path / "feb")
    # A job waiting for a worker, as with a real broker: its files are where the task reads them.
    job = ImportJob.objects.create(
        organisation=world.org, created_by=accountant, files=[p.name for p in files], directory="office-imports/t"
    )
    target = Path(settings.MEDIA_ROOT) / job.directory
    target.mkdir(parents=True)
    for number, path in enumerate(files, start=1):
        shutil.copy(path, target / f"{number:02d}.csv")
    page.set_viewport_size(DESKTOP)
    sign_in(accountant)

    page.goto(f"{live_server.url}/office/billing/{job.pk}/")
    bar = page.get_by_role("progressbar", name="Ход загрузки")
    expect(bar).to_have_attribute("value", "0")
    expect(page.get_by_role("link", name="Обновить")).to_be_visible()  # for a browser without JS

    # The script takes over from the meta refresh (which remains for a browser without JS).
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    cache.set(f"office:import:{job.pk}:progress", 40)
    expect(bar).to_have_attribute("value", "40")  # polled by office/import_progress.js
    expect(page.get_by_text("40 %", exact=True)).to_be_visible()

    services.import_job_run(job_id=job.pk)  # the worker finishes
    expect(page.get_by_role("heading", name="Загружено")).to_be_visible()
    expect(bar).to_have_attribute("value", "100")
    expect(page.get_by_role("link", name="Обновить")).to_have_count(0)
