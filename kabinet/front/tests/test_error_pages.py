"""Clear Russian error pages in the portal's design (issue 10, item 8); the 500 page needs no
database; a kept database connection is checked before use."""

import pytest
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client


def page(response) -> str:  # type: ignore[no-untyped-def]
    text = response.content.decode()
    assert 'href="/static/css/kabinet.css"' in text  # the portal's design
    assert '<html lang="ru">' in text
    return text


def test_it_answers_404_in_russian(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Страница не найдена" in page(response)


def test_it_answers_a_csrf_failure_in_russian(db, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.holder)
    response = client.post("/logout/")
    assert response.status_code == 403
    text = page(response)
    assert "Форма устарела, отправьте её ещё раз" in text
    assert "CSRF verification failed" not in text


def test_it_answers_400_and_403_in_russian(rf):
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import bad_request, permission_denied

    bad = bad_request(rf.get("/"), Exception())
    assert bad.status_code == 400
    assert "Неверный запрос" in page(bad)
    denied = permission_denied(rf.get("/"), PermissionDenied())
    assert denied.status_code == 403
    assert "Доступ запрещён" in page(denied)


def test_it_answers_400_in_russian_for_a_bad_host(client, db):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert "Неверный запрос" in page(response)


def test_it_shows_the_500_page_while_the_database_is_down(db, monkeypatch, world):
    client = Client(raise_request_exception=False)
    client.force_login(world.holder)

    def refuse(self: BaseDatabaseWrapper) -> None:
        raise OperationalError("the database is down")

    connection.close()
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    response = client.get("/home/")
    monkeypatch.undo()
    assert response.status_code == 500
    text = page(response)
    assert "Что-то пошло не так на нашей стороне" in text
    assert "Server Error" not in text


def wsgi_get(path: str, cookies: str) -> int:
    """GET through Django's real WSGI handler, which (unlike the test client) starts each request
    the way a production server does: by checking the connections it keeps."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import RequestFactory

    environ = RequestFactory()._base_environ(PATH_INFO=path, HTTP_COOKIE=cookies)  # type: ignore[attr-defined]
    statuses: list[str] = []

    def start_response(status: str, headers: object, *args: object) -> object:
        statuses.append(status)
        return lambda data: None

    body = WSGIHandler()(environ, start_response)  # type: ignore[arg-type]
    b"".join(body)
    body.close()  # type: ignore[attr-defined]
    return int(statuses[0].split()[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL backend")
def test_it_answers_the_first_request_after_the_database_dropped_the_connection(
    transactional_db, world
):
    client = Client()
    client.force_login(world.holder)
    cookies = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    connection.close()
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    kept = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 600  # kept between requests, as in production
    try:
        assert wsgi_get("/home/", cookies) == 200
        pid = connection.connection.info.backend_pid  # type: ignore[union-attr]
        # The database restarts (or a proxy drops the connection) between two requests.
        other = connection.copy()
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        other.close()
        assert wsgi_get("/home/", cookies) == 200
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = kept
        connection.close()
