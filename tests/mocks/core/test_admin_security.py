"""The admin API refuses what a web page in the developer's browser could send it across
origins: a write whose body is not declared JSON (issue #12)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.seen.app import create_app as create_seen_app
from tests.mocks.core.test_admin import assert_problem

CROSS_SITE_TYPES = [
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "text/plain",
    "text/plain;charset=UTF-8",
    "application/jsonp",
    "text/json",
    "",
]
"""What a cross-site form or a fetch without a preflight can send (and near misses)."""


@pytest.fixture(params=["seen", "braze"])
def app(request: pytest.FixtureRequest) -> Iterator[Flask]:
    made = create_seen_app() if request.param == "seen" else create_braze_app()
    yield made
    made.extensions["mock"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize("content_type", CROSS_SITE_TYPES)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_write_with_a_body_not_declared_json_is_refused_415(
    client: FlaskClient, method: str, content_type: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.open(
        "/_mock/faults", method=method, data=b'{"hop": "x", "status": 503}', headers=headers
    )
    body = assert_problem(response, 415, "Content-Type: application/json")
    assert body["rule"] == "json-content-type"
    assert client.get("/_mock/faults").get_json() == {"faults": [], "next_cursor": None}


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_bodyless_write_with_a_cross_site_type_is_refused(
    client: FlaskClient, content_type: str
) -> None:
    response = client.post("/_mock/reset", headers={"Content-Type": content_type})
    assert_problem(response, 415, f"got Content-Type: {content_type}")


def test_a_chunked_body_without_a_type_is_refused(client: FlaskClient) -> None:
    response = client.post(
        "/_mock/clock",
        input_stream=io.BytesIO(b'{"advance": 1}'),
        headers={"Transfer-Encoding": "chunked"},
    )
    assert_problem(response, 415, "got Content-Type: none")


def test_json_writes_and_bodyless_writes_pass(client: FlaskClient) -> None:
    added = client.post("/_mock/faults", json={"hop": "x.*", "status": 503})
    assert added.status_code == 201
    typed = client.post(
        "/_mock/clock",
        data=b'{"advance": 0}',
        headers={"Content-Type": "Application/JSON; charset=utf-8"},
    )
    assert typed.status_code == 200
    assert client.delete("/_mock/faults").status_code == 200
    assert client.post("/_mock/reset").status_code == 200


def test_reads_and_the_emulated_apis_are_not_affected(client: FlaskClient, app: Flask) -> None:
    assert client.get("/_mock/health", headers={"Content-Type": "text/plain"}).status_code == 200
    service = app.extensions["mock"].service
    path = "/v1/campaigns/onboarding/receivers/" if service == "seen" else "/users/track"
    response = client.post(path, data=b"[]", headers={"Content-Type": "text/plain"})
    assert response.status_code != 415 or response.mimetype != "application/problem+json"


def test_a_refusal_is_not_journaled(client: FlaskClient) -> None:
    client.post("/_mock/clock", data=b"{}", headers={"Content-Type": "text/plain"})
    assert client.get("/_mock/journal").get_json()["count"] == 0


def test_an_unknown_admin_route_is_refused_before_routing(client: FlaskClient) -> None:
    response = client.post("/_mock/nowhere", data=b"x", headers={"Content-Type": "text/plain"})
    assert_problem(response, 415)
