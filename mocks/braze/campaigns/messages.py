"""Dispatches and their messages: each message's state, what was sent and how it ended, a
dispatch's counts by state, and what the Test tab shows of a Test send."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from seen_braze_harness.mocks.braze.campaigns.properties import Properties
from seen_braze_harness.mocks.braze.campaigns.rendering import RenderedRequest
from seen_braze_harness.mocks.braze.campaigns.retry import NO_RESPONSE, reported_status
from seen_braze_harness.mocks.braze.dates import format_instant
from seen_braze_harness.mocks.core.delivery import Delivery

MessageState = Literal[
    "scheduled", "sending", "delivered", "failed", "aborted", "render_error", "expired"
]
STATES: tuple[MessageState, ...] = (
    "scheduled",
    "sending",
    "delivered",
    "failed",
    "aborted",
    "render_error",
    "expired",
)


@dataclass
class WebhookMessage:
    """One user's webhook in a dispatch: when it is due, what was sent, how it ended."""

    index: int
    dispatch_id: str
    campaign_id: str
    external_id: str | None
    braze_id: str
    scheduled_at: float
    state: MessageState = "scheduled"
    request: RenderedRequest | None = None
    delivery: Delivery | None = None
    error: str | None = None
    """Why the message was not delivered (abort reason, Liquid error, last failure)."""
    properties: Properties = field(default_factory=dict)
    """The send's trigger, event and Canvas entry properties for this user, by namespace."""
    expires_at: float = math.inf
    """When a message not yet sent is aborted (the dispatch's time plus `webhook_abort_after`)."""
    held: list[dict[str, Any]] = field(default_factory=list)
    """Each time the receiver's `X-Rate-Limit-*` headers held an attempt back: from, until."""

    @property
    def status(self) -> int | None:
        """The last attempt's status as Braze reports it (599: no response), if any."""
        if self.delivery is None or not self.delivery.attempts:
            return None
        return reported_status(self.delivery.attempts[-1])

    @property
    def exchange_ids(self) -> list[int]:
        return [] if self.delivery is None else [a.exchange_id for a in self.delivery.attempts]

    def to_dict(self) -> dict[str, Any]:
        attempts = [] if self.delivery is None else list(self.delivery.attempts)
        return {
            "index": self.index,
            "dispatch_id": self.dispatch_id,
            "external_id": self.external_id,
            "braze_id": self.braze_id,
            "scheduled_at": self.scheduled_at,
            "scheduled_at_iso": format_instant(self.scheduled_at),
            "state": self.state,
            "status": self.status,
            "error": self.error,
            "request": None if self.request is None else self.request.to_dict(),
            "properties": {k: dict(v) for k, v in self.properties.items()},
            "held": [dict(h) for h in self.held],
            "attempts": [a.summary(no_response=NO_RESPONSE) for a in attempts],
        }


@dataclass
class Dispatch:
    """One send of a campaign: its messages in send order, and the ids it could not find."""

    dispatch_id: str
    campaign_id: str
    created_at: float
    messages: list[WebhookMessage]
    skipped_external_ids: list[str] = field(default_factory=list)

    def states(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATES, 0)
        for message in self.messages:
            counts[message.state] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        first = self.messages[0].scheduled_at if self.messages else None
        last = self.messages[-1].scheduled_at if self.messages else None
        return {
            "dispatch_id": self.dispatch_id,
            "campaign_id": self.campaign_id,
            "created_at": self.created_at,
            "message_count": len(self.messages),
            "first_scheduled_at": first,
            "last_scheduled_at": last,
            "first_scheduled_at_iso": None if first is None else format_instant(first),
            "last_scheduled_at_iso": None if last is None else format_instant(last),
            "skipped_external_ids": list(self.skipped_external_ids),
            "states": self.states(),
        }


@dataclass
class TestSendResult:
    """What the Test tab shows: the status line, the response's headers and raw body."""

    status_line: str
    status: int | None
    headers: dict[str, str]
    body: str
    error: str | None
    request: RenderedRequest | None
    user: dict[str, Any]
    exchange_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status_line": self.status_line,
            "status": self.status,
            "headers": dict(self.headers),
            "body": self.body,
            "error": self.error,
            "request": None if self.request is None else self.request.to_dict(),
            "user": {
                "external_id": self.user.get("external_id"),
                "braze_id": self.user.get("braze_id"),
            },
            "exchange_id": self.exchange_id,
        }
