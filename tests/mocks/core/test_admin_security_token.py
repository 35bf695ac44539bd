"""The optional admin token: `seen-braze serve --admin-token` or SEEN_BRAZE_ADMIN_TOKEN, needed
as `Authorization: Bearer` or `X-Admin-Token` on every admin request (issue #12)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from seen_braze_harness.harness.server import MockServer, is_loopback
from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.seen.app import create_app as create_seen_app
from tests.servekit import ServeProcess

pytestmark = pytest.mark.server

TOKEN = "s3cret-Admin_token.42"


@pytest.fixture(params=["seen", "braze"])
def app(request: pytest.FixtureRequest) -> Flask:
    return create_seen_app() if request.param == "seen" else create_braze_app()


@pytest.fixture
def server(app: Flask) -> Iterator[MockServer]:
    with MockServer(app, threads=2, admin_token=TOKEN) as served:
        yield served


def call(server: MockServer, method: str, path: str, **headers: str) -> requests.Response:
    return requests.request(method, f"{server.url}{path}", headers=headers, timeout=5)


def assert_401(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 401, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="seen-braze admin"'
    body: dict[str, Any] = response.json()
    assert body["rule"] == "admin-token" and body["status"] == 401
    assert "X-Admin-Token" in body["detail"] and TOKEN not in response.text
    return body


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": f"Token {TOKEN}"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer"},
        {"X-Admin-Token": TOKEN[:-1]},
        {"X-Admin-Token": ""},
        {"X-Admin-Token": "é".encode().decode("latin-1")},
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/_mock/health"), ("GET", "/_mock/journal"), ("POST", "/_mock/reset")],
)
def test_no_or_a_wrong_token_is_401(
    server: MockServer, headers: dict[str, str], method: str, path: str
) -> None:
    assert_401(call(server, method, path, **headers))


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": f"Bearer {TOKEN}"},
        {"Authorization": f"bearer  {TOKEN} "},
        {"X-Admin-Token": TOKEN},
        {"Authorization": "Bearer wrong", "X-Admin-Token": TOKEN},
    ],
)
def test_the_token_opens_the_admin_api(server: MockServer, headers: dict[str, str]) -> None:
    assert call(server, "GET", "/_mock/health", **headers).status_code == 200
    assert call(server, "POST", "/_mock/reset", **headers).status_code == 200


def test_an_unknown_admin_route_needs_the_token_too(server: MockServer) -> None:
    assert_401(call(server, "GET", "/_mock/nowhere"))
    found = call(server, "GET", "/_mock/nowhere", **{"X-Admin-Token": TOKEN})
    assert found.status_code == 404


def test_the_host_check_comes_first(server: MockServer) -> None:
    response = call(
        server, "GET", "/_mock/journal", Host="evil.example", **{"X-Admin-Token": TOKEN}
    )
    assert response.status_code == 421


def test_the_emulated_apis_need_no_admin_token(server: MockServer, app: Flask) -> None:
    path = "/nowhere"
    assert call(server, "GET", path).status_code == 404


def test_in_process_needs_no_token(app: Flask) -> None:
    assert app.test_client().get("/_mock/health").status_code == 200
    app.extensions["mock"].close()


def test_refusals_are_not_journaled(server: MockServer) -> None:
    for _ in range(3):
        call(server, "GET", "/_mock/journal")
    journal = call(server, "GET", "/_mock/journal", **{"X-Admin-Token": TOKEN}).json()
    assert journal["count"] == 0


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_serve_takes_the_flag() -> None:
    with ServeProcess("--admin-token", TOKEN) as served:
        assert any(line.startswith("admin token    required") for line in served.lines)
        assert TOKEN not in served.banner
        assert_401(requests.get(f"{served.braze_url}/_mock/health", timeout=5))
        ok = requests.get(
            f"{served.url}/_mock/health", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
        )
        assert ok.json() == {"status": "ok", "service": "seen"}
    assert served.returncode == 0


def test_serve_takes_the_environment_variable() -> None:
    with ServeProcess(env={"SEEN_BRAZE_ADMIN_TOKEN": TOKEN}) as served:
        assert_401(requests.get(f"{served.url}/_mock/health", timeout=5))
        ok = requests.get(f"{served.url}/_mock/health", headers={"X-Admin-Token": TOKEN}, timeout=5)
        assert ok.status_code == 200


def test_an_empty_environment_variable_is_no_token() -> None:
    with ServeProcess(env={"SEEN_BRAZE_ADMIN_TOKEN": ""}) as served:
        assert requests.get(f"{served.url}/_mock/health", timeout=5).status_code == 200
        assert not any(line.startswith("admin token") for line in served.lines)


@pytest.mark.parametrize("token", ["", "has space", "tab\there", "é"])
def test_serve_refuses_an_unusable_token(token: str) -> None:
    import subprocess

    from tests.servekit import seen_braze_command

    done = subprocess.run(
        seen_braze_command(
            "serve", "--seen-port", "0", "--braze-port", "0", "--admin-token", token
        ),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert "--admin-token must be printable ASCII" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_warns_when_it_binds_beyond_loopback_without_a_token() -> None:
    with ServeProcess("--host", "0.0.0.0") as served:
        warning = [line for line in served.lines if "warning" in line]
        assert warning and "0.0.0.0 is not a loopback address" in warning[0]
        assert "--admin-token" in warning[0]
        local = served.url.replace("0.0.0.0", "127.0.0.1")
        assert requests.get(f"{local}/_mock/health", timeout=5).status_code == 200


def test_serve_does_not_warn_with_a_token_or_on_loopback() -> None:
    with ServeProcess("--host", "0.0.0.0", "--admin-token", TOKEN) as served:
        assert not [line for line in served.lines if "warning" in line]
    with ServeProcess() as served:
        assert not [line for line in served.lines if "warning" in line]


HOSTILE_HEADERS = [
    b"Host: \xff\xfe:80",
    b"Host: [::1",
    b"Host: ]:",
    b"Host: " + b"a" * 5000,
    b"Origin: \xff",
    b"Origin: http://[",
    b"Authorization: Bearer \xe9\x00",
    b"Authorization: \xff " + b"x" * 5000,
    b"X-Admin-Token: " + b"\xe9" * 5000,
    b"Content-Type: application/json; charset=\xff",
    b"Content-Type: ;;;",
]


@pytest.mark.parametrize("header", HOSTILE_HEADERS, ids=range(len(HOSTILE_HEADERS)))
@pytest.mark.parametrize("method", [b"GET", b"POST", b"DELETE"])
def test_hostile_headers_never_give_a_500(server: MockServer, header: bytes, method: bytes) -> None:
    import socket

    head = [method + b" /_mock/faults HTTP/1.1", header, b"Connection: close"]
    if not header.startswith(b"Host:"):
        head.insert(1, b"Host: 127.0.0.1")
    head.append(b"Content-Length: 0")
    raw = b"\r\n".join(head) + b"\r\n\r\n"
    with socket.create_connection((server.host, server.port), timeout=5) as conn:
        conn.sendall(raw)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500, answer[:300]
    assert b"Traceback" not in answer
