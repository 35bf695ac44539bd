"""SEEN's part of the admin API: campaigns and receivers, in pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.core.runtime import MockRuntime
from tests.conftest import CALLBACK_URL, TOKEN, post_receivers
from tests.mocks.core.test_pagination import walk


def problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status
    detail: str = response.json["detail"]
    return detail


def test_list_campaigns(client: FlaskClient) -> None:
    (campaign,) = client.get("/_mock/campaigns").json["campaigns"]
    assert campaign == {
        "slug": "onboarding",
        "token": TOKEN,
        "callback_url": CALLBACK_URL,
        "callback_auth": {"type": "none"},
        "callback_fields": [],
        "callback_static": {},
    }


def test_create_a_campaign_at_runtime_and_use_it(client: FlaskClient) -> None:
    response = client.post(
        "/_mock/campaigns", json={"slug": "welcome-film", "callback_url": "http://127.0.0.1:9/x"}
    )
    assert response.status_code == 201
    token = response.json["token"]
    assert len(token) == 40 and int(token, 16) >= 0, "a generated token looks like SEEN's"
    created = post_receivers(client, [{"first_name": "Ada"}], slug="welcome-film", token=token)
    assert created.status_code == 201
    assert client.get("/_mock/campaigns/welcome-film").json["token"] == token


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"slug": "onboarding"}, 409, "exists already"),
        ({"slug": "has space"}, 400, "slug"),
        ({}, 400, "slug: required"),
        ({"slug": "x", "callback_url": "ftp://x"}, 400, "callback_url"),
        ({"slug": "x", "callback_url": "/relative"}, 400, "callback_url"),
        ({"slug": "x", "callback_auth": {"type": "oauth"}}, 400, "callback_auth.type"),
        ({"slug": "x", "callback_auth": {"type": "basic", "username": "u"}}, 400, "password"),
        (
            {"slug": "x", "callback_auth": {"type": "header", "header": "Bad Name", "value": "v"}},
            400,
            "header",
        ),
        ({"slug": "x", "callback_fields": ["shoe_size"]}, 400, "shoe_size"),
        ({"slug": "x", "callback_static": {"n": 1}}, 400, "callback_static"),
        ({"slug": "x", "token": "has space"}, 400, "token"),
        ({"slug": "x", "colour": "red"}, 400, "colour"),
        # what the OpenAPI document states (found by the schemathesis sweep)
        ({"slug": "_x"}, 400, "slug"),
        ({"slug": "x\n"}, 400, "slug"),
        ({"slug": "x", "token": ""}, 400, "token"),
        ({"slug": "x", "token": "t\n"}, 400, "token"),
        ({"slug": "x", "callback_auth": {"type": {}}}, 400, "callback_auth.type"),
        ({"slug": "x", "callback_auth": {"type": ["basic"]}}, 400, "callback_auth.type"),
        ({"slug": "x", "callback_url": "http://127.0.0.1:8802/hook\n"}, 400, "callback_url"),
        ({"slug": "x", "callback_url": "HTTP://127.0.0.1/hook"}, 400, "callback_url"),
        ({"slug": "x", "callback_url": "http://127.0.0.1/h\u00e9"}, 400, "percent-encode"),
        ({"slug": "x", "callback_url": "http:///hook"}, 400, "callback_url"),
    ],
)
def test_bad_campaigns_are_refused_with_the_key(
    client: FlaskClient, body: dict[str, Any], status: int, words: str
) -> None:
    assert words in problem(client.post("/_mock/campaigns", json=body), status)


def test_a_null_token_is_generated_like_a_missing_one(client: FlaskClient) -> None:
    created = client.post("/_mock/campaigns", json={"slug": "x", "token": None})
    assert created.status_code == 201
    assert len(created.json["token"]) == 40 and int(created.json["token"], 16) >= 0


def test_campaign_body_must_be_json_object(client: FlaskClient) -> None:
    typed = client.post("/_mock/campaigns", data="nope", content_type="application/json")
    assert "JSON" in problem(typed, 400)
    assert "Content-Type" in problem(client.post("/_mock/campaigns", data="nope"), 415)
    assert "object" in problem(client.post("/_mock/campaigns", json=[1]), 400)


def test_patch_a_campaign(client: FlaskClient) -> None:
    response = client.patch(
        "/_mock/campaigns/onboarding",
        json={"callback_auth": {"type": "header", "header": "X-Key", "value": "k"}},
    )
    assert response.status_code == 200
    assert response.json["callback_auth"] == {"type": "header", "header": "X-Key", "value": "k"}
    assert response.json["callback_url"] == CALLBACK_URL, "other keys are kept"
    assert "cannot be changed" in problem(
        client.patch("/_mock/campaigns/onboarding", json={"slug": "other"}), 400
    )
    problem(client.patch("/_mock/campaigns/nope", json={}), 404)
    problem(client.get("/_mock/campaigns/nope"), 404)


def test_receivers_with_state_links_and_attempts(client: FlaskClient, runtime: MockRuntime) -> None:
    post_receivers(client, [{"first_name": "Ada", "customer_id": "b1"}])
    post_receivers(client, [{"first_name": "Alan", "customer_id": "b2"}])
    listed = client.get("/_mock/receivers").json
    assert listed["count"] == 2
    assert {r["state"] for r in listed["receivers"]} == {"accepted"}
    with responses.RequestsMock() as callbacks:
        callbacks.post(CALLBACK_URL, status=500)
        callbacks.post(CALLBACK_URL, status=200)
        callbacks.post(CALLBACK_URL, status=200)
        runtime.scheduler.run_until_idle()
    one = client.get("/_mock/receivers?customer_id=b1").json["receivers"][0]
    assert one["state"] == "callback_delivered"
    assert one["links"]["landing_page_url"].startswith("https://play.seen.io/v/")
    assert one["callback"]["payload"]["customer_id"] == "b1"
    assert [a["status"] for a in one["callback"]["attempts"]] == [500, 200]
    assert client.get("/_mock/receivers?state=callback_delivered").json["count"] == 2
    assert client.get("/_mock/receivers?campaign=other").json["count"] == 0
    assert client.get("/_mock/receivers/2").json["fields"]["customer_id"] == "b2"
    problem(client.get("/_mock/receivers/99"), 404)
    assert "state" in problem(client.get("/_mock/receivers?state=lost"), 400)
    assert "colour" in problem(client.get("/_mock/receivers?colour=red"), 400)


def test_reset_restores_the_settings_campaigns(client: FlaskClient) -> None:
    client.post("/_mock/campaigns", json={"slug": "welcome-film"})
    post_receivers(client, [{"first_name": "Ada"}])
    client.post("/_mock/reset")
    slugs = [c["slug"] for c in client.get("/_mock/campaigns").json["campaigns"]]
    assert slugs == ["onboarding"]
    assert client.get("/_mock/receivers").json["count"] == 0
    assert post_receivers(client, [{"first_name": "Ada"}]).json[0]["id"] == 1


# -- pages -----------------------------------------------------------------------------------


def test_receivers_come_in_pages_and_the_cursor_reaches_every_one(
    make_seen_app: Callable[..., Flask],
) -> None:
    client = make_seen_app(admin_page_limit=2, admin_page_max=3).test_client()
    for i in range(5):
        post_receivers(client, [{"first_name": f"R{i}", "customer_id": "b1" if i % 2 else "b2"}])
    first = client.get("/_mock/receivers").json
    assert (first["count"], [r["id"] for r in first["receivers"]]) == (5, [1, 2])
    assert list(first) == ["count", "receivers", "evicted", "next_cursor"]
    items, pages = walk(client, "/_mock/receivers", "receivers")
    assert [r["id"] for r in items] == [1, 2, 3, 4, 5] and pages == 3
    mine, _ = walk(client, "/_mock/receivers", "receivers", customer_id="b1", limit="1")
    assert [r["id"] for r in mine] == [2, 4]
    assert client.get("/_mock/receivers?limit=0").json == {
        "count": 5,
        "receivers": [],
        "evicted": 0,
        "next_cursor": None,
    }
    assert "limit: 4 is above" in problem(client.get("/_mock/receivers?limit=4"), 400)
    assert "cursor" in problem(client.get("/_mock/receivers?cursor=abc"), 400)


def test_a_page_after_receivers_were_forgotten_goes_on_from_its_cursor(
    make_seen_app: Callable[..., Flask],
) -> None:
    client = make_seen_app(admin_page_limit=2, receivers_cap=4).test_client()
    for i in range(4):
        post_receivers(client, [{"first_name": f"R{i}"}])
    cursor = client.get("/_mock/receivers").json["next_cursor"]
    post_receivers(client, [{"first_name": "R4"}, {"first_name": "R5"}])  # forgets 1 and 2
    rest = client.get("/_mock/receivers", query_string={"cursor": cursor}).json
    assert [r["id"] for r in rest["receivers"]] == [3, 4]
    assert (rest["count"], rest["evicted"]) == (4, 2)


def test_campaigns_come_in_pages(make_seen_app: Callable[..., Flask]) -> None:
    client = make_seen_app(admin_page_limit=1).test_client()
    client.post("/_mock/campaigns", json={"slug": "welcome-film"})
    first = client.get("/_mock/campaigns").json
    assert [c["slug"] for c in first["campaigns"]] == ["onboarding"] and first["next_cursor"]
    items, _ = walk(client, "/_mock/campaigns", "campaigns")
    assert [c["slug"] for c in items] == ["onboarding", "welcome-film"]
    assert "colour" in problem(client.get("/_mock/campaigns?colour=red"), 400)
