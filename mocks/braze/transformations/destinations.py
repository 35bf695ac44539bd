"""Where a Data Transformation's output goes: Track users, catalog items, or Send messages.

Each destination checks an output the way its REST endpoint would (Validate shows those
problems, each with a JSON pointer) and delivers it through that endpoint's own code path.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from seen_braze_harness.mocks.braze.dates import parse_date
from seen_braze_harness.mocks.braze.errors import BrazeError
from seen_braze_harness.mocks.braze.track import (
    Rejection,
    check_object,
    is_number,
    request_objects,
)
from seen_braze_harness.mocks.core.errors import AlreadyExists
from seen_braze_harness.mocks.core.ids import IdMint

Problems = list[dict[str, str]]

CATALOG_ITEMS_MAX = 50
ITEM_ID = re.compile(r"^[A-Za-z0-9_-]{1,250}$")
RECIPIENTS_MAX = 50


@dataclass(frozen=True)
class DestinationReply:
    """The destination's answer to one delivery."""

    endpoint: str
    status: int | None
    """None: no answer came (a fault dropped the connection)."""
    body: Any

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def to_dict(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "status": self.status, "body": self.body}


class Destination(Protocol):
    def check(self, output: Any) -> Problems:
        """Why the endpoint would refuse `output` (JSON pointer and message), or []."""
        ...

    def deliver(self, output: Any) -> DestinationReply: ...


def problem(pointer: str, message: str) -> dict[str, str]:
    return {"pointer": pointer, "message": message}


def delivers_despite(destination: Destination, output: Any, problems: Problems) -> bool:
    """Whether an output with `problems` still goes to its destination (partial /users/track)."""
    return isinstance(destination, TrackUsers) and destination.accepts_some(output, problems)


class TrackUsers:
    """POST /users/track, through `BrazeBackend.track`."""

    endpoint = "POST /users/track"

    def __init__(self, track: Callable[[Any], tuple[int | None, Any]], settings: Any) -> None:
        self._track = track
        self._settings = settings

    def check(self, output: Any) -> Problems:
        if not isinstance(output, dict):
            return [problem("", "the code must return an object (the /users/track body)")]
        try:
            objects = request_objects(output, self._settings)
        except BrazeError as exc:
            return [problem("", exc.message)]
        found = []
        for array, index, item in objects:
            checked = check_object(array, index, item, self._settings)
            if isinstance(checked, Rejection):
                found.append(problem(f"/{array}/{index}", checked.sentence))
        return found

    def deliver(self, output: Any) -> DestinationReply:
        status, body = self._track(output)
        return DestinationReply(self.endpoint, status, body)

    def accepts_some(self, output: Any, problems: Problems) -> bool:
        """Whether /users/track would apply part of `output` despite `problems`.

        Braze sends a transformation's output like any request: when one object is good and
        another bad, the good one is applied and the bad one comes back in `errors`. Only an
        output refused as a whole (no object array, over the object limit, every object bad)
        is kept from delivery.
        """
        if any(p["pointer"] == "" for p in problems) or not isinstance(output, dict):
            return False
        try:
            objects = request_objects(output, self._settings)
        except BrazeError:
            return False
        return len({p["pointer"] for p in problems}) < len(objects)


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
            raise ValueError("name: letters, digits, '-' and '_', up to 250 characters")
        declared = None if fields is None else _catalog_fields(fields)
        with self._lock:
            if name in self.catalogs:
                raise AlreadyExists(f"name: a catalog {name!r} exists already")
            self.catalogs[name] = Catalog(name, declared)
            return self.catalogs[name]


def _catalog_fields(fields: Any) -> dict[str, str]:
    """A catalog's `fields` as Braze's create-catalog takes them: `id` first, a string."""
    if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
        raise ValueError("fields: must be an array of {name, type} objects")
    declared: dict[str, str] = {}
    for index, spec in enumerate(fields):
        name, kind = spec.get("name"), spec.get("type")
        if set(spec) != {"name", "type"} or not isinstance(name, str):
            raise ValueError(f"fields[{index}]: must be {{name, type}}")
        if not re.fullmatch(CATALOG_NAME, name):
            raise ValueError(f"fields[{index}]: names take letters, digits, '-' and '_'")
        if kind not in FIELD_TYPES:
            raise ValueError(f"fields[{index}]: type must be one of {', '.join(FIELD_TYPES)}")
        if name in declared:
            raise ValueError(f"fields[{index}]: {name!r} is named twice")
        declared[name] = kind
    if next(iter(declared), None) != "id" or declared["id"] != "string":
        raise ValueError("fields: the first field must be 'id' of type string")
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

    def deliver(self, output: Any) -> DestinationReply:
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


@dataclass
class SentMessage:
    dispatch_id: str
    time: float
    request: dict[str, Any]


class SendMessages:
    """POST /messages/send: Braze's recipient rules; the message is recorded, not sent.

    Documented: at most 50 `external_user_ids` (and user aliases, recipients); recipients
    named by `external_user_ids` or `user_aliases` must exist; `broadcast` must be true when
    no user is named, and a broadcast may not list recipients; a recipient object names its
    user by exactly one of `external_user_id`, `user_alias`, `braze_id`, `email`, with
    `prioritization` when by email, and `send_to_existing_only: false` needs `attributes`.
    **Assumed**: a broadcast needs a `segment_id` or an `audience`; recipients with
    `send_to_existing_only: false` are not looked up (Braze would create them; the emulator
    records the message only); the 400 body is `{"message": ...}` naming every problem.
    """

    endpoint = "POST /messages/send"

    def __init__(
        self,
        user_exists: Callable[[str, Any], bool],
        now: Callable[[], float],
        ids: IdMint | None = None,
    ) -> None:
        self._user_exists = user_exists
        self._now = now
        self._mint = ids or IdMint(None, scope="braze-messages")
        self.sent: list[SentMessage] = []

    def check(self, output: Any) -> Problems:
        if not isinstance(output, dict):
            return [problem("", "the code must return an object (the /messages/send body)")]
        found: Problems = []
        messages = output.get("messages")
        if not isinstance(messages, dict) or not messages:
            found.append(problem("/messages", "'messages' must be an object of channel messages"))
        broadcast = output.get("broadcast", False)
        if not isinstance(broadcast, bool):
            return [*found, problem("/broadcast", "'broadcast' must be true or false")]
        named = [k for k in ("external_user_ids", "user_aliases", "recipients") if k in output]
        if broadcast is True and named:
            found.append(
                problem(
                    f"/{named[0]}",
                    "a broadcast may not list recipients: drop 'broadcast: true' or "
                    f"the {', '.join(repr(k) for k in named)}",
                )
            )
        elif broadcast is True and "segment_id" not in output and "audience" not in output:
            found.append(problem("/broadcast", "a broadcast needs a 'segment_id' or an 'audience'"))
        elif not named and not broadcast:
            found.append(
                problem(
                    "/external_user_ids",
                    "name recipients (external_user_ids, user_aliases or recipients), or set "
                    "'broadcast': true to send to a segment_id or audience",
                )
            )
        found.extend(self._ids(output.get("external_user_ids"), "external_user_ids"))
        found.extend(self._aliases(output.get("user_aliases"), "user_aliases"))
        found.extend(self._recipients(output.get("recipients")))
        return found

    def _listed(self, values: Any, key: str) -> tuple[list[Any] | None, Problems]:
        if values is None:
            return None, []
        if not isinstance(values, list):
            return None, [problem(f"/{key}", "must be an array")]
        if len(values) > RECIPIENTS_MAX:
            return None, [problem(f"/{key}", f"at most {RECIPIENTS_MAX} recipients")]
        return values, []

    def _ids(self, values: Any, key: str) -> Problems:
        ids, found = self._listed(values, key)
        for index, uid in enumerate(ids or []):
            if not isinstance(uid, str) or not uid:
                found.append(problem(f"/{key}/{index}", "must be a non-empty string"))
            elif not self._user_exists("external_id", uid):
                found.append(problem(f"/{key}/{index}", f"no user with external_id {uid!r}"))
        return found

    def _aliases(self, values: Any, key: str) -> Problems:
        aliases, found = self._listed(values, key)
        for index, alias in enumerate(aliases or []):
            found.extend(self._alias(alias, f"/{key}/{index}"))
        return found

    def _alias(self, alias: Any, pointer: str) -> Problems:
        if (
            not isinstance(alias, dict)
            or set(alias) != {"alias_name", "alias_label"}
            or not all(isinstance(v, str) and v for v in alias.values())
        ):
            return [problem(pointer, 'a user alias is {"alias_name": str, "alias_label": str}')]
        if not self._user_exists("user_alias", alias):
            return [problem(pointer, f"no user with alias {alias['alias_name']!r}")]
        return []

    def _recipients(self, values: Any) -> Problems:
        recipients, found = self._listed(values, "recipients")
        kinds = ("external_user_id", "user_alias", "braze_id", "email")
        for index, recipient in enumerate(recipients or []):
            pointer = f"/recipients/{index}"
            if not isinstance(recipient, dict):
                found.append(problem(pointer, "a recipient must be an object"))
                continue
            named = [k for k in kinds if k in recipient]
            if len(named) != 1:
                found.append(
                    problem(pointer, "name the user by exactly one of " + ", ".join(kinds))
                )
                continue
            kind = named[0]
            value = recipient[kind]
            existing_only = recipient.get("send_to_existing_only", True)
            if existing_only is False and kind == "user_alias":
                found.append(
                    problem(f"{pointer}/send_to_existing_only", "can't be used with user aliases")
                )
                continue
            if existing_only is False and not isinstance(recipient.get("attributes"), dict):
                found.append(
                    problem(
                        f"{pointer}/attributes", "send_to_existing_only: false needs attributes"
                    )
                )
                continue
            if kind == "email" and not isinstance(recipient.get("prioritization"), list):
                found.append(
                    problem(f"{pointer}/prioritization", "required when the recipient is an email")
                )
                continue
            if existing_only is False:
                continue
            if kind == "user_alias":
                found.extend(self._alias(value, f"{pointer}/user_alias"))
            elif not isinstance(value, str) or not value:
                found.append(problem(f"{pointer}/{kind}", "must be a non-empty string"))
            elif not self._user_exists(kind.replace("external_user_id", "external_id"), value):
                found.append(problem(f"{pointer}/{kind}", f"no user with {kind} {value!r}"))
        return found

    def deliver(self, output: Any) -> DestinationReply:
        found = self.check(output)
        if found:
            body = {"message": "; ".join(f"{p['pointer']}: {p['message']}" for p in found)}
            return DestinationReply(self.endpoint, 400, body)
        dispatch_id = self._mint.hex("messages-dispatch", 32)
        self.sent.append(SentMessage(dispatch_id, self._now(), output))
        return DestinationReply(
            self.endpoint, 201, {"dispatch_id": dispatch_id, "message": "success"}
        )


DESTINATIONS = ("track-users", "catalog-put", "catalog-patch", "catalog-delete", "send-messages")
