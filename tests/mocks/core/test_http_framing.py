"""A request with both Content-Length and Transfer-Encoding is refused with a 400 in the
service's shape, journaled on an emulated endpoint, and its connection closed (RFC 9112, 6.1;
issue #12). Over a real socket in tests/harness/test_serve.py; here the WSGI app and the
in-process network."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from seen_braze_harness.harness.network import intercept
from seen_braze_harness.harness.server import MockServer
from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from tests.conftest import TOKEN

API_KEY = "b7a2e5c0-5eeb-4d1e-9a6f-0123456789ab"
SEEN_RECEIVERS = "/v1/campaigns/onboarding/receivers/"
BOTH = {"Content-Length": "7", "Transfer-Encoding": "chunked"}
DETAIL = "both Content-Length and Transfer-Encoding"


@pytest.fixture
def braze_app(closing_apps: list[Flask]) -> Flask:
    app = create_braze_app(BrazeSettings(clock="virtual", api_keys={API_KEY: ["users.track"]}))
    closing_apps.append(app)
    return app


def wsgi(app: Flask, method: str, path: str, body: bytes, **headers: str) -> Any:
    environ = {
        "CONTENT_LENGTH": headers.pop("Content-Length", ""),
        "CONTENT_TYPE": headers.pop("Content-Type", ""),
        "wsgi.input_terminated": True,  # a server read the body whole, as waitress does
    }
    return app.test_client().open(
        path,
        method=method,
        input_stream=io.BytesIO(body),
        headers=headers,
        environ_overrides=environ,
    )


def test_seen_refuses_both_in_its_shape_and_journals_it(seen_app: Flask) -> None:
    response = wsgi(
        seen_app,
        "POST",
        SEEN_RECEIVERS,
        b'[{"first_name": "Ada"}]',
        Authorization=f"Token {TOKEN}",
        **{"Content-Type": "application/json", **BOTH},
    )
    assert response.status_code == 400
    assert response.content_type == "application/json"
    body = response.get_json()
    assert list(body) == ["detail"] and DETAIL in body["detail"]
    assert body["detail"].startswith("The request") and body["detail"].endswith(".")
    backend = seen_app.extensions["seen"]
    assert not backend.receivers, "the refused request created nothing"
    (exchange,) = seen_app.extensions["mock"].journal.query()
    assert exchange.hop == "seen.receivers"
    assert exchange.status == 400
    assert exchange.request_body.size == 0, "no body read"
    assert DETAIL in (exchange.note or "")


def test_braze_refuses_both_in_its_shape(braze_app: Flask) -> None:
    response = wsgi(
        braze_app,
        "POST",
        "/users/track",
        b'{"attributes": []}',
        Authorization=f"Bearer {API_KEY}",
        **{"Content-Type": "application/json", **BOTH},
    )
    assert response.status_code == 400
    body = response.get_json()
    assert list(body) == ["message"] and DETAIL in body["message"]
    (exchange,) = braze_app.extensions["mock"].journal.query()
    assert exchange.hop == "braze.users_track" and exchange.status == 400


def test_an_unmatched_path_is_refused_and_journaled_too(seen_app: Flask) -> None:
    response = wsgi(seen_app, "POST", "/nowhere", b"x" * 7, **BOTH)
    assert response.status_code == 400 and DETAIL in response.get_json()["detail"]
    (exchange,) = seen_app.extensions["mock"].journal.query()
    assert exchange.hop == "seen.unmatched"


def test_the_refusal_comes_before_any_fault_rule(seen_app: Flask) -> None:
    runtime = seen_app.extensions["mock"]
    runtime.faults.add({"hop": "seen.receivers", "status": 503, "times": 1})
    refused = wsgi(seen_app, "POST", SEEN_RECEIVERS, b"[]", Authorization=f"Token {TOKEN}", **BOTH)
    assert refused.status_code == 400
    (rule,) = runtime.faults.rules()
    assert rule.fired == 0, "the refused request did not use up the fault"


@pytest.mark.parametrize("mock", ["seen", "braze"])
def test_the_admin_api_refuses_both_as_a_problem(
    mock: str, seen_app: Flask, braze_app: Flask
) -> None:
    app = seen_app if mock == "seen" else braze_app
    runtime = app.extensions["mock"]
    runtime.faults.add({"hop": "*", "status": 503})
    response = wsgi(
        app,
        "DELETE",
        "/_mock/faults",
        b"{}",
        **{"Content-Type": "application/json", **BOTH},
    )
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["rule"] == "message-framing" and body["status"] == 400
    assert DETAIL in body["detail"]
    assert runtime.faults.rules(), "the refused write changed nothing"
    assert not runtime.journal.query(), "the admin API journals nothing"


def test_the_admin_api_s_own_gate_answers_first(seen_app: Flask) -> None:
    """A write with no JSON type is the admin API's 415, as it was before this check."""
    response = wsgi(seen_app, "POST", "/_mock/reset", b"{}", **BOTH)
    assert response.status_code == 415
    assert response.get_json()["rule"] == "json-content-type"


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Length": "7"},
        {"Transfer-Encoding": "chunked"},
        {"Content-Length": "", "Transfer-Encoding": "chunked"},
    ],
)
def test_one_framing_header_alone_is_served(seen_app: Flask, headers: dict[str, str]) -> None:
    body = b'[{"first_name": "Ada"}]'
    headers = {**headers}
    if headers.get("Content-Length"):
        headers["Content-Length"] = str(len(body))
    response = wsgi(
        seen_app,
        "POST",
        SEEN_RECEIVERS,
        body,
        Authorization=f"Token {TOKEN}",
        **{"Content-Type": "application/json", **headers},
    )
    assert response.status_code != 400 or DETAIL not in response.get_data(as_text=True)


@pytest.fixture
def intercepted(seen_app: Flask) -> Iterator[None]:
    with intercept({"api.seen.io": seen_app}):
        yield


def test_in_process_a_chunked_body_is_served_by_its_length(intercepted: None) -> None:
    """`requests` sends a generator body chunked; in-process it arrives whole, as from a
    server, not as a request with both headers."""
    chunks = iter([b'[{"first_name": ', b'"Ada"}]'])
    response = requests.post(
        f"https://api.seen.io{SEEN_RECEIVERS}",
        data=chunks,
        headers={"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 201, response.text
    assert response.json()[0]["first_name"] == "Ada"


def test_in_process_both_headers_are_refused(intercepted: None) -> None:
    response = requests.post(
        f"https://api.seen.io{SEEN_RECEIVERS}",
        data=iter([b"[]"]),
        headers={
            "Authorization": f"Token {TOKEN}",
            "Content-Type": "application/json",
            "Content-Length": "2",
        },
        timeout=5,
    )
    assert response.status_code == 400
    assert DETAIL in response.json()["detail"]


@pytest.mark.server
def test_mock_server_closes_the_connection_after_the_refusal(seen_app: Flask) -> None:
    """What follows the headers is not read as a request: the connection closes after the
    400 (here the 'body' is a whole second request, the shape of a smuggling attempt)."""
    import socket

    smuggled = b"GET /_mock/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(smuggled), smuggled)
    raw = (
        b"POST " + SEEN_RECEIVERS.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Authorization: Token " + TOKEN.encode() + b"\r\nContent-Type: application/json\r\n"
        b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked + smuggled
    )
    with MockServer(seen_app, threads=2) as server:
        with socket.create_connection((server.host, server.port), timeout=5) as conn:
            conn.sendall(raw)
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n"), answer[:300]
        assert b"\r\nConnection: close" in head
        assert answer.count(b"HTTP/1.1 ") == 1, "nothing after the headers was answered"
        assert DETAIL in json.loads(body)["detail"]
        journal = requests.get(f"{server.url}/_mock/journal", timeout=5).json()
    (exchange,) = journal["exchanges"]
    assert exchange["request"]["headers"]["Transfer-Encoding"] == "chunked"
    assert exchange["request"]["headers"]["Content-Length"] == "4"
    assert exchange["response"]["status"] == 400
