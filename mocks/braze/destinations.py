"""Where a Data Transformation's output goes: Track users, catalog items, or Send messages.

Each destination checks an output the way its REST endpoint would (Validate shows those
problems, each with a JSON pointer) and delivers it through that endpoint's own code path.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from mocks.braze.errors import BrazeError
from mocks.braze.track import Rejection, check_object, request_objects

Problems = list[dict[str, str]]

CATALOG_ITEMS_MAX = 50
ITEM_ID = re.compile(r"^[A-Za-z0-9_-]{1,250}$")
RECIPIENTS_MAX = 50


@dataclass(frozen=True)
class Delivery:
    """The destination's answer to one delivery."""

    endpoint: str
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def to_dict(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "status": self.status, "body": self.body}


class Destination(Protocol):
    def check(self, output: Any) -> Problems:
        """Why the endpoint would refuse `output` (JSON pointer and message), or []."""
        ...

    def deliver(self, output: Any) -> Delivery: ...


def problem(pointer: str, message: str) -> dict[str, str]:
    return {"pointer": pointer, "message": message}


def delivers_despite(destination: Destination, output: Any, problems: Problems) -> bool:
    """Whether an output with `problems` still goes to its destination (partial /users/track)."""
    return isinstance(destination, TrackUsers) and destination.accepts_some(output, problems)


class TrackUsers:
    """POST /users/track, through `BrazeBackend.track`."""

    endpoint = "POST /users/track"

    def __init__(self, track: Callable[[Any], tuple[int, Any]], settings: Any) -> None:
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

    def deliver(self, output: Any) -> Delivery:
        status, body = self._track(output)
        return Delivery(self.endpoint, status, body)

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


@dataclass
class Catalog:
    name: str
    items: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "items": list(self.items.values())}


class CatalogStore:
    """Catalogs, created through the admin API, and their items."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.catalogs: dict[str, Catalog] = {}

    def reset(self) -> None:
        with self._lock:
            self.catalogs.clear()

    def create(self, name: Any) -> Catalog:
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_-]{1,250}", name):
            raise ValueError("name: letters, digits, '-' and '_', up to 250 characters")
        with self._lock:
            if name in self.catalogs:
                raise ValueError(f"name: a catalog {name!r} exists already")
            self.catalogs[name] = Catalog(name)
            return self.catalogs[name]


class CatalogItems:
    """PUT / PATCH / DELETE /catalogs/{catalog_name}/items, `catalog_name` lifted into the path."""

    def __init__(self, method: str, catalogs: CatalogStore) -> None:
        self.method = method
        self.catalogs = catalogs

    def _errors(self, output: Any) -> list[tuple[str, str, str]]:
        """(error id, message, pointer) in Braze's catalog error vocabulary."""
        if not isinstance(output, dict):
            return [("invalid-request", "the code must return an object", "")]
        name = output.get("catalog_name")
        if not isinstance(name, str) or name not in self.catalogs.catalogs:
            return [("catalog-not-found", f"Could not find catalog {name!r}", "/catalog_name")]
        items = output.get("items")
        if not isinstance(items, list) or not items:
            return [("items-missing", "Request must include a non-empty 'items' array", "/items")]
        if len(items) > CATALOG_ITEMS_MAX:
            return [
                (
                    "request-includes-too-many-items",
                    f"Request includes more than {CATALOG_ITEMS_MAX} items",
                    "/items",
                )
            ]
        found: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            pointer = f"/items/{index}"
            if not isinstance(item, dict) or "id" not in item:
                found.append(("items-missing-ids", "Every item must have an 'id'", pointer))
                continue
            item_id = item["id"]
            if not isinstance(item_id, str):
                found.append(("ids-not-strings", "Item ids must be strings", f"{pointer}/id"))
            elif len(item_id) > 250:
                found.append(
                    ("ids-too-large", "Item ids are at most 250 characters", f"{pointer}/id")
                )
            elif not ITEM_ID.match(item_id):
                found.append(
                    ("invalid-ids", "Item ids take letters, digits, '-' and '_'", f"{pointer}/id")
                )
            elif item_id in seen:
                found.append(("ids-not-unique", "Item ids must be unique", f"{pointer}/id"))
            else:
                seen.add(item_id)
        return found

    def check(self, output: Any) -> Problems:
        return [
            problem(pointer, f"{error}: {message}")
            for error, message, pointer in self._errors(output)
        ]

    def deliver(self, output: Any) -> Delivery:
        name = output.get("catalog_name") if isinstance(output, dict) else None
        endpoint = f"{self.method} /catalogs/{name}/items"
        found = self._errors(output)
        if found:
            status = 404 if found[0][0] == "catalog-not-found" else 400
            body = {
                "errors": [
                    {"id": error, "message": message, "parameters": [], "parameter_values": []}
                    for error, message, _ in found
                ],
                "message": "Invalid Request",
            }
            return Delivery(endpoint, status, body)
        catalog = self.catalogs.catalogs[str(name)]
        with self.catalogs._lock:
            for item in output["items"]:
                fields = {k: v for k, v in item.items()}
                if self.method == "PUT":
                    catalog.items[item["id"]] = fields
                elif self.method == "PATCH":
                    catalog.items[item["id"]] = {**catalog.items.get(item["id"], {}), **fields}
                else:
                    catalog.items.pop(item["id"], None)
        return Delivery(endpoint, 202, {"message": "success"})


@dataclass
class SentMessage:
    dispatch_id: str
    time: float
    request: dict[str, Any]


class SendMessages:
    """POST /messages/send: the recipients must exist; the message is recorded, not sent."""

    endpoint = "POST /messages/send"

    def __init__(self, user_exists: Callable[[str], bool], now: Callable[[], float]) -> None:
        self._user_exists = user_exists
        self._now = now
        self.sent: list[SentMessage] = []

    def check(self, output: Any) -> Problems:
        if not isinstance(output, dict):
            return [problem("", "the code must return an object (the /messages/send body)")]
        found = []
        messages = output.get("messages")
        if not isinstance(messages, dict) or not messages:
            found.append(problem("/messages", "'messages' must be an object of channel messages"))
        ids = output.get("external_user_ids")
        if ids is None and "broadcast" not in output and "audience" not in output:
            found.append(
                problem("/external_user_ids", "name recipients: external_user_ids (or an audience)")
            )
        if ids is not None:
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                found.append(problem("/external_user_ids", "must be an array of strings"))
            elif len(ids) > RECIPIENTS_MAX:
                found.append(problem("/external_user_ids", f"at most {RECIPIENTS_MAX} recipients"))
            else:
                found.extend(
                    problem(f"/external_user_ids/{i}", f"no user with external_id {uid!r}")
                    for i, uid in enumerate(ids)
                    if not self._user_exists(uid)
                )
        return found

    def deliver(self, output: Any) -> Delivery:
        found = self.check(output)
        if found:
            body = {"message": "; ".join(f"{p['pointer']}: {p['message']}" for p in found)}
            return Delivery(self.endpoint, 400, body)
        dispatch_id = secrets.token_hex(16)
        self.sent.append(SentMessage(dispatch_id, self._now(), output))
        return Delivery(self.endpoint, 201, {"dispatch_id": dispatch_id, "message": "success"})


DESTINATIONS = ("track-users", "catalog-put", "catalog-patch", "catalog-delete", "send-messages")
