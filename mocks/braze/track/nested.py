"""Nested objects and arrays of objects as custom attributes: checks, merges, operations.

**Assumed** (Braze documents no more; each is the emulator's choice):

- Nested objects: a key longer than 255 characters or with whitespace, `.` or `$`, a `$time`
  that is not a date, a non-finite number, or more than 100 KiB of compact UTF-8 JSON as
  sent makes the value invalid, and then every nested-object and array-of-objects update of
  the object is dropped (Braze: of the request; the caller passes `drop_nested` for
  request-wide drops). String values beyond 255 characters are truncated like other
  strings. A result over 100 KiB after a merge or an operation is not stored, noted.
  A `$time` with a year after 3000 is not stored (documented), only that key, noted.
- `null` inside an object is stored as null (a merge does not delete the key: Braze says
  `$update` cannot remove a nested property).
- Arrays of objects have no element cap (documented: only 100 KB). `$update` deep-merges the
  `$new_object` into every object whose `$identifier_key` equals `$identifier_value` when
  `_merge_objects` is true; without it the matched objects are overwritten (Braze: "You must
  set `_merge_objects` to true, or your objects will be overwritten"), noted. `$remove`
  removes every match. An operation matching nothing is noted. `$add` runs before `$remove`
  whatever the key order (Braze's arrays-of-objects page); `$update` runs between them.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

from seen_braze_harness.mocks.braze.dates import parse_date
from seen_braze_harness.mocks.braze.track.standard import STANDARD_FIELDS, UNKEPT_FIELDS
from seen_braze_harness.mocks.braze.track.values import (
    TEXT_MAX,
    YEAR_MAX,
    Note,
    cap_text,
    json_size,
    show,
    store_within,
    to_json,
    value_kind,
)

NESTED_MAX_BYTES = 100 * 1024
_BAD_KEY = re.compile(r"[\s.$]")
_OBJECT_OPERATORS = ("$add", "$update", "$remove")
"""Array-of-objects operators, in the order they run whatever the request's key order."""


def nested_problem(attributes: Mapping[str, Any]) -> str | None:
    """Why the nested-object updates of this attributes object are invalid, or None."""
    for key, value in attributes.items():
        if key in STANDARD_FIELDS or key in UNKEPT_FIELDS or key == "_merge_objects":
            continue
        kind = value_kind(value)
        if kind == "object":
            problem = _check_object(key, value)
        elif kind == "objects":
            problem = _check_objects(key, value)
        elif kind == "operations":
            problem = _check_operations(key, value)
        else:
            continue
        if problem is None and json_size(value) > NESTED_MAX_BYTES:
            problem = f"{key} is larger than {NESTED_MAX_BYTES // 1024} KB"
        if problem is not None:
            return problem
    return None


def apply_object(
    custom: MutableMapping[str, Any],
    key: str,
    value: Mapping[str, Any],
    notes: list[Note],
    *,
    merge: bool,
) -> None:
    """Set a nested object attribute, deep-merged into the stored object when `merge`."""
    stored = _stored(key, value, notes)
    current = custom.get(key)
    if merge and isinstance(current, dict):
        stored = _deep_merge(current, stored)
    store_within(custom, key, stored, notes, limit=NESTED_MAX_BYTES, what="result")


def apply_objects(
    custom: MutableMapping[str, Any], key: str, value: list[Any], notes: list[Note]
) -> None:
    """Set an array-of-objects attribute."""
    stored = [_stored(f"{key}[{i}]", v, notes) for i, v in enumerate(value)]
    store_within(custom, key, stored, notes, limit=NESTED_MAX_BYTES, what="result")


def _check_key(path: str, key: Any) -> str | None:
    if not isinstance(key, str):
        return f"{path}: key {key!r} is not a string"
    if len(key) > TEXT_MAX:
        return f"{path}: key {show(key)} is longer than {TEXT_MAX} characters"
    if _BAD_KEY.search(key):
        return f"{path}: key {key!r} contains a space, '.' or '$'"
    return None


def _check_object(path: str, obj: Mapping[Any, Any]) -> str | None:
    for key, value in obj.items():
        problem = _check_key(path, key) or _check_value(f"{path}.{key}", value)
        if problem is not None:
            return problem
    return None


def _check_value(path: str, value: Any) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return f"{path}: {value!r} is not a finite number"
    if isinstance(value, Mapping):
        if set(value) == {"$time"}:
            if parse_date(value["$time"]) is None:
                return f"{path}: $time {show(value['$time'])} is not a Braze date"
            return None
        return _check_object(path, value)
    if isinstance(value, list):
        for index, item in enumerate(value):
            problem = _check_value(f"{path}[{index}]", item)
            if problem is not None:
                return problem
        return None
    if value is None:
        return f"{path}: null is not a valid nested value (Braze's /users/track FAQ)"
    if isinstance(value, str | int | float):
        return None
    return f"{path}: {show(value)} is not a JSON value"


def _check_objects(key: str, items: list[Any]) -> str | None:
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            return f"{key}[{index}]: {show(item)} is not an object, in an array of objects"
        problem = _check_object(f"{key}[{index}]", item)
        if problem is not None:
            return problem
    return None


def _check_operations(key: str, ops: Mapping[str, Any]) -> str | None:
    for op, arg in ops.items():
        where = f"{key}.{op}"
        if op not in _OBJECT_OPERATORS:
            return f"{where}: not an operator ($add, $update or $remove), or a key with '$'"
        if not isinstance(arg, list):
            return f"{where}: needs an array"
        if op == "$add":
            problem = _check_objects(where, arg)
            if problem is not None:
                return problem
            continue
        wanted = {"$identifier_key", "$identifier_value"} | (
            {"$new_object"} if op == "$update" else set()
        )
        for index, spec in enumerate(arg):
            item = f"{where}[{index}]"
            if not isinstance(spec, Mapping) or set(spec) != wanted:
                return f"{item}: needs exactly {', '.join(sorted(wanted))}"
            if not isinstance(spec["$identifier_key"], str):
                return f"{item}: $identifier_key must be a string"
            if isinstance(spec["$identifier_value"], Mapping | list):
                return f"{item}: $identifier_value must be a string, number or boolean"
            if op == "$update":
                new = spec["$new_object"]
                if not isinstance(new, Mapping):
                    return f"{item}: $new_object must be an object"
                problem = _check_object(f"{item}.$new_object", new)
                if problem is not None:
                    return problem
    return None


def _stored(path: str, value: Any, notes: list[Note]) -> Any:
    """A checked nested value as kept: `$time` becomes a date, long strings are truncated."""
    if isinstance(value, Mapping):
        if set(value) == {"$time"}:
            return parse_date(value["$time"])
        kept: dict[str, Any] = {}
        for key, item in value.items():
            if _far_future(item):
                notes.append(Note(f"{path}.{key}", f"$time year is after {YEAR_MAX}; not stored"))
                continue
            kept[key] = _stored(f"{path}.{key}", item, notes)
        return kept
    if isinstance(value, list):
        items = [v for v in value if not _far_future(v)]
        if len(items) < len(value):
            notes.append(Note(path, f"$time year is after {YEAR_MAX}; not stored"))
        return [_stored(f"{path}[{i}]", v, notes) for i, v in enumerate(items)]
    if isinstance(value, str):
        return cap_text(path, value, notes)
    return value


def _far_future(value: Any) -> bool:
    if not isinstance(value, Mapping) or set(value) != {"$time"}:
        return False
    moment = parse_date(value["$time"])
    return moment is not None and moment.year > YEAR_MAX


def _deep_merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in update.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = _deep_merge(current, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def apply_operations(
    custom: MutableMapping[str, Any],
    key: str,
    ops: Mapping[str, Any],
    notes: list[Note],
    *,
    merge: bool,
) -> None:
    """Apply `$add`, `$update` and `$remove` to an array of objects, in that order."""
    current = custom.get(key)
    items: list[Any] = []
    if isinstance(current, list) and all(isinstance(i, dict) for i in current):
        items = list(current)
    elif current is not None:
        notes.append(
            Note(
                key,
                f"stored {show(to_json(current))} is not an array of objects; started from []",
                dropped=False,
            )
        )
    for op in sorted(ops, key=_OBJECT_OPERATORS.index):
        arg = ops[op]
        if op == "$add":
            items.extend(_stored(f"{key}.$add[{i}]", v, notes) for i, v in enumerate(arg))
            continue
        # Index the objects by identifier value, per field, so a request with thousands of
        # specs over thousands of objects stays linear (the store's lock is held meanwhile).
        indexes: dict[str, dict[Any, list[int]]] = {}
        removed: set[int] = set()
        for spec in arg:
            field, wanted = spec["$identifier_key"], spec["$identifier_value"]
            if field not in indexes:
                indexes[field] = _index(items, field)
            matches = [i for i in indexes[field].get(_match_key(wanted), []) if i not in removed]
            where = f"{op} {field} = {show(wanted)}"
            if not matches:
                notes.append(Note(key, f"{where} matched no object"))
                continue
            if op == "$remove":
                removed.update(matches)
                continue
            indexes.clear()  # updated objects may carry new identifier values
            new = _stored(f"{key}.$new_object", spec["$new_object"], notes)
            for i in matches:
                items[i] = _deep_merge(items[i], new) if merge else copy.deepcopy(new)
            if not merge:
                notes.append(
                    Note(
                        key,
                        f"{where}: without _merge_objects the object was overwritten, not merged",
                        dropped=False,
                    )
                )
        if removed:
            items = [obj for i, obj in enumerate(items) if i not in removed]
    store_within(custom, key, items, notes, limit=NESTED_MAX_BYTES, what="result")


def _match_key(value: Any) -> Any:
    """A hashable stand-in for `value` in which `true` and `1` stay apart."""
    try:
        hash(value)
    except TypeError:
        return ("json", json.dumps(value, sort_keys=True, default=str))
    return (isinstance(value, bool), value)


def _index(items: list[Any], field: str) -> dict[Any, list[int]]:
    index: dict[Any, list[int]] = {}
    for position, obj in enumerate(items):
        if field in obj:
            index.setdefault(_match_key(obj[field]), []).append(position)
    return index
