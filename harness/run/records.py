"""What a run leaves in the mocks, as the tracer reads it: the same records in both modes.

The in-process port builds them from the mocks' own objects, the HTTP port from the admin
API's JSON; the tracer (`run.tracer`), the checks and the health findings read only these.
The two sides of an exchange are joined by the span id of the `traceparent` header each
attempt carries (`mocks.core.delivery.span_of`): a sender's attempt names it, and so do the
receiver's journaled request and the transformation log entry the request made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from seen_braze_harness.harness.checks import Attempt, RunTrace
from seen_braze_harness.mocks.core.journal import SchemaVerdict


class JournaledExchange(Protocol):
    """What the schema checks and hop stats read of a journaled exchange: a mock's own
    `Exchange`, or one rebuilt from `/_mock/journal`."""

    @property
    def id(self) -> int: ...
    @property
    def service(self) -> str: ...
    @property
    def hop(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def status(self) -> int | None: ...
    @property
    def duration(self) -> float | None: ...
    @property
    def schemas(self) -> object | None:
        """None when the hop has no schemas."""

    @property
    def request_json(self) -> Any: ...
    @property
    def valid(self) -> bool: ...
    def verdict(self) -> Mapping[str, SchemaVerdict | None]: ...


@dataclass(slots=True)
class TracedAttempt:
    """One attempt of an outbound call: what the checks read (`attempt`), its span id, and
    whether the sender's journal still holds it."""

    attempt: Attempt
    span: str
    journaled: bool = True


@dataclass(slots=True)
class MessageRecord:
    """One webhook campaign message (Braze → SEEN)."""

    external_id: str | None
    state: str
    error: str | None
    rendered_body: str | None
    attempts: list[TracedAttempt]


@dataclass(slots=True)
class CallbackRecord:
    """A receiver's callback (SEEN → the Data Transformation's webhook)."""

    url: str
    state: str
    attempts: list[TracedAttempt]


@dataclass(slots=True)
class ReceiverRecord:
    id: int
    state: str
    links: Mapping[str, str] | None
    callback: CallbackRecord | None


@dataclass(slots=True)
class LogRecord:
    """One transformation log entry: the request it got and what became of it."""

    id: int
    span: str
    """The span id of the request's `traceparent` ("" when it had none)."""
    run: RunTrace
    seconds: float
    """The run's own time (0 when it did not run)."""
    finished: bool
    """False while the run is still going (no error, no skip, nothing delivered yet)."""

    @property
    def succeeded(self) -> bool:
        return self.run.error_kind is None and self.run.skipped is None


class Profiles(Protocol):
    """The stored profiles by braze_id, custom attributes flattened in."""

    def get(self, braze_id: str, /) -> Mapping[str, Any] | None: ...
    def __len__(self) -> int: ...


@dataclass(slots=True)
class Records:
    """Everything the tracer and the checks read after a run, indexed."""

    messages: list[MessageRecord]
    receivers: dict[int, ReceiverRecord]
    logs: list[LogRecord]
    profiles: Profiles
    answers: dict[str, Any]
    """SEEN's 2xx answers to the receivers API by the span id of the request: what SEEN
    answered even when the answer never reached Braze (a timeout)."""
    exchanges: list[JournaledExchange]
    """Both journals' exchanges, Braze's first."""
    journal_kept: dict[str, int] = field(default_factory=dict)
    journal_evicted: dict[str, int] = field(default_factory=dict)
    profiles_evicted: int = 0

    @property
    def receivers_evicted(self) -> int:
        """Receivers the SEEN mock dropped (their ids count from 1 after a reset)."""
        return min(self.receivers) - 1 if self.receivers else 0

    @property
    def logs_evicted(self) -> int:
        """Log entries the Braze mock dropped (their ids count from 1 after a reset)."""
        return self.logs[0].id - 1 if self.logs else 0
