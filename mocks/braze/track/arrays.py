"""Array custom attributes: values of one kind, kept once each, capped, and `add`/`remove`.

**Assumed** (Braze documents no more; each is the emulator's choice):

- Arrays hold strings, numbers and booleans (other values are dropped, noted; an array with
  an object in it is an array of objects); duplicates keep their first position (like Ruby's
  `uniq`: `['a','b','a']` -> `['a','b']`); `1` and `true` differ, `1` and `1.0` do not;
  date strings stay strings. Beyond the cap the oldest values are dropped. An array whose
  result is over 100 KB of compact UTF-8 JSON (Braze's array size limit) is not stored,
  noted. `{"add", "remove"}` applies `add` first, then `remove`; on a stored non-array it
  starts from an empty array, noted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping
from typing import Any

from seen_braze_harness.mocks.braze.track.values import (
    Note,
    cap_text,
    show,
    store_within,
    to_json,
    value_kind,
)

ARRAY_MAX_BYTES = 100 * 1024
"""Largest array attribute, as compact UTF-8 JSON (Braze: arrays up to 100 KB)."""


def apply_array(
    custom: MutableMapping[str, Any],
    key: str,
    value: list[Any],
    notes: list[Note],
    *,
    array_cap: int,
) -> None:
    """Set an array attribute: its values kept, each once, capped."""
    values = _array_values(key, value, notes)
    kept = _unique(values)
    if len(kept) < len(values):
        seen: set[tuple[bool, Any]] = set()
        dupes: dict[tuple[bool, Any], Any] = {}
        for item in values:
            if _key(item) in seen:
                dupes.setdefault(_key(item), item)
            seen.add(_key(item))
        shown = ", ".join(show(v) for v in dupes.values())
        notes.append(Note(key, f"duplicate values dropped: {shown}", dropped=False))
    store_within(
        custom, key, _cap(key, kept, array_cap, notes), notes, limit=ARRAY_MAX_BYTES, what="array"
    )


def apply_edit(
    custom: MutableMapping[str, Any],
    key: str,
    edit: Mapping[str, Any],
    notes: list[Note],
    *,
    array_cap: int,
) -> None:
    """Apply `{"add": [...], "remove": [...]}` to the stored array, `add` first."""
    for op in ("add", "remove"):
        if op in edit and not isinstance(edit[op], list):
            notes.append(Note(key, f"{op} needs an array, not {show(edit[op])}; not changed"))
            return
    current = custom.get(key)
    values: list[Any] = []
    if isinstance(current, list) and value_kind(current) == "array":
        values = list(current)
    elif current is not None:
        notes.append(
            Note(
                key,
                f"stored value {show(to_json(current))} is not an array; started from []",
                dropped=False,
            )
        )
    ordered = {_key(v): v for v in values}
    for value in _array_values(key, edit.get("add", []), notes):
        ordered.pop(_key(value), None)
        ordered[_key(value)] = value
    for value in _array_values(key, edit.get("remove", []), notes):
        ordered.pop(_key(value), None)
    store_within(
        custom,
        key,
        _cap(key, list(ordered.values()), array_cap, notes),
        notes,
        limit=ARRAY_MAX_BYTES,
        what="array",
    )


def _array_values(key: str, values: list[Any], notes: list[Note]) -> list[Any]:
    kept: list[Any] = []
    for value in values:
        if isinstance(value, str):
            kept.append(cap_text(key, value, notes))
        elif isinstance(value, bool) or (isinstance(value, int | float) and math.isfinite(value)):
            kept.append(value)
        else:
            notes.append(
                Note(key, f"array value {show(value)} is not a string, number or boolean; dropped")
            )
    return kept


def _cap(key: str, values: list[Any], cap: int, notes: list[Note]) -> list[Any]:
    if len(values) <= cap:
        return values
    dropped = values[: len(values) - cap]
    shown = ", ".join(show(v) for v in dropped[:5]) + (", ..." if len(dropped) > 5 else "")
    notes.append(
        Note(
            key,
            f"array capped at {cap} values; dropped the oldest {len(dropped)}: {shown}",
            dropped=False,
        )
    )
    return values[len(values) - cap :]


def _unique(values: list[Any]) -> list[Any]:
    """Array values without repeats, each where it first appears."""
    kept: dict[tuple[bool, Any], Any] = {}
    for value in values:
        kept.setdefault(_key(value), value)
    return list(kept.values())


def _key(value: Any) -> tuple[bool, Any]:
    """An array value's identity: `true` is not `1` (JSON tells them apart; Python does not)."""
    return isinstance(value, bool), value
