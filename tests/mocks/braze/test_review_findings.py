"""Review of the Braze mock against Braze's `/users/track` documentation.

Tests marked `xfail(strict=True)` are bugs found in review: each fails today and names the
rule it breaks. The others cover reference rules that had no test of their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.track.validation import Rejection, check_object
from seen_braze_harness.mocks.core.settings import SettingsError
from seen_braze_harness.schemas import check
from tests.mocks.braze.conftest import NOW, attrs, track

BIG_INT = "1" + "0" * 400  # a JSON integer no double can hold
GROUP = "3f8c2e1a-8a4c-4d9e-9d1e-6a2b7c9d0e1f"


def nested(depth: int, leaf: str = "1") -> str:
    return '{"a":' * depth + leaf + "}" * depth


def still_serving(client: FlaskClient) -> None:
    assert track(client, attrs(first_name="Ada")).status_code == 201
    assert client.get("/_mock/users/export").status_code == 200
    assert client.get("/_mock/journal").status_code == 200


def answered_in_brazes_shape(response: Any) -> None:
    assert response.status_code < 500, response.get_data(as_text=True)[:200]
    assert isinstance(response.json.get("message"), str)


# -- robustness: every bad input gets an answer in Braze's shape -------------------------------

DEEP_BODIES = {
    "10,000 nested arrays (json.loads recursion)": (
        '{"attributes":[{"external_id":"u1","x":' + "[" * 10_000 + "]" * 10_000 + "}]}"
    ),
    "600 nested objects in an attribute (nested_problem recursion)": (
        '{"attributes":[{"external_id":"u1","x":' + nested(600) + "}]}"
    ),
    "500 nested objects in event properties (deepcopy recursion)": (
        '{"events":[{"external_id":"u1","name":"e","time":"'
        + NOW
        + '","properties":{"p":'
        + nested(500)
        + "}}]}"
    ),
}


@pytest.mark.parametrize("body", list(DEEP_BODIES.values()), ids=list(DEEP_BODIES))
def test_deeply_nested_json_gets_an_answer_not_a_500(client: FlaskClient, body: str) -> None:
    answered_in_brazes_shape(track(client, data=body))
    still_serving(client)


def test_a_failed_event_leaves_no_half_applied_profile(
    client: FlaskClient, backend: BrazeBackend
) -> None:
    """Whatever the answer to a too-deep event, its user is not created without the event."""
    track(client, data=DEEP_BODIES["500 nested objects in event properties (deepcopy recursion)"])
    created = backend.profiles.query(external_id="u1")
    assert created == [] or created[0].events


HUGE_NUMBERS = {
    "custom attribute": '{"attributes":[{"external_id":"u1","n":' + BIG_INT + "}]}",
    "array value": '{"attributes":[{"external_id":"u1","a":[' + BIG_INT + "]}]}",
    "current_location": (
        '{"attributes":[{"external_id":"u1","current_location":{"longitude":'
        + BIG_INT
        + ',"latitude":1}}]}'
    ),
    "price": (
        '{"purchases":[{"external_id":"u1","product_id":"p","currency":"USD","price":'
        + BIG_INT
        + ',"time":"'
        + NOW
        + '"}]}'
    ),
}


@pytest.mark.parametrize("body", list(HUGE_NUMBERS.values()), ids=list(HUGE_NUMBERS))
def test_integers_beyond_double_range_get_an_answer_not_a_500(
    client: FlaskClient, body: str
) -> None:
    answered_in_brazes_shape(track(client, data=body))
    still_serving(client)


def test_inc_by_a_huge_integer_on_a_decimal_gets_an_answer(client: FlaskClient) -> None:
    track(client, attrs(n=1.5))
    answered_in_brazes_shape(
        track(client, data='{"attributes":[{"external_id":"u1","n":{"inc":' + BIG_INT + "}}]}")
    )


def test_inc_never_stores_a_number_json_cannot_carry(client: FlaskClient) -> None:
    track(client, attrs(n=1.7e308))
    track(client, data='{"attributes":[{"external_id":"u1","n":{"inc":1' + "0" * 308 + "}}]}")
    text = client.get("/_mock/users/export").get_data(as_text=True)
    json.loads(text, parse_constant=lambda c: pytest.fail(f"export contains {c}"))


SURROGATES = {
    "external_id": '{"attributes":[{"external_id":"\\ud800","a":1}]}',
    "attribute value": '{"attributes":[{"external_id":"u1","a":"\\ud800"}]}',
    "nested value": '{"attributes":[{"external_id":"u1","o":{"k":"\\ud800"}}]}',
    "event property": (
        '{"events":[{"external_id":"u1","name":"e","time":"' + NOW + '","properties":'
        '{"k":["\\ud800"]}}]}'
    ),
    "rejected value (journal note)": (
        '{"attributes":[{"external_id":"u1","email_subscribe":"\\ud800"}]}'
    ),
}


@pytest.mark.parametrize("body", list(SURROGATES.values()), ids=list(SURROGATES))
def test_lone_surrogates_get_an_answer_and_do_not_poison_the_store(
    client: FlaskClient, body: str
) -> None:
    answered_in_brazes_shape(track(client, data=body))
    still_serving(client)


YEAR_ONE = {
    "custom date": attrs(d="0001-01-01T00:00:00+05:00"),
    "standard date": attrs(date_of_first_session="0001-01-01T00:00:00+01:00"),
    "standard date after 9999 in UTC": attrs(date_of_last_session="9999-12-31T23:30:00-01:00"),
    "event time": {"events": [{"external_id": "u1", "name": "e", "time": "0001-01-01T00:00+01"}]},
    "nested $time": attrs(o={"d": {"$time": "0001-01-01T00:30:00+01:00"}}),
}


@pytest.mark.parametrize("body", list(YEAR_ONE.values()), ids=list(YEAR_ONE))
def test_dates_whose_utc_leaves_years_1_to_9999_do_not_poison_the_store(
    client: FlaskClient, body: dict[str, Any]
) -> None:
    answered_in_brazes_shape(track(client, body))
    still_serving(client)


def test_identifier_operations_on_a_large_array_of_objects(
    client: FlaskClient, backend: BrazeBackend
) -> None:
    """Many specs over many objects: right answer (the cost is the benchmark's business)."""
    track(client, attrs(pets=[{"i": i} for i in range(3000)]))
    specs = [{"$identifier_key": "i", "$identifier_value": v} for v in (-1, 5, 7, 2999, True)]
    assert track(client, attrs(pets={"$remove": specs})).status_code == 201
    (profile,) = backend.profiles.query(external_id="u1")
    kept = [pet["i"] for pet in profile.to_dict()["custom_attributes"]["pets"]]
    assert len(kept) == 2997 and {5, 7, 2999}.isdisjoint(kept) and 1 in kept


# -- fidelity: what Braze documents ---------------------------------------------------------------


def test_null_inside_a_nested_object_drops_every_nested_update(
    client: FlaskClient, backend: BrazeBackend
) -> None:
    body = attrs(song={"title": "Solea", "year": None}, pets=[{"id": 1}], plain="kept")
    assert track(client, body).status_code == 201
    (profile,) = backend.profiles.query(external_id="u1")
    assert profile.to_dict()["custom_attributes"] == {"plain": "kept"}


def test_email_subscription_info_is_rejected_with_its_enum(client: FlaskClient) -> None:
    body = {
        "attributes": [
            {"external_id": "good"},
            {"external_id": "u1", "email_subscription_info": {"state": "subscribed"}},
        ]
    }
    assert track(client, body).json["errors"] == [
        {
            "type": "INVALID_ATTRIBUTE_EMAIL_SUBSCRIPTION_INFO",
            "input_array": "attributes",
            "index": 1,
        }
    ]


def test_blocklisted_external_id_sentence_is_the_live_apis(
    make_braze_app: Callable[..., Flask],
) -> None:
    client = make_braze_app(error_style="sentence").test_client()
    body = {"attributes": [{"external_id": "good"}, {"external_id": "undefined"}]}
    (error,) = track(client, body).json["errors"]
    assert error["type"] == "provided external_id is blacklisted and disallowed"


SCHEMA_DISAGREEMENTS: list[tuple[str, str, dict[str, Any]]] = [
    ("lower-case currency", "purchases", {"currency": "usd"}),
    (
        "group id without hyphens",
        "attributes",
        {
            "subscription_groups": [
                {
                    "subscription_group_id": GROUP.replace("-", ""),
                    "subscription_state": "subscribed",
                }
            ]
        },
    ),
    (
        "group id in braces",
        "attributes",
        {
            "subscription_groups": [
                {"subscription_group_id": "{" + GROUP + "}", "subscription_state": "subscribed"}
            ]
        },
    ),
    ("quantity 2.0", "purchases", {"quantity": 2.0}),
    ("null app_id", "events", {"app_id": None}),
    ("null properties", "purchases", {"properties": None}),
    ("blank phone identifier", "events", {"external_id": None, "phone": " "}),
]
BASE: dict[str, dict[str, Any]] = {
    "attributes": {"external_id": "u1"},
    "events": {"external_id": "u1", "name": "e", "time": NOW},
    "purchases": {
        "external_id": "u1",
        "product_id": "p",
        "currency": "USD",
        "price": 1,
        "time": NOW,
    },
}


@pytest.mark.parametrize(
    ("array", "change"),
    [(a, c) for _, a, c in SCHEMA_DISAGREEMENTS],
    ids=[n for n, _, _ in SCHEMA_DISAGREEMENTS],
)
def test_mock_and_request_schema_agree(array: str, change: dict[str, Any]) -> None:
    obj = {
        k: v for k, v in {**BASE[array], **change}.items() if v is not None or k != "external_id"
    }
    rejected = isinstance(check_object(array, 0, obj, BrazeSettings()), Rejection)
    assert rejected == bool(check("braze/users-track-request", {array: [obj]}))


# -- rules of the reference that had no test --------------------------------------------------


def test_email_wins_over_phone_when_both_identify(
    client: FlaskClient, backend: BrazeBackend
) -> None:
    backend.profiles.seed({"email": "ada@example.com", "first_name": "Ada"})
    backend.profiles.seed({"phone": "+4712345678", "first_name": "Grace"})
    body = {"attributes": [{"email": "ada@example.com", "phone": "+4712345678", "n": 1}]}
    assert track(client, body).status_code == 201
    (ada,) = backend.profiles.query(email="ada@example.com")
    assert ada.to_dict()["custom_attributes"] == {"n": 1}
    assert len(backend.profiles) == 2


@pytest.mark.parametrize("name", ["", "k" * 256, "event_name"], ids=["empty", "256", "event_name"])
def test_event_property_names_rules(client: FlaskClient, name: str) -> None:
    body = {
        "events": [
            {"external_id": "u1", "name": "e", "time": NOW},
            {"external_id": "u1", "name": "e", "time": NOW, "properties": {name: 1}},
        ]
    }
    response = track(client, body)
    assert response.json["events_processed"] == 1
    assert [(e["input_array"], e["index"]) for e in response.json["errors"]] == [("events", 1)]


def test_event_string_property_values_are_at_most_255_characters(
    client: FlaskClient, backend: BrazeBackend
) -> None:
    ok = {"external_id": "u1", "name": "ok", "time": NOW, "properties": {"s": "x" * 255}}
    long = {"external_id": "u1", "name": "long", "time": NOW, "properties": {"s": "y" * 256}}
    track(client, {"events": [ok, long]})
    (profile,) = backend.profiles.query(external_id="u1")
    values = {e["name"]: e["properties"]["s"] for e in profile.to_dict()["events"]}
    assert values["ok"] == "x" * 255
    assert len(values.get("long", "")) <= 255


@pytest.mark.parametrize(("array", "limit"), [("events", 100 * 1024), ("purchases", 50 * 1024)])
def test_properties_with_arrays_or_objects_have_a_size_limit(
    client: FlaskClient, array: str, limit: int
) -> None:
    base = {**BASE[array]}
    fits = {**base, "properties": {"a": ["x" * 200] * ((limit - 100) // 206)}}
    over = {**base, "properties": {"a": ["x" * 200] * (limit // 200)}}
    response = track(client, {array: [fits, over]})
    assert response.json[f"{array}_processed"] == 1
    assert [e["index"] for e in response.json["errors"]] == [1]


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"product_id": "p" * 256}, "'product_id' must be a string of 1 to 255 characters"),
        ({"price": "12.12"}, "'price' must be a number"),
        ({"time": None}, "'time' is required"),
    ],
    ids=["product_id over 255", "price a string", "no time"],
)
def test_purchase_field_rules(
    make_braze_app: Callable[..., Flask], change: dict[str, Any], sentence: str
) -> None:
    client = make_braze_app(error_style="sentence").test_client()
    bad = {k: v for k, v in {**BASE["purchases"], **change}.items() if v is not None}
    response = track(client, {"purchases": [BASE["purchases"], bad]})
    assert response.json["errors"] == [{"type": sentence, "input_array": "purchases", "index": 1}]


def test_settings_defaults_follow_the_reference() -> None:
    settings = BrazeSettings()
    assert (settings.object_limit, settings.object_limit_mode) == (75, "total")
    assert (settings.rate_limit, settings.rate_window) == (3000, 3.0)
    assert settings.rate_limit_reset == "epoch"
    assert settings.max_body_bytes == 4 * 1024 * 1024
    assert settings.external_id_max_bytes == 987
    assert settings.array_cap == 25


@pytest.mark.parametrize("cap", [0, 501])
def test_array_cap_is_settable_up_to_500(cap: int) -> None:
    assert BrazeSettings(array_cap=500).array_cap == 500
    with pytest.raises(SettingsError):
        BrazeSettings(array_cap=cap)


# -- Braze's documented example requests (braze-docs post_user_track.md, user_attributes_object.md)

EMAIL_EXAMPLE = {
    "attributes": [
        {
            "email": "test@braze.com",
            "string_attribute": "fruit",
            "boolean_attribute_1": True,
            "integer_attribute": 26,
            "array_attribute": ["banana", "apple"],
        }
    ],
    "events": [
        {
            "email": "test@braze.com",
            "app_id": "your_app_identifier",
            "name": "rented_movie",
            "time": "2022-12-06T19:20:45+01:00",
            "properties": {
                "release": {"studio": "FilmStudio", "year": "2022"},
                "cast": [{"name": "Actor1"}, {"name": "Actor2"}],
            },
        },
        {
            "user_alias": {"alias_name": "device123", "alias_label": "my_device_identifier"},
            "app_id": "your_app_identifier",
            "name": "rented_movie",
            "time": "2013-07-16T19:20:50+01:00",
        },
    ],
    "purchases": [
        {
            "email": "test@braze.com",
            "app_id": "your_app_identifier",
            "product_id": "product_name",
            "currency": "USD",
            "price": 12.12,
            "quantity": 6,
            "time": "2017-05-12T18:47:12Z",
            "properties": {
                "color": "red",
                "monogram": "ABC",
                "checkout_duration": 180,
                "size": "Large",
                "brand": "Backpack Locker",
            },
        }
    ],
}


def test_documented_update_by_email_example(client: FlaskClient, backend: BrazeBackend) -> None:
    response = track(client, EMAIL_EXAMPLE)
    assert (response.status_code, response.json) == (
        201,
        {
            "message": "success",
            "attributes_processed": 1,
            "events_processed": 2,
            "purchases_processed": 1,
        },
    )
    (profile,) = backend.profiles.export()  # an email-only user; the alias event is update-only
    assert (profile["external_id"], profile["email"]) == (None, "test@braze.com")
    assert [len(profile["events"]), len(profile["purchases"])] == [1, 6]


def test_documented_alias_only_example_creates_an_alias_only_user(
    client: FlaskClient, backend: BrazeBackend
) -> None:
    alias = {"alias_name": "example_name", "alias_label": "example_label"}
    body = {
        "attributes": [
            {"_update_existing_only": False, "user_alias": alias, "email": "email@example.com"}
        ]
    }
    assert track(client, body).json == {"message": "success", "attributes_processed": 1}
    (profile,) = backend.profiles.export()
    assert (profile["user_aliases"], profile["email"]) == ([alias], "email@example.com")


def test_documented_placeholder_subscription_group_id_is_a_bad_id(client: FlaskClient) -> None:
    """Braze's examples use "subscription_group_identifier"; its errors page says the id must be
    a valid subscription group UUID (BAD_SUBSCRIPTION_GROUP_ID): the mock follows the latter."""
    body = {
        "attributes": [
            {"external_id": "user1", "first_name": "Jon"},
            {
                "external_id": "user3",
                "subscription_groups": [
                    {
                        "subscription_group_id": "subscription_group_identifier",
                        "subscription_state": "subscribed",
                    }
                ],
            },
        ]
    }
    response = track(client, body)
    assert response.json["errors"] == [
        {"type": "BAD_SUBSCRIPTION_GROUP_ID", "input_array": "attributes", "index": 1}
    ]
