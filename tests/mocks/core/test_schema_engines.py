"""The compiled validator decides validity; `check` always explains what it refuses.

`check` takes the compiled validator's verdict (ECMA-262 patterns, as JSON Schema says) and
asks `jsonschema` for the issues. The engines' regex dialects differ on a few characters
(Python's `\\s` includes \\x1c-\\x1f and \\x85; its `$` matches before a final newline):
these tests feed both the same instances, good ones and many near misses, and require the
same verdict except on those characters, and an explained refusal whenever it is invalid.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from seen_braze_harness.schemas import check, fast_validator, names, validator

GOOD: dict[str, list[Any]] = {
    "seen/receivers-request": [
        [
            {
                "first_name": "Ada",
                "last_name": "Lovelace",
                "email": "ada@example.com",
                "phone": "+4712345678",
                "customer_id": "0123456789abcdef01234567",
                "extra_args": {"plan": "gold"},
            }
        ]
    ],
    "seen/receivers-created": [[{"id": 1, "first_name": "Ada", "email": "ada@example.com"}]],
    "seen/receivers-errors": [
        {"detail": "JSON parse error - x"},
        [{}, {"email": ["Enter a valid email address."]}],
    ],
    "seen/error-detail": [{"detail": "Invalid token."}],
    "seen/callback": [
        {
            "customer_id": "b1",
            "campaign_slug": "onboarding",
            "landing_page_url": "https://play.seen.io/v/abcde/",
            "video_url": "https://motions.seen.io/a/b/output.m3u8",
            "thumbnail_url": "https://motions.seen.io/a/b/thumbnail.jpg",
            "email_thumbnail_url": "https://motions.seen.io/a/b/email_thumbnail.jpg",
        }
    ],
    "braze/users-track-request": [
        {
            "attributes": [
                {
                    "braze_id": "0123456789abcdef01234567",
                    "_update_existing_only": True,
                    "landing_page_url": "https://play.seen.io/v/abcde/",
                    "email": "ada@example.com",
                    "dob": "1990-01-31",
                }
            ],
            "events": [{"external_id": "u1", "name": "played", "time": "2026-11-27T10:00:00Z"}],
        }
    ],
    "braze/users-track-response": [
        {"message": "success", "attributes_processed": 1},
        {"message": "success", "errors": [{"type": "x", "input_array": "attributes", "index": 0}]},
    ],
    "braze/error-message": [{"message": "Invalid API key"}],
}

ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    "",
    " ",
    "x" * 300,
    "not a url",
    "ftp://example.com/x",
    "ada@",
    "+١٢٣٤٥٦٧٨",  # Arabic-Indic digits: regex engines differ on \d
    "😀" * 10,
    'Dwayne "The Rock"\n',
    [],
    {},
    ["a"],
    {"a": 1},
]


def near_misses(instance: Any) -> Iterator[Any]:
    """The instance with one thing changed: a key dropped, a value replaced, a list emptied."""
    yield instance
    if isinstance(instance, dict):
        for key in list(instance):
            dropped = {k: v for k, v in instance.items() if k != key}
            yield dropped
            for odd in ODD_VALUES:
                yield {**instance, key: odd}
            for inner in (
                near_misses(instance[key]) if isinstance(instance[key], dict | list) else ()
            ):
                yield {**instance, key: inner}
        yield {**instance, "unexpected": "x"}
    elif isinstance(instance, list):
        yield []
        yield instance * 101
        for index, item in enumerate(instance):
            for inner in near_misses(item):
                changed = copy.copy(instance)
                changed[index] = inner
                yield changed


def test_every_schema_with_instances_is_covered() -> None:
    without = sorted(set(names()) - set(GOOD) - {"harness/run-report", "harness/scenario"})
    assert without == ["seen/receiver"], without  # the item schema: covered through its list


DIALECT = ("\x1c", "\x1d", "\x1e", "\x1f", "\x85")


def _dialect_sensitive(instance: Any) -> bool:
    """Holds a character the two regex dialects read differently, or a final newline."""
    text = json.dumps(instance, ensure_ascii=False)
    return any(ch in text for ch in DIALECT) or '\\n"' in text


@pytest.mark.parametrize("name", sorted(GOOD))
def test_both_engines_agree_on_good_instances_and_near_misses(name: str) -> None:
    compiled = fast_validator(name)
    reference = validator(name)
    seen = 0
    for good in GOOD[name]:
        assert reference.is_valid(good), name
        for instance in near_misses(good):
            valid = compiled.is_valid(instance)
            if not _dialect_sensitive(instance):
                assert valid == reference.is_valid(instance), (name, instance)
            assert (check(name, instance) == []) == valid, (name, instance)
            seen += 1
    assert seen > 20


def test_ecma_262_decides_where_the_dialects_differ() -> None:
    issues = check("seen/receivers-request", [{"first_name": "A", "phone": "+4712345678\n"}])
    assert issues and issues[0].pointer == "/0/phone"
    assert check("seen/receivers-request", [{"first_name": "\x1c"}]) == []
