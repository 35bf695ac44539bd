"""Where a Data Transformation's output goes: Track users, catalog items, or Send messages.

Each destination checks an output the way its REST endpoint would (Validate shows those
problems, each with a JSON pointer) and delivers it through that endpoint's own code path.
Track users is here; the catalog destinations are `catalogs.py`'s, Send messages
`send_messages.py`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from seen_braze_harness.mocks.braze.errors import BrazeError
from seen_braze_harness.mocks.braze.track import (
    Rejection,
    check_object,
    request_objects,
)

Problems = list[dict[str, str]]


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

    def deliver(self, output: Any, *, origin: str = "") -> DestinationReply:
        """Send `output` on (`origin`: the scheme and host of the instance the webhook came to)."""
        ...


def problem(pointer: str, message: str) -> dict[str, str]:
    return {"pointer": pointer, "message": message}


def delivers_despite(destination: Destination, output: Any, problems: Problems) -> bool:
    """Whether an output with `problems` still goes to its destination (partial /users/track)."""
    return isinstance(destination, TrackUsers) and destination.accepts_some(output, problems)


class TrackUsers:
    """POST /users/track, through `BrazeBackend.track`."""

    endpoint = "POST /users/track"

    def __init__(self, track: Callable[[Any, str], tuple[int | None, Any]], settings: Any) -> None:
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

    def deliver(self, output: Any, *, origin: str = "") -> DestinationReply:
        status, body = self._track(output, origin)
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


DESTINATIONS = ("track-users", "catalog-put", "catalog-patch", "catalog-delete", "send-messages")
