"""What the attribute and event rules share: notes, the text cap, and values shown and sized."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from seen_braze_harness.mocks.braze.dates import format_date

TEXT_MAX = 255
YEAR_MAX = 3000


@dataclass(frozen=True)
class Note:
    """A value Braze would silently not store (`dropped`) or store other than as sent."""

    key: str
    text: str
    dropped: bool = True

    def __str__(self) -> str:
        return f"{self.key}: {self.text}"


def to_json(value: Any) -> Any:
    """A stored value as JSON: dates become ISO 8601 strings with Z; containers are copied."""
    if isinstance(value, datetime):
        return format_date(value)
    if isinstance(value, Mapping):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def value_kind(value: Any) -> str:
    """Which storage rule a custom attribute value follows (`custom.py`, `arrays.py`,
    `nested.py`)."""
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


def cap_text(key: str, value: str, notes: list[Note]) -> str:
    """A string as kept: at most `TEXT_MAX` characters, a note when it was cut."""
    if len(value) <= TEXT_MAX:
        return value
    notes.append(Note(key, f"{len(value)} characters; truncated to {TEXT_MAX}", dropped=False))
    return value[:TEXT_MAX]


def is_number(value: Any) -> bool:
    """A JSON number Braze can store: not a boolean, not NaN or infinite."""
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def json_size(value: Any) -> int:
    """Bytes of `value` as compact UTF-8 JSON, the measure of Braze's size limits."""
    text = json.dumps(to_json(value), ensure_ascii=False, separators=(",", ":"), default=str)
    return len(text.encode("utf-8"))


def show(value: Any) -> str:
    """A value for a note: its JSON-ish repr, cut to keep notes short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def show_key(key: str) -> str:
    return key if len(key) <= 40 else key[:37] + "..."


def store_within(
    custom: MutableMapping[str, Any],
    key: str,
    value: Any,
    notes: list[Note],
    *,
    limit: int,
    what: str,
) -> None:
    """Keep `value` under `key` unless its JSON is over `limit` bytes (Braze's size caps of
    arrays and nested objects); then say so in a note and keep nothing."""
    size = json_size(value)
    if size > limit:
        notes.append(Note(key, f"{what} is {size} bytes, over {limit // 1024} KB; not stored"))
        return
    custom[key] = value
