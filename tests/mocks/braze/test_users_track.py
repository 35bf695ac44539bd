"""`POST /users/track`: transport rules, request limits, identifiers, validation, responses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.braze.errors import VALID_DATA
from seen_braze_harness.mocks.braze.settings import DEFAULT_API_KEY
from seen_braze_harness.mocks.core.runtime import MockRuntime
from tests.mocks.braze.conftest import NOW, READ_ONLY_KEY, attrs, track

# -- transport ---------------------------------------------------------------------------------

TRANSPORT_TABLE: list[tuple[str, dict[str, Any], int, dict[str, Any]]] = [
    ("missing key", {"key": None}, 401, {"message": "Invalid API Key"}),
    ("unknown key", {"key": "not-a-key"}, 401, {"message": "Invalid API Key"}),
    ("missing Bearer", {"authorization": DEFAULT_API_KEY}, 401, {"message": "Invalid API Key"}),
    (
        "quoted key",
        {"authorization": f'Bearer "{DEFAULT_API_KEY}"'},
        401,
        {"message": "Invalid API Key"},
    ),
    (
        "lower-case bearer",
        {"authorization": f"bearer {DEFAULT_API_KEY}"},
        401,
        {"message": "Invalid API Key"},
    ),
    ("key without users.track", {"key": READ_ONLY_KEY}, 403, {"message": "Access Denied"}),
    (
        "trailing slash is not the endpoint",
        {"path": "/users/track/"},
        404,
        {"message": "Not Found"},
    ),
    (
        "text/plain",
        {"content_type": "text/plain"},
        415,
        {"message": "Unsupported Content-Type: send 'Content-Type: application/json'"},
    ),
    (
        "no content type",
        {"content_type": ""},
        415,
        {"message": "Unsupported Content-Type: send 'Content-Type: application/json'"},
    ),
    (
        "bad JSON",
        {"data": '{"attributes": [}'},
        400,
        {"message": "Error while parsing request body. Please check your syntax."},
    ),
    ("body not an object", {"body": [1]}, 400, {"message": VALID_DATA}),
    ("no arrays", {"body": {"partner": "seen"}}, 400, {"message": VALID_DATA}),
    (
        "attributes not an array",
        {"body": {"attributes": {"external_id": "u1"}}},
        400,
        {"message": VALID_DATA},
    ),
    ("GET", {"method": "GET"}, 405, {"message": "Method GET is not allowed; use POST"}),
]


@pytest.mark.parametrize(
    ("args", "status", "body"),
    [r[1:] for r in TRANSPORT_TABLE],
    ids=[r[0] for r in TRANSPORT_TABLE],
)
def test_transport_rules(
    client: FlaskClient, app: Flask, args: dict[str, Any], status: int, body: dict[str, Any]
) -> None:
    response = track(client, **{"body": attrs(first_name="Ada"), **args})
    assert (response.status_code, response.json) == (status, body)
    runtime: MockRuntime = app.extensions["mock"]
    (exchange,) = runtime.journal.query()
    assert exchange.status == status
    verdict = exchange.verdict()["response"]
    assert verdict is None or verdict.valid


def test_success_with_processed_counts_for_present_arrays(client: FlaskClient) -> None:
    response = track(
        client,
        {
            "attributes": [{"external_id": "u1", "first_name": "Ada"}],
            "events": [{"external_id": "u1", "name": "watched", "time": NOW}] * 2,
        },
    )
    assert response.status_code == 201
    assert response.json == {"message": "success", "attributes_processed": 1, "events_processed": 2}


@pytest.mark.parametrize("partner", ["seen", {}, [1], None, 3])
def test_partner_key_is_ignored_whatever_its_value(client: FlaskClient, partner: Any) -> None:
    """Braze documents only the three arrays; the rest of the envelope is not read."""
    response = track(client, {**attrs(first_name="Ada"), "partner": partner})
    assert response.json == {"message": "success", "attributes_processed": 1}


def test_body_size_limit(make_braze_app: Callable[..., Flask]) -> None:
    client = make_braze_app(max_body_bytes=200).test_client()
    response = track(client, attrs(first_name="A" * 300))
    assert response.status_code == 413
    assert "exceeds the limit of 200 bytes" in response.json["message"]
    assert track(client, attrs(first_name="A")).status_code == 201, "still serving"


# -- object limits -----------------------------------------------------------------------------


def objects(n: int, array: str = "attributes") -> list[dict[str, Any]]:
    if array == "events":
        return [{"external_id": f"u{i}", "name": "e", "time": NOW} for i in range(n)]
    return [{"external_id": f"u{i}", "first_name": "A"} for i in range(n)]


def test_object_cap_in_total(client: FlaskClient) -> None:
    ok = track(client, {"attributes": objects(40), "events": objects(35, "events")})
    assert ok.status_code == 201
    over = track(client, {"attributes": objects(40), "events": objects(36, "events")})
    assert (over.status_code, over.json) == (400, {"message": "Max Input Length Exceeded"})


def test_object_cap_per_array(make_braze_app: Callable[..., Flask]) -> None:
    client = make_braze_app(object_limit_mode="per_array").test_client()
    ok = track(client, {"attributes": objects(75), "events": objects(75, "events")})
    assert ok.status_code == 201
    over = track(client, {"attributes": objects(76)})
    assert (over.status_code, over.json) == (400, {"message": "Max Input Length Exceeded"})


# -- rate limit --------------------------------------------------------------------------------


def test_rate_limit_headers_and_429(make_braze_app: Callable[..., Flask]) -> None:
    app = make_braze_app(rate_limit=3, rate_window=3.0)
    runtime: MockRuntime = app.extensions["mock"]
    start = runtime.clock.now()
    runtime.scheduler.advance(3 - start % 3)  # start on a window boundary
    window_end = int(runtime.clock.now()) + 3
    client = app.test_client()
    answers = [track(client, attrs()) for _ in range(3)]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert answers[-1].headers["X-RateLimit-Limit"] == "3"
    assert answers[-1].headers["X-RateLimit-Reset"] == str(window_end)
    refused = track(client, attrs())
    assert refused.status_code == 429
    assert refused.headers["X-Ratelimit-Retry-After"] == "3"
    runtime.scheduler.advance(3)
    assert track(client, attrs()).status_code == 201


def test_rate_limit_reset_as_seconds_left(make_braze_app: Callable[..., Flask]) -> None:
    app = make_braze_app(rate_limit_reset="seconds", rate_window=3600.0)
    runtime: MockRuntime = app.extensions["mock"]
    runtime.scheduler.advance(3600 - runtime.clock.now() % 3600 + 600)  # ten past the hour
    response = track(app.test_client(), attrs())
    assert response.headers["X-RateLimit-Reset"] == "3000"


def test_hourly_limit_resets_on_the_clock_hour(make_braze_app: Callable[..., Flask]) -> None:
    app = make_braze_app(rate_limit=1, rate_window=3600.0)
    runtime: MockRuntime = app.extensions["mock"]
    runtime.scheduler.advance(3600 - runtime.clock.now() % 3600 + 3000)  # fifty past
    client = app.test_client()
    assert track(client, attrs()).status_code == 201
    refused = track(client, attrs())
    assert refused.headers["X-Ratelimit-Retry-After"] == "600"
    runtime.scheduler.advance(600)
    assert track(client, attrs()).status_code == 201


def test_rate_headers_are_on_every_answer_and_refused_calls_do_not_count(
    make_braze_app: Callable[..., Flask],
) -> None:
    client = make_braze_app(rate_limit=5, max_body_bytes=500).test_client()
    refused = [
        track(client, attrs(), key=None),  # 401
        track(client, attrs(), key=READ_ONLY_KEY),  # 403
        track(client, attrs(first_name="A" * 600)),  # 413
    ]
    assert [r.status_code for r in refused] == [401, 403, 413]
    assert all(r.headers["X-RateLimit-Remaining"] == "5" for r in refused)
    assert track(client, data="{").headers["X-RateLimit-Remaining"] == "4", "bad JSON counts"
    assert track(client, attrs()).headers["X-RateLimit-Remaining"] == "3"


def test_an_inactive_account_is_refused(make_braze_app: Callable[..., Flask]) -> None:
    response = track(make_braze_app(account_active=False).test_client(), attrs())
    assert (response.status_code, response.json) == (403, {"message": "Access Denied"})


# -- identifiers and partial errors -------------------------------------------------------------

REJECTIONS: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "only a null email",
        "attributes",
        {"email": None, "first_name": "A"},
        "'external_id', 'braze_id', 'user_alias', 'email' or 'phone' is required",
        "is required",
    ),
    (
        "no identifier",
        "attributes",
        {"first_name": "A"},
        "'external_id', 'braze_id', 'user_alias', 'email' or 'phone' is required",
        "'external_id', 'braze_id', 'user_alias', 'email' or 'phone' is required",
    ),
    (
        "two primaries",
        "attributes",
        {"external_id": "u1", "braze_id": "b1"},
        "only one of",
        "only one of",
    ),
    (
        "external_id too large",
        "attributes",
        {"external_id": "x" * 988},
        "EXTERNAL_USER_ID_TOO_LARGE",
        "longer than 987 bytes",
    ),
    (
        "external_id too large in bytes",
        "attributes",
        {"external_id": "é" * 494},
        "EXTERNAL_USER_ID_TOO_LARGE",
        "longer than 987 bytes",
    ),
    (
        "blocklisted external_id",
        "attributes",
        {"external_id": "undefined"},
        "BLACKLISTED_EXTERNAL_USER_ID",
        "provided external_id is blacklisted and disallowed",
    ),
    (
        "external_id a number",
        "attributes",
        {"external_id": 42},
        "'external_id' must be a non-empty string",
        "non-empty string",
    ),
    (
        "bad user_alias",
        "attributes",
        {"user_alias": {"alias_name": "a"}},
        "'user_alias' must be",
        "'user_alias' must be",
    ),
    (
        "bad email identifier",
        "attributes",
        {"email": "not-an-email"},
        "EMAIL_BAD_FORMAT",
        "not a valid email",
    ),
    (
        "bad email attribute",
        "attributes",
        {"external_id": "u1", "email": "a@b"},
        "EMAIL_BAD_FORMAT",
        "not a valid email",
    ),
    (
        "email subscription state",
        "attributes",
        {"external_id": "u1", "email_subscribe": "yes"},
        "BAD_EMAIL_SUBSCRIPTION_STATE",
        "'email_subscribe' must be one of",
    ),
    (
        "push subscription state",
        "attributes",
        {"external_id": "u1", "push_subscribe": "yes"},
        "BAD_PUSH_SUBSCRIPTION_STATE",
        "'push_subscribe' must be one of",
    ),
    (
        "subscription groups not array",
        "attributes",
        {"external_id": "u1", "subscription_groups": {}},
        "BAD_SUBSCRIPTION_GROUP_ARRAY",
        "must be an array",
    ),
    (
        "subscription group not object",
        "attributes",
        {"external_id": "u1", "subscription_groups": ["x"]},
        "BAD_SUBSCRIPTION_GROUP_HASH",
        "items must be objects",
    ),
    (
        "subscription group id",
        "attributes",
        {
            "external_id": "u1",
            "subscription_groups": [
                {"subscription_group_id": "x", "subscription_state": "subscribed"}
            ],
        },
        "BAD_SUBSCRIPTION_GROUP_ID",
        "UUID",
    ),
    (
        "subscription group state",
        "attributes",
        {
            "external_id": "u1",
            "subscription_groups": [
                {
                    "subscription_group_id": "3f8c2e1a-8a4c-4d9e-9d1e-6a2b7c9d0e1f",
                    "subscription_state": "maybe",
                }
            ],
        },
        "BAD_SUBSCRIPTION_GROUP_STATE",
        "subscribed or unsubscribed",
    ),
    (
        "location",
        "attributes",
        {"external_id": "u1", "current_location": {"longitude": 200, "latitude": 0}},
        "BAD_LOCATION_UPDATE",
        "'current_location' must be",
    ),
    (
        "update flag not boolean",
        "attributes",
        {"external_id": "u1", "_update_existing_only": "yes"},
        "'_update_existing_only' must be true or false",
        "true or false",
    ),
    (
        "event without name",
        "events",
        {"external_id": "u1", "time": NOW},
        "'name' is required",
        "'name' is required",
    ),
    (
        "event without time",
        "events",
        {"external_id": "u1", "name": "e"},
        "'time' is required",
        "'time' is required",
    ),
    (
        "event bad time",
        "events",
        {"external_id": "u1", "name": "e", "time": "yesterday"},
        "'time' must be an ISO 8601 time",
        "ISO 8601",
    ),
    (
        "property with $",
        "events",
        {"external_id": "u1", "name": "e", "time": NOW, "properties": {"$x": 1}},
        "property name '$x' is not valid",
        "property name",
    ),
    (
        "property named time",
        "events",
        {"external_id": "u1", "name": "e", "time": NOW, "properties": {"time": 1}},
        "property name 'time' is not valid",
        "property name",
    ),
    (
        "purchase bad currency",
        "purchases",
        {"external_id": "u1", "product_id": "p", "currency": "EURO", "price": 1, "time": NOW},
        "'currency' must be an ISO 4217 currency",
        "ISO 4217",
    ),
    (
        "purchase quantity 0",
        "purchases",
        {
            "external_id": "u1",
            "product_id": "p",
            "currency": "EUR",
            "price": 1,
            "time": NOW,
            "quantity": 0,
        },
        "'quantity' is not valid",
        "'quantity' is not valid",
    ),
    (
        "purchase quantity 101",
        "purchases",
        {
            "external_id": "u1",
            "product_id": "p",
            "currency": "EUR",
            "price": 1,
            "time": NOW,
            "quantity": 101,
        },
        "'quantity' is not valid",
        "'quantity' is not valid",
    ),
    (
        "purchase without price",
        "purchases",
        {"external_id": "u1", "product_id": "p", "currency": "EUR", "time": NOW},
        "'price' is required",
        "'price' is required",
    ),
    (
        "purchase without product",
        "purchases",
        {"external_id": "u1", "currency": "EUR", "price": 1, "time": NOW},
        "'product_id' is required",
        "'product_id' is required",
    ),
    (
        "purchase property named time",
        "purchases",
        {
            "external_id": "u1",
            "product_id": "p",
            "currency": "EUR",
            "price": 1,
            "time": NOW,
            "properties": {"time": 1},
        },
        "Invalid 'properties' field",
        "Invalid 'properties' field",
    ),
    (
        "purchase property named product_id",
        "purchases",
        {
            "external_id": "u1",
            "product_id": "p",
            "currency": "EUR",
            "price": 1,
            "time": NOW,
            "properties": {"product_id": 1},
        },
        "Invalid 'properties' field",
        "Invalid 'properties' field",
    ),
    (
        "purchase property named quantity",
        "purchases",
        {
            "external_id": "u1",
            "product_id": "p",
            "currency": "EUR",
            "price": 1,
            "time": NOW,
            "properties": {"quantity": 1},
        },
        "Invalid 'properties' field",
        "Invalid 'properties' field",
    ),
    (
        "purchase property named event_name",
        "purchases",
        {
            "external_id": "u1",
            "product_id": "p",
            "currency": "EUR",
            "price": 1,
            "time": NOW,
            "properties": {"event_name": 1},
        },
        "Invalid 'properties' field",
        "Invalid 'properties' field",
    ),
    (
        "purchase property named price",
        "purchases",
        {
            "external_id": "u1",
            "product_id": "p",
            "currency": "EUR",
            "price": 1,
            "time": NOW,
            "properties": {"price": 1},
        },
        "Invalid 'properties' field",
        "Invalid 'properties' field",
    ),
    (
        "purchase property named currency",
        "purchases",
        {
            "external_id": "u1",
            "product_id": "p",
            "currency": "EUR",
            "price": 1,
            "time": NOW,
            "properties": {"currency": 1},
        },
        "Invalid 'properties' field",
        "Invalid 'properties' field",
    ),
    (
        "email with a trailing newline",
        "attributes",
        {"email": "ada@example.com\n"},
        "EMAIL_BAD_FORMAT",
        "'email' is not a valid email address",
    ),
    (
        "email holding U+FEFF, white space to ECMA-262",
        "attributes",
        {"external_id": "u1", "email": "ada\ufeff@example.com"},
        "EMAIL_BAD_FORMAT",
        "'email' is not a valid email address",
    ),
    (
        "blank phone as the identifier",
        "attributes",
        {"phone": "\u3000\ufeff"},
        "'phone' must be a non-empty string",
        "'phone' must be a non-empty string",
    ),
    (
        "blank event name",
        "events",
        {"external_id": "u1", "name": "\u2028", "time": NOW},
        "'name' must be a non-empty string",
        "'name' must be a non-empty string",
    ),
    (
        "event time in Arabic-Indic digits",
        "events",
        {"external_id": "u1", "name": "e", "time": "\u0662\u0660\u0662\u0660-01-01"},
        "'time' must be an ISO 8601 time",
        "'time' must be an ISO 8601 time",
    ),
    (
        "email_subscription_info attribute",
        "attributes",
        {"external_id": "u1", "email_subscription_info": {"state": "subscribed"}},
        "INVALID_ATTRIBUTE_EMAIL_SUBSCRIPTION_INFO",
        "'email_subscription_info' is not a valid attribute",
    ),
]


@pytest.mark.parametrize(
    ("array", "bad", "enum_type", "sentence"),
    [r[1:] for r in REJECTIONS],
    ids=[r[0] for r in REJECTIONS],
)
@pytest.mark.parametrize("style", ["enum", "sentence"])
def test_a_rejected_object_is_reported_and_the_rest_applied(
    make_braze_app: Callable[..., Flask],
    style: str,
    array: str,
    bad: dict[str, Any],
    enum_type: str,
    sentence: str,
) -> None:
    app = make_braze_app(error_style=style)
    good = {
        "attributes": {"external_id": "good", "first_name": "Ada"},
        "events": {"external_id": "good", "name": "watched", "time": NOW},
        "purchases": {
            "external_id": "good",
            "product_id": "p",
            "currency": "EUR",
            "price": 1.5,
            "time": NOW,
        },
    }[array]
    response = track(app.test_client(), {array: [good, bad]})
    assert response.status_code == 201
    assert response.json["message"] == "success"
    assert response.json[f"{array}_processed"] == 1
    (error,) = response.json["errors"]
    assert (error["input_array"], error["index"]) == (array, 1)
    expected = enum_type if style == "enum" else sentence
    assert expected in error["type"]
    if style == "enum" and enum_type.isupper():
        assert error["type"] == enum_type
    assert app.extensions["braze"].profiles.query(external_id="good")


def test_every_object_rejected_is_a_400(client: FlaskClient) -> None:
    response = track(
        client,
        {
            "attributes": [{"first_name": "A"}],
            "events": [{"external_id": "u1"}],
            "purchases": [{"external_id": "u1", "product_id": "p"}],
        },
    )
    assert response.status_code == 400
    assert response.json["message"] == VALID_DATA
    assert [(e["input_array"], e["index"]) for e in response.json["errors"]] == [
        ("attributes", 0),
        ("events", 0),
        ("purchases", 0),
    ]


def test_partial_error_indexes_across_all_three_arrays(client: FlaskClient) -> None:
    response = track(
        client,
        {
            "attributes": [{"external_id": "a"}, {"first_name": "no id"}, {"external_id": "b"}],
            "events": [
                {"external_id": "a", "time": NOW},
                {"external_id": "a", "name": "e", "time": NOW},
            ],
            "purchases": [
                {"external_id": "a", "product_id": "p", "currency": "EUR", "price": 1, "time": NOW},
                {"external_id": "a", "product_id": "p", "currency": "EUR", "price": 1, "time": NOW},
                {"external_id": "a", "product_id": "p", "currency": "ZZZ", "price": 1, "time": NOW},
            ],
        },
    )
    assert response.status_code == 201
    assert response.json["attributes_processed"] == 2
    assert response.json["events_processed"] == 1
    assert response.json["purchases_processed"] == 2
    assert [(e["input_array"], e["index"]) for e in response.json["errors"]] == [
        ("attributes", 1),
        ("events", 0),
        ("purchases", 2),
    ]


def test_options_is_authenticated_and_refused(client: FlaskClient) -> None:
    assert track(client, method="OPTIONS", key=None).status_code == 401
    response = track(client, method="OPTIONS")
    assert (response.status_code, response.json) == (
        405,
        {"message": "Method OPTIONS is not allowed; use POST"},
    )


def test_long_notes_are_cut_in_the_journal(app: Flask, client: FlaskClient) -> None:
    values = [f"value-{i}" for i in range(100)]
    track(client, {"attributes": [{"external_id": f"u{n}", "many": values} for n in range(75)]})
    runtime: MockRuntime = app.extensions["mock"]
    note = runtime.journal.query(hop="braze.users_track")[0].note or ""
    assert "array capped" in note or "dropped" in note
    assert len(note) < 4200 and note.endswith("more characters)")
