"""A resident binds an account, opens its charges, expands a month and downloads the ЕПД."""

import subprocess
from pathlib import Path

from playwright.sync_api import expect

from kabinet.accounts.tests.factories import make_user


def test_it_binds_an_account_and_downloads_the_epd(
    transactional_db, world, sign_in, live_server, tmp_path: Path
) -> None:
    page = sign_in(make_user("newcomer@example.com", first_name="Анна"))

    page.goto(f"{live_server.url}/accounts/bind/")
    page.get_by_label("Лицевой счет").fill("1002")
    page.get_by_label("Фамилия").fill("петрова")
    page.get_by_label("Номер квартиры").fill("6")
    page.get_by_label("Сумма к оплате или код из квитанции").fill("297,18")
    page.get_by_role("button", name="Проверить").click()

    expect(page.get_by_text("Пе***** А. С.")).to_be_visible()
    page.get_by_role("button", name="Данные верны, продолжить").click()

    expect(page.get_by_role("heading", name="Лицевой счет 1002")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="Начисления").click()

    month = page.locator("details.month").filter(has_text="Январь 2025")
    detail = month.locator("tbody").get_by_role("cell", name="-10,50")
    expect(detail).to_be_hidden()
    month.get_by_text("Январь 2025", exact=True).click()
    expect(detail).to_be_visible()
    expect(month.get_by_role("rowheader", name="Холодное водоснабжение")).to_be_visible()

    with page.expect_download() as download_info:
        month.get_by_role("link", name="Скачать платёжный документ (PDF)").click()
    pdf = tmp_path / "epd.pdf"
    download_info.value.save_as(pdf)

    assert download_info.value.suggested_filename == "epd-1002-2025-01.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Лицевой счёт: 1002" in text
    assert "Петрова Анна Сергеевна" in text
