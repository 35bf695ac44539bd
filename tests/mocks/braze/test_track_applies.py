"""What `/users/track` does to profiles, seen through HTTP: creation, skips, Braze's examples."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.core.runtime import MockRuntime
from tests.mocks.braze.conftest import NOW, track

# Braze's own example request (its API reference and Postman collection), note the "+1:00".
DOCUMENTED_REQUEST = {
    "attributes": [
        {
            "external_id": "user_identifier",
            "string_attribute": "fruit",
            "boolean_attribute_1": True,
            "integer_attribute": 25,
            "array_attribute": ["banana", "apple"],
        }
    ],
    "events": [
        {
            "external_id": "user_identifier",
            "app_id": "app_identifier",
            "name": "watched_trailer",
            "time": "2013-07-16T19:20:30+1:00",
        }
    ],
    "purchases": [
        {
            "external_id": "user_identifier",
            "app_id": "app_identifier",
            "product_id": "product_name",
            "currency": "USD",
            "price": 12.12,
            "quantity": 6,
            "time": "2017-05-12T18:47:12Z",
            "properties": {
                "integer_property": 3,
                "string_property": "Russell",
                "date_property": "2014-02-02T00:00:00Z",
            },
        }
    ],
}


def test_braze_documented_example_gets_the_documented_answer(
    client: FlaskClient, backend: BrazeBackend, app: Flask
) -> None:
    response = track(client, DOCUMENTED_REQUEST)
    assert response.status_code == 201
    assert response.json == {
        "message": "success",
        "attributes_processed": 1,
        "events_processed": 1,
        "purchases_processed": 1,
    }
    (profile,) = backend.profiles.query(external_id="user_identifier")
    stored = profile.to_dict()
    assert stored["custom_attributes"] == {
        "string_attribute": "fruit",
        "boolean_attribute_1": True,
        "integer_attribute": 25,
        "array_attribute": ["banana", "apple"],
    }
    assert [e["name"] for e in stored["events"]] == ["watched_trailer"]
    assert len(stored["purchases"]) == 6, "quantity 6 is six purchases"
    runtime: MockRuntime = app.extensions["mock"]
    (exchange,) = runtime.journal.query(hop="braze.users_track")
    assert exchange.valid, exchange.verdict()


def test_seen_callback_shaped_update_by_braze_id(
    client: FlaskClient, backend: BrazeBackend
) -> None:
    """What the SEEN transformation sends: update-only, by braze_id, the two links."""
    seeded = backend.profiles.seed({"external_id": "u1", "first_name": "Ada"})
    body = {
        "attributes": [
            {
                "braze_id": seeded.braze_id,
                "_update_existing_only": True,
                "landing_page_url": "https://play.seen.io/v/IfxNg/",
                "email_thumbnail_url": "https://motions.seen.io/x/y/email_thumbnail.jpg",
            }
        ]
    }
    assert track(client, body).json == {"message": "success", "attributes_processed": 1}
    custom = backend.profiles.get(seeded.braze_id).to_dict()["custom_attributes"]  # type: ignore[union-attr]
    assert custom == {
        "landing_page_url": "https://play.seen.io/v/IfxNg/",
        "email_thumbnail_url": "https://motions.seen.io/x/y/email_thumbnail.jpg",
    }


@pytest.mark.parametrize(
    ("obj", "reason"),
    [
        ({"external_id": "ghost", "_update_existing_only": True, "a": 1}, "_update_existing_only"),
        ({"user_alias": {"alias_name": "n", "alias_label": "l"}, "a": 1}, "_update_existing_only"),
        ({"braze_id": "0123456789abcdef01234567", "a": 1}, "assigned by Braze"),
    ],
    ids=["update-only unknown external_id", "alias defaults to update-only", "unknown braze_id"],
)
def test_objects_for_unknown_users_are_skipped_without_an_error(
    client: FlaskClient, backend: BrazeBackend, app: Flask, obj: dict[str, Any], reason: str
) -> None:
    response = track(client, {"attributes": [obj]})
    assert response.json == {"message": "success", "attributes_processed": 1}
    assert len(backend.profiles) == 0
    runtime: MockRuntime = app.extensions["mock"]
    (exchange,) = runtime.journal.query(hop="braze.users_track")
    assert exchange.note is not None and "skipped" in exchange.note and reason in exchange.note


def test_alias_only_profile_with_update_existing_only_false(
    client: FlaskClient, backend: BrazeBackend
) -> None:
    alias = {"alias_name": "n", "alias_label": "l"}
    track(client, {"attributes": [{"user_alias": alias, "_update_existing_only": False, "a": 1}]})
    (profile,) = backend.profiles.export()
    assert profile["user_aliases"] == [alias] and profile["external_id"] is None


def test_email_only_profile_is_created_then_found_again(
    client: FlaskClient, backend: BrazeBackend
) -> None:
    track(client, {"attributes": [{"email": "ada@example.com", "first_name": "Ada"}]})
    track(client, {"attributes": [{"email": "ada@example.com", "last_name": "Lovelace"}]})
    (profile,) = backend.profiles.export()
    assert profile["external_id"] is None
    assert (profile["first_name"], profile["last_name"]) == ("Ada", "Lovelace")


def test_email_is_a_plain_attribute_when_a_primary_identifier_is_present(
    client: FlaskClient, backend: BrazeBackend
) -> None:
    backend.profiles.seed({"external_id": "other", "email": "shared@example.com"})
    track(client, {"attributes": [{"external_id": "u1", "email": "shared@example.com"}]})
    assert len(backend.profiles) == 2
    (u1,) = backend.profiles.query(external_id="u1")
    assert u1.to_dict()["email"] == "shared@example.com"


def test_attributes_then_events_then_purchases(client: FlaskClient, backend: BrazeBackend) -> None:
    """An event for a user created by the same request's attributes finds that user."""
    response = track(
        client,
        {
            "events": [
                {"external_id": "new", "name": "e", "time": NOW, "_update_existing_only": True}
            ],
            "attributes": [{"external_id": "new", "first_name": "A"}],
        },
    )
    assert response.json == {"message": "success", "attributes_processed": 1, "events_processed": 1}
    (profile,) = backend.profiles.query(external_id="new")
    assert [e["name"] for e in profile.to_dict()["events"]] == ["e"]


def test_one_bad_nested_object_drops_every_nested_update_of_the_request(
    client: FlaskClient, backend: BrazeBackend, app: Flask
) -> None:
    response = track(
        client,
        {
            "attributes": [
                {"external_id": "u1", "pet": {"name": "Rex"}, "plain": "kept"},
                {"external_id": "u2", "car": {"bad key": 1}},
            ]
        },
    )
    assert response.status_code == 201
    (u1,) = backend.profiles.query(external_id="u1")
    assert u1.to_dict()["custom_attributes"] == {"plain": "kept"}
    runtime: MockRuntime = app.extensions["mock"]
    note = runtime.journal.query(hop="braze.users_track")[0].note or ""
    assert "every nested-object update of this request is dropped" in note


def test_concurrent_writers_to_one_profile_lose_nothing(
    make_braze_app: Callable[..., Flask],
) -> None:
    app = make_braze_app(rate_limit=100_000, array_cap=100)
    errors: list[int] = []
    start = threading.Barrier(4)

    def writer(n: int) -> None:
        client = app.test_client()
        start.wait()
        for i in range(25):
            body = {
                "attributes": [
                    {"external_id": "u1", "count": {"inc": 1}, "seen": {"add": [f"{n}-{i}"]}}
                ]
            }
            status = track(client, body).status_code
            if status != 201:
                errors.append(status)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    (profile,) = app.extensions["braze"].profiles.query(external_id="u1")
    custom = profile.to_dict()["custom_attributes"]
    assert custom["count"] == 100
    assert len(custom["seen"]) == 100


def test_error_style_sentence_is_a_setting(make_braze_app: Callable[..., Flask]) -> None:
    client = make_braze_app(error_style="sentence").test_client()
    response = track(
        client, {"attributes": [{"external_id": "u1", "email": "bad"}, {"external_id": "u2"}]}
    )
    assert response.json["errors"] == [
        {"type": "'email' is not a valid email address", "input_array": "attributes", "index": 0}
    ]
