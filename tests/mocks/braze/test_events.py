"""Events and purchases as Braze keeps them: times, properties, and quantity expansion."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from seen_braze_harness.mocks.braze.track.events import (
    MAX_PROPERTIES,
    event_record,
    purchase_records,
    record_to_json,
)

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def notes_of(found: tuple[Any, list[Any]]) -> list[str]:
    return [str(note) for note in found[1]]


def test_an_event_keeps_name_time_properties_and_app_id() -> None:
    event = {
        "external_id": "u1",
        "app_id": "app-1",
        "name": "rented_movie",
        "time": "2013-07-16T19:20:45+01:00",
        "properties": {"movie": "The Sad Egg", "director": "Dan Alexander", "cast": {"n": 2}},
    }
    record, notes = event_record(event, now=NOW)
    assert record == {
        "name": "rented_movie",
        "time": datetime(2013, 7, 16, 18, 20, 45, tzinfo=UTC),
        "properties": {"movie": "The Sad Egg", "director": "Dan Alexander", "cast": {"n": 2}},
        "app_id": "app-1",
    }
    assert notes == []
    assert event_record({"name": "e", "time": "2024-05-01"}, now=NOW)[0] == {
        "name": "e",
        "time": datetime(2024, 5, 1, tzinfo=UTC),
        "properties": {},
        "app_id": None,
    }


@pytest.mark.parametrize(
    ("time", "recorded", "notes"),
    [
        ("2024-05-01T11:59:59Z", datetime(2024, 5, 1, 11, 59, 59, tzinfo=UTC), []),
        ("2024-05-01T12:00:00Z", NOW, []),
        (
            "2024-05-01T12:00:01Z",
            NOW,
            [
                "time: 2024-05-01T12:00:01Z is in the future; "
                "recorded as now (2024-05-01T12:00:00.000Z)"
            ],
        ),
        (
            "2099-01-01T00:00:00:000+0000",
            NOW,
            [
                "time: 2099-01-01T00:00:00:000+0000 is in the future; "
                "recorded as now (2024-05-01T12:00:00.000Z)"
            ],
        ),
        ("yesterday", NOW, ["time: 'yesterday' is not an ISO 8601 time; recorded as now"]),
    ],
)
def test_a_future_event_time_becomes_now(time: str, recorded: datetime, notes: list[str]) -> None:
    found = event_record({"name": "e", "time": time}, now=NOW)
    assert found[0]["time"] == recorded
    assert notes_of(found) == notes
    purchase = {"product_id": "p", "currency": "USD", "price": 1, "time": time}
    found_purchase = purchase_records(purchase, now=NOW)
    assert found_purchase[0][0]["time"] == recorded
    assert notes_of(found_purchase) == notes


@pytest.mark.parametrize(
    ("count", "kept", "notes"),
    [
        (256, 256, []),
        (300, 256, ["properties: 300 properties; only the first 256 kept"]),
    ],
)
def test_at_most_256_properties_are_kept(count: int, kept: int, notes: list[str]) -> None:
    properties = {f"p{i:03d}": i for i in range(count)}
    found = event_record({"name": "e", "time": "2024-05-01", "properties": properties}, now=NOW)
    assert found[0]["properties"] == {f"p{i:03d}": i for i in range(kept)}
    assert notes_of(found) == notes
    assert MAX_PROPERTIES == 256


def test_long_names_and_string_properties_are_truncated() -> None:
    event = {"name": "n" * 300, "time": "2024-05-01", "properties": {"s": "s" * 256, "t": "ok"}}
    record, notes = event_record(event, now=NOW)
    assert record["name"] == "n" * 255
    assert record["properties"] == {"s": "s" * 255, "t": "ok"}
    assert [str(n) for n in notes] == [
        "name: 300 characters; truncated to 255",
        "properties.s: 256 characters; truncated to 255",
    ]


def test_properties_that_are_not_an_object_are_not_kept() -> None:
    found = event_record({"name": "e", "time": "2024-05-01", "properties": [1]}, now=NOW)
    assert found[0]["properties"] == {}
    assert notes_of(found) == ["properties: not an object; not kept"]


@pytest.mark.parametrize(
    ("quantity", "records", "notes"),
    [
        (None, 1, []),
        (1, 1, []),
        (3, 3, ["quantity: 3 recorded as 3 purchases of 1"]),
        (100, 100, ["quantity: 100 recorded as 100 purchases of 1"]),
        (0, 1, ["quantity: 0 is not 1 to 100; recorded as 1"]),
        (101, 1, ["quantity: 101 is not 1 to 100; recorded as 1"]),
    ],
)
def test_a_purchase_of_quantity_n_is_n_purchases_of_one(
    quantity: int | None, records: int, notes: list[str]
) -> None:
    purchase: dict[str, Any] = {
        "external_id": "u1",
        "app_id": "app-1",
        "product_id": "backpack",
        "currency": "USD",
        "price": 40.0,
        "time": "2013-07-16T19:20:30+01:00",
        "properties": {"color": "red"},
    }
    if quantity is not None:
        purchase["quantity"] = quantity
    found = purchase_records(purchase, now=NOW)
    expected = {
        "product_id": "backpack",
        "currency": "USD",
        "price": 40.0,
        "quantity": 1,
        "time": datetime(2013, 7, 16, 18, 20, 30, tzinfo=UTC),
        "properties": {"color": "red"},
        "app_id": "app-1",
    }
    assert found[0] == [expected] * records
    assert notes_of(found) == notes


def test_expanded_purchases_are_independent_records() -> None:
    purchase = {
        "product_id": "p",
        "currency": "EUR",
        "price": 2,
        "quantity": 2,
        "time": "2024-05-01",
        "properties": {"tags": ["a"]},
    }
    records, _ = purchase_records(purchase, now=NOW)
    records[0]["properties"]["tags"].append("b")
    assert records[1]["properties"] == {"tags": ["a"]}
    assert purchase["properties"] == {"tags": ["a"]}


def test_purchase_property_objects_are_ingested_as_strings() -> None:
    purchase = {
        "product_id": "Completed Order",
        "currency": "USD",
        "price": 219.98,
        "time": "2013-07-16T19:20:30+01:00",
        "properties": {"order": {"id": 7, "gift": True}, "items": ["Monitor", "Keyboard"]},
    }
    found = purchase_records(purchase, now=NOW)
    assert found[0][0]["properties"] == {
        "order": '{"id":7,"gift":true}',
        "items": ["Monitor", "Keyboard"],
    }
    assert notes_of(found) == ["properties.order: purchase property object kept as a JSON string"]


def test_records_serialise_their_time_as_iso_8601() -> None:
    record, _ = event_record({"name": "e", "time": "2024-05-01T10:00:00+02:00"}, now=NOW)
    assert record_to_json(record) == {
        "name": "e",
        "time": "2024-05-01T08:00:00.000Z",
        "properties": {},
        "app_id": None,
    }
