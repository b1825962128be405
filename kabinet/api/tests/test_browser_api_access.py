"""Browser journeys: a resident creates a key, copies it once and revokes it; the API docs render
under the site's Content-Security-Policy from our own static files."""

from __future__ import annotations

from pathlib import Path

from kabinet.api.models import ApiToken

SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"


def test_it_creates_and_revokes_a_key(world, sign_in, live_server):
    page = sign_in(world.holder)
    page.goto(live_server.url + "/settings/")
    page.get_by_role("link", name="Настроить доступ к API").click()
    page.get_by_label("Название ключа").fill("Home Assistant")
    page.get_by_label("Передача показаний").check()
    page.get_by_role("button", name="Создать ключ").click()
    secret = page.get_by_label("Ключ доступа").input_value()
    assert secret.startswith("kab_")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "api-access-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / "api-access-1280.png"), full_page=True)
    page.goto(live_server.url + "/settings/api/")
    assert secret not in page.content()
    page.get_by_role("link", name="Отозвать ключ «Home Assistant»").click()
    page.get_by_role("button", name="Да, отозвать ключ").click()
    page.get_by_text("Ключ «Home Assistant» отозван.").wait_for()
    assert ApiToken.objects.get().revoked_at is not None


def test_it_renders_the_docs_under_the_csp(page, live_server, db):
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server.url + "/api/v1/docs/")
    page.get_by_text("/api/v1/readings/").first.wait_for()
    page.set_viewport_size({"width": 1280, "height": 900})
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "api-docs-1280.png"))
    assert not violations, violations
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in requests), requests
