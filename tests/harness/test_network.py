"""The in-process network: the services' real hostnames served by the mocks, nothing else."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from flask import Flask

from seen_braze_harness.harness.network import (
    SEEN_HOST,
    UnroutedHost,
    WsgiSession,
    host_pattern,
    intercept,
    route,
)
from seen_braze_harness.harness.scenario import load_scenario
from seen_braze_harness.mocks.seen.app import create_app

TOKEN = "5eeb5eeb0123456789abcdef0123456789abcdef"
RECEIVERS = "https://api.seen.io/v1/campaigns/onboarding/receivers/"


@pytest.fixture
def seen() -> Iterator[Flask]:
    app = create_app(load_scenario().seen_settings(clock="virtual"))
    yield app
    app.extensions["mock"].close()


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://api.seen.io/v1/x", "api.seen.io"),
        ("https://API.Seen.io:443/v1/x", "api.seen.io"),
        ("http://api.seen.io:80/", "api.seen.io"),
        ("https://api.seen.io:8443/", "api.seen.io:8443"),
        ("http://127.0.0.1:8801/x?y=1", "127.0.0.1:8801"),
    ],
)
def test_route_ignores_case_and_default_ports(url: str, key: str) -> None:
    assert route(url) == key


def post(session: requests.Session | WsgiSession, url: str) -> tuple[int, bytes]:
    response = session.request(
        "POST",
        url,
        headers={"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"},
        data=b'[{"first_name": "Ada"}]',
        timeout=10,
        allow_redirects=False,
    )
    return response.status_code, response.content


@pytest.mark.parametrize("url", [RECEIVERS, RECEIVERS.replace(".io/", ".io:443/")])
def test_the_lean_session_and_intercept_serve_the_same_answer(seen: Flask, url: str) -> None:
    lean = post(WsgiSession({SEEN_HOST: seen}), url)
    with intercept({SEEN_HOST: seen}):
        intercepted = post(requests.Session(), url)
    assert lean[0] == intercepted[0] == 201
    assert lean[1].startswith(b'[{"id":1,') and intercepted[1].startswith(b'[{"id":2,')


def test_the_mock_sees_the_request_as_sent(seen: Flask) -> None:
    status, _ = post(WsgiSession({SEEN_HOST: seen}), RECEIVERS + "?source=braze")
    assert status == 201
    [exchange] = seen.extensions["mock"].journal.query(hop="seen.receivers")
    assert exchange.url == "https://api.seen.io/v1/campaigns/onboarding/receivers/?source=braze"
    assert exchange.request_headers["Authorization"] == f"Token {TOKEN}"
    assert exchange.request_json == [{"first_name": "Ada"}]


def test_an_unserved_host_is_refused_and_named(seen: Flask) -> None:
    session = WsgiSession({SEEN_HOST: seen})
    with pytest.raises(UnroutedHost, match=r"no mock serves 'api\.seen\.com'.*api\.seen\.io"):
        post(session, "https://api.seen.com/v1/campaigns/onboarding/receivers/")
    assert isinstance(UnroutedHost("x"), requests.ConnectionError)


@pytest.mark.parametrize(
    ("host", "url", "served"),
    [
        ("api.seen.io", "https://API.seen.io:443/v1/x?y=1", True),
        ("api.seen.io", "http://api.seen.io", True),
        ("api.seen.io", "https://api.seen.io:8443/v1/x", False),
        ("api.seen.io", "https://api.seen.io.evil.example/v1/x", False),
        ("127.0.0.1:8801", "http://127.0.0.1:8801/x", True),
        ("127.0.0.1:8801", "http://127.0.0.1:8802/x", False),
    ],
)
def test_host_pattern_matches_what_route_serves(host: str, url: str, served: bool) -> None:
    assert bool(host_pattern(host).match(url)) is served
    assert (route(url) == host) is served


def test_intercept_serves_plain_requests_calls_and_refuses_others(seen: Flask) -> None:
    with intercept({SEEN_HOST: seen}):
        answer = requests.post(
            RECEIVERS.replace("api.seen.io", "API.SEEN.IO:443"),
            json=[{"first_name": "Ada"}],
            headers={"Authorization": f"Token {TOKEN}"},
            timeout=10,
        )
        assert answer.status_code == 201
        assert answer.json()[0]["first_name"] == "Ada"
        with pytest.raises(requests.ConnectionError):
            requests.get("https://example.com/", timeout=10)
