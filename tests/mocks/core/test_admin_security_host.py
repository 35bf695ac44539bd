"""A served mock's admin API answers only to the Host names it was started with and refuses a
browser's cross-origin request; no route sends CORS headers (issue #12)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from seen_braze_harness.harness.server import MockServer
from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.core.admin_gate import ADMIN_ACCESS, AdminAccess, host_name
from seen_braze_harness.mocks.seen.app import create_app as create_seen_app
from tests.servekit import ServeProcess

pytestmark = pytest.mark.server


@pytest.fixture(params=["seen", "braze"])
def app(request: pytest.FixtureRequest) -> Flask:
    return create_seen_app() if request.param == "seen" else create_braze_app()


@pytest.fixture
def server(app: Flask) -> Iterator[MockServer]:
    with MockServer(app, threads=2, allow_hosts=["Mocks.Example.", "10.0.0.7:9999"]) as served:
        yield served


def assert_problem(response: requests.Response, status: int, *fragments: str) -> dict[str, Any]:
    """An RFC 7807 problem with `status` over HTTP, whose detail mentions every fragment."""
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["type"] == "about:blank"
    for fragment in fragments:
        assert fragment in body["detail"], body["detail"]
    return body


def get(server: MockServer, path: str, **headers: str) -> requests.Response:
    return requests.get(f"{server.url}{path}", headers=headers, timeout=5)


@pytest.mark.parametrize(
    ("authority", "name"),
    [
        ("LocalHost:8801", "localhost"),
        ("[::1]:8801", "::1"),
        ("::1", "::1"),
        ("127.0.0.1", "127.0.0.1"),
        ("example.com.:80", "example.com"),
        ("[broken", "[broken"),
        ("", ""),
    ],
)
def test_host_name(authority: str, name: str) -> None:
    assert host_name(authority) == name


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost:1", "LOCALHOST", "[::1]:8801", "mocks.example", "10.0.0.7"]
)
def test_loopback_bound_and_allowed_names_pass(server: MockServer, host: str) -> None:
    assert get(server, "/_mock/health", Host=host).status_code == 200


@pytest.mark.parametrize(
    "host", ["evil.example:8801", "127.0.0.1.evil.example", "localhost.evil", "0.0.0.0", "x"]
)
@pytest.mark.parametrize("path", ["/_mock/journal", "/_mock/health", "/_mock/nowhere"])
def test_any_other_host_gets_421_on_every_admin_route(
    server: MockServer, host: str, path: str
) -> None:
    response = get(server, path, Host=host)
    body = assert_problem(response, 421, "--allow-host", f"Host: {host}")
    assert body["rule"] == "allowed-host"
    assert "exchanges" not in response.text


def test_a_rebound_write_is_refused_before_the_content_type(server: MockServer) -> None:
    response = requests.post(
        f"{server.url}/_mock/reset",
        headers={"Host": "evil.example", "Content-Type": "text/plain"},
        timeout=5,
    )
    assert response.status_code == 421


def test_the_emulated_apis_do_not_check_host(server: MockServer, app: Flask) -> None:
    """Real clients call them by the real services' names (in-process, through a proxy)."""
    answer = get(server, "/nowhere", Host="api.seen.io")
    assert answer.status_code == 404
    assert "allowed-host" not in answer.text


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://localhost:3000", "https://127.0.0.1"]
)
def test_a_cross_origin_browser_request_is_refused(server: MockServer, origin: str) -> None:
    for method in ("GET", "POST"):
        response = requests.request(
            method, f"{server.url}/_mock/reset", headers={"Origin": origin}, timeout=5
        )
        body = assert_problem(response, 403, f"Origin: {origin}")
        assert body["rule"] == "same-origin"


def test_a_same_origin_request_passes(server: MockServer) -> None:
    response = requests.post(
        f"{server.url}/_mock/reset", headers={"Origin": server.url.upper()}, timeout=5
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path", ["/_mock/health", "/_mock/faults", "/users/track", "/v1/campaigns/x/receivers/"]
)
def test_no_route_sends_cors_headers(server: MockServer, path: str) -> None:
    for method in ("OPTIONS", "GET", "POST"):
        response = requests.request(
            method,
            f"{server.url}{path}",
            headers={
                "Origin": server.url,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type, authorization",
            },
            timeout=5,
        )
        assert response.status_code < 500
        assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_in_process_the_admin_api_takes_any_host(app: Flask) -> None:
    assert ADMIN_ACCESS not in app.extensions
    response = app.test_client().get("/_mock/health", headers={"Host": "api.seen.io"})
    assert response.status_code == 200
    app.extensions["mock"].close()


def test_a_star_lifts_the_host_check_but_not_the_origin_check() -> None:
    access = AdminAccess.served("127.0.0.1", ["*"])
    assert access.hosts is None and access.same_origin


def test_serve_allow_host_flag() -> None:
    with ServeProcess("--allow-host", "mocks.example") as served:
        ok = requests.get(
            f"{served.url}/_mock/health", headers={"Host": "mocks.example:80"}, timeout=5
        )
        assert ok.status_code == 200
        refused = requests.get(
            f"{served.braze_url}/_mock/journal", headers={"Host": "evil.example"}, timeout=5
        )
        assert refused.status_code == 421
        assert "mocks.example" in refused.json()["detail"]
    assert served.returncode == 0
