"""Recording `/users/track` events and purchases the way Braze keeps them on a profile.

Facts: a future `time` becomes now; at most 256 properties are kept; a purchase of
quantity n counts as n purchases of quantity 1 (Braze's purchase object page); purchase
property objects "are ingested as strings" (Braze's data-types page), while event
properties may hold nested objects.

**Assumed** (Braze documents no more):

- The first 256 properties in the order sent are kept.
- Event names, product ids and string property values longer than 255 characters are
  truncated to 255 (Braze: event string values of 255 characters or longer "will be
  truncated"); validation normally rejects long property values first.
- Property values are kept as sent (date strings stay strings); a purchase property object
  becomes its compact JSON text.
- A `time` that is not an event time (validation rejects these) is recorded as now.
- `app_id` is kept as sent, null when absent; `currency` is kept as sent.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from seen_braze_harness.mocks.braze.dates import format_date, parse_event_time
from seen_braze_harness.mocks.braze.track.values import Note, cap_text

MAX_PROPERTIES = 256


def event_record(event: Mapping[str, Any], *, now: datetime) -> tuple[dict[str, Any], list[Note]]:
    """The event as kept on the profile, and notes on what was changed to keep it."""
    notes: list[Note] = []
    record = {
        "name": cap_text("name", str(event.get("name", "")), notes),
        "time": _time(event.get("time"), now, notes),
        "properties": _properties(event.get("properties"), notes, objects_as_text=False),
        "app_id": event.get("app_id"),
    }
    return record, notes


def purchase_records(
    purchase: Mapping[str, Any], *, now: datetime
) -> tuple[list[dict[str, Any]], list[Note]]:
    """One record per unit bought (Braze counts quantity n as n purchases), and notes."""
    notes: list[Note] = []
    quantity = purchase.get("quantity", 1)
    if isinstance(quantity, float) and quantity.is_integer():
        quantity = int(quantity)
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 100:
        notes.append(Note("quantity", f"{quantity!r} is not 1 to 100; recorded as 1"))
        quantity = 1
    elif quantity > 1:
        notes.append(
            Note("quantity", f"{quantity} recorded as {quantity} purchases of 1", dropped=False)
        )
    record = {
        "product_id": cap_text("product_id", str(purchase.get("product_id", "")), notes),
        "currency": purchase.get("currency"),
        "price": purchase.get("price"),
        "quantity": 1,
        "time": _time(purchase.get("time"), now, notes),
        "properties": _properties(purchase.get("properties"), notes, objects_as_text=True),
        "app_id": purchase.get("app_id"),
    }
    return [copy.deepcopy(record) for _ in range(quantity)], notes


def record_to_json(record: Mapping[str, Any]) -> dict[str, Any]:
    """An event or purchase record with its time as ISO 8601."""
    return {
        k: format_date(v) if isinstance(v, datetime) else copy.deepcopy(v)
        for k, v in record.items()
    }


def _time(value: Any, now: datetime, notes: list[Note]) -> datetime:
    moment = parse_event_time(value)
    if moment is None:
        notes.append(Note("time", f"{value!r} is not an ISO 8601 time; recorded as now"))
        return now
    if moment > now:
        notes.append(
            Note(
                "time",
                f"{value} is in the future; recorded as now ({format_date(now)})",
                dropped=False,
            )
        )
        return now
    return moment


def _properties(value: Any, notes: list[Note], *, objects_as_text: bool) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        notes.append(Note("properties", "not an object; not kept"))
        return {}
    items = list(value.items())
    if len(items) > MAX_PROPERTIES:
        notes.append(
            Note("properties", f"{len(items)} properties; only the first {MAX_PROPERTIES} kept")
        )
        items = items[:MAX_PROPERTIES]
    kept: dict[str, Any] = {}
    for key, item in items:
        where = f"properties.{key}"
        if isinstance(item, str):
            kept[key] = cap_text(where, item, notes)
        elif objects_as_text and isinstance(item, Mapping):
            kept[key] = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
            notes.append(
                Note(where, "purchase property object kept as a JSON string", dropped=False)
            )
        else:
            kept[key] = copy.deepcopy(item)
    return kept
