"""Applying one `/users/track` attributes object to a profile, with Braze's storage rules.

Validation (`validation.py`) decides which objects are rejected with an error entry;
this module stores the objects that passed, and says in a `Note` every value Braze would
silently not store or would store differently, so the journal can show it.
Facts: Braze's `/users/track` reference and its pages on the user attributes object, custom
attribute data types, nested custom attributes and arrays of objects.

The rules, a module each: `standard.py` (standard profile fields), `custom.py` (custom
attributes of one value), `arrays.py` (arrays of values), `nested.py` (nested objects and
arrays of objects); `values.py` holds what they share (`Note`, the 255-character cap).

**Assumed** (Braze documents no more; each is the emulator's choice):

- Strings longer than 255 characters (standard fields, custom attributes, array values,
  values inside objects) are truncated to 255, with a note: Braze's SDK docs say values of
  255 characters or longer "will be truncated". Custom attribute names are truncated alike.
  Nothing is trimmed: Braze's data-types page says spaces are kept and compared.
- `_merge_objects` that is not `true` counts as false.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from seen_braze_harness.mocks.braze.track.custom import apply_custom
from seen_braze_harness.mocks.braze.track.nested import nested_problem
from seen_braze_harness.mocks.braze.track.standard import (
    STANDARD_FIELDS,
    UNKEPT_FIELDS,
    apply_standard,
)
from seen_braze_harness.mocks.braze.track.values import TEXT_MAX, Note, show, show_key, value_kind


def apply_attributes(
    standard: MutableMapping[str, Any],
    custom: MutableMapping[str, Any],
    attributes: Mapping[str, Any],
    *,
    array_cap: int,
    drop_nested: bool = False,
) -> list[Note]:
    """Apply one attributes object (identifier keys already removed) to a profile's fields."""
    notes: list[Note] = []
    flag = attributes.get("_merge_objects", False)
    if not isinstance(flag, bool):
        notes.append(Note("_merge_objects", f"{show(flag)} is not true or false; taken as false"))
    merge = flag is True
    problem = "another update of this request is invalid" if drop_nested else None
    problem = problem or nested_problem(attributes)
    for key, value in attributes.items():
        if key == "_merge_objects":
            continue
        if key in STANDARD_FIELDS:
            apply_standard(standard, key, value, notes)
        elif key in UNKEPT_FIELDS:
            if key == "bio":
                notes.append(Note(key, "Braze no longer processes 'bio'; ignored"))
            else:
                notes.append(Note(key, "a Braze profile field this emulator does not keep"))
        else:
            name = key
            if len(name) > TEXT_MAX:
                name = key[:TEXT_MAX]
                notes.append(Note(show_key(key), f"name truncated to {TEXT_MAX} characters"))
            if problem is not None and value_kind(value) in ("object", "objects", "operations"):
                notes.append(Note(name, f"nested-object update dropped: {problem}"))
                continue
            apply_custom(custom, name, value, notes, array_cap=array_cap, merge=merge)
    return notes
