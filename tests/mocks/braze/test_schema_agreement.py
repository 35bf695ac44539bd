"""The mock's /users/track validation and `schemas/braze/users-track-request.json` agree."""

from __future__ import annotations

from typing import Any

import pycountry
import pytest

from mocks.braze.settings import BrazeSettings
from mocks.braze.track import Rejection, check_object
from schemas import check, load
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


def test_currencies_are_pycountrys() -> None:
    listed = load("braze/users-track-request")["$defs"]["purchase"]["properties"]["currency"]
    assert set(listed["enum"]) == {c.alpha_3 for c in pycountry.currencies}
