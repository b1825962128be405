import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from kabinet.lib import http


@pytest.fixture
def real_send(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.undo()  # lift the suite's network guard for this test only
    return http.send


def test_the_suite_cannot_reach_the_network() -> None:
    with pytest.raises(AssertionError, match="reach the network"):
        http.send("GET", "https://example.com/")


def test_it_refuses_plain_http_to_other_hosts(real_send) -> None:
    with pytest.raises(http.HttpError, match="non-HTTPS"):
        real_send("GET", "http://example.com/")


def test_it_sends_json_and_returns_status_body_and_headers(real_send) -> None:
    seen = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            length = int(self.headers["Content-Length"])
            seen["body"] = json.loads(self.rfile.read(length))
            seen["auth"] = self.headers["Authorization"]
            self.send_response(402)
            self.send_header("X-Test", "yes")
            self.end_headers()
            self.wfile.write(b'{"status": "declined"}')

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.handle_request)
    thread.start()
    try:
        answer = real_send(
            "POST",
            f"http://127.0.0.1:{server.server_port}/pay",
            json={"сумма": "10.00"},
            basic_auth=("shop", "secret"),
        )
    finally:
        thread.join(5)
        server.server_close()

    assert (answer.status, answer.ok, answer.json()) == (402, False, {"status": "declined"})
    assert answer.headers["X-Test"] == "yes"
    assert seen == {"body": {"сумма": "10.00"}, "auth": "Basic c2hvcDpzZWNyZXQ="}


def test_it_raises_when_nobody_answers(real_send) -> None:
    with pytest.raises(http.HttpError):
        real_send("GET", "http://127.0.0.1:9/", timeout=2)
