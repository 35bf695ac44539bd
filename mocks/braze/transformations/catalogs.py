"""The catalog destinations: the workspace's catalogs, and their items put, patched or deleted."""

from __future__ import annotations

import json
import math
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from seen_braze_harness.mocks.braze.dates import parse_date
from seen_braze_harness.mocks.braze.track import is_number
from seen_braze_harness.mocks.braze.transformations.destinations import (
    DestinationReply,
    Problems,
    problem,
)
from seen_braze_harness.mocks.core.errors import AlreadyExists, Invalid

CATALOG_ITEMS_MAX = 50
ITEM_ID = re.compile(r"^[A-Za-z0-9_-]{1,250}$")
CATALOG_NAME = "[A-Za-z0-9_-]{1,250}"
"""A catalog's name, and a catalog field's: checked with `fullmatch` (the document anchors it)."""
FIELD_TYPES = ("string", "number", "boolean", "time", "object", "array", "geo")
"""Catalog field types (Braze's create-catalog page and catalog data types)."""
ITEM_MAX_CHARS = 5000
"""Braze: "Item values can't exceed 5,000 characters" (`items-too-large`); measured on the
item's compact JSON (**assumed**)."""
NESTING_MAX = 50
"""Braze: "Item objects can't have more than 50 levels of nesting"."""
_BAD_VALUE_KEY = re.compile(r"[.$]")


@dataclass
class Catalog:
    name: str
    fields: dict[str, str] | None = None
    """Field name to type; None for a catalog made without fields, which takes any field
    (an emulator allowance, **assumed**; Braze catalogs always have fields)."""
    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fields = (
            None
            if self.fields is None
            else [{"name": name, "type": kind} for name, kind in self.fields.items()]
        )
        return {"name": self.name, "fields": fields, "items": list(self.items.values())}


class CatalogStore:
    """Catalogs, created through the admin API, and their items."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.catalogs: dict[str, Catalog] = {}

    def reset(self) -> None:
        with self._lock:
            self.catalogs.clear()

    def create(self, name: Any, fields: Any = None) -> Catalog:
        if not isinstance(name, str) or not re.fullmatch(CATALOG_NAME, name):
            raise Invalid("name: letters, digits, '-' and '_', up to 250 characters")
        declared = None if fields is None else _catalog_fields(fields)
        with self._lock:
            if name in self.catalogs:
                raise AlreadyExists(f"name: a catalog {name!r} exists already")
            self.catalogs[name] = Catalog(name, declared)
            return self.catalogs[name]


def _catalog_fields(fields: Any) -> dict[str, str]:
    """A catalog's `fields` as Braze's create-catalog takes them: `id` first, a string."""
    if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
        raise Invalid("fields: must be an array of {name, type} objects")
    declared: dict[str, str] = {}
    for index, spec in enumerate(fields):
        name, kind = spec.get("name"), spec.get("type")
        if set(spec) != {"name", "type"} or not isinstance(name, str):
            raise Invalid(f"fields[{index}]: must be {{name, type}}")
        if not re.fullmatch(CATALOG_NAME, name):
            raise Invalid(f"fields[{index}]: names take letters, digits, '-' and '_'")
        if kind not in FIELD_TYPES:
            raise Invalid(f"fields[{index}]: type must be one of {', '.join(FIELD_TYPES)}")
        if name in declared:
            raise Invalid(f"fields[{index}]: {name!r} is named twice")
        declared[name] = kind
    if next(iter(declared), None) != "id" or declared["id"] != "string":
        raise Invalid("fields: the first field must be 'id' of type string")
    return declared


def _depth(value: Any) -> int:
    """Levels of nesting of a value: 0 for a scalar, 1 for a flat object or array."""
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _bad_value_key(value: Any) -> bool:
    """Whether an object inside a value has a key with `.` or `$`."""
    if isinstance(value, dict):
        return any(_BAD_VALUE_KEY.search(str(k)) or _bad_value_key(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_bad_value_key(v) for v in value)
    return False


def _coerces(kind: str, value: Any) -> bool:
    """Whether a value can be stored in a field of this type (**assumed** coercions: numbers
    and booleans become strings, numeric strings numbers, "true"/"false" booleans)."""
    if value is None:
        return True
    if kind == "string":
        return isinstance(value, str | int | float)
    if kind == "number":
        if isinstance(value, bool):
            return False
        if isinstance(value, int | float):
            return True
        try:
            return isinstance(value, str) and math.isfinite(float(value))
        except ValueError:
            return False
    if kind == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if kind == "time":
        return isinstance(value, str) and parse_date(value) is not None
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    return (  # geo: [longitude, latitude]
        isinstance(value, list)
        and len(value) == 2
        and all(is_number(v) for v in value)
        and -180 <= value[0] <= 180
        and -90 <= value[1] <= 90
    )


def _array_edit(value: Any) -> bool:
    """PATCH's `{"$add": [...], "$remove": [...]}` on an array field."""
    return (
        isinstance(value, dict)
        and bool(value)
        and set(value) <= {"$add", "$remove"}
        and all(isinstance(v, list) for v in value.values())
    )


class CatalogItems:
    """PUT / PATCH / DELETE /catalogs/{catalog_name}/items, `catalog_name` lifted into the path.

    Error ids and messages are those of Braze's bulk catalog item pages; each error lists the
    ids of the items it concerns in `parameter_values` (grouping by error id: **assumed**).
    """

    max_output_depth = 2 * NESTING_MAX
    """How deep an output may nest before these checks (recursive) see it: item values deeper
    than `NESTING_MAX` get their documented error; far deeper is refused before (**assumed**)."""

    def __init__(self, method: str, catalogs: CatalogStore) -> None:
        self.method = method
        self.catalogs = catalogs

    def _errors(self, output: Any) -> list[tuple[str, str, str, str | None]]:
        """(error id, message, pointer, item id) in Braze's catalog error vocabulary."""
        if not isinstance(output, dict):
            return [("invalid-request", "the code must return an object", "", None)]
        name = output.get("catalog_name")
        if not isinstance(name, str) or name not in self.catalogs.catalogs:
            return [
                ("catalog-not-found", f"Could not find catalog {name!r}", "/catalog_name", None)
            ]
        catalog = self.catalogs.catalogs[name]
        items = output.get("items")
        if not isinstance(items, list) or not items:
            return [("item-array-invalid", "items must be an array of objects", "/items", None)]
        if len(items) > CATALOG_ITEMS_MAX:
            return [
                (
                    "request-includes-too-many-items",
                    f"Request includes more than {CATALOG_ITEMS_MAX} items",
                    "/items",
                    None,
                )
            ]
        found: list[tuple[str, str, str, str | None]] = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            pointer = f"/items/{index}"
            if not isinstance(item, dict):
                found.append(
                    ("item-array-invalid", "items must be an array of objects", pointer, None)
                )
                continue
            if "id" not in item:
                found.append(("items-missing-ids", "Every item must have an 'id'", pointer, None))
                continue
            item_id = item["id"]
            if not isinstance(item_id, str):
                found.append(("ids-not-string", "Item ids must be strings", f"{pointer}/id", None))
                continue
            if len(item_id) > 250:
                found.append(
                    ("ids-too-large", "Item ids are at most 250 characters", f"{pointer}/id", None)
                )
            elif not ITEM_ID.match(item_id):
                found.append(
                    (
                        "invalid-ids",
                        "Item ids take letters, digits, '-' and '_'",
                        f"{pointer}/id",
                        item_id,
                    )
                )
            elif item_id in seen:
                found.append(
                    ("ids-not-unique", "Item ids must be unique", f"{pointer}/id", item_id)
                )
            else:
                seen.add(item_id)
            if self.method != "DELETE":
                found.extend(self._value_errors(catalog, item, pointer, item_id))
        return found

    def _value_errors(
        self, catalog: Catalog, item: dict[str, Any], pointer: str, item_id: str
    ) -> list[tuple[str, str, str, str | None]]:
        found: list[tuple[str, str, str, str | None]] = []
        size = len(json.dumps(item, ensure_ascii=False, separators=(",", ":")))
        if size > ITEM_MAX_CHARS:
            found.append(
                (
                    "items-too-large",
                    f"Item values can't exceed {ITEM_MAX_CHARS:,} characters ({size:,} given)",
                    pointer,
                    item_id,
                )
            )
        for key, value in item.items():
            if key == "id":
                continue
            where = f"{pointer}/{key}"
            kind = None if catalog.fields is None else catalog.fields.get(key)
            if catalog.fields is not None and kind is None:
                found.append(
                    (
                        "invalid-fields",
                        "Some of the fields given do not exist in the catalog",
                        where,
                        item_id,
                    )
                )
                continue
            edit = self.method == "PATCH" and _array_edit(value) and kind in (None, "array")
            if edit:
                value = [v for values in value.values() for v in values]
            if _bad_value_key(value):
                found.append(
                    (
                        "invalid-keys-in-value-object",
                        "Item object keys can't include '.' or '$'",
                        where,
                        item_id,
                    )
                )
            elif _depth(value) > NESTING_MAX:
                found.append(
                    (
                        "too-deep-nesting-in-value-object",
                        f"Item objects can't have more than {NESTING_MAX} levels of nesting",
                        where,
                        item_id,
                    )
                )
            elif kind is not None and not edit and not _coerces(kind, value):
                found.append(
                    (
                        "unable-to-coerce-value",
                        f"Item types can't be converted: {key!r} is a {kind} field",
                        where,
                        item_id,
                    )
                )
        return found

    def check(self, output: Any) -> Problems:
        return [
            problem(pointer, f"{error}: {message}")
            for error, message, pointer, _ in self._errors(output)
        ]

    def deliver(self, output: Any, *, origin: str = "") -> DestinationReply:
        name = output.get("catalog_name") if isinstance(output, dict) else None
        endpoint = f"{self.method} /catalogs/{name}/items"
        found = self._errors(output)
        if found:
            status = 404 if found[0][0] == "catalog-not-found" else 400
            grouped: dict[str, dict[str, Any]] = {}
            for error, message, _, item_id in found:
                entry = grouped.setdefault(
                    error,
                    {"id": error, "message": message, "parameters": [], "parameter_values": []},
                )
                if item_id is not None and item_id not in entry["parameter_values"]:
                    entry["parameters"] = ["id"]
                    entry["parameter_values"].append(item_id)
            body = {"errors": list(grouped.values()), "message": "Invalid Request"}
            return DestinationReply(endpoint, status, body)
        catalog = self.catalogs.catalogs[str(name)]
        with self.catalogs._lock:
            for item in output["items"]:
                fields = dict(item)
                if self.method == "PUT":
                    catalog.items[item["id"]] = fields
                elif self.method == "PATCH":
                    current = catalog.items.get(item["id"], {"id": item["id"]})
                    for key, value in fields.items():
                        if _array_edit(value):
                            values = [
                                v
                                for v in current.get(key) or []
                                if v not in value.get("$remove", [])
                            ]
                            values += [v for v in value.get("$add", []) if v not in values]
                            fields[key] = values
                    catalog.items[item["id"]] = {**current, **fields}
                else:
                    catalog.items.pop(item["id"], None)
        return DestinationReply(endpoint, 202, {"message": "success"})
