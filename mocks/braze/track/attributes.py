"""Applying one `/users/track` attributes object to a profile, with Braze's storage rules.

Validation (`validation.py`) decides which objects are rejected with an error entry;
this module stores the objects that passed, and says in a `Note` every value Braze would
silently not store or would store differently, so the journal can show it.
Facts: Braze's `/users/track` reference and its pages on the user attributes object, custom
attribute data types, nested custom attributes and arrays of objects.

**Assumed** (Braze documents no more; each is the emulator's choice):

- Strings longer than 255 characters (standard fields, custom attributes, array values,
  values inside objects) are truncated to 255, with a note: Braze's SDK docs say values of
  255 characters or longer "will be truncated". Custom attribute names are truncated alike.
  Nothing is trimmed: Braze's data-types page says spaces are kept and compared.
- `country`: exact ISO 3166-1 alpha-2 codes are kept; other case, alpha-3, numeric codes,
  names (pycountry) and a few common names ("UK", "Russia", "Holland", ...) map to alpha-2
  with a note; anything else is stored as null (documented), which unsets it.
- `language`: ISO 639-1 codes (pycountry) plus the codes on Braze's "accepted languages"
  page that are not ISO 639-1 ("fil", "haw", ...); other case is lower-cased with a note;
  anything else is not set (the stored value stays), with a note.
- `gender`: "M", "F", "O", "N", "P" in either case (the Web SDK uses lower case), and the
  SDK enum words "male", "female", "other", "not_applicable", "prefer_not_to_say"; "U" and
  "unknown" unset it (the SDK's unknown is nil). Anything else is not set, with a note.
- `dob`: only `YYYY-MM-DD` naming a real day; anything else is not set, with a note.
- `time_zone`: see `mocks.braze.dates`; an invalid name is not set (documented).
- `subscription_groups`: merged into the stored states by `subscription_group_id`, as each
  item changes one group's state; `current_location` keeps only longitude and latitude.
- Standard fields of a type they cannot hold (a number for `first_name`, ...) are not set.
- `push_tokens`, `push_token_import`, `facebook`, `twitter`, `image_url`, `alias_name`,
  `alias_label` are Braze profile fields this emulator does not keep (noted); `bio` is
  ignored, as Braze documents.
- Custom dates are not moved to now when in the future (Braze's current docs say that of
  events only). A date string with a year after 3000 is kept as a string (documented), noted.
  A top-level `{"$time": "..."}` value sets a date like a date string does.
- `{"inc": n}` needs a whole number n; it adds to a stored number (integer or decimal, as
  Braze has one Number type) or to 0 when none is stored; a stored non-number is left
  unchanged, with a note.
- Arrays hold strings, numbers and booleans (other values are dropped, noted; an array with
  an object in it is an array of objects); duplicates keep their first position (like Ruby's
  `uniq`: `['a','b','a']` -> `['a','b']`); `1` and `true` differ, `1` and `1.0` do not;
  date strings stay strings. Beyond the cap the oldest values are dropped. An array whose
  result is over 100 KB of compact UTF-8 JSON (Braze's array size limit) is not stored,
  noted. `{"add", "remove"}` applies `add` first, then `remove`; on a stored non-array it
  starts from an empty array, noted.
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
- `_merge_objects` that is not `true` counts as false.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pycountry

from seen_braze_harness.mocks.braze.dates import format_date, parse_date, time_zone_name

STANDARD_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "home_city",
    "country",
    "language",
    "gender",
    "dob",
    "time_zone",
    "email_subscribe",
    "push_subscribe",
    "subscription_groups",
    "current_location",
    "email_open_tracking_disabled",
    "email_click_tracking_disabled",
    "date_of_first_session",
    "date_of_last_session",
    "marked_email_as_spam_at",
)
"""Braze's standard profile fields by their `/users/track` names, in export order."""

TEXT_MAX = 255
NESTED_MAX_BYTES = 100 * 1024
YEAR_MAX = 3000

STRING_FIELDS = ("first_name", "last_name", "home_city", "email", "phone")
BOOLEAN_FIELDS = ("email_open_tracking_disabled", "email_click_tracking_disabled")
DATE_FIELDS = ("date_of_first_session", "date_of_last_session", "marked_email_as_spam_at")
SUBSCRIPTION_FIELDS = ("email_subscribe", "push_subscribe")
SUBSCRIPTION_STATES = ("opted_in", "subscribed", "unsubscribed")
GROUP_STATES = ("subscribed", "unsubscribed")
UNKEPT_FIELDS = (
    "push_tokens",
    "push_token_import",
    "facebook",
    "twitter",
    "image_url",
    "alias_name",
    "alias_label",
    "bio",
)
"""Profile fields Braze knows but this emulator does not store."""

GENDERS = {
    "m": "M",
    "f": "F",
    "o": "O",
    "n": "N",
    "p": "P",
    "male": "M",
    "female": "F",
    "other": "O",
    "not_applicable": "N",
    "prefer_not_to_say": "P",
}
UNKNOWN_GENDERS = ("u", "unknown")

# Codes on Braze's "User language codes" page that are not ISO 639-1.
_BRAZE_ONLY_CODES = (
    "agq asa ksf bas bem bez brx tzm chr cgg swc kea dav dua guz ewo fil gsw haw dyo kab kln "
    "kam ebu kok ses luo luy jmc mgh kde mas mer mo mfe mua naq nus nyn rof rwk saq sbp seh "
    "ksb xog khq shi twq teo vai vun yav dje"
)
BRAZE_LANGUAGES = frozenset(_BRAZE_ONLY_CODES.split())

# Common names pycountry does not know; keys are case-folded.
COUNTRY_NAMES = {
    "uk": "GB",
    "u.k.": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "america": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "russia": "RU",
    "korea": "KR",
    "turkey": "TR",
    "holland": "NL",
    "the netherlands": "NL",
    "ivory coast": "CI",
    "macedonia": "MK",
    "cape verde": "CV",
    "swaziland": "SZ",
    "burma": "MM",
    "vatican": "VA",
    "vatican city": "VA",
    "uae": "AE",
    "palestine": "PS",
    "dr congo": "CD",
    "drc": "CD",
    "democratic republic of congo": "CD",
    "micronesia": "FM",
    "brunei": "BN",
    "east timor": "TL",
    "the bahamas": "BS",
    "the gambia": "GM",
}

_DOB = re.compile(r"\d{4}-\d{2}-\d{2}")
_BAD_KEY = re.compile(r"[\s.$]")
_OBJECT_OPERATORS = ("$add", "$update", "$remove")
"""Array-of-objects operators, in the order they run whatever the request's key order."""
ARRAY_MAX_BYTES = 100 * 1024
"""Largest array attribute, as compact UTF-8 JSON (Braze: arrays up to 100 KB)."""


@dataclass(frozen=True)
class Note:
    """A value Braze would silently not store (`dropped`) or store other than as sent."""

    key: str
    text: str
    dropped: bool = True

    def __str__(self) -> str:
        return f"{self.key}: {self.text}"


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
        notes.append(Note("_merge_objects", f"{_show(flag)} is not true or false; taken as false"))
    merge = flag is True
    problem = "another update of this request is invalid" if drop_nested else None
    problem = problem or nested_problem(attributes)
    for key, value in attributes.items():
        if key == "_merge_objects":
            continue
        if key in STANDARD_FIELDS:
            _apply_standard(standard, key, value, notes)
        elif key in UNKEPT_FIELDS:
            if key == "bio":
                notes.append(Note(key, "Braze no longer processes 'bio'; ignored"))
            else:
                notes.append(Note(key, "a Braze profile field this emulator does not keep"))
        else:
            name = key
            if len(name) > TEXT_MAX:
                name = key[:TEXT_MAX]
                notes.append(Note(_show_key(key), f"name truncated to {TEXT_MAX} characters"))
            if problem is not None and _kind(value) in ("object", "objects", "operations"):
                notes.append(Note(name, f"nested-object update dropped: {problem}"))
                continue
            _apply_custom(custom, name, value, notes, array_cap=array_cap, merge=merge)
    return notes


def nested_problem(attributes: Mapping[str, Any]) -> str | None:
    """Why the nested-object updates of this attributes object are invalid, or None."""
    for key, value in attributes.items():
        if key in STANDARD_FIELDS or key in UNKEPT_FIELDS or key == "_merge_objects":
            continue
        kind = _kind(value)
        if kind == "object":
            problem = _check_object(key, value)
        elif kind == "objects":
            problem = _check_objects(key, value)
        elif kind == "operations":
            problem = _check_operations(key, value)
        else:
            continue
        if problem is None and _size(value) > NESTED_MAX_BYTES:
            problem = f"{key} is larger than {NESTED_MAX_BYTES // 1024} KB"
        if problem is not None:
            return problem
    return None


def country_code(value: Any) -> str | None:
    """Braze's best-effort mapping of a country to ISO 3166-1 alpha-2, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    common = COUNTRY_NAMES.get(text.casefold())
    if common is not None:
        return common
    try:
        found = pycountry.countries.lookup(text)
    except LookupError:
        return None
    return str(found.alpha_2)


def language_code(value: Any) -> str | None:
    """The ISO 639-1 (or Braze-accepted) language code `value` names, lower case, or None."""
    if not isinstance(value, str):
        return None
    code = value.lower()
    if code in BRAZE_LANGUAGES:
        return code
    if len(code) == 2 and code.isascii() and pycountry.languages.get(alpha_2=code) is not None:
        return code
    return None


def to_json(value: Any) -> Any:
    """A stored value as JSON: dates become ISO 8601 strings with Z; containers are copied."""
    if isinstance(value, datetime):
        return format_date(value)
    if isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


# -- standard fields -------------------------------------------------------------------------


def _apply_standard(
    standard: MutableMapping[str, Any], key: str, value: Any, notes: list[Note]
) -> None:
    if value is None:
        standard.pop(key, None)
        return
    if key in STRING_FIELDS:
        if not isinstance(value, str):
            notes.append(Note(key, f"{_show(value)} is not a string; not set"))
            return
        standard[key] = _text(key, value, notes)
    elif key == "country":
        code = country_code(value)
        if code is None:
            standard.pop(key, None)
            notes.append(Note(key, f"{_show(value)} is not an ISO 3166-1 country; stored as null"))
            return
        if code != value:
            notes.append(Note(key, f"{_show(value)} stored as {code!r}", dropped=False))
        standard[key] = code
    elif key == "language":
        code = language_code(value)
        if code is None:
            notes.append(Note(key, f"{_show(value)} is not an ISO 639-1 language; not set"))
            return
        if code != value:
            notes.append(Note(key, f"{_show(value)} stored as {code!r}", dropped=False))
        standard[key] = code
    elif key == "gender":
        _apply_gender(standard, value, notes)
    elif key == "dob":
        if not isinstance(value, str) or not _DOB.fullmatch(value) or not _real_day(value):
            notes.append(Note(key, f"{_show(value)} is not a YYYY-MM-DD date; not set"))
            return
        standard[key] = value
    elif key == "time_zone":
        if time_zone_name(value) is None:
            notes.append(Note(key, f"{_show(value)} is not an IANA time zone; not set"))
            return
        standard[key] = value
    elif key in SUBSCRIPTION_FIELDS:
        if value not in SUBSCRIPTION_STATES:
            notes.append(Note(key, f"{_show(value)} is not a subscription state; not set"))
            return
        standard[key] = value
    elif key == "subscription_groups":
        _apply_subscription_groups(standard, value, notes)
    elif key == "current_location":
        if not isinstance(value, Mapping) or not all(
            is_number(value.get(c)) for c in ("longitude", "latitude")
        ):
            notes.append(Note(key, f"{_show(value)} is not {{longitude, latitude}}; not set"))
            return
        standard[key] = {"longitude": value["longitude"], "latitude": value["latitude"]}
    elif key in BOOLEAN_FIELDS:
        if not isinstance(value, bool):
            notes.append(Note(key, f"{_show(value)} is not true or false; not set"))
            return
        standard[key] = value
    elif key in DATE_FIELDS:
        moment = parse_date(value)
        if moment is None:
            notes.append(Note(key, f"{_show(value)} is not a Braze date; not set"))
            return
        standard[key] = moment


def _apply_gender(standard: MutableMapping[str, Any], value: Any, notes: list[Note]) -> None:
    word = value.lower() if isinstance(value, str) else None
    if word in UNKNOWN_GENDERS:
        standard.pop("gender", None)
        notes.append(Note("gender", f"{_show(value)} (unknown) stored as null", dropped=False))
        return
    gender = GENDERS.get(word or "")
    if gender is None:
        notes.append(Note("gender", f"{_show(value)} is not M, F, O, N or P; not set"))
        return
    if gender != value:
        notes.append(Note("gender", f"{_show(value)} stored as {gender!r}", dropped=False))
    standard["gender"] = gender


def _apply_subscription_groups(
    standard: MutableMapping[str, Any], value: Any, notes: list[Note]
) -> None:
    if not isinstance(value, list) or not all(
        isinstance(g, Mapping)
        and isinstance(g.get("subscription_group_id"), str)
        and g.get("subscription_state") in GROUP_STATES
        for g in value
    ):
        notes.append(Note("subscription_groups", "not an array of group states; not set"))
        return
    states = {
        g["subscription_group_id"]: g["subscription_state"]
        for g in standard.get("subscription_groups", [])
    }
    for group in value:
        states[group["subscription_group_id"]] = group["subscription_state"]
    standard["subscription_groups"] = [
        {"subscription_group_id": gid, "subscription_state": state} for gid, state in states.items()
    ]


def _real_day(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


# -- custom attributes -----------------------------------------------------------------------


def _kind(value: Any) -> str:
    """Which storage rule a custom attribute value follows."""
    if isinstance(value, Mapping):
        keys = set(value)
        if keys == {"inc"}:
            return "inc"
        if keys and keys <= {"add", "remove"}:
            return "edit"
        if keys == {"$time"}:
            return "date"
        if any(isinstance(k, str) and k.startswith("$") for k in keys):
            return "operations"
        return "object"
    if isinstance(value, list):
        return "objects" if any(isinstance(v, Mapping) for v in value) else "array"
    return "scalar"


def _apply_custom(
    custom: MutableMapping[str, Any],
    key: str,
    value: Any,
    notes: list[Note],
    *,
    array_cap: int,
    merge: bool,
) -> None:
    kind = _kind(value)
    if value is None:
        custom.pop(key, None)
    elif kind == "scalar":
        _apply_scalar(custom, key, value, notes)
    elif kind == "date":
        _apply_time(custom, key, value["$time"], notes)
    elif kind == "inc":
        _apply_inc(custom, key, value["inc"], notes)
    elif kind == "array":
        values = _array_values(key, value, notes)
        kept = _unique(values)
        if len(kept) < len(values):
            seen: set[tuple[bool, Any]] = set()
            dupes: dict[tuple[bool, Any], Any] = {}
            for item in values:
                if _key(item) in seen:
                    dupes.setdefault(_key(item), item)
                seen.add(_key(item))
            shown = ", ".join(_show(v) for v in dupes.values())
            notes.append(Note(key, f"duplicate values dropped: {shown}", dropped=False))
        _store_array(custom, key, _cap(key, kept, array_cap, notes), notes)
    elif kind == "edit":
        _apply_edit(custom, key, value, notes, array_cap=array_cap)
    elif kind == "object":
        stored = _stored(key, value, notes)
        current = custom.get(key)
        if merge and isinstance(current, dict):
            stored = _deep_merge(current, stored)
        _store_nested(custom, key, stored, notes)
    elif kind == "objects":
        _store_nested(
            custom, key, [_stored(f"{key}[{i}]", v, notes) for i, v in enumerate(value)], notes
        )
    else:
        _apply_operations(custom, key, value, notes, merge=merge)


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
        notes.append(Note(key, f"{_show(value)} is not a JSON value; not set"))


def _apply_time(custom: MutableMapping[str, Any], key: str, value: Any, notes: list[Note]) -> None:
    if parse_date(value) is None:
        notes.append(Note(key, f"$time {_show(value)} is not a Braze date; not set"))
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
    custom[key] = _text(key, value, notes)


def _apply_inc(custom: MutableMapping[str, Any], key: str, step: Any, notes: list[Note]) -> None:
    if isinstance(step, bool) or not isinstance(step, int):
        notes.append(Note(key, f"inc {_show(step)} is not a whole number; not changed"))
        return
    current = custom.get(key, 0)
    if isinstance(current, bool) or not isinstance(current, int | float):
        notes.append(
            Note(key, f"stored value {_show(to_json(current))} is not a number; inc not applied")
        )
        return
    total = current + step
    if isinstance(total, float) and not math.isfinite(total):
        notes.append(Note(key, f"inc {_show(step)} would overflow a number; not changed"))
        return
    custom[key] = total


def _apply_edit(
    custom: MutableMapping[str, Any],
    key: str,
    edit: Mapping[str, Any],
    notes: list[Note],
    *,
    array_cap: int,
) -> None:
    for op in ("add", "remove"):
        if op in edit and not isinstance(edit[op], list):
            notes.append(Note(key, f"{op} needs an array, not {_show(edit[op])}; not changed"))
            return
    current = custom.get(key)
    values: list[Any] = []
    if isinstance(current, list) and _kind(current) == "array":
        values = list(current)
    elif current is not None:
        notes.append(
            Note(
                key,
                f"stored value {_show(to_json(current))} is not an array; started from []",
                dropped=False,
            )
        )
    ordered = {_key(v): v for v in values}
    for value in _array_values(key, edit.get("add", []), notes):
        ordered.pop(_key(value), None)
        ordered[_key(value)] = value
    for value in _array_values(key, edit.get("remove", []), notes):
        ordered.pop(_key(value), None)
    _store_array(custom, key, _cap(key, list(ordered.values()), array_cap, notes), notes)


def _store_array(
    custom: MutableMapping[str, Any], key: str, values: list[Any], notes: list[Note]
) -> None:
    """Keep an array attribute unless it is over Braze's 100 KB array size."""
    size = _size(values)
    if size > ARRAY_MAX_BYTES:
        notes.append(
            Note(key, f"array is {size} bytes, over {ARRAY_MAX_BYTES // 1024} KB; not stored")
        )
        return
    custom[key] = values


def _array_values(key: str, values: list[Any], notes: list[Note]) -> list[Any]:
    kept: list[Any] = []
    for value in values:
        if isinstance(value, str):
            kept.append(_text(key, value, notes))
        elif isinstance(value, bool) or (isinstance(value, int | float) and math.isfinite(value)):
            kept.append(value)
        else:
            notes.append(
                Note(key, f"array value {_show(value)} is not a string, number or boolean; dropped")
            )
    return kept


def _cap(key: str, values: list[Any], cap: int, notes: list[Note]) -> list[Any]:
    if len(values) <= cap:
        return values
    dropped = values[: len(values) - cap]
    shown = ", ".join(_show(v) for v in dropped[:5]) + (", ..." if len(dropped) > 5 else "")
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


def _same(a: Any, b: Any) -> bool:
    """Equality where `true` is not `1` (JSON tells them apart; Python does not)."""
    return isinstance(a, bool) == isinstance(b, bool) and bool(a == b)


# -- nested objects and arrays of objects ----------------------------------------------------


def _check_key(path: str, key: Any) -> str | None:
    if not isinstance(key, str):
        return f"{path}: key {key!r} is not a string"
    if len(key) > TEXT_MAX:
        return f"{path}: key {_show(key)} is longer than {TEXT_MAX} characters"
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
                return f"{path}: $time {_show(value['$time'])} is not a Braze date"
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
    return f"{path}: {_show(value)} is not a JSON value"


def _check_objects(key: str, items: list[Any]) -> str | None:
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            return f"{key}[{index}]: {_show(item)} is not an object, in an array of objects"
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
        return _text(path, value, notes)
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


def _store_nested(
    custom: MutableMapping[str, Any], key: str, value: Any, notes: list[Note]
) -> None:
    size = _size(value)
    if size > NESTED_MAX_BYTES:
        notes.append(
            Note(key, f"result is {size} bytes, over {NESTED_MAX_BYTES // 1024} KB; not stored")
        )
        return
    custom[key] = value


def _apply_operations(
    custom: MutableMapping[str, Any],
    key: str,
    ops: Mapping[str, Any],
    notes: list[Note],
    *,
    merge: bool,
) -> None:
    current = custom.get(key)
    items: list[Any] = []
    if isinstance(current, list) and all(isinstance(i, dict) for i in current):
        items = list(current)
    elif current is not None:
        notes.append(
            Note(
                key,
                f"stored {_show(to_json(current))} is not an array of objects; started from []",
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
            where = f"{op} {field} = {_show(wanted)}"
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
    _store_nested(custom, key, items, notes)


def _match_key(value: Any) -> Any:
    """A hashable stand-in for `value` under `_same`: `true` and `1` stay apart."""
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


# -- helpers ---------------------------------------------------------------------------------


def _text(key: str, value: str, notes: list[Note]) -> str:
    if len(value) <= TEXT_MAX:
        return value
    notes.append(Note(key, f"{len(value)} characters; truncated to {TEXT_MAX}", dropped=False))
    return value[:TEXT_MAX]


def is_number(value: Any) -> bool:
    """A JSON number Braze can store: not a boolean, not NaN or infinite."""
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _size(value: Any) -> int:
    text = json.dumps(to_json(value), ensure_ascii=False, separators=(",", ":"), default=str)
    return len(text.encode("utf-8"))


def _show(value: Any) -> str:
    """A value for a note: its JSON-ish repr, cut to keep notes short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _show_key(key: str) -> str:
    return key if len(key) <= 40 else key[:37] + "..."
