"""Webhook campaign definitions, their rules as units, the settings, and the admin API."""

from __future__ import annotations

import re
from collections.abc import Callable
from email.utils import formatdate
from typing import Any
from urllib.parse import quote

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.braze.app import create_app
from seen_braze_harness.mocks.braze.campaigns.errors import WebhookCampaignError
from seen_braze_harness.mocks.braze.campaigns.messages import STATES
from seen_braze_harness.mocks.braze.campaigns.rendering import (
    infer_content_type,
    profile_attributes,
    user_agent,
)
from seen_braze_harness.mocks.braze.campaigns.retry import WebhookRetry
from seen_braze_harness.mocks.braze.campaigns.spec import parse_spec
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.delivery import AttemptOutcome, retry_after
from seen_braze_harness.mocks.core.settings import SettingsError
from tests.mocks.braze.test_campaign_sending import (
    SEEN_BODY,
    URL,
    Peer,
    backend_of,
    journal_of,
    scheduler_of,
    users,
)

SPEC: dict[str, Any] = {
    "name": "SEEN onboarding",
    "url": URL,
    "method": "POST",
    "headers": {"Authorization": "Token abc", "Content-Type": "application/json"},
    "body": SEEN_BODY,
    "rate_per_minute": 10,
}


# -- definitions ---------------------------------------------------------------------------------


def test_a_spec_keeps_what_was_given() -> None:
    spec = parse_spec(SPEC, BrazeSettings())
    assert spec.to_dict() == {**SPEC, "body_format": "raw", "audience": "all"}


def test_defaults_and_inferred_body_format() -> None:
    spec = parse_spec({"url": URL, "body": {"a": "{{${first_name}}}"}}, BrazeSettings())
    assert (spec.method, spec.body_format, spec.rate_per_minute) == ("POST", "json", None)
    assert parse_spec({"url": URL, "method": "get"}, BrazeSettings()).method == "GET"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"url": None}, "url"),
        ({"url": ""}, "url"),
        ({"url": "ftp://api.seen.io/x"}, "url"),
        ({"url": "https://api.seen.io:8443/x"}, "url"),
        ({"url": "https:///nohost"}, "url"),
        ({"method": "PATCH"}, "method"),
        ({"name": ""}, "name"),
        ({"headers": ["Authorization"]}, "headers"),
        ({"headers": {"Bad Name": "x"}}, "headers"),
        ({"headers": {"X-Count": 3}}, "headers.X-Count"),
        ({"body": 5}, "body"),
        ({"body_format": "xml"}, "body_format"),
        ({"body_format": "json", "body": "text"}, "body"),
        ({"body": {"n": 1}}, "body.n"),
        ({"rate_per_minute": 9}, "rate_per_minute"),
        ({"rate_per_minute": 500_001}, "rate_per_minute"),
        ({"rate_per_minute": 10.5}, "rate_per_minute"),
        ({"rate_per_minute": True}, "rate_per_minute"),
        ({"audience": "some"}, "audience"),
        ({"audience": [1]}, "audience"),
        ({"body": "{% if %}"}, "body"),
        ({"headers": {"X-A": "{{ 'a' "}}, "headers.X-A"),
        ({"colour": "red"}, "unknown key(s): colour"),
    ],
)
def test_bad_specs_are_refused_naming_the_key(change: dict[str, Any], key: str) -> None:
    with pytest.raises(WebhookCampaignError, match=re.escape(key)):
        parse_spec({**SPEC, **change}, BrazeSettings())


def test_a_liquid_error_says_where() -> None:
    with pytest.raises(WebhookCampaignError, match=r"^body: Liquid error: .*line 1"):
        parse_spec({**SPEC, "body": "{% if ${first_name} %}never closed"}, BrazeSettings())


def test_loopback_urls_may_use_any_port() -> None:
    for url in ("http://127.0.0.1:8801/x", "http://localhost:1/", "http://[::1]:9/"):
        assert parse_spec({"url": url}, BrazeSettings()).url == url


def test_the_rate_bounds_are_settings() -> None:
    settings = BrazeSettings(campaign_rate_min=1, campaign_rate_max=100)
    assert parse_spec({"url": URL, "rate_per_minute": 1}, settings).rate_per_minute == 1
    with pytest.raises(WebhookCampaignError, match="from 1 to 100"):
        parse_spec({"url": URL, "rate_per_minute": 101}, settings)


def test_api_ids_are_uuids_and_repeat_from_run_to_run_with_a_fixed_id_seed(
    make_braze_app: Callable[..., Flask],
) -> None:
    ids = []
    for _ in range(2):
        store = backend_of(make_braze_app(id_seed="replay")).campaigns
        ids.append([store.create(SPEC).id, store.create(SPEC).id])
    assert ids[0] == ids[1]
    fresh = backend_of(make_braze_app()).campaigns
    assert fresh.create(SPEC).id not in ids[0], "without id_seed every start mints its own"
    assert ids[0][0] != ids[0][1]
    assert all(
        re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", i)
        for i in ids[0]
    )


# -- rules as units ------------------------------------------------------------------------------


def outcome(attempt: int, status: int | None, headers: dict[str, str] | None = None) -> Any:
    error = "connection error: refused" if status is None else None
    return AttemptOutcome(attempt, 1_000_000.0, status, headers or {}, b"", error)


@pytest.mark.parametrize(
    ("attempt", "status", "delay"),
    [
        (1, 200, None),
        (1, 204, None),
        (1, 301, None),
        (1, 304, None),
        (1, 400, None),
        (1, 404, None),
        (1, 408, 60.0),
        (1, 429, 60.0),
        (1, 500, 60.0),
        (2, 503, 120.0),
        (3, 599, 240.0),
        (4, None, 480.0),
        (5, 598, 960.0),
        (6, 500, None),
    ],
)
def test_webhook_retry(attempt: int, status: int | None, delay: float | None) -> None:
    assert WebhookRetry().next_delay(outcome(attempt, status)) == delay


def test_webhook_retry_honours_retry_after_only_where_it_retries() -> None:
    policy = WebhookRetry()
    assert policy.next_delay(outcome(1, 429, {"retry-after": "12"})) == 12.0
    assert policy.next_delay(outcome(1, 404, {"Retry-After": "12"})) is None
    assert policy.next_delay(outcome(6, 503, {"Retry-After": "12"})) is None


@pytest.mark.parametrize(
    ("value", "delay"),
    [
        ("1799", 1799.0),
        ("1800", 1800.0),
        ("1801", 1800.0),
        ("99999", 1800.0),
        (formatdate(1_000_000.0 + 7 * 86400, usegmt=True), 1800.0),
        ("12345678901", 60.0),
        ("1" + "0" * 400, 60.0),
        ("9" * 5000, 60.0),
    ],
)
def test_an_honoured_retry_after_is_capped(value: str, delay: float) -> None:
    assert WebhookRetry().next_delay(outcome(1, 503, {"Retry-After": value})) == delay
    capped = WebhookRetry(retry_after_max=300.0)
    assert capped.next_delay(outcome(1, 503, {"Retry-After": value})) == min(delay, 300.0)


@pytest.mark.parametrize(
    ("value", "wait"),
    [
        ("0", 0.0),
        ("120", 120.0),
        (formatdate(1_000_090.0, usegmt=True), 90.0),
        (formatdate(999_000.0, usegmt=True), 0.0),
        ("Wed, 21 Oct 2015 07:28:00", None),
        ("1.5", None),
        ("-1", None),
        ("later", None),
        ("", None),
        ("9999999999", 9999999999.0),
        ("00000000000000042", 42.0),
        ("10000000000", None),
        ("1" + "0" * 400, None),
        ("9" * 5000, None),
        ("٣", None),
        ("Wed, 21 Oct 99999 07:28:00 GMT", None),
        ("Wed, 21 Oct 2015 07:28:00 +9999", None),
        ("Mon, 01 Jan 1900 00:00:00 GMT", 0.0),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 253402300799.0 - 1_000_000.0),
    ],
)
def test_retry_after_parsing(value: str, wait: float | None) -> None:
    assert retry_after({"Retry-After": value}, 1_000_000.0) == wait
    assert retry_after({}, 0.0) is None


def test_the_user_agent_hash_changes_with_the_day() -> None:
    morning, evening, tomorrow = 86400 * 20000, 86400 * 20000 + 80000, 86400 * 20001
    assert re.fullmatch(r"Braze Sender [0-9a-f]{40}", user_agent("s", morning))
    assert user_agent("s", morning) == user_agent("s", evening)
    assert user_agent("s", morning) != user_agent("s", tomorrow)
    assert user_agent("s", morning) != user_agent("t", morning)


@pytest.mark.parametrize(
    ("body", "expected"),
    [('{"a":1}', "application/json"), ("[]", "application/json"), ("1", "application/json"),
     ("a=b", "text/plain"), ("{bad", "text/plain"), ("", None)],
)  # fmt: skip
def test_content_type_inference(body: str, expected: str | None) -> None:
    assert infer_content_type(body) == expected


def test_a_profile_in_users_track_form(make_braze_app: Callable[..., Flask]) -> None:
    app = make_braze_app(
        profiles=[
            {
                "external_id": "ada",
                "first_name": "Ada",
                "email": "ada@example.com",
                "home_city": "London",
                "dob": "1815-12-10",
                "zip code": "NW1",
                "visits": 3,
                "last_seen": "2026-01-02T03:04:05Z",
            }
        ]
    )
    profile = backend_of(app).profiles.query(external_id="ada")[0]
    assert profile_attributes(profile) == (
        {
            "external_id": "ada",
            "braze_id": profile.braze_id,
            "first_name": "Ada",
            "email": "ada@example.com",
            "home_city": "London",
            "dob": "1815-12-10",
        },
        {"zip code": "NW1", "visits": 3, "last_seen": "2026-01-02T03:04:05.000Z"},
    )


def test_custom_attributes_named_like_computed_tags_stay_custom(
    make_braze_app: Callable[..., Flask],
) -> None:
    app = make_braze_app(
        profiles=[{"external_id": "x", "most_recent_locale": "xx", "random_bucket_number": 1}]
    )
    profile = backend_of(app).profiles.query(external_id="x")[0]
    standard, custom = profile_attributes(profile)
    assert "most_recent_locale" not in standard and "random_bucket_number" not in standard
    assert custom == {"most_recent_locale": "xx", "random_bucket_number": 1}


# -- settings ------------------------------------------------------------------------------------


def test_the_documented_defaults() -> None:
    s = BrazeSettings()
    assert (s.webhook_timeout, s.webhook_max_retries) == (90.0, 5)
    assert (s.webhook_retry_base, s.webhook_retry_factor) == (60.0, 2.0)
    assert (s.host_pause_failures, s.host_pause_seconds) == (3000, 60.0)
    assert (s.activity_log_retention, s.activity_log_per_type_per_hour) == (60 * 3600.0, 20)
    assert (s.campaign_rate_min, s.campaign_rate_max) == (10, 500_000)
    assert s.webhook_allowed_ports == [80, 443]
    assert s.webhook_retry_after_max == 1800.0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("webhook_timeout", 0),
        ("webhook_timeout", "90"),
        ("webhook_max_retries", -1),
        ("webhook_max_retries", 1.5),
        ("webhook_retry_base", float("inf")),
        ("webhook_retry_factor", 0.5),
        ("webhook_retry_after_max", 0),
        ("webhook_retry_after_max", float("nan")),
        ("webhook_retry_after_max", "1800"),
        ("webhook_abort_after", 0),
        ("host_pause_failures", 0),
        ("host_pause_seconds", -1),
        ("activity_log_retention", 0),
        ("activity_log_per_type_per_hour", 0),
        ("activity_log_body_cap", True),
        ("campaign_rate_min", 0),
        ("campaign_rate_max", 5),
        ("webhook_allowed_ports", [0]),
        ("user_agent_seed", 3),
        ("campaigns", {"url": URL}),
        ("campaigns", [{"url": "ftp://x"}]),
    ],
)
def test_bad_settings_are_refused_naming_the_key(key: str, value: Any) -> None:
    with pytest.raises(SettingsError, match=re.escape(key)):
        BrazeSettings.from_dict({key: value})


def test_campaigns_in_the_settings_exist_from_the_start_and_after_reset(
    make_braze_app: Callable[..., Flask],
) -> None:
    app = make_braze_app(campaigns=[SPEC, {**SPEC, "name": "Second"}])
    client = app.test_client()
    first = client.get("/_mock/campaigns").json
    assert [c["name"] for c in first["campaigns"]] == ["SEEN onboarding", "Second"]
    client.post("/_mock/campaigns", json={**SPEC, "name": "Third"})
    client.post("/_mock/reset")
    again = client.get("/_mock/campaigns").json
    assert again == first, "same campaigns, same ids"


# -- the admin API -------------------------------------------------------------------------------


@pytest.fixture
def peer() -> Peer:
    return Peer()


@pytest.fixture
def peer_app(closing_apps: list[Flask], peer: Peer) -> Flask:
    """A Braze mock (virtual clock) with three users, its webhooks answered by `peer`."""
    session = requests.Session()
    session.mount("https://", peer)
    session.mount("http://", peer)
    app = create_app(BrazeSettings(clock="virtual", profiles=users(3)), session=session)
    closing_apps.append(app)
    return app


@pytest.fixture
def admin(peer_app: Flask) -> FlaskClient:
    return peer_app.test_client()


def create(client: FlaskClient, **fields: Any) -> dict[str, Any]:
    response = client.post("/_mock/campaigns", json={**SPEC, **fields})
    assert response.status_code == 201, response.json
    created: dict[str, Any] = response.json
    return created


def assert_problem(response: Any, status: int, *words: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert body["status"] == status
    for word in words:
        assert word in body["detail"], body["detail"]


def test_create_get_list_delete(admin: FlaskClient) -> None:
    made = create(admin)
    assert made["name"] == "SEEN onboarding"
    assert made["body_format"] == "raw"
    assert made["dispatch_ids"] == []
    one = admin.get(f"/_mock/campaigns/{made['id']}").json
    assert one == {**made, "dispatches": []}
    listed = admin.get("/_mock/campaigns").json
    assert listed == {"count": 1, "campaigns": [made], "next_cursor": None}
    assert admin.delete(f"/_mock/campaigns/{made['id']}").status_code == 204
    assert_problem(admin.get(f"/_mock/campaigns/{made['id']}"), 404, made["id"])
    assert_problem(admin.delete(f"/_mock/campaigns/{made['id']}"), 404, made["id"])


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({**SPEC, "rate_per_minute": 5}, ["rate_per_minute", "10 to 500,000"]),
        ({**SPEC, "method": "PATCH"}, ["method"]),
        ({"name": "no url"}, ["url"]),
        ({**SPEC, "extra": 1}, ["extra"]),
        ([SPEC], ["expected a JSON object"]),
    ],
)
def test_create_refuses_bad_input(admin: FlaskClient, body: Any, words: list[str]) -> None:
    assert_problem(admin.post("/_mock/campaigns", json=body), 400, *words)


def test_create_refuses_a_body_that_is_not_json(admin: FlaskClient) -> None:
    response = admin.post("/_mock/campaigns", data="{", content_type="application/json")
    assert_problem(response, 400, "not valid JSON")


def test_send_answers_202_with_the_dispatch(admin: FlaskClient, peer_app: Flask) -> None:
    made = create(admin)
    response = admin.post(f"/_mock/campaigns/{made['id']}/send")
    assert response.status_code == 202
    sent = response.json
    assert sent["message_count"] == 3
    assert sent["last_scheduled_at"] - sent["first_scheduled_at"] == 12.0
    assert sent["first_scheduled_at_iso"].endswith("Z")
    assert sent["states"]["scheduled"] == 3
    assert (
        admin.get(f"/_mock/campaigns/{made['id']}").json["dispatches"][0]["dispatch_id"]
        == (sent["dispatch_id"])
    )
    scheduler_of(peer_app).run_until_idle()
    listed = admin.get(f"/_mock/campaigns/{made['id']}/messages").json
    assert listed["count"] == 3
    assert listed["states"]["delivered"] == 3
    first = listed["messages"][0]
    assert first["external_id"] == "u0"
    assert first["state"] == "delivered"
    assert first["request"]["headers"]["Authorization"] == "Token abc"
    (exchange,) = [e for e in journal_of(peer_app).query(hop="braze.webhook") if e.id == (
        first["attempts"][0]["exchange_id"]
    )]  # fmt: skip
    assert exchange.request_headers["User-Agent"].startswith("Braze Sender ")


def test_send_to_chosen_users_and_filter_messages(admin: FlaskClient, peer_app: Flask) -> None:
    made = create(admin)
    sent = admin.post(
        f"/_mock/campaigns/{made['id']}/send", json={"external_ids": ["u2", "ghost"]}
    ).json
    assert sent["message_count"] == 1
    assert sent["skipped_external_ids"] == ["ghost"]
    path = f"/_mock/campaigns/{made['id']}/messages"
    assert admin.get(f"{path}?state=scheduled").json["count"] == 1
    assert admin.get(f"{path}?state=delivered").json["count"] == 0
    assert admin.get(f"{path}?external_id=u2&dispatch_id={sent['dispatch_id']}").json["count"] == 1
    assert admin.get(f"{path}?limit=0").json["messages"] == []


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"external_ids": "u1"}, 400, ["external_ids"]),
        ({"external_ids": [1]}, 400, ["external_ids"]),
        ({"users": ["u1"]}, 400, ["users"]),
    ],
)
def test_send_refuses_bad_input(
    admin: FlaskClient, body: Any, status: int, words: list[str]
) -> None:
    made = create(admin)
    assert_problem(admin.post(f"/_mock/campaigns/{made['id']}/send", json=body), status, *words)


def test_unknown_campaigns_are_404_everywhere(admin: FlaskClient) -> None:
    for method, path in [
        ("POST", "/_mock/campaigns/nope/send"),
        ("GET", "/_mock/campaigns/nope/messages"),
        ("POST", "/_mock/campaigns/nope/test"),
    ]:
        assert_problem(admin.open(path, method=method), 404, "'nope'")


def test_messages_refuses_bad_filters(admin: FlaskClient) -> None:
    made = create(admin)
    path = f"/_mock/campaigns/{made['id']}/messages"
    assert_problem(admin.get(f"{path}?state=lost"), 400, "state")
    assert_problem(admin.get(f"{path}?limit=-1"), 400, "limit")
    assert_problem(admin.get(f"{path}?colour=red"), 400, "colour")


def test_the_test_endpoint(admin: FlaskClient, peer: Peer) -> None:
    made = create(admin)
    path = f"/_mock/campaigns/{made['id']}/test"
    answer = admin.post(path, json={"external_id": "u1"}).json
    assert answer["status_line"] == "HTTP/1.1 201 Created"
    assert answer["status"] == 201
    assert answer["body"] == '[{"id":1}]'
    assert answer["error"] is None
    assert answer["user"]["external_id"] == "u1"
    assert '"first_name":"User1"' in answer["request"]["body"]
    custom = admin.post(path, json={"user": {"first_name": "Grace"}}).json
    assert '"first_name":"Grace"' in custom["request"]["body"]
    assert admin.post(path).json["user"]["external_id"] in {"u0", "u1", "u2"}
    assert len(peer.requests) == 3


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"external_id": "ghost"}, 404, ["ghost"]),
        ({"braze_id": "0" * 24}, 404, ["braze_id"]),
        ({"external_id": "u1", "braze_id": "x"}, 400, ["external_id and braze_id"]),
        ({"user": "Grace"}, 400, ["user"]),
        ({"external_id": 5}, 400, ["external_id"]),
        ({"who": "u1"}, 400, ["who"]),
    ],
)
def test_the_test_endpoint_refuses_bad_input(
    admin: FlaskClient, body: Any, status: int, words: list[str]
) -> None:
    made = create(admin)
    assert_problem(admin.post(f"/_mock/campaigns/{made['id']}/test", json=body), status, *words)


def test_the_activity_log_endpoint(admin: FlaskClient, peer_app: Flask, peer: Peer) -> None:
    peer.default = (400, {}, "bad")
    one, two = create(admin), create(admin, name="Two")
    admin.post(f"/_mock/campaigns/{one['id']}/send", json={"external_ids": ["u0"]})
    admin.post(f"/_mock/campaigns/{two['id']}/send", json={"external_ids": ["u1"]})
    scheduler_of(peer_app).run_until_idle()
    log = admin.get("/_mock/activity-log").json
    assert log["count"] == 2
    assert log["suppressed"] == []
    assert log["paused_hosts"] == {}
    entry = log["entries"][0]
    assert entry["campaign_name"] == "SEEN onboarding"
    assert entry["error_type"] == "Webhook HTTP 400"
    assert entry["response_body"] == "bad"
    only = admin.get(f"/_mock/activity-log?campaign_id={two['id']}").json
    assert [e["campaign_name"] for e in only["entries"]] == ["Two"]
    later = entry["clock"] + 1
    assert admin.get(f"/_mock/activity-log?since={later}").json["count"] == 0
    assert admin.get(f"/_mock/activity-log?since={entry['time']}").json["count"] == 2
    assert_problem(admin.get("/_mock/activity-log?since=yesterday"), 400, "since")
    assert_problem(admin.get("/_mock/activity-log?since=nan"), 400, "since")
    assert_problem(admin.get("/_mock/activity-log?campaign=x"), 400, "campaign")


def test_reset_clears_campaigns_dispatches_and_the_log(
    admin: FlaskClient, peer_app: Flask, peer: Peer
) -> None:
    peer.default = (404, {}, "")
    made = create(admin)
    sent = admin.post(f"/_mock/campaigns/{made['id']}/send").json
    scheduler_of(peer_app).run_until_idle()
    assert admin.get("/_mock/activity-log").json["count"] == 3
    assert admin.post("/_mock/reset").status_code == 200
    assert admin.get("/_mock/campaigns").json == {"count": 0, "campaigns": [], "next_cursor": None}
    assert admin.get("/_mock/activity-log").json["count"] == 0
    assert backend_of(peer_app).campaigns.dispatch(sent["dispatch_id"]) is None
    again = create(admin)
    assert again["id"] == made["id"], "ids start over"


@pytest.mark.parametrize(
    ("since", "accepted"),
    [
        ("0", True),
        ("-1", True),
        ("1733300000.5", True),
        ("2026-12-04", True),
        ("2026-12-04T10:00", True),
        ("2026-12-04 10:00:00.123456", True),
        ("2026-12-04T10:00:00Z", True),
        ("2026-12-04T11:00+01:00", True),
        # what the OpenAPI document's pattern refuses, the mock refuses (schemathesis, F5)
        ("", False),
        (" 1", False),
        ("1_000", False),
        ("1e3", False),
        ("inf", False),
        ("9" * 16, False),
        ("20261204", True),  # clock seconds, not the basic-format date
        ("2026-12-04T10", False),
        ("2026-12-04T10:00:00.1234567", False),
        ("2026-12-04T10:00:00+05:30:15", False),
        ("2026-12-04\n", False),
        ("٢٠٢٦-12-04", False),  # Arabic-Indic digits: Python's \d, not the document's [0-9]
        # the pattern lets these through; the calendar does not
        ("2026-02-30", False),
        ("0000-01-01", False),
        ("0001-01-01T00:00+23:59", True),  # before year 1 in UTC, yet a timestamp
    ],
)
def test_activity_log_since_is_exactly_what_the_document_says(
    admin: FlaskClient, since: str, accepted: bool
) -> None:
    response = admin.get(f"/_mock/activity-log?since={quote(since)}")
    if accepted:
        assert response.status_code == 200, response.json
    else:
        assert_problem(response, 400, "since")


def test_messages_state_is_one_of_the_documented_states(admin: FlaskClient) -> None:
    made = create(admin)
    path = f"/_mock/campaigns/{made['id']}/messages"
    assert_problem(admin.get(f"{path}?state="), 400, "state")
    document = admin.get("/_mock/openapi.json").json
    (state,) = [
        p
        for p in document["paths"]["/_mock/campaigns/{campaign_id}/messages"]["get"]["parameters"]
        if p["name"] == "state"
    ]
    assert set(state["schema"]["enum"]) == set(STATES)
    for each in STATES:
        assert admin.get(f"{path}?state={each}").status_code == 200
