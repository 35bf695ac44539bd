"""The mock's /users/track validation and `schemas/braze/users-track-request.json` agree."""

from __future__ import annotations

import itertools
from typing import Any

import jsonschema_rs
import pycountry
import pytest

from seen_braze_harness.mocks.braze.dates import _ISO as ISO_FORM
from seen_braze_harness.mocks.braze.dates import parse_event_time
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.track.validation import (
    EMAIL_PATTERN,
    Rejection,
    check_object,
    request_objects,
)
from seen_braze_harness.schemas import check, load
from tests.mocks.braze.conftest import NOW
from tests.mocks.braze.test_track_applies import DOCUMENTED_REQUEST
from tests.mocks.braze.test_users_track import REJECTIONS

SCHEMA_CANNOT_SAY = {
    "blocklisted external_id": "the blocklist is a setting of the mock",
    "external_id too large in bytes": "JSON Schema counts characters, not UTF-8 bytes",
}

ACCEPTED: list[tuple[str, str, dict[str, Any]]] = [
    ("by external_id", "attributes", {"external_id": "u1", "first_name": "Ada"}),
    ("by alias", "attributes", {"user_alias": {"alias_name": "n", "alias_label": "l"}}),
    ("by braze_id", "attributes", {"braze_id": "0123456789abcdef01234567"}),
    ("by email", "attributes", {"email": "ada@example.com"}),
    ("by phone", "attributes", {"phone": "+4712345678"}),
    (
        "subscriptions",
        "attributes",
        {"external_id": "u1", "email_subscribe": "opted_in", "push_subscribe": "unsubscribed"},
    ),
    (
        "subscription group",
        "attributes",
        {
            "external_id": "u1",
            "subscription_groups": [
                {
                    "subscription_group_id": "3f8c2e1a-8a4c-4d9e-9d1e-6a2b7c9d0e1f",
                    "subscription_state": "subscribed",
                }
            ],
        },
    ),
    (
        "location",
        "attributes",
        {"external_id": "u1", "current_location": {"longitude": 10.7, "latitude": 59.9}},
    ),
    ("null email unsets", "attributes", {"external_id": "u1", "email": None}),
    ("null primary is absent", "attributes", {"external_id": "u1", "braze_id": None}),
    (
        "unmapped country is stored as null, not rejected",
        "attributes",
        {"external_id": "u1", "country": "Atlantis"},
    ),
    (
        "event with colon millis",
        "events",
        {"external_id": "u1", "name": "e", "time": "2020-01-01T00:00:00:000Z"},
    ),
    (
        "event with offset",
        "events",
        {"external_id": "u1", "name": "e", "time": "2013-07-16T19:20:30+1:00"},
    ),
    ("event date only", "events", {"external_id": "u1", "name": "e", "time": "2020-01-01"}),
    (
        "event time with a lower-case t",
        "events",
        {"external_id": "u1", "name": "e", "time": "2020-01-01t10:00:00Z"},
    ),
    (
        "a phone beside an external_id is an attribute, not set unless a string",
        "attributes",
        {"external_id": "u1", "phone": {}},
    ),
    ("U+001C is no white space to ECMA-262", "attributes", {"phone": "\x1c"}),
    (
        "event properties",
        "events",
        {
            "external_id": "u1",
            "name": "e",
            "time": NOW,
            "properties": {"a": 1, "b": [1, 2], "c": {"d": "x"}},
        },
    ),
    (
        "purchase",
        "purchases",
        {
            "external_id": "u1",
            "product_id": "p",
            "currency": "NOK",
            "price": 0,
            "time": NOW,
            "quantity": 100,
        },
    ),
]


@pytest.mark.parametrize(
    ("array", "obj"), [(a, o) for _, a, o in ACCEPTED], ids=[n for n, _, _ in ACCEPTED]
)
def test_accepted_objects_pass_the_schema(array: str, obj: dict[str, Any]) -> None:
    assert not isinstance(check_object(array, 0, obj, BrazeSettings()), Rejection)
    assert check("braze/users-track-request", {array: [obj]}) == []


@pytest.mark.parametrize(
    ("array", "obj"),
    [(r[1], r[2]) for r in REJECTIONS if r[0] not in SCHEMA_CANNOT_SAY],
    ids=[r[0] for r in REJECTIONS if r[0] not in SCHEMA_CANNOT_SAY],
)
def test_rejected_objects_fail_the_schema(array: str, obj: dict[str, Any]) -> None:
    assert isinstance(check_object(array, 0, obj, BrazeSettings()), Rejection)
    issues = check("braze/users-track-request", {array: [obj]})
    assert issues and all(issue.pointer.startswith(f"/{array}/0") for issue in issues)


def test_the_documented_example_passes_the_schema() -> None:
    assert check("braze/users-track-request", DOCUMENTED_REQUEST) == []


@pytest.mark.parametrize("partner", ["seen", {}, [1], None, 3])
def test_the_envelope_beyond_the_arrays_passes_the_schema(partner: Any) -> None:
    """The mock reads only the three arrays (test_users_track); the schema gave `partner` a
    type that nothing checked, so a request it called invalid was accepted."""
    body = {"attributes": [{"external_id": "u1"}], "partner": partner}
    assert check("braze/users-track-request", body) == []


@pytest.mark.parametrize(
    "body",
    [
        {"attributes": [], "events": []},
        {"purchases": None},
        {"attributes": None, "events": []},
    ],
)
def test_a_request_with_no_object_fails_the_schema(body: dict[str, Any]) -> None:
    """Braze's 400 "Valid data must be provided" (test_users_track): an empty or null array
    is no object, and the schema wants one."""
    assert check("braze/users-track-request", body)


def test_null_arrays_are_absent_to_both() -> None:
    body = {"attributes": [{"external_id": "u1"}], "events": None, "purchases": None}
    assert check("braze/users-track-request", body) == []
    assert request_objects(body, BrazeSettings()) == [("attributes", 0, {"external_id": "u1"})]


def test_the_email_pattern_is_the_mocks() -> None:
    for where in ("identified", "attributes"):
        email = load("braze/users-track-request")["$defs"][where]["properties"]["email"]
        assert email["anyOf"][1]["pattern"] == f"^{EMAIL_PATTERN}$"


TIME_PARTS = (
    ("2020-01-01", "0001-12-31", "2020-02-30", "\u0662\u0660\u0662\u0660-01-01", "2020-1-01"),
    ("", "T", "t", " ", "TT"),
    ("", "10:00", "23:59:59", "1:00", "10"),
    ("", ".5", ",123456789", ".1234567890", ":000", ":5", ":0000"),
    ("", "Z", "z", "+1:00", "-0530", "+01", "+123", "UTC"),
    ("", "\n", "x"),
)


def test_the_time_pattern_is_the_mocks() -> None:
    """An event's `time` passes the schema's pattern exactly when it has the form the mock
    reads (ISO 8601, 'T' or 't', digits 0-9 only, nothing after); whether it is a day on the
    calendar is the mock's alone. Every combination of the parts above (21,000) is tried."""
    pattern = load("braze/users-track-request")["$defs"]["time"]["pattern"]
    schema = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    disagree = []
    for parts in itertools.product(*TIME_PARTS):
        text = "".join(parts)
        form = ISO_FORM.fullmatch(text)
        if schema.is_valid(text) != (form is not None and form["sep"] != " ") or (
            parse_event_time(text) is not None and not schema.is_valid(text)
        ):
            disagree.append(text)
    assert disagree == []
    assert check("braze/users-track-request", {"events": [event_at("2020-01-01t10:00Z")]}) == []


def event_at(time: str) -> dict[str, Any]:
    return {"external_id": "u1", "name": "e", "time": time}


def test_currencies_are_pycountrys() -> None:
    listed = load("braze/users-track-request")["$defs"]["purchase"]["properties"]["currency"]
    assert set(listed["enum"]) == {c.alpha_3 for c in pycountry.currencies}
