"""What can be wrong in a scenario, and the first stage of finding it: the scenario schema's
errors in plain words (plus what a schema cannot know: the mocks' setting names, Faker's
locales), each placed in TOML terms (`[table.sub] key[2]`).
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from seen_braze_harness import schemas
from seen_braze_harness.harness.audience import FAKER_LOCALES
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.seen.settings import SeenSettings

SCHEMA = "harness/scenario"
LOCALE_FORM = r"[a-z]{2,3}(_[A-Z]{2})?"

Path_ = tuple[str | int, ...]


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names the file, the key and the problem."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a scenario: where, in TOML terms, and what, in plain words."""

    path: Path_
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def check_data(data: Mapping[str, Any]) -> list[Problem]:
    """Every way `data` (a parsed scenario) breaks the scenario schema, sorted by path."""
    found: set[Problem] = set()
    for error in schemas.validator(SCHEMA).iter_errors(data):
        found.update(_explain(error, data))
    found.update(_setting_names(data))
    found.update(_locales(data))
    return sorted(found, key=problem_order)


# -- first stage: the schema, in plain words -------------------------------------------------

_NOUNS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "a table",
    "array": "a list",
    "null": "empty",
}


def _explain(error: ValidationError, data: Any) -> list[Problem]:
    path: Path_ = tuple(error.absolute_path)
    keyword = str(error.validator)
    schema = error.schema if isinstance(error.schema, dict) else {}
    value = error.instance
    rule: Any = error.validator_value
    custom = schema.get("x-error", {})
    if keyword in custom:
        choices = ", ".join(map(str, rule)) if isinstance(rule, list) else rule
        message = custom[keyword].format(value=_show(value), limit=rule, choices=choices)
        if keyword == "enum":
            message += _suggestion(value, rule)
        return [Problem(path, _where(path, data), message)]
    if keyword in ("anyOf", "oneOf") and error.context:
        leaf = best_match([error])
        if leaf is not None and leaf is not error:
            return _explain(leaf, data)
    if keyword == "required":
        missing = [name for name in rule if isinstance(value, dict) and name not in value]
        return [_missing(path, name, schema, data) for name in missing]
    if keyword == "additionalProperties" and isinstance(value, dict):
        known = list(schema.get("properties", {}))
        extra = [key for key in value if key not in known]
        return [_unknown((*path, key), key, value[key], known, data) for key in extra]
    return [Problem(path, _where(path, data), _words(keyword, error))]


def _words(keyword: str, error: ValidationError) -> str:
    value = error.instance
    rule: Any = error.validator_value
    shown = _show(value)
    if keyword == "type":
        kinds = [str(k) for k in (rule if isinstance(rule, list) else [rule])]
        return f"{shown} is not {' or '.join(_NOUNS.get(k, k) for k in kinds)}"
    if keyword == "minimum":
        return f"{shown} is below the minimum of {rule}"
    if keyword == "maximum":
        return f"{shown} is above the maximum of {rule}"
    if keyword == "minLength":
        return "may not be empty" if rule == 1 else f"{shown} is shorter than {rule} characters"
    if keyword == "maxLength":
        return f"{shown} is longer than {rule} characters"
    if keyword == "minItems":
        return "may not be empty" if rule == 1 else f"needs at least {rule} items"
    if keyword == "enum":
        return f"{shown} is not one of {', '.join(map(str, rule))}{_suggestion(value, rule)}"
    if keyword == "const":
        return f"must be {_show(rule)}"
    if keyword == "pattern":
        return f"{shown} does not match {rule}"
    return str(error.message)


def _missing(path: Path_, name: str, schema: Mapping[str, Any], data: Any) -> Problem:
    """`name` is missing from the table at `path`; a missing table is named in full."""
    declared = _resolve(schema.get("properties", {}).get(name, {}))
    if declared.get("type") != "object":
        return Problem(path, _where(path, data), f'"{name}" is required')
    keys: Path_ = (*path, name)
    while True:  # a required table inside the missing one: name the innermost
        properties = declared.get("properties", {})
        required = declared.get("required", [])
        inner = [k for k in required if _resolve(properties.get(k)).get("type") == "object"]
        if not inner:
            break
        keys = (*keys, inner[0])
        declared = _resolve(declared["properties"][inner[0]])
    needs = ", ".join(declared.get("required", []))
    table = ".".join(_key(str(k)) for k in keys)
    return Problem(keys, "", f"[{table}] is required" + (f" (with {needs}, ...)" if needs else ""))


def _unknown(path: Path_, key: str, value: Any, known: Sequence[str], data: Any) -> Problem:
    kind = "table" if isinstance(value, dict) else "key"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        hint = f'; did you mean "{close[0]}"?'
    else:
        hint = f"; known: {', '.join(sorted(known))}" if len(known) <= 12 else ""
    return Problem(path, _where(path, data), f"unknown {kind}{hint}")


def _suggestion(value: Any, choices: Iterable[Any]) -> str:
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, [str(c) for c in choices], n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


def _setting_names(data: Mapping[str, Any]) -> list[Problem]:
    """Unknown setting names, checked against the mocks' settings (the schema lists none)."""
    found = []
    for service, kind in (("seen", SeenSettings), ("braze", BrazeSettings)):
        table = data.get(service, {})
        settings = table.get("settings") if isinstance(table, dict) else None
        if not isinstance(settings, dict):
            continue
        known = [f.name for f in dataclasses.fields(kind)]
        for key in settings:
            if key not in known:
                path = (service, "settings", key)
                found.append(_unknown(path, key, settings[key], known, data))
    return found


def _locales(data: Mapping[str, Any]) -> list[Problem]:
    """Locales the installed Faker does not know (the schema checks only their form)."""
    audience = data.get("audience")
    locales = audience.get("locales") if isinstance(audience, dict) else None
    if not isinstance(locales, list):
        return []
    found = []
    for index, locale in enumerate(locales):
        well_formed = isinstance(locale, str) and re.fullmatch(LOCALE_FORM, locale)
        if well_formed and locale not in FAKER_LOCALES:
            path = ("audience", "locales", index)
            message = f"{_show(locale)} is not a Faker locale"
            message += _suggestion(locale, sorted(FAKER_LOCALES))
            found.append(Problem(path, _where(path, data), message))
    return found


# -- where, in TOML terms --------------------------------------------------------------------


def _where(path: Path_, data: Any) -> str:
    """`[table.sub] key[2]` for a path: tables in brackets, then the key inside the table."""
    table: list[str] = []
    node = data
    index = 0
    while index < len(path):
        part = path[index]
        child = node.get(part) if isinstance(node, dict) and isinstance(part, str) else None
        if isinstance(child, dict):
            table.append(_key(str(part)))
            node, index = child, index + 1
            continue
        following = path[index + 1] if index + 1 < len(path) else None
        if (
            isinstance(child, list)
            and isinstance(following, int)
            and following < len(child)
            and isinstance(child[following], dict)
        ):
            table.append(f"{_key(str(part))}[{following}]")
            node, index = child[following], index + 2
            continue
        break
    key = ""
    for part in path[index:]:
        key += f"[{part}]" if isinstance(part, int) else ("." if key else "") + _key(part)
    header = f"[{'.'.join(table)}]" if table else ""
    return " ".join(p for p in (header, key) if p)


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def problem_order(problem: Problem) -> tuple[Any, ...]:
    """Problems in the order of their paths (list items before keys), then of their messages."""
    parts = [(0, p, "") if isinstance(p, int) else (1, 0, p) for p in problem.path]
    return (tuple(parts), problem.message)


def _resolve(schema: Any) -> dict[str, Any]:
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        ref = schema["$ref"]
        if ref.startswith("#/"):
            node: Any = schemas.load(SCHEMA)
            for part in ref[2:].split("/"):
                node = node[part]
            return _resolve(node)
    return schema if isinstance(schema, dict) else {}
