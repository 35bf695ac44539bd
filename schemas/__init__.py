"""JSON Schemas (draft 2020-12) for every message of the integration, and their loader.

Schemas are addressed by name, the file's path below this package without `.json`
(for example `seen/receivers-request`). They refer to each other with relative `$ref`s,
resolved through one `referencing` registry; format checking is on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE_URI = "https://schemas.seen-braze.local/"

__all__ = ["BASE_URI", "SchemaIssue", "check", "load", "names", "registry", "validator"]


@dataclass(frozen=True)
class SchemaIssue:
    """One way an instance breaks a schema: where (JSON pointer), what, and which keyword."""

    pointer: str
    message: str
    rule: str

    def to_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "message": self.message, "rule": self.rule}

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message} ({self.rule})"


def _files() -> dict[str, Any]:
    root = resources.files(__name__)
    found: dict[str, Any] = {}

    def walk(folder: Any, prefix: str) -> None:
        for entry in folder.iterdir():
            if entry.is_dir():
                walk(entry, f"{prefix}{entry.name}/")
            elif entry.name.endswith(".json"):
                found[f"{prefix}{entry.name[:-5]}"] = json.loads(entry.read_text("utf-8"))

    walk(root, "")
    return found


@cache
def _documents() -> dict[str, Any]:
    return _files()


def names() -> list[str]:
    """Every schema this package ships, by name."""
    return sorted(_documents())


def load(name: str) -> dict[str, Any]:
    """The schema document called `name` (KeyError names the known ones if it is missing)."""
    try:
        document: dict[str, Any] = _documents()[name]
    except KeyError:
        raise KeyError(f"no schema {name!r}; known: {', '.join(names())}") from None
    return document


@cache
def registry() -> Registry[Any]:
    return Registry().with_resources(
        (f"{BASE_URI}{name}.json", Resource.from_contents(doc, default_specification=DRAFT202012))
        for name, doc in _documents().items()
    )


@cache
def validator(name: str) -> Draft202012Validator:
    schema = load(name)
    return Draft202012Validator(
        schema,
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@cache
def fast_validator(name: str) -> Any:
    """A compiled (Rust) validator of schema `name`: the same verdict a few hundred times
    faster, so that a run can check every exchange of 10,000 users."""
    documents = _documents()
    resources = [(f"{BASE_URI}{other}.json", doc) for other, doc in documents.items()]
    return jsonschema_rs.validator_for(
        load(name), registry=jsonschema_rs.Registry(resources), validate_formats=True
    )


def check(name: str, instance: Any) -> list[SchemaIssue]:
    """Every way `instance` breaks schema `name`, as pointer/message/rule, in pointer order.

    Validity is the compiled validator's, which reads `pattern` as ECMA-262 regular
    expressions, as JSON Schema specifies (Python's `re` differs on `\\s` and `$`). The issues
    of an invalid instance come from `jsonschema`, whose messages say more; for a failed
    `anyOf`/`oneOf` the issue is the one from the branch that came closest (`best_match`),
    so a bad email reports its pattern, not "any of". Where only the ECMA-262 reading finds
    the instance invalid, the compiled validator's own issues are given.
    """
    fast = fast_validator(name)
    if fast.is_valid(instance):
        return []
    issues = {
        SchemaIssue(
            pointer=_pointer(leaf.absolute_path), message=leaf.message, rule=str(leaf.validator)
        )
        for leaf in (best_match([error]) for error in validator(name).iter_errors(instance))
        if leaf is not None
    }
    if not issues:
        issues = {
            SchemaIssue(
                pointer=_pointer(error.instance_path),
                message=error.message,
                rule=str(error.schema_path[-1]) if error.schema_path else "",
            )
            for error in fast.iter_errors(instance)
        }
    return sorted(issues, key=lambda i: (i.pointer, i.rule, i.message))


def _pointer(path: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)
