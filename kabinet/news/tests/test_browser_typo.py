"""Select text, press Ctrl+Enter, send: the typo report dialog in a phone-sized browser."""

from playwright.sync_api import Page, expect

from kabinet.news.models import TypoReport


def test_it_reports_a_selected_typo_with_ctrl_enter(live_server, page: Page) -> None:
    page.goto(live_server.url + "/")
    page.get_by_text("Кабинет — единый личный кабинет абонента ЖКХ.").select_text()
    page.keyboard.press("Control+Enter")

    dialog = page.get_by_role("dialog", name="Сообщить об ошибке в тексте")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Текст с ошибкой")).to_have_value(
        "Кабинет — единый личный кабинет абонента ЖКХ."
    )
    dialog.get_by_label("Как правильно").fill("Всё верно, это проверка")
    dialog.get_by_role("button", name="Отправить").click()

    expect(page.get_by_text("Спасибо! Мы передали сообщение об ошибке в тексте.")).to_be_visible()
    report = TypoReport.objects.get()
    assert report.comment == "Всё верно, это проверка"
    assert report.page_url == "/"
