"""A transformation as defined, the webhooks it takes and the log of what became of each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from seen_braze_harness.mocks.braze.transformations.destinations import (
    DESTINATIONS,
    DestinationReply,
)
from seen_braze_harness.mocks.braze.transformations.jsruntime import ScriptResult
from seen_braze_harness.mocks.core.errors import Conflict, Invalid
from seen_braze_harness.mocks.core.jsonbody import not_blank

_KEYS = {"name", "code", "destination", "active"}


class TransformationError(Invalid):
    """A transformation definition that cannot be used; the message names the key."""


class TierLimitError(TransformationError, Conflict):
    """Activating one more transformation would pass the company's tier limit."""


@dataclass
class Webhook:
    """One webhook as it arrived: what the editor's 'most recent webhook' shows."""

    time: float
    headers: dict[str, str]
    payload: Any

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.time, "headers": self.headers, "payload": self.payload}


@dataclass
class Transformation:
    id: str
    secret: str
    name: str
    code: str
    destination: str
    active: bool = False
    created_at: float = 0.0
    last_webhook: Webhook | None = None
    incoming_requests: int = 0
    deliveries: int = 0

    @property
    def webhook_path(self) -> str:
        return f"/transformations/{self.id}/{self.secret}"

    def to_dict(self, base_url: str = "") -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "code": self.code,
            "destination": self.destination,
            "active": self.active,
            "webhook_url": f"{base_url}{self.webhook_path}",
            "created_at": self.created_at,
            "most_recent_webhook": None
            if self.last_webhook is None
            else self.last_webhook.to_dict(),
            "counters": {
                "incoming_requests": self.incoming_requests,
                "deliveries": self.deliveries,
            },
        }


@dataclass
class LogEntry:
    """One incoming request and what became of it, as the Logs tab lists them."""

    id: int
    transformation_id: str
    time: float
    headers: dict[str, str]
    payload: Any
    result: ScriptResult | None = None
    error_kind: str | None = None
    error: str | None = None
    delivery: DestinationReply | None = None
    skipped: str | None = None
    origin: str = ""
    """The scheme and host the webhook came to (the instance's REST endpoint), where the
    delivery to `/users/track` goes."""

    def to_dict(self) -> dict[str, Any]:
        result = self.result
        return {
            "id": self.id,
            "transformation_id": self.transformation_id,
            "time": self.time,
            "incoming": {"headers": self.headers, "payload": self.payload},
            # The run's own time, and apart from it the (real) time it waited for a worker.
            "duration_ms": None if result is None else round(result.duration * 1000, 3),
            "queued_ms": None if result is None else round(result.queued * 1000, 3),
            "output": None if result is None else result.output,
            "error": None
            if self.error_kind is None
            else {
                "kind": self.error_kind,
                "message": self.error,
                "line": None if result is None else result.line,
                "column": None if result is None else result.column,
            },
            "console": []
            if result is None
            else [{"level": c.level, "text": c.text} for c in result.console],
            "destination": None if self.delivery is None else self.delivery.to_dict(),
            "skipped": self.skipped,
        }


def parse_definition(data: Any, *, partial: bool) -> dict[str, Any]:
    """The definition's keys as a transformation holds them; `partial`: an update, any of them."""
    if not isinstance(data, dict):
        raise TransformationError("a transformation must be a JSON object")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise TransformationError(
            f"unknown key(s): {', '.join(unknown)}; allowed: {', '.join(sorted(_KEYS))}"
        )
    if not partial:
        missing = sorted({"name", "code", "destination"} - set(data))
        if missing:
            raise TransformationError(f"required: {', '.join(missing)}")
    values: dict[str, Any] = {}
    if "name" in data:
        if not isinstance(data["name"], str) or not not_blank(data["name"]):
            raise TransformationError("name: must be a non-empty string")
        values["name"] = data["name"]
    if "code" in data:
        if not isinstance(data["code"], str):
            raise TransformationError("code: must be a string of JavaScript")
        values["code"] = data["code"]
    if "destination" in data:
        if data["destination"] not in DESTINATIONS:
            raise TransformationError(
                f"destination: must be one of {', '.join(DESTINATIONS)}, "
                f"not {data['destination']!r}"
            )
        values["destination"] = data["destination"]
    if "active" in data:
        if not isinstance(data["active"], bool):
            raise TransformationError("active: must be true or false")
        values["active"] = data["active"]
    return values
