"""What a webhook campaign renders besides the profile: a send's trigger, event and Canvas entry
properties, Content Blocks, the mock's clock; and the Test tab's choice of user by email."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.braze.app import create_app
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.settings import SettingsError
from tests.mocks.braze.test_campaign_sending import (
    SEEN_BODY,
    URL,
    Peer,
    scheduler_of,
    users,
)

PROPERTY_BODY = (
    '{"product":"{{api_trigger_properties.${product}}}",'
    '"event":"{{event_properties.${name}}}",'
    '"entry":"{{canvas_entry_properties.${step}}}","ctx":"{{context.${step}}}"}'
)


@pytest.fixture
def make_app(closing_apps: list[Flask]) -> Callable[..., Flask]:
    def make(peer: Peer, **overrides: Any) -> Flask:
        values: dict[str, Any] = {"clock": "virtual", "profiles": users(2)}
        values.update(overrides)
        session = requests.Session()
        session.mount("https://", peer)
        app = create_app(BrazeSettings(**values), session=session)
        closing_apps.append(app)
        return app

    return make


def create(client: FlaskClient, **fields: Any) -> str:
    spec = {"name": "SEEN onboarding", "url": URL, "body": SEEN_BODY, **fields}
    answer = client.post("/_mock/campaigns", json=spec)
    assert answer.status_code == 201, answer.get_json()
    campaign_id: str = answer.get_json()["id"]
    return campaign_id


def sent_bodies(peer: Peer) -> list[Any]:
    return [json.loads(r.body or b"") for r in peer.requests]


def problem(answer: Any, status: int) -> str:
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    detail: str = answer.get_json()["detail"]
    return detail


# -- properties on a send --------------------------------------------------------------------------


def test_a_sends_trigger_properties_reach_every_user_as_api_trigger_properties(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer)
    client = app.test_client()
    campaign_id = create(client, body=PROPERTY_BODY)
    answer = client.post(
        f"/_mock/campaigns/{campaign_id}/send",
        json={
            "trigger_properties": {"product": "shoes"},
            "event_properties": {"name": "signup"},
            "canvas_entry_properties": {"step": "welcome"},
        },
    )
    assert answer.status_code == 202
    scheduler_of(app).run_until_idle()
    assert (
        sent_bodies(peer)
        == [{"product": "shoes", "event": "signup", "entry": "welcome", "ctx": "welcome"}] * 2
    )


def test_a_recipients_trigger_properties_override_the_shared_ones_key_by_key(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer)
    client = app.test_client()
    campaign_id = create(
        client, body='{"p":"{{api_trigger_properties.${p}}}","q":"{{api_trigger_properties.${q}}}"}'
    )
    answer = client.post(
        f"/_mock/campaigns/{campaign_id}/send",
        json={
            "trigger_properties": {"p": "shared", "q": "shared"},
            "recipients": [
                {"external_user_id": "u1", "trigger_properties": {"q": "own"}},
                {"external_user_id": "nobody"},
            ],
        },
    )
    dispatch = answer.get_json()
    assert dispatch["message_count"] == 1, "recipients are the audience, as Braze sends them"
    assert dispatch["skipped_external_ids"] == ["nobody"]
    scheduler_of(app).run_until_idle()
    assert sent_bodies(peer) == [{"p": "shared", "q": "own"}]
    (message,) = client.get(f"/_mock/campaigns/{campaign_id}/messages").get_json()["messages"]
    assert message["properties"] == {"api_trigger_properties": {"p": "shared", "q": "own"}}


def test_context_is_canvas_entry_properties_under_its_newer_name(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(1))
    client = app.test_client()
    campaign_id = create(client, body=PROPERTY_BODY)
    client.post(f"/_mock/campaigns/{campaign_id}/send", json={"context": {"step": "two"}})
    scheduler_of(app).run_until_idle()
    assert sent_bodies(peer) == [{"product": "", "event": "", "entry": "two", "ctx": "two"}]


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({"trigger_properties": ["x"]}, "trigger_properties: must be an object"),
        ({"event_properties": "x"}, "event_properties: must be an object"),
        (
            {"context": {}, "canvas_entry_properties": {}},
            "canvas_entry_properties and context are the same namespace",
        ),
        ({"recipients": {"external_user_id": "u1"}}, "recipients: must be a list"),
        ({"recipients": ["u1"]}, "recipients[0]: must be an object"),
        ({"recipients": [{}]}, "recipients[0].external_user_id: required"),
        ({"recipients": [{"external_id": "u1"}]}, "recipients[0]: unknown key(s) external_id"),
        (
            {"recipients": [{"external_user_id": "u1", "trigger_properties": 3}]},
            "recipients[0].trigger_properties: must be an object",
        ),
        (
            {"recipients": [{"external_user_id": "u1"}, {"external_user_id": "u1"}]},
            "recipients[1].external_user_id: 'u1' is listed twice",
        ),
        (
            {"external_ids": ["u1"], "recipients": [{"external_user_id": "u1"}]},
            "external_ids and recipients: give one of them, not both",
        ),
        ({"properties": {}}, "unknown key(s): properties"),
        # what the OpenAPI document now states too (schemathesis, F9)
        (
            {"external_ids": [], "recipients": [{"external_user_id": "00"}]},
            "external_ids and recipients: give one of them, not both",
        ),
        (
            {
                "recipients": [
                    {"external_user_id": "u1", "context": {}, "canvas_entry_properties": {}}
                ]
            },
            "recipients[0].context: canvas_entry_properties and context are the same namespace",
        ),
        ({"external_ids": [""]}, "external_ids: must be a list"),
        ({"external_ids": None}, "external_ids: must be a list"),
    ],
)
def test_a_bad_send_body_is_a_400_problem_naming_the_key(
    make_app: Callable[..., Flask], body: dict[str, Any], said: str
) -> None:
    client = make_app(Peer()).test_client()
    campaign_id = create(client)
    assert said in problem(client.post(f"/_mock/campaigns/{campaign_id}/send", json=body), 400)


# -- the Test tab ----------------------------------------------------------------------------------


def test_a_test_send_to_a_user_chosen_by_email_address(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    profiles = [
        {"external_id": "ada", "first_name": "Ada", "email": "ada@example.com"},
        {"external_id": "bob", "first_name": "Bob", "email": "bob@example.com"},
    ]
    app = make_app(peer, profiles=profiles)
    client = app.test_client()
    campaign_id = create(client)
    answer = client.post(f"/_mock/campaigns/{campaign_id}/test", json={"email": "BOB@example.com "})
    assert answer.status_code == 200
    assert answer.get_json()["user"]["external_id"] == "bob"
    assert sent_bodies(peer)[0][0]["first_name"] == "Bob"


def test_a_test_send_by_email_picks_the_profile_users_track_would_update(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    shared = "twin@example.com"
    profiles = [
        {"external_id": "old", "first_name": "Old", "email": shared},
        {"external_id": "new", "first_name": "New", "email": shared},
    ]
    app = make_app(peer, profiles=profiles)
    client = app.test_client()
    campaign_id = create(client)
    answer = client.post(f"/_mock/campaigns/{campaign_id}/test", json={"email": shared})
    assert answer.get_json()["user"]["external_id"] == "new"


@pytest.mark.parametrize(
    ("body", "status", "said"),
    [
        ({"email": "nobody@example.com"}, 404, "no user with email address"),
        ({"email": ""}, 400, "email: must be a non-empty string"),
        ({"email": 5}, 400, "email: must be a non-empty string"),
        ({"email": "a@b.c", "external_id": "u1"}, 400, "give one of them"),
        ({"trigger_properties": []}, 400, "trigger_properties: must be an object"),
        ({"emails": "a@b.c"}, 400, "choose the user with one of external_id, braze_id, email"),
    ],
)
def test_a_bad_test_send_is_a_problem_naming_the_key(
    make_app: Callable[..., Flask], body: dict[str, Any], status: int, said: str
) -> None:
    client = make_app(Peer()).test_client()
    campaign_id = create(client)
    assert said in problem(client.post(f"/_mock/campaigns/{campaign_id}/test", json=body), status)


def test_a_test_send_carries_trigger_and_entry_properties(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer)
    client = app.test_client()
    campaign_id = create(client, body=PROPERTY_BODY)
    answer = client.post(
        f"/_mock/campaigns/{campaign_id}/test",
        json={
            "external_id": "u0",
            "trigger_properties": {"product": "hat"},
            "event_properties": {"name": "purchase"},
            "context": {"step": "3"},
        },
    )
    assert answer.status_code == 200
    assert sent_bodies(peer) == [{"product": "hat", "event": "purchase", "entry": "3", "ctx": "3"}]


# -- Content Blocks --------------------------------------------------------------------------------


def test_a_campaign_includes_a_content_block_from_the_admin_api(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(1))
    client = app.test_client()
    made = client.post(
        "/_mock/content_blocks",
        json={"name": "greeting", "content": "Hi {{${first_name}}}", "description": "hello"},
    )
    assert made.status_code == 201
    assert made.get_json()["liquid_tag"] == "{{content_blocks.${greeting}}}"
    campaign_id = create(client, body='{"text":"{{content_blocks.${greeting}}}"}')
    assert client.get(f"/_mock/campaigns/{campaign_id}").get_json()["content_blocks"] == [
        "greeting"
    ]
    client.post(f"/_mock/campaigns/{campaign_id}/send")
    scheduler_of(app).run_until_idle()
    assert sent_bodies(peer) == [{"text": "Hi User0"}]


def test_an_edited_content_block_changes_the_next_render(make_app: Callable[..., Flask]) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(1))
    client = app.test_client()
    client.post("/_mock/content_blocks", json={"name": "cta", "content": "Watch"})
    campaign_id = create(client, body="{{content_blocks.${cta}}}")
    changed = client.patch("/_mock/content_blocks/cta", json={"content": "Watch now"})
    assert changed.status_code == 200
    client.post(f"/_mock/campaigns/{campaign_id}/test", json={"external_id": "u0"})
    assert peer.requests[0].body == b"Watch now"


def test_a_campaign_using_an_unknown_content_block_is_refused_when_saved(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(Peer()).test_client()
    answer = client.post(
        "/_mock/campaigns",
        json={"url": URL, "headers": {"X-Promo": "{{content_blocks.${promo}}}"}, "body": "x"},
    )
    assert problem(answer, 400) == "headers.X-Promo: Content Block 'promo' does not exist"
    assert client.get("/_mock/campaigns").get_json()["count"] == 0


@pytest.mark.parametrize(
    ("block", "said"),
    [
        ({"content": "x"}, "Content Block name cannot be blank."),
        ({"name": "", "content": "x"}, "Content Block name cannot be blank."),
        ({"name": "a" * 101, "content": "x"}, "Content Block name must be 100 characters"),
        ({"name": "my block!", "content": "x"}, "can only contain alphanumeric characters"),
        ({"name": "b"}, "Content cannot be blank."),
        ({"name": "b", "content": 3}, "Content must be a string."),
        ({"name": "b", "content": "é" * 30_000}, "Content must be smaller than 50kb"),
        ({"name": "b", "content": "{% if %}"}, "Content contains malformed liquid"),
        ({"name": "b", "content": "{{content_blocks.${b}}}"}, "cannot be referenced within itself"),
        ({"name": "b", "content": "{{content_blocks.${zz}}}"}, "Content Block 'zz' does not exist"),
        ({"name": "b", "content": "x", "description": 7}, "description must be a string"),
        ({"name": "b", "content": "x", "description": "d" * 251}, "shorter than 250 characters"),
        ({"name": "b", "content": "x", "state": "draft"}, "unknown key(s): state"),
    ],
)
def test_a_content_block_braze_would_not_save_is_a_400_in_brazes_words(
    make_app: Callable[..., Flask], block: dict[str, Any], said: str
) -> None:
    client = make_app(Peer()).test_client()
    assert said in problem(client.post("/_mock/content_blocks", json=block), 400)
    assert client.get("/_mock/content_blocks").get_json()["count"] == 0


def test_content_blocks_may_nest_but_never_reach_themselves(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(Peer()).test_client()
    client.post("/_mock/content_blocks", json={"name": "inner", "content": "in"})
    outer = {"name": "outer", "content": "<{{content_blocks.${inner}}}>"}
    assert client.post("/_mock/content_blocks", json=outer).status_code == 201
    loop = client.patch(
        "/_mock/content_blocks/inner", json={"content": "{{content_blocks.${outer}}}"}
    )
    assert problem(loop, 400) == "Content Block cannot be referenced within itself."
    assert client.get("/_mock/content_blocks/inner").get_json()["content"] == "in"


def test_a_content_block_name_is_never_used_twice_even_after_deletion(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(Peer()).test_client()
    block = {"name": "footer", "content": "bye"}
    assert client.post("/_mock/content_blocks", json=block).status_code == 201
    again = client.post("/_mock/content_blocks", json=block)
    assert problem(again, 400) == "Content Block with this name already exists."
    assert client.delete("/_mock/content_blocks/footer").status_code == 204
    assert problem(client.get("/_mock/content_blocks/footer"), 404) == (
        "Content Block 'footer' does not exist"
    )
    after = client.post("/_mock/content_blocks", json=block)
    assert problem(after, 400) == "Content Block with this name already exists."


def test_a_content_block_in_use_cannot_be_deleted_or_renamed(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(Peer()).test_client()
    client.post("/_mock/content_blocks", json={"name": "cta", "content": "Watch"})
    campaign_id = create(client, body="{{content_blocks.${cta}}}")
    refused = client.delete("/_mock/content_blocks/cta")
    assert f"used by campaign {campaign_id}" in problem(refused, 409)
    renamed = client.patch("/_mock/content_blocks/cta", json={"name": "cta2"})
    assert "cannot be renamed" in problem(renamed, 400)
    assert problem(client.patch("/_mock/content_blocks/nope", json={}), 404)
    assert client.delete(f"/_mock/campaigns/{campaign_id}").status_code == 204
    assert client.delete("/_mock/content_blocks/cta").status_code == 204


def test_settings_content_blocks_are_there_at_start_and_after_a_reset(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(Peer(), content_blocks={"sig": "-- SEEN", "wrap": "[{{content_blocks.${sig}}}]"})
    client = app.test_client()
    client.post("/_mock/content_blocks", json={"name": "extra", "content": "x"})
    client.post("/_mock/reset")
    listed = client.get("/_mock/content_blocks").get_json()
    assert [b["name"] for b in listed["content_blocks"]] == ["sig", "wrap"]
    assert listed["content_blocks"][1]["content_blocks"] == ["sig"]


@pytest.mark.parametrize(
    ("blocks", "said"),
    [
        ({"bad name": "x"}, "content_blocks: Content Block name can only contain"),
        ({"a": "{{content_blocks.${b}}}"}, "content_blocks: a: Content Block 'b' does not exist"),
        ({"a": "{{content_blocks.${a}}}"}, "cannot be referenced within itself"),
        ({"a": ""}, "content_blocks: a: Content cannot be blank."),
        (["a"], "content_blocks: content_blocks: must map each block name"),
    ],
)
def test_bad_settings_content_blocks_are_refused(blocks: Any, said: str) -> None:
    with pytest.raises(SettingsError) as refused:
        BrazeSettings(content_blocks=blocks)
    assert said in str(refused.value)


def test_a_settings_campaign_using_an_unknown_block_is_refused() -> None:
    spec = {"url": URL, "body": "{{content_blocks.${gone}}}"}
    with pytest.raises(SettingsError, match=r"campaigns\[0\]: body: Content Block 'gone'"):
        BrazeSettings(campaigns=[spec])


# -- the mock's clock ------------------------------------------------------------------------------


def test_liquids_now_is_the_mocks_clock_in_sends_and_test_sends(
    make_app: Callable[..., Flask],
) -> None:
    peer = Peer()
    app = make_app(peer, profiles=users(1))
    client = app.test_client()
    campaign_id = create(client, body="{{ 'now' | date: '%Y-%m-%d %H:%M:%S' }}")
    start = scheduler_of(app).clock.now()
    client.post(f"/_mock/campaigns/{campaign_id}/test", json={"external_id": "u0"})
    assert client.post("/_mock/clock", json={"advance": 86400 * 400}).status_code == 200
    client.post(f"/_mock/campaigns/{campaign_id}/send")
    scheduler_of(app).run_until_idle()
    expected = [
        datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S").encode()
        for moment in (start, start + 86400 * 400)
    ]
    assert [r.body for r in peer.requests] == expected
