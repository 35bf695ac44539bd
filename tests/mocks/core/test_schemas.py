"""The schema loader: names, `$id`s, valid draft 2020-12 documents, `$ref`s, and `check()`."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any
from urllib.parse import urljoin

import pytest
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

from seen_braze_harness import schemas
from seen_braze_harness.schemas import (
    BASE_URI,
    SchemaIssue,
    check,
    load,
    names,
    registry,
    validator,
)

EXPECTED = [
    "seen/callback",
    "seen/error-detail",
    "seen/receiver",
    "seen/receivers-created",
    "seen/receivers-errors",
    "seen/receivers-request",
]


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair anywhere in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def test_names_lists_every_json_file_of_the_package() -> None:
    root = resources.files(schemas)
    on_disk = sorted(
        f"{folder.name}/{entry.name.removesuffix('.json')}"
        for folder in root.iterdir()
        if folder.is_dir()
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    )
    assert names() == on_disk
    assert set(EXPECTED) <= set(names())


@pytest.mark.parametrize("name", names())
def test_each_schema_id_matches_its_name(name: str) -> None:
    assert load(name)["$id"] == f"{BASE_URI}{name}.json"


@pytest.mark.parametrize("name", names())
def test_each_schema_is_a_valid_draft_2020_12_document(name: str) -> None:
    document = load(name)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(document)
    assert isinstance(document.get("title"), str) and document["title"]


@pytest.mark.parametrize("name", names())
def test_each_ref_resolves(name: str) -> None:
    document = load(name)
    refs = [value for key, value in walk(document) if key == "$ref"]
    resolver = registry().resolver(base_uri=document["$id"])
    for ref in refs:
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable as exc:  # pragma: no cover - the failure message
            pytest.fail(f"{name}: $ref {ref!r} does not resolve: {exc}")
        assert isinstance(resolved.contents, dict), ref


def test_refs_point_across_files_and_within_them() -> None:
    refs = {value for name in names() for key, value in walk(load(name)) if key == "$ref"}
    assert any(ref.startswith("#/") for ref in refs)
    assert any(not ref.startswith("#") for ref in refs)


def test_registry_holds_every_schema_by_its_id() -> None:
    for name in names():
        uri = urljoin(BASE_URI, f"{name}.json")
        assert registry().contents(uri) == load(name)


def test_load_names_the_known_schemas_when_one_is_missing() -> None:
    with pytest.raises(KeyError) as raised:
        load("seen/nope")
    assert "seen/nope" in str(raised.value)
    assert "seen/callback" in str(raised.value)


def test_validator_is_cached_and_checks_formats() -> None:
    assert validator("seen/callback") is validator("seen/callback")
    checker = validator("seen/callback").format_checker
    assert checker is not None
    assert not checker.conforms("not an address", "email")
    assert checker.conforms("ada@example.com", "email")


@pytest.mark.parametrize(
    "name", [n for n in names() if any(k == "format" for k, _ in walk(load(n)))]
)
def test_every_format_the_schemas_use_is_enforced(name: str) -> None:
    used = {value for key, value in walk(load(name)) if key == "format"}
    checker = validator(name).format_checker
    assert checker is not None
    assert used <= set(checker.checkers), f"formats never checked: {used - set(checker.checkers)}"


# -- check() ----------------------------------------------------------------------------------

GOOD_RECEIVER = {"first_name": "Ada", "email": "ada@example.com", "phone": "+4712345678"}


@pytest.mark.parametrize(
    ("name", "instance"),
    [
        ("seen/receivers-request", [GOOD_RECEIVER]),
        ("seen/receivers-request", [{"first_name": 7, "email": "", "phone": ""}]),
        ("seen/receiver", {"first_name": "Ada", "unknown": "ignored"}),
        ("seen/receivers-created", [{"id": 1, "first_name": "Ada"}]),
        ("seen/receivers-errors", {"detail": "JSON parse error - x"}),
        ("seen/receivers-errors", {"non_field_errors": ["Expected a list of items."]}),
        ("seen/receivers-errors", [{}, {"email": ["Enter a valid email address."]}]),
        ("seen/error-detail", {"detail": "Invalid token."}),
        (
            "seen/callback",
            {
                "customer_id": "b1",
                "campaign_slug": "onboarding",
                "landing_page_url": "your.subdomain.com/v/12345",
                "video_url": "https://motions.seen.io/a/b/output.m3u8",
                "thumbnail_url": "https://motions.seen.io/a/b/thumbnail.jpg",
                "email_thumbnail_url": "https://motions.seen.io/a/b/email_thumbnail.jpg",
            },
        ),
    ],
)
def test_check_passes_good_instances(name: str, instance: Any) -> None:
    assert check(name, instance) == []


@pytest.mark.parametrize(
    ("name", "instance", "issues"),
    [
        ("seen/receivers-request", {}, [("", "type")]),
        ("seen/receivers-request", [], [("", "minItems")]),
        ("seen/receivers-request", [GOOD_RECEIVER] * 101, [("", "maxItems")]),
        ("seen/receivers-request", [{}], [("/0", "required")]),
        ("seen/receivers-request", [{"first_name": "   "}], [("/0/first_name", "pattern")]),
        ("seen/receivers-request", [{"first_name": "a" * 256}], [("/0/first_name", "maxLength")]),
        # anyOf: the closest branch speaks, not "is not valid under any of the given schemas"
        (
            "seen/receivers-request",
            [{"first_name": "A", "email": "bad"}],
            [("/0/email", "pattern")],
        ),
        ("seen/receivers-request", [{"first_name": "A", "phone": "12"}], [("/0/phone", "pattern")]),
        (
            "seen/receivers-request",
            [{"first_name": "A", "email": "a" * 250 + "@b.co"}],
            [("/0/email", "maxLength")],
        ),
        # anyOf where the branches tie: best_match keeps the anyOf itself
        ("seen/receivers-request", [{"first_name": None}], [("/0/first_name", "anyOf")]),
        (
            "seen/receivers-request",
            [GOOD_RECEIVER, {"first_name": "A", "extra_args": []}, {}],
            [("/1/extra_args", "type"), ("/2", "required")],
        ),
        (
            "seen/receivers-created",
            [{"id": 0, "first_name": "A", "x": 1}],
            [("/0", "additionalProperties"), ("/0/id", "minimum")],
        ),
        ("seen/error-detail", {"detail": ""}, [("/detail", "minLength")]),
        ("seen/error-detail", {"detail": "x", "code": "y"}, [("", "additionalProperties")]),
        # pointers escape "/" and "~" (RFC 6901)
        ("seen/receivers-errors", [{"a/b~c": []}], [("/0/a~1b~0c", "minItems")]),
        ("seen/receivers-errors", [{"f": ["ok"]}, {"g": [""]}], [("/1/g/0", "minLength")]),
        ("seen/receivers-errors", {"non_field_errors": []}, [("/non_field_errors", "minItems")]),
        ("seen/receivers-errors", "x", [("", "oneOf")]),
        (
            "seen/callback",
            {
                "customer_id": 5,
                "campaign_slug": "onboarding",
                "landing_page_url": "https://play.seen.io/v/abcde/",
                "video_url": "https://motions.seen.io/a/b/output.mp4",
                "thumbnail_url": "https://motions.seen.io/a/b/thumbnail.jpg",
            },
            [("", "required"), ("/customer_id", "type"), ("/video_url", "pattern")],
        ),
    ],
)
def test_check_reports_json_pointers_and_rule_names(
    name: str, instance: Any, issues: list[tuple[str, str]]
) -> None:
    found = check(name, instance)
    assert [(i.pointer, i.rule) for i in found] == issues
    assert all(isinstance(i, SchemaIssue) and i.message for i in found)


def test_issues_are_unique_and_sorted_by_pointer() -> None:
    bad = [{"first_name": "   "}, {}, {"first_name": "A", "phone": "12"}, {}]
    found = check("seen/receivers-request", bad)
    assert [i.pointer for i in found] == ["/0/first_name", "/1", "/2/phone", "/3"]
    assert len(set(found)) == len(found)


@pytest.mark.parametrize(
    ("issue", "text"),
    [
        (
            SchemaIssue("", "[] should be non-empty", "minItems"),
            "/: [] should be non-empty (minItems)",
        ),
        (SchemaIssue("/0/email", "bad", "pattern"), "/0/email: bad (pattern)"),
    ],
)
def test_an_issue_reads_as_pointer_message_rule(issue: SchemaIssue, text: str) -> None:
    assert str(issue) == text
    assert issue.to_dict() == {
        "pointer": issue.pointer,
        "message": issue.message,
        "rule": issue.rule,
    }


def test_check_of_an_unknown_schema_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="seen/nope"):
        check("seen/nope", {})
