"""Admin request bodies are bounded (`admin_body_bytes`): a larger one is a 413 problem, refused
before it is read whole, by Content-Length or chunked; one `POST /_mock/users` seeds at most
`SEED_BATCH_LIMIT` profiles (issue 12: a 50 MB `POST /_mock/users` made 2.8 M profiles)."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.harness.server import MockServer
from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.braze.settings import DEFAULT_API_KEY, BrazeSettings
from seen_braze_harness.mocks.braze.track.views import SEED_BATCH_LIMIT
from seen_braze_harness.mocks.core.admin_gate import ADMIN_BODY_BYTES
from tests.mocks.core.test_admin import assert_problem

LIMIT = 1000


@pytest.fixture
def make_braze(closing_apps: list[Flask]) -> Callable[..., Flask]:
    def make(**settings: Any) -> Flask:
        app = create_braze_app(BrazeSettings(clock="virtual", **settings))
        closing_apps.append(app)
        return app

    return make


@pytest.fixture
def braze(make_braze: Callable[..., Flask]) -> Flask:
    return make_braze(admin_body_bytes=LIMIT)


def users_body(size: int) -> bytes:
    """A JSON list of profiles, `size` bytes long."""
    text = json.dumps([{"external_id": "u1", "padding": ""}])
    return text.replace('"padding": ""', '"padding": "' + "x" * (size - len(text)) + '"').encode()


class CountingStream(io.BytesIO):
    """A request body that counts the bytes the application read of it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk

    def readline(self, size: int | None = -1) -> bytes:
        chunk = super().readline(size)
        self.taken += len(chunk)
        return chunk

    def readinto(self, buffer: Any) -> int:
        count = super().readinto(buffer)
        self.taken += count
        return count


CHUNKED: dict[str, Any] = {
    "headers": {"Transfer-Encoding": "chunked"},
    # a chunked request declares no length (the test client would compute one)
    "environ_overrides": {"wsgi.input_terminated": True, "CONTENT_LENGTH": ""},
}


def assert_too_large(response: Any, limit: int = LIMIT) -> dict[str, Any]:
    body = assert_problem(response, 413, f"at most {limit:,} bytes", "admin_body_bytes")
    assert body["rule"] == "admin-body-bytes" and body["limit"] == limit
    return body


def test_the_default_limit_is_four_mib() -> None:
    assert BrazeSettings().admin_body_bytes == ADMIN_BODY_BYTES == 4 * 1024 * 1024


def test_a_body_at_the_limit_is_read(braze: Flask) -> None:
    response = braze.test_client().post(
        "/_mock/users", data=users_body(LIMIT), content_type="application/json"
    )
    assert response.status_code == 201, response.get_json()


def test_a_declared_length_over_the_limit_is_refused_unread(braze: Flask) -> None:
    stream = CountingStream(users_body(LIMIT + 1))
    response = braze.test_client().post(
        "/_mock/users",
        input_stream=stream,
        content_type="application/json",
        content_length=LIMIT + 1,
    )
    body = assert_too_large(response)
    assert "declares 1,001 (Content-Length)" in body["detail"]
    assert stream.taken == 0
    assert braze.extensions["braze"].profiles.export() == []


def test_a_chunked_body_over_the_limit_is_refused_once_it_passes_it(braze: Flask) -> None:
    stream = CountingStream(users_body(50 * LIMIT))
    response = braze.test_client().post(
        "/_mock/users",
        input_stream=stream,
        content_type="application/json",
        **CHUNKED,
    )
    body = assert_too_large(response)
    assert "this one is longer" in body["detail"]
    assert stream.taken == LIMIT + 1, "read no further than one byte past the limit"
    assert braze.extensions["braze"].profiles.export() == []


def test_a_chunked_body_within_the_limit_is_read(braze: Flask) -> None:
    response = braze.test_client().post(
        "/_mock/users",
        input_stream=io.BytesIO(users_body(LIMIT)),
        content_type="application/json",
        **CHUNKED,
    )
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/_mock/campaigns"),
        ("POST", "/_mock/transformations"),
        ("PATCH", "/_mock/content_blocks/x"),
        ("POST", "/_mock/faults"),
        ("GET", "/_mock/journal"),
        ("DELETE", "/_mock/faults"),
    ],
)
def test_every_admin_route_is_bounded(braze: Flask, method: str, path: str) -> None:
    response = braze.test_client().open(
        path, method=method, data=b" " * (LIMIT + 1), content_type="application/json"
    )
    assert_too_large(response)


def test_the_emulated_endpoints_keep_their_own_limit(braze: Flask) -> None:
    body = {"attributes": [{"external_id": "u1", "padding": "x" * (3 * LIMIT)}]}
    response = braze.test_client().post(
        "/users/track", json=body, headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"}
    )
    assert response.status_code == 201, response.get_json()


def test_the_seen_mock_is_bounded_too(make_seen_app: Callable[..., Flask]) -> None:
    client = make_seen_app(admin_body_bytes=LIMIT).test_client()
    slug = "x" * (LIMIT + 1)
    assert_too_large(client.post("/_mock/campaigns", json={"slug": slug}))


# -- how many profiles one POST /_mock/users seeds -------------------------------------------


def test_one_seed_takes_at_most_the_batch_limit(make_braze: Callable[..., Flask]) -> None:
    app = make_braze()
    client: FlaskClient = app.test_client()
    too_many = [{"external_id": f"u{i}"} for i in range(SEED_BATCH_LIMIT + 1)]
    body = assert_problem(client.post("/_mock/users", json=too_many), 400, "at most 1,000")
    assert (body["seeded"], body["limit"]) == (0, SEED_BATCH_LIMIT)
    assert len(app.extensions["braze"].profiles) == 0
    response = client.post("/_mock/users", json=too_many[:SEED_BATCH_LIMIT])
    assert response.status_code == 201
    assert len(app.extensions["braze"].profiles) == SEED_BATCH_LIMIT


# -- over real HTTP ----------------------------------------------------------------------------


@pytest.fixture
def served(braze: Flask) -> Iterator[MockServer]:
    with MockServer(braze, threads=2) as server:
        yield server


def raw_request(server: MockServer, head: list[bytes], body: bytes) -> tuple[int, bytes]:
    request = b"\r\n".join([*head, b"Host: 127.0.0.1", b"Connection: close"]) + b"\r\n\r\n"
    with socket.create_connection((server.host, server.port), timeout=10) as conn:
        conn.sendall(request + body)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


@pytest.mark.server
def test_a_served_mock_refuses_a_large_chunked_body(served: MockServer) -> None:
    data = users_body(20 * LIMIT)
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(part), part)
        for part in (data[i : i + 500] for i in range(0, len(data), 500))
    )
    status, answer = raw_request(
        served,
        [
            b"POST /_mock/users HTTP/1.1",
            b"Content-Type: application/json",
            b"Transfer-Encoding: chunked",
        ],
        chunks + b"0\r\n\r\n",
    )
    assert status == 413, answer[:300]
    assert b'"rule":"admin-body-bytes"' in answer and b"Traceback" not in answer


@pytest.mark.server
def test_a_served_mock_refuses_a_large_body_by_its_length(served: MockServer) -> None:
    response = requests.post(
        f"{served.url}/_mock/users",
        data=users_body(5 * LIMIT),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["rule"] == "admin-body-bytes"
    assert requests.get(f"{served.url}/_mock/users", timeout=5).json()["count"] == 0


@pytest.mark.server
def test_fifty_megabytes_of_profiles_are_refused_at_the_default_limit(
    make_braze: Callable[..., Flask],
) -> None:
    app = make_braze()
    profile = b'{"external_id":"u%07d"},'
    body = b"[" + b"".join(profile % i for i in range(2_300_000))[:-1] + b"]"
    assert len(body) > 50_000_000
    with MockServer(app, threads=2) as server:
        response = requests.post(
            f"{server.url}/_mock/users",
            data=body,
            headers={"Content-Type": "application/json"},
            timeout=60,
        )
    assert response.status_code == 413, response.text[:300]
    assert len(app.extensions["braze"].profiles) == 0
