"""The mock's receiver validation and `schemas/seen/receiver.json` agree on a shared table."""

from __future__ import annotations

from typing import Any

import pytest

from seen_braze_harness.mocks.seen.settings import SeenSettings
from seen_braze_harness.mocks.seen.validation import validate_batch, validate_receiver
from seen_braze_harness.schemas import check

CASES: list[tuple[str, Any]] = [
    ("minimal", {"first_name": "Ada"}),
    (
        "full",
        {
            "first_name": "Ada",
            "last_name": "L",
            "email": "a@b.co",
            "phone": "+4712345678",
            "customer_id": "b1",
            "extra_args": {"age": 1},
        },
    ),
    ("number first_name", {"first_name": 42}),
    ("float customer_id", {"first_name": "A", "customer_id": 1.5}),
    ("missing first_name", {"last_name": "L"}),
    ("null first_name", {"first_name": None}),
    ("blank first_name", {"first_name": ""}),
    ("spaces first_name", {"first_name": "  "}),
    ("bool first_name", {"first_name": False}),
    ("list first_name", {"first_name": ["A"]}),
    ("object first_name", {"first_name": {"a": 1}}),
    ("255 chars", {"first_name": "A" * 255}),
    ("256 chars", {"first_name": "A" * 256}),
    ("blank last_name", {"first_name": "A", "last_name": ""}),
    ("null last_name", {"first_name": "A", "last_name": None}),
    ("long last_name", {"first_name": "A", "last_name": "L" * 256}),
    ("blank email", {"first_name": "A", "email": ""}),
    ("good email", {"first_name": "A", "email": "first.last+tag@mail.example.co.uk"}),
    ("email no at", {"first_name": "A", "email": "example.com"}),
    ("email no dot", {"first_name": "A", "email": "a@localhost"}),
    ("email spaces", {"first_name": "A", "email": "a b@example.com"}),
    ("email two ats", {"first_name": "A", "email": "a@b@example.com"}),
    ("email null", {"first_name": "A", "email": None}),
    ("email number", {"first_name": "A", "email": 5}),
    ("blank phone", {"first_name": "A", "phone": ""}),
    ("good phone", {"first_name": "A", "phone": "+14155550100"}),
    ("phone no plus", {"first_name": "A", "phone": "4712345678"}),
    ("phone leading zero", {"first_name": "A", "phone": "+0712345678"}),
    ("phone too long", {"first_name": "A", "phone": "+1234567890123456"}),
    ("phone letters", {"first_name": "A", "phone": "+47abc"}),
    ("customer_id blank", {"first_name": "A", "customer_id": ""}),
    ("customer_id bool", {"first_name": "A", "customer_id": True}),
    ("extra_args object", {"first_name": "A", "extra_args": {}}),
    ("extra_args list", {"first_name": "A", "extra_args": []}),
    ("extra_args null", {"first_name": "A", "extra_args": None}),
    ("unknown field", {"first_name": "A", "shoe_size": 44}),
    ("not an object", "Ada"),
    ("null item", None),
]


@pytest.mark.parametrize("receiver", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_mock_and_schema_agree_on_a_receiver(receiver: Any) -> None:
    _, errors = validate_receiver(receiver, SeenSettings())
    schema_issues = check("seen/receiver", receiver)
    assert (not errors) == (not schema_issues), (errors, schema_issues)


@pytest.mark.parametrize(
    "batch",
    [[], [{"first_name": "A"}], [{"first_name": "A"}] * 100, [{"first_name": "A"}] * 101, {}, "x"],
    ids=["empty", "one", "a hundred", "a hundred and one", "object", "string"],
)
def test_mock_and_schema_agree_on_a_batch(batch: Any) -> None:
    _accepted, problems = validate_batch(batch, SeenSettings())
    assert (problems is None) == (check("seen/receivers-request", batch) == [])
