"""Admin request bodies on both mocks: strict JSON, hostile input refused as a 400 problem."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.admin import MAX_JSON_DEPTH
from tests.mocks.core.test_admin import assert_problem

HOSTILE: list[tuple[bytes, str]] = [
    (b"[" * 100_000, "nested too deeply"),
    (b'{"a":' * (MAX_JSON_DEPTH + 1) + b"1" + b"}" * (MAX_JSON_DEPTH + 1), "levels deep"),
    (b'{"x": NaN}', "NaN"),
    (b'{"x": -Infinity}', "Infinity"),
    (b'{"x": 1e400}', "out of range"),
    (b'{"x": "\\ud800"}', "lone surrogate"),
    (b'{"x": "\\udfff and more"}', "lone surrogate"),
    (b'{"x": "\xff"}', "not UTF-8"),
    (b'{"x": 1', "not valid JSON"),
]
HOSTILE_IDS = [
    "deep-array",
    "one-level-too-deep",
    "NaN",
    "Infinity",
    "1e400",
    "lone-high-surrogate",
    "lone-low-surrogate",
    "not-utf8",
    "truncated",
]

SEEN_ENDPOINTS = [
    ("POST", "/_mock/clock"),
    ("POST", "/_mock/faults"),
    ("POST", "/_mock/campaigns"),
    ("PATCH", "/_mock/campaigns/onboarding"),
]
BRAZE_ENDPOINTS = [
    ("POST", "/_mock/clock"),
    ("POST", "/_mock/faults"),
    ("POST", "/_mock/users"),
    ("POST", "/_mock/campaigns"),
    ("POST", "/_mock/campaigns/{campaign}/send"),
    ("POST", "/_mock/campaigns/{campaign}/test"),
    ("POST", "/_mock/transformations"),
]


@pytest.fixture
def braze(closing_apps: list[Flask]) -> tuple[FlaskClient, str]:
    """A Braze mock with one user and one campaign, and that campaign's id."""
    app = create_braze_app(
        BrazeSettings(clock="virtual", profiles=[{"external_id": "u1", "first_name": "Ada"}])
    )
    closing_apps.append(app)
    client = app.test_client()
    made = client.post("/_mock/campaigns", json={"url": "https://api.seen.io/x", "body": "hi"})
    assert made.status_code == 201, made.get_data(as_text=True)
    campaign_id: str = made.json["id"]  # type: ignore[index]
    return client, campaign_id


@pytest.mark.parametrize(("method", "path"), SEEN_ENDPOINTS)
@pytest.mark.parametrize(("body", "words"), HOSTILE, ids=HOSTILE_IDS)
def test_seen_admin_refuses_hostile_json(
    client: FlaskClient, method: str, path: str, body: bytes, words: str
) -> None:
    response = client.open(path, method=method, data=body, content_type="application/json")
    assert_problem(response, 400, words)


@pytest.mark.parametrize(("method", "path"), BRAZE_ENDPOINTS)
@pytest.mark.parametrize(("body", "words"), HOSTILE, ids=HOSTILE_IDS)
def test_braze_admin_refuses_hostile_json(
    braze: tuple[FlaskClient, str], method: str, path: str, body: bytes, words: str
) -> None:
    client, campaign_id = braze
    response = client.open(
        path.format(campaign=campaign_id),
        method=method,
        data=body,
        content_type="application/json",
    )
    assert_problem(response, 400, words)


def test_a_body_at_the_depth_limit_is_still_read(braze: tuple[FlaskClient, str]) -> None:
    client, campaign_id = braze
    nested: Any = "leaf"
    for _ in range(MAX_JSON_DEPTH - 3):  # the user object and the request add three levels
        nested = {"k": nested}
    response = client.post(
        f"/_mock/campaigns/{campaign_id}/test", json={"user": {"first_name": "A", "deep": nested}}
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def test_a_byte_order_mark_is_tolerated(client: FlaskClient) -> None:
    response = client.post(
        "/_mock/clock", data="\ufeff".encode() + b'{"advance": 1}', content_type="application/json"
    )
    assert response.status_code == 200, response.get_data(as_text=True)
