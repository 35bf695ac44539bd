"""The render lifecycle and the callback: timing, retries, auth, payload, on the virtual clock."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import responses
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.core.runtime import MockRuntime
from seen_braze_harness.mocks.seen.links import video_links
from seen_braze_harness.mocks.seen.models import SeenBackend
from seen_braze_harness.schemas import check
from tests.conftest import CALLBACK_URL, TOKEN, post_receivers


@pytest.fixture
def callbacks() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def create(client: FlaskClient, **fields: Any) -> int:
    response = post_receivers(client, [{"first_name": "Ada", "customer_id": "b1", **fields}])
    assert response.status_code == 201, response.json
    receiver_id: int = response.json[0]["id"]
    return receiver_id


def test_render_takes_render_seconds_then_calls_back_once(
    client: FlaskClient,
    runtime: MockRuntime,
    backend: SeenBackend,
    callbacks: responses.RequestsMock,
) -> None:
    callbacks.post(CALLBACK_URL, status=201, json={"message": "success"})
    receiver_id = create(client)
    receiver = backend.receivers[receiver_id]
    runtime.scheduler.advance(29.999)
    assert receiver.state == "accepted" and receiver.links is None
    assert len(callbacks.calls) == 0
    runtime.scheduler.advance(0.001)
    assert receiver.state == "callback_delivered"
    assert receiver.rendered_at == receiver.created_at + 30
    (call,) = callbacks.calls
    payload = json.loads(call.request.body or b"")
    links = video_links("seen-braze-harness", "onboarding", receiver_id)
    assert payload == {"customer_id": "b1", "campaign_slug": "onboarding", **links.to_dict()}
    assert call.request.headers["Content-Type"] == "application/json"
    assert "Authorization" not in call.request.headers
    assert check("seen/callback", payload) == []
    runtime.scheduler.run_until_idle()
    assert len(callbacks.calls) == 1, "a delivered callback is not sent again"


def test_fails_twice_then_succeeds_three_attempts_sixty_seconds_apart(
    client: FlaskClient,
    runtime: MockRuntime,
    backend: SeenBackend,
    callbacks: responses.RequestsMock,
) -> None:
    callbacks.post(CALLBACK_URL, status=500)
    callbacks.post(CALLBACK_URL, status=503)
    callbacks.post(CALLBACK_URL, status=201)
    receiver = backend.receivers[create(client)]
    runtime.scheduler.run_until_idle()
    assert receiver.state == "callback_delivered"
    assert receiver.callback is not None
    attempts = receiver.callback.attempts
    assert [a.status for a in attempts] == [500, 503, 201]
    assert [a.time - attempts[0].time for a in attempts] == [0, 60, 120]
    exchanges = runtime.journal.query(hop="seen.callback")
    assert [(e.attempt, e.status, e.direction) for e in exchanges] == [
        (1, 500, "outbound"),
        (2, 503, "outbound"),
        (3, 201, "outbound"),
    ]
    assert all(e.valid for e in exchanges)


def test_always_failing_gives_up_after_three_calls(
    client: FlaskClient,
    runtime: MockRuntime,
    backend: SeenBackend,
    callbacks: responses.RequestsMock,
) -> None:
    callbacks.post(CALLBACK_URL, status=404)
    receiver = backend.receivers[create(client)]
    runtime.scheduler.run_until_idle()
    assert receiver.state == "callback_failed"
    assert len(callbacks.calls) == 3
    assert runtime.scheduler.pending() == []


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (requests.exceptions.ReadTimeout("read timed out"), "timeout"),
        (requests.exceptions.ConnectionError("Connection refused"), "connection error"),
    ],
)
def test_timeouts_and_connection_errors_are_retried(
    client: FlaskClient,
    runtime: MockRuntime,
    backend: SeenBackend,
    callbacks: responses.RequestsMock,
    failure: Exception,
    error: str,
) -> None:
    callbacks.post(CALLBACK_URL, body=failure)
    callbacks.post(CALLBACK_URL, status=200)
    receiver = backend.receivers[create(client)]
    runtime.scheduler.run_until_idle()
    assert receiver.state == "callback_delivered"
    first, second = runtime.journal.query(hop="seen.callback")
    assert first.status is None and first.error is not None and first.error.startswith(error)
    assert second.status == 200
    assert second.time - first.time == 60


def test_any_2xx_is_success(
    client: FlaskClient,
    runtime: MockRuntime,
    backend: SeenBackend,
    callbacks: responses.RequestsMock,
) -> None:
    callbacks.post(CALLBACK_URL, status=204)
    receiver = backend.receivers[create(client)]
    runtime.scheduler.run_until_idle()
    assert receiver.state == "callback_delivered"


def test_redirects_are_not_followed(
    client: FlaskClient,
    runtime: MockRuntime,
    backend: SeenBackend,
    callbacks: responses.RequestsMock,
) -> None:
    callbacks.post(CALLBACK_URL, status=302, headers={"Location": "https://elsewhere.test/"})
    receiver = backend.receivers[create(client)]
    runtime.scheduler.run_until_idle()
    assert receiver.state == "callback_failed"
    assert len(callbacks.calls) == 3


def test_retry_settings(
    make_seen_app: Callable[..., Flask], callbacks: responses.RequestsMock
) -> None:
    app = make_seen_app(callback_retries=0, render_seconds=5)
    runtime: MockRuntime = app.extensions["mock"]
    callbacks.post(CALLBACK_URL, status=500)
    create(app.test_client())
    runtime.scheduler.run_until_idle()
    (exchange,) = runtime.journal.query(hop="seen.callback")
    assert exchange.time == runtime.journal.query(hop="seen.receivers")[0].time + 5


@pytest.mark.parametrize(
    ("auth", "header", "value"),
    [
        (
            {"type": "basic", "username": "seen", "password": "s3cret"},
            "Authorization",
            "Basic " + base64.b64encode(b"seen:s3cret").decode(),
        ),
        ({"type": "header", "header": "X-Api-Key", "value": "k-123"}, "X-Api-Key", "k-123"),
    ],
)
def test_callback_auth(
    make_seen_app: Callable[..., Flask],
    callbacks: responses.RequestsMock,
    auth: dict[str, str],
    header: str,
    value: str,
) -> None:
    app = make_seen_app(
        campaigns=[
            {
                "slug": "onboarding",
                "token": TOKEN,
                "callback_url": CALLBACK_URL,
                "callback_auth": auth,
            }
        ]
    )
    callbacks.post(CALLBACK_URL, status=200)
    create(app.test_client())
    app.extensions["mock"].scheduler.run_until_idle()
    (call,) = callbacks.calls
    assert call.request.headers[header] == value


def test_payload_extended_per_campaign(
    make_seen_app: Callable[..., Flask], callbacks: responses.RequestsMock
) -> None:
    campaign = {
        "slug": "onboarding",
        "token": TOKEN,
        "callback_url": CALLBACK_URL,
        "callback_fields": ["id", "first_name", "email", "extra_args"],
        "callback_static": {"source": "seen"},
    }
    app = make_seen_app(campaigns=[campaign])
    callbacks.post(CALLBACK_URL, status=200)
    create(app.test_client(), email="ada@example.com", extra_args={"age": 42})
    app.extensions["mock"].scheduler.run_until_idle()
    payload = json.loads(callbacks.calls[0].request.body or b"")
    assert payload["id"] == "1"
    assert payload["first_name"] == "Ada"
    assert payload["email"] == "ada@example.com"
    assert payload["extra_args"] == {"age": 42}
    assert payload["source"] == "seen"
    assert check("seen/callback", payload) == [], "extra fields keep the payload valid"


def test_without_a_callback_url_the_video_is_rendered_and_nothing_is_sent(
    make_seen_app: Callable[..., Flask],
) -> None:
    app = make_seen_app(campaigns=[{"slug": "onboarding", "token": TOKEN}])
    receiver_id = create(app.test_client())
    runtime: MockRuntime = app.extensions["mock"]
    runtime.scheduler.run_until_idle()
    receiver = app.extensions["seen"].receivers[receiver_id]
    assert receiver.state == "rendered" and receiver.callback is None
    assert runtime.journal.query(hop="seen.callback") == []


def test_the_callback_url_is_read_at_render_time(
    client: FlaskClient,
    runtime: MockRuntime,
    backend: SeenBackend,
    callbacks: responses.RequestsMock,
) -> None:
    create(client)
    backend.update_campaign("onboarding", {"callback_url": "https://new.example.test/hook"})
    callbacks.post("https://new.example.test/hook", status=200)
    runtime.scheduler.run_until_idle()
    assert callbacks.calls[0].request.url == "https://new.example.test/hook"


def test_outbound_fault_fails_the_first_attempt_without_sending(
    make_seen_app: Callable[..., Flask], callbacks: responses.RequestsMock
) -> None:
    app = make_seen_app(faults=[{"hop": "seen.callback", "status": 503, "times": 1}])
    callbacks.post(CALLBACK_URL, status=200)
    receiver_id = create(app.test_client())
    app.extensions["mock"].scheduler.run_until_idle()
    receiver = app.extensions["seen"].receivers[receiver_id]
    assert [a.status for a in receiver.callback.attempts] == [503, 200]
    assert len(callbacks.calls) == 1, "the faulted attempt never left the mock"
    first = app.extensions["mock"].journal.query(hop="seen.callback")[0]
    assert first.fault is not None and first.fault["status"] == 503


def test_links_are_stable_for_a_seed_and_differ_between_seeds(
    make_seen_app: Callable[..., Flask], callbacks: responses.RequestsMock
) -> None:
    callbacks.post(CALLBACK_URL, status=200)
    payloads = []
    for seed in ("one", "one", "two"):
        app = make_seen_app(link_seed=seed)
        create(app.test_client())
        app.extensions["mock"].scheduler.run_until_idle()
        payloads.append(app.extensions["seen"].receivers[1].callback_payload)
    assert payloads[0] == payloads[1]
    assert payloads[0]["video_url"] != payloads[2]["video_url"]


def test_reset_cancels_pending_renders(
    client: FlaskClient, runtime: MockRuntime, callbacks: responses.RequestsMock
) -> None:
    create(client)
    assert client.post("/_mock/reset").status_code == 200
    runtime.scheduler.run_until_idle()
    assert len(callbacks.calls) == 0
    assert runtime.journal.query() == []
