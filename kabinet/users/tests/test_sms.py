"""SMS backends: console, file (SPEC 3.1) and the SMS.ru HTTP provider."""

import io
import json

import pytest

from kabinet.lib import http, sms


def test_it_writes_one_json_file_per_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    backend = sms.FileBackend(tmp_path / "out")

    backend.send("+79131234567", "Код 1234")
    backend.send("+79131234568", "Код 5678")

    files = sorted((tmp_path / "out").glob("*.json"))
    assert [json.loads(f.read_text("utf-8")) for f in files] == [
        {"to": "+79131234567", "text": "Код 1234"},
        {"to": "+79131234568", "text": "Код 5678"},
    ]


def test_it_prints_to_the_console() -> None:
    stream = io.StringIO()

    sms.ConsoleBackend(stream).send("+79131234567", "Код 1234")

    assert stream.getvalue() == "SMS to +79131234567: Код 1234\n"


def test_it_picks_the_backend_from_settings(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_DIR = str(tmp_path)

    sms.send_sms("+79131234567", "Код 1234")

    assert len(list(tmp_path.glob("*.json"))) == 1


def test_it_sends_through_smsru(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_BACKEND = "smsru"
    settings.SMS_API_KEY = "key-1"
    calls = []

    def fake(method, url, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((method, url, kwargs))
        body = {"status": "OK", "sms": {"79131234567": {"status": "OK", "sms_id": "1"}}}
        return http.Response(200, json.dumps(body).encode())

    monkeypatch.setattr("kabinet.lib.http.send", fake)

    sms.send_sms("+79131234567", "Код 1234")

    [(method, url, kwargs)] = calls
    assert (method, url) == ("POST", "https://sms.ru/sms/send")
    assert kwargs["data"] == {
        "api_id": "key-1",
        "to": "79131234567",
        "msg": "Код 1234",
        "json": "1",
    }


@pytest.mark.parametrize(
    "answer",
    [
        http.Response(500, b"oops"),
        http.Response(200, b"not json"),
        http.Response(
            200,
            json.dumps(
                {"status": "OK", "sms": {"79131234567": {"status": "ERROR", "status_code": 207}}}
            ).encode(),
        ),
    ],
)
def test_it_raises_when_smsru_refuses(settings, monkeypatch, answer) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_API_KEY = "key-1"
    monkeypatch.setattr("kabinet.lib.http.send", lambda *a, **k: answer)

    with pytest.raises(sms.SmsError):
        sms.SmsRuBackend().send("+79131234567", "Код 1234")


def test_it_raises_when_smsru_is_unreachable(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.SMS_API_KEY = "key-1"

    def down(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise http.HttpError("timeout")

    monkeypatch.setattr("kabinet.lib.http.send", down)

    with pytest.raises(sms.SmsError):
        sms.SmsRuBackend().send("+79131234567", "Код 1234")
