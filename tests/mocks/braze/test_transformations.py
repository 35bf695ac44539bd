"""Data Transformations: definitions, the webhook ingress, runs, destinations, Validate, logs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.fixtures import SEEN_TRANSFORMATION, read_text
from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.clock import Clock, Scheduler
from seen_braze_harness.mocks.core.runtime import MockRuntime
from seen_braze_harness.mocks.seen.app import create_app as create_seen_app
from seen_braze_harness.mocks.seen.links import video_links
from seen_braze_harness.mocks.seen.settings import SeenSettings

SEEN_CODE = read_text(SEEN_TRANSFORMATION)

CALLBACK = {
    "customer_id": "",
    "campaign_slug": "onboarding",
    "landing_page_url": "https://play.seen.io/v/IfxNg/",
    "video_url": "https://motions.seen.io/a/b/output.m3u8",
    "thumbnail_url": "https://motions.seen.io/a/b/thumbnail.jpg",
    "email_thumbnail_url": "https://motions.seen.io/a/b/email_thumbnail.jpg",
}


def create(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    body = {"name": "SEEN video links", "code": SEEN_CODE, "destination": "track-users", **fields}
    response = client.post("/_mock/transformations", json=body)
    assert response.status_code == 201, response.json
    created: dict[str, Any] = response.json
    return created


def path_of(transformation: dict[str, Any]) -> str:
    return re.sub(r"^https?://[^/]+", "", transformation["webhook_url"])


def runtime_of(app: Flask) -> MockRuntime:
    runtime: MockRuntime = app.extensions["mock"]
    return runtime


# -- definitions -------------------------------------------------------------------------------


def test_each_transformation_gets_its_own_unguessable_url(client: FlaskClient) -> None:
    one, two = create(client), create(client)
    assert one["webhook_url"] != two["webhook_url"]
    secret = one["webhook_url"].rsplit("/", 1)[1]
    assert len(secret) * 6 >= 128, "at least 128 bits of secret"
    assert one["webhook_url"].startswith("http://localhost/transformations/")
    assert one["active"] is False
    assert client.get(f"/_mock/transformations/{one['id']}").json["name"] == "SEEN video links"
    assert client.get("/_mock/transformations").json["count"] == 2


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"name": "x", "code": "return 1"}, "required: destination"),
        ({"name": "x", "code": "return 1", "destination": "nowhere"}, "destination"),
        ({"name": "", "code": "return 1", "destination": "track-users"}, "name"),
        ({"name": "x", "code": 5, "destination": "track-users"}, "code"),
        ({"name": "x", "code": "", "destination": "track-users", "active": "yes"}, "active"),
        ({"name": "x", "code": "", "destination": "track-users", "colour": 1}, "colour"),
        # the OpenAPI document says the same (schemathesis, F11)
        ({}, "required: code, destination, name"),
        ({"name": "\u3000\ufeff", "code": "", "destination": "track-users"}, "name"),
        ({"name": "x", "code": "", "destination": None}, "destination"),
    ],
)
def test_bad_definitions_are_refused(client: FlaskClient, body: dict[str, Any], words: str) -> None:
    response = client.post("/_mock/transformations", json=body)
    assert response.status_code == 400 and words in response.json["detail"]


def test_a_name_of_what_python_but_not_ecmascript_calls_white_space_is_taken(
    client: FlaskClient,
) -> None:
    body = {"name": "\x1c", "code": "", "destination": "track-users"}
    assert client.post("/_mock/transformations", json=body).status_code == 201


def test_a_change_needs_no_required_field(client: FlaskClient) -> None:
    made = client.post(
        "/_mock/transformations", json={"name": "x", "code": "", "destination": "track-users"}
    ).json
    changed = client.put(f"/_mock/transformations/{made['id']}", json={"name": "y"})
    assert changed.status_code == 200 and changed.json["code"] == ""


def test_update_activate_deactivate_delete(client: FlaskClient) -> None:
    made = create(client)
    url = f"/_mock/transformations/{made['id']}"
    assert client.put(url, json={"name": "renamed"}).json["name"] == "renamed"
    assert client.post(f"{url}/activate").json["active"] is True
    assert client.post(f"{url}/deactivate").json["active"] is False
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert client.post(path_of(made), json=CALLBACK).status_code == 404


# -- the webhook -------------------------------------------------------------------------------


def test_webhook_is_acknowledged_before_the_code_runs(app: Flask, client: FlaskClient) -> None:
    made = create(client, active=True)
    backend: BrazeBackend = app.extensions["braze"]
    seeded = backend.profiles.seed({"external_id": "u1"})
    response = client.post(
        path_of(made),
        json={**CALLBACK, "customer_id": seeded.braze_id},
        headers={"x-seen-event": "video.ready"},
    )
    assert (response.status_code, response.json) == (201, {"message": "success"})
    (entry,) = client.get("/_mock/transformations/logs").json["logs"]
    assert entry["output"] is None, "not run yet: the 201 is only an acknowledgement"
    assert entry["incoming"]["headers"]["X-Seen-Event"] == "video.ready"
    assert entry["incoming"]["headers"]["Version"] == "HTTP/1.1"
    runtime_of(app).scheduler.run_until_idle()
    (entry,) = client.get("/_mock/transformations/logs").json["logs"]
    assert entry["error"] is None
    assert entry["destination"]["status"] == 201
    custom = backend.profiles.get(seeded.braze_id).to_dict()["custom_attributes"]  # type: ignore[union-attr]
    assert custom == {
        "landing_page_url": CALLBACK["landing_page_url"],
        "email_thumbnail_url": CALLBACK["email_thumbnail_url"],
    }
    counters = client.get(f"/_mock/transformations/{made['id']}").json["counters"]
    assert counters == {"incoming_requests": 1, "deliveries": 1}


def test_inactive_transformations_accept_and_keep_webhooks_but_deliver_nothing(
    app: Flask, client: FlaskClient
) -> None:
    made = create(client)
    assert client.post(path_of(made), json={**CALLBACK, "customer_id": "x"}).status_code == 201
    runtime_of(app).scheduler.run_until_idle()
    (entry,) = client.get("/_mock/transformations/logs").json["logs"]
    assert entry["skipped"] and entry["destination"] is None
    shown = client.get(f"/_mock/transformations/{made['id']}").json
    assert shown["most_recent_webhook"]["payload"]["customer_id"] == "x"
    assert shown["counters"] == {"incoming_requests": 1, "deliveries": 0}


@pytest.mark.parametrize(
    ("send", "status"),
    [
        ({"data": "not json", "content_type": "application/json"}, 400),
        ({"data": "a=1", "content_type": "application/x-www-form-urlencoded"}, 400),
        ({"method": "GET"}, 405),
    ],
)
def test_bad_webhooks_are_answered_clearly(
    client: FlaskClient, send: dict[str, Any], status: int
) -> None:
    made = create(client)
    response = client.open(path_of(made), **{"method": "POST", **send})
    assert response.status_code == status and response.json["message"]
    assert client.post(path_of(made), json=CALLBACK).status_code == 201, "still serving"


def test_unknown_url_and_wrong_secret(client: FlaskClient) -> None:
    made = create(client)
    assert client.post(f"/transformations/{made['id']}/wrong", json=CALLBACK).status_code == 404
    assert client.post("/transformations/nope/nope", json=CALLBACK).status_code == 404


def test_over_size_webhook(make_braze_app: Callable[..., Flask]) -> None:
    client = make_braze_app(max_body_bytes=100).test_client()
    made = create(client)
    response = client.post(path_of(made), json={"x": "y" * 200})
    assert response.status_code == 413


def test_webhooks_are_rate_limited_per_minute(make_braze_app: Callable[..., Flask]) -> None:
    app = make_braze_app(transform_rate_limit=3)
    client = app.test_client()
    made = create(client)
    runtime_of(app).scheduler.advance(60 - runtime_of(app).clock.now() % 60)
    assert [client.post(path_of(made), json={}).status_code for _ in range(4)] == [201] * 3 + [429]
    runtime_of(app).scheduler.advance(60)
    assert client.post(path_of(made), json={}).status_code == 201


def test_a_run_takes_the_code_as_it_was_when_the_webhook_was_taken(
    app: Flask, client: FlaskClient
) -> None:
    """*Assumed*: a code update after a webhook was taken does not change that webhook's run
    (it was queued with the code of the moment)."""
    made = create(client, code="return {attributes: [{external_id: 'u1', v: 1}]}")
    client.post(path_of(made), json={})
    client.put(
        f"/_mock/transformations/{made['id']}",
        json={"code": "return {attributes: [{external_id: 'u1', v: 2}]}"},
    )
    client.post(path_of(made), json={})
    runtime_of(app).scheduler.run_until_idle()
    logs = client.get("/_mock/transformations/logs").json["logs"]
    assert [entry["output"]["attributes"][0]["v"] for entry in logs] == [1, 2]


# -- runs and logs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("return {attributes: [", "syntax"),
        ("return payload.missing.field", "runtime"),
        ("throw new Error('no customer')", "runtime"),
        ("return 'not an object'", "invalid_output"),
        ("return {attributes: [{first_name: 'no identifier'}]}", "invalid_output"),
    ],
)
def test_log_entries_say_what_went_wrong(
    app: Flask, client: FlaskClient, code: str, kind: str
) -> None:
    made = create(client, code=code, active=True)
    client.post(path_of(made), json=CALLBACK)
    runtime_of(app).scheduler.run_until_idle()
    (entry,) = client.get(f"/_mock/transformations/logs?transformation={made['id']}").json["logs"]
    assert entry["error"]["kind"] == kind
    assert entry["destination"] is None
    counters = client.get(f"/_mock/transformations/{made['id']}").json["counters"]
    assert counters == {"incoming_requests": 1, "deliveries": 0}


def test_console_output_is_kept_with_the_run(app: Flask, client: FlaskClient) -> None:
    made = create(client, code="console.log('got', payload.campaign_slug); return {}")
    client.post(path_of(made), json=CALLBACK)
    runtime_of(app).scheduler.run_until_idle()
    (entry,) = client.get("/_mock/transformations/logs").json["logs"]
    assert entry["console"] == [{"level": "log", "text": "got onboarding"}]


def test_logs_keep_the_last_thousand(make_braze_app: Callable[..., Flask]) -> None:
    client = make_braze_app(transform_rate_limit=2000, transform_queue=2000).test_client()
    made = create(client, code="return {}")
    for _ in range(1005):
        client.post(path_of(made), json={})
    logs = client.get("/_mock/transformations/logs?limit=1000").json
    assert logs["count"] == 1000 and logs["logs"][0]["id"] == 6
    last = client.get("/_mock/transformations/logs?limit=2").json
    assert last["count"] == 1000 and [e["id"] for e in last["logs"]] == [1004, 1005]


# -- validate ----------------------------------------------------------------------------------


def test_validate_on_a_given_payload_delivers_nothing(app: Flask, client: FlaskClient) -> None:
    made = create(client, active=True)
    response = client.post(
        f"/_mock/transformations/{made['id']}/validate",
        json={"payload": {**CALLBACK, "customer_id": "b1"}},
    )
    assert response.status_code == 200
    shown = response.json
    assert shown["acceptable"] is True and shown["errors"] == []
    assert shown["output"]["attributes"][0]["braze_id"] == "b1"
    assert len(app.extensions["braze"].profiles) == 0
    assert runtime_of(app).journal.query(hop="braze.transformation_delivery") == []


def test_validate_reports_destination_errors_with_pointers(client: FlaskClient) -> None:
    code = "return {attributes: [{external_id: 'ok'}, {email: 'not-an-email'}]}"
    made = create(client, code=code)
    shown = client.post(f"/_mock/transformations/{made['id']}/validate", json={"payload": {}}).json
    assert shown["acceptable"] is False
    assert shown["errors"] == [
        {"pointer": "/attributes/1", "message": "'email' is not a valid email address"}
    ]


def test_validate_uses_the_most_recent_webhook(client: FlaskClient) -> None:
    made = create(client)
    url = f"/_mock/transformations/{made['id']}/validate"
    assert client.post(url).status_code == 409, "nothing received yet"
    client.post(path_of(made), json={**CALLBACK, "customer_id": "recent"})
    assert client.post(url).json["output"]["attributes"][0]["braze_id"] == "recent"


def test_validate_shows_code_errors_with_their_line(client: FlaskClient) -> None:
    made = create(client, code="const a = 1;\nconst b = payload.x.y;\nreturn {}")
    shown = client.post(f"/_mock/transformations/{made['id']}/validate", json={"payload": {}}).json
    assert shown["error"]["kind"] == "runtime" and shown["error"]["line"] == 2


# -- other destinations ------------------------------------------------------------------------


def test_catalog_destinations(app: Flask, client: FlaskClient) -> None:
    assert client.post("/_mock/catalogs", json={"name": "videos"}).status_code == 201
    put = create(
        client,
        destination="catalog-put",
        active=True,
        code="return {catalog_name: 'videos', "
        "items: [{id: payload.customer_id, url: payload.video_url}]}",
    )
    client.post(path_of(put), json={**CALLBACK, "customer_id": "v-1"})
    runtime_of(app).scheduler.run_until_idle()
    (entry,) = client.get("/_mock/transformations/logs").json["logs"]
    assert entry["destination"]["status"] == 202
    assert entry["destination"]["endpoint"] == "PUT /catalogs/videos/items"
    (catalog,) = client.get("/_mock/catalogs").json["catalogs"]
    assert catalog["items"] == [{"id": "v-1", "url": CALLBACK["video_url"]}]
    bad = create(
        client,
        destination="catalog-put",
        code="return {catalog_name: 'videos', items: [{id: 'a b'}, {}]}",
    )
    shown = client.post(f"/_mock/transformations/{bad['id']}/validate", json={"payload": {}}).json
    assert [e["pointer"] for e in shown["errors"]] == ["/items/0/id", "/items/1"]
    assert "invalid-ids" in shown["errors"][0]["message"]
    assert "items-missing-ids" in shown["errors"][1]["message"]


def test_send_messages_destination(app: Flask, client: FlaskClient) -> None:
    app.extensions["braze"].profiles.seed({"external_id": "u1"})
    code = (
        "return {external_user_ids: [payload.customer_id], messages: {email: "
        "{app_id: 'a', subject: 'Your video', body: payload.landing_page_url}}}"
    )
    made = create(client, destination="send-messages", active=True, code=code)
    client.post(path_of(made), json={**CALLBACK, "customer_id": "u1"})
    client.post(path_of(made), json={**CALLBACK, "customer_id": "ghost"})
    runtime_of(app).scheduler.run_until_idle()
    first, second = client.get("/_mock/transformations/logs").json["logs"]
    assert first["destination"]["status"] == 201 and first["destination"]["body"]["dispatch_id"]
    assert second["error"]["kind"] == "invalid_output" and "ghost" in second["error"]["message"]
    assert client.get("/_mock/messages").json["count"] == 1


# -- end to end --------------------------------------------------------------------------------


@pytest.fixture
def world() -> Iterator[tuple[Flask, Flask, Scheduler]]:
    scheduler = Scheduler(Clock(frozen=True))
    seen = create_seen_app(SeenSettings(clock="virtual"), scheduler=scheduler)
    braze = create_braze_app(BrazeSettings(clock="virtual"), scheduler=scheduler)
    yield seen, braze, scheduler
    for app in (seen, braze):
        app.extensions["mock"].close()


def test_seen_callback_reaches_the_profile_through_the_transformation(
    world: tuple[Flask, Flask, Scheduler],
) -> None:
    seen, braze, scheduler = world
    braze_client = braze.test_client()
    made = create(braze_client, active=True)
    profile = braze.extensions["braze"].profiles.seed({"external_id": "u1", "first_name": "Ada"})
    token = "0123456789abcdef0123456789abcdef01234567"
    seen_client = seen.test_client()
    seen_client.post(
        "/_mock/campaigns",
        json={
            "slug": "onboarding",
            "token": token,
            "callback_url": f"https://braze.test{path_of(made)}",
        },
    )

    def forward(request: Any) -> tuple[int, dict[str, str], bytes]:
        answer = braze_client.post(
            request.path_url, data=request.body, headers=dict(request.headers)
        )
        return answer.status_code, dict(answer.headers), answer.get_data()

    with responses.RequestsMock() as network:
        network.add_callback(responses.POST, re.compile(r"https://braze\.test/.*"), forward)
        created = seen_client.post(
            "/v1/campaigns/onboarding/receivers/",
            json=[{"first_name": "Ada", "customer_id": profile.braze_id}],
            headers={"Authorization": f"Token {token}"},
        )
        assert created.status_code == 201
        scheduler.run_until_idle()
    links = video_links("seen-braze-harness", "onboarding", 1)
    stored = braze.extensions["braze"].profiles.get(profile.braze_id).to_dict()
    assert stored["custom_attributes"] == {
        "landing_page_url": links.landing_page_url,
        "email_thumbnail_url": links.email_thumbnail_url,
    }
    receiver = seen.extensions["seen"].receivers[1]
    assert receiver.state == "callback_delivered"
    delivery = braze.extensions["mock"].journal.query(hop="braze.transformation_delivery")
    assert [e.status for e in delivery] == [201] and delivery[0].valid


def test_the_webhook_429_names_the_configured_limit(make_braze_app: Callable[..., Flask]) -> None:
    app = make_braze_app(transform_rate_limit=3)
    client = app.test_client()
    made = create(client)
    runtime_of(app).scheduler.advance(60 - runtime_of(app).clock.now() % 60)
    answers = [client.post(path_of(made), json={}) for _ in range(4)]
    assert answers[-1].status_code == 429
    assert answers[-1].get_json() == {
        "message": "Rate limit exceeded: 3 webhook requests per minute per workspace"
    }


def test_ids_and_secrets_repeat_with_a_fixed_id_seed_and_differ_without(
    make_braze_app: Callable[..., Flask],
) -> None:
    """Transformation ids, webhook secrets and /messages/send dispatch ids come from the
    mock's id seed: random per start (a web page cannot guess a webhook URL), the same on
    every run with `id_seed` (replay), and the same sequence again after a reset."""
    body = {"name": "t", "code": "return null", "destination": "track-users"}

    def minted(app: Flask) -> tuple[str, str]:
        made = app.test_client().post("/_mock/transformations", json=body).get_json()
        sender = app.extensions["braze"].messages  # the Send messages destination
        dispatch = sender.deliver({"broadcast": True, "segment_id": "s", "messages": {"a": {}}})
        return made["webhook_url"], dispatch.body["dispatch_id"]

    one, two = make_braze_app(id_seed="replay"), make_braze_app(id_seed="replay")
    first = minted(one)
    assert first == minted(two)
    url, dispatch_id = first
    assert re.search(r"/transformations/[0-9a-f]{24}/[A-Za-z0-9_-]{32}$", url)
    assert re.fullmatch(r"[0-9a-f]{32}", dispatch_id)
    second = minted(one)
    assert second != first and len({*first, *second}) == 4
    one.test_client().post("/_mock/reset")
    assert minted(one) == first
    assert minted(make_braze_app()) != minted(make_braze_app())
