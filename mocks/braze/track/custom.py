"""Custom attributes: strings, numbers, booleans, dates and `inc`; arrays and objects elsewhere.

**Assumed** (Braze documents no more; each is the emulator's choice):

- Custom dates are not moved to now when in the future (Braze's current docs say that of
  events only). A date string with a year after 3000 is kept as a string (documented), noted.
  A top-level `{"$time": "..."}` value sets a date like a date string does.
- `{"inc": n}` needs a whole number n; it adds to a stored number (integer or decimal, as
  Braze has one Number type) or to 0 when none is stored; a stored non-number is left
  unchanged, with a note.

Arrays are `arrays.py`'s, nested objects and arrays of objects `nested.py`'s.
"""

from __future__ import annotations

import math
from collections.abc import MutableMapping
from typing import Any

from seen_braze_harness.mocks.braze.dates import parse_date
from seen_braze_harness.mocks.braze.track.arrays import apply_array, apply_edit
from seen_braze_harness.mocks.braze.track.nested import (
    apply_object,
    apply_objects,
    apply_operations,
)
from seen_braze_harness.mocks.braze.track.values import (
    YEAR_MAX,
    Note,
    cap_text,
    show,
    to_json,
    value_kind,
)


def apply_custom(
    custom: MutableMapping[str, Any],
    key: str,
    value: Any,
    notes: list[Note],
    *,
    array_cap: int,
    merge: bool,
) -> None:
    """Set one custom attribute by the storage rule its value follows (`value_kind`)."""
    kind = value_kind(value)
    if value is None:
        custom.pop(key, None)
    elif kind == "scalar":
        _apply_scalar(custom, key, value, notes)
    elif kind == "date":
        _apply_time(custom, key, value["$time"], notes)
    elif kind == "inc":
        _apply_inc(custom, key, value["inc"], notes)
    elif kind == "array":
        apply_array(custom, key, value, notes, array_cap=array_cap)
    elif kind == "edit":
        apply_edit(custom, key, value, notes, array_cap=array_cap)
    elif kind == "object":
        apply_object(custom, key, value, notes, merge=merge)
    elif kind == "objects":
        apply_objects(custom, key, value, notes)
    else:
        apply_operations(custom, key, value, notes, merge=merge)


def _apply_scalar(
    custom: MutableMapping[str, Any], key: str, value: Any, notes: list[Note]
) -> None:
    if isinstance(value, bool):
        custom[key] = value
    elif isinstance(value, int | float):
        if not math.isfinite(value):
            notes.append(Note(key, f"{value!r} is not a finite number; not set"))
            return
        custom[key] = value
    elif isinstance(value, str):
        _apply_text(custom, key, value, notes)
    else:
        notes.append(Note(key, f"{show(value)} is not a JSON value; not set"))


def _apply_time(custom: MutableMapping[str, Any], key: str, value: Any, notes: list[Note]) -> None:
    if parse_date(value) is None:
        notes.append(Note(key, f"$time {show(value)} is not a Braze date; not set"))
        return
    _apply_text(custom, key, value, notes)


def _apply_text(custom: MutableMapping[str, Any], key: str, value: str, notes: list[Note]) -> None:
    """A string, or the date it spells (kept as a string when the year is after 3000)."""
    moment = parse_date(value)
    if moment is not None and moment.year <= YEAR_MAX:
        custom[key] = moment
        return
    if moment is not None:
        notes.append(
            Note(key, f"year {moment.year} is after {YEAR_MAX}; stored as a string", dropped=False)
        )
    custom[key] = cap_text(key, value, notes)


def _apply_inc(custom: MutableMapping[str, Any], key: str, step: Any, notes: list[Note]) -> None:
    if isinstance(step, bool) or not isinstance(step, int):
        notes.append(Note(key, f"inc {show(step)} is not a whole number; not changed"))
        return
    current = custom.get(key, 0)
    if isinstance(current, bool) or not isinstance(current, int | float):
        notes.append(
            Note(key, f"stored value {show(to_json(current))} is not a number; inc not applied")
        )
        return
    total = current + step
    if isinstance(total, float) and not math.isfinite(total):
        notes.append(Note(key, f"inc {show(step)} would overflow a number; not changed"))
        return
    custom[key] = total
