"""Braze Data Transformations: each one a webhook URL, the customer's code, and a destination.

A webhook is acknowledged first (201) and transformed after, on the scheduler, as Braze does
(**assumed** asynchronous). The run goes through `TransformationRuntime` (V8 in worker
processes): queued under its transformation's id when the webhook is taken, so that the
runtime serves transformations in turn and a flood of slow runs of one holds back another's
by about one run, and a full queue refuses the webhook (429) instead of growing without end.
An active transformation then delivers its output to its destination through the same code
path as the destination's REST endpoint. The last 1,000 runs are kept as logs.
"""

from __future__ import annotations

import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from seen_braze_harness.mocks.braze import hops
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.transformations.destinations import (
    DESTINATIONS,
    Destination,
    DestinationReply,
    delivers_despite,
)
from seen_braze_harness.mocks.braze.transformations.jsruntime import (
    InputTooLarge,
    QueuedRun,
    RuntimeBusy,
    ScriptResult,
    TransformationRuntime,
    canonical_headers,
)
from seen_braze_harness.mocks.core.ids import IdMint
from seen_braze_harness.mocks.core.jsonbody import not_blank

LOG_CAP = 1000
MAX_DEPTH = BrazeSettings.max_json_depth
"""Levels of nesting an output may have: what a request body to the destination may have
(`BrazeSettings.max_json_depth`)."""
LONE_SURROGATE = "the output has a lone surrogate, which JSON in UTF-8 cannot carry"
_KEYS = {"name", "code", "destination", "active"}


class TransformationError(ValueError):
    """A transformation definition that cannot be used; the message names the key."""


class TierLimitError(TransformationError):
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


@dataclass
class Validation:
    """What Validate shows: the output, the destination's verdict, the console; delivers nothing."""

    result: ScriptResult
    destination: str
    problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def acceptable(self) -> bool:
        return self.result.ok and not self.problems

    def to_dict(self) -> dict[str, Any]:
        result = self.result
        return {
            "destination": self.destination,
            "output": result.output,
            "acceptable": self.acceptable,
            "error": None
            if result.ok
            else {
                "kind": result.error_kind,
                "message": result.error,
                "line": result.line,
                "column": result.column,
            },
            "errors": self.problems,
            "console": [{"level": c.level, "text": c.text} for c in result.console],
            "duration_ms": round(result.duration * 1000, 3),
        }


class TransformationStore:
    """Every transformation of the workspace, their logs, and the runs between them."""

    def __init__(
        self,
        *,
        runtime: Callable[[], TransformationRuntime],
        destinations: Mapping[str, Destination],
        now: Callable[[], float],
        schedule: Callable[[str, Callable[[], None]], object],
        log_cap: int = LOG_CAP,
        active_limit: int | None = None,
        monthly_limit: int | None = None,
        max_depth: int = MAX_DEPTH,
        ids: IdMint | None = None,
    ) -> None:
        self.runtime = runtime
        self._ids = ids or IdMint(None, scope="braze-transformations")
        self.max_depth = max_depth
        self.active_limit = active_limit
        self.monthly_limit = monthly_limit
        self._month: tuple[int, int] | None = None
        self._month_requests = 0
        self.destinations = destinations
        self._now = now
        self._schedule = schedule
        self._lock = threading.Lock()
        self.transformations: dict[str, Transformation] = {}
        self.logs: deque[LogEntry] = deque(maxlen=log_cap)
        self._next_log = 1
        self._queued: set[QueuedRun] = set()  # runs of received webhooks not started yet

    def reset(self) -> None:
        with self._lock:
            self.transformations.clear()
            self.logs.clear()
            self._next_log = 1
            self._month, self._month_requests = None, 0
            queued, self._queued = self._queued, set()
        for run in queued:  # their scheduled turns are cleared with the scheduler
            run.cancel()

    def busy(self) -> RuntimeBusy | None:
        """Why a webhook would not be taken now (the runtime's queue is full), or None."""
        return self.runtime().full()

    def take_monthly_request(self, now: float) -> bool:
        """Count one incoming request against the calendar month's quota (UTC, **assumed**);
        False when the month's quota is used up (the request is then not counted)."""
        moment = datetime.fromtimestamp(now, UTC)
        month = (moment.year, moment.month)
        with self._lock:
            if month != self._month:
                self._month, self._month_requests = month, 0
            if self.monthly_limit is not None and self._month_requests >= self.monthly_limit:
                return False
            self._month_requests += 1
            return True

    def _check_active_limit(self, activating: Transformation | None) -> None:
        """Refuse to activate one more transformation than the tier allows (call with the lock)."""
        limit = self.active_limit
        if limit is None:
            return
        active = sum(1 for t in self.transformations.values() if t.active and t is not activating)
        if active >= limit:
            raise TierLimitError(
                f"active: the company already has {active} active transformations, the most "
                f"its Data Transformation tier allows ({limit}); deactivate one first"
            )

    # -- definitions -------------------------------------------------------------------------
    def _check_code_limit(self, values: Mapping[str, Any]) -> None:
        """Refuse code over the runtime's limit here, not on every run after."""
        code = values.get("code")
        limit = self.runtime().limits.code_chars
        if isinstance(code, str) and len(code) > limit:
            raise TransformationError(
                f"code: {len(code):,} characters, over the limit of {limit:,} (code_chars)"
            )

    def create(self, data: Any) -> Transformation:
        values = _definition(data, partial=False)
        self._check_code_limit(values)
        transformation = Transformation(
            id=self._ids.hex("transformation", 24),
            secret=self._ids.token("transformation-secret", 24),  # 192 bits: the URL is the
            # only secret; derived from the start-up seed (or `id_seed`, for replay)
            created_at=self._now(),
            **values,
        )
        with self._lock:
            if transformation.active:
                self._check_active_limit(None)
            self.transformations[transformation.id] = transformation
        return transformation

    def update(self, transformation_id: str, data: Any) -> Transformation:
        values = _definition(data, partial=True)
        self._check_code_limit(values)
        with self._lock:
            found = self.transformations.get(transformation_id)
            if found is None:
                raise KeyError(transformation_id)
            if values.get("active") is True and not found.active:
                self._check_active_limit(found)
            for key, value in values.items():
                setattr(found, key, value)
        return found

    def delete(self, transformation_id: str) -> bool:
        with self._lock:
            return self.transformations.pop(transformation_id, None) is not None

    def find(self, transformation_id: str, secret: str) -> Transformation | None:
        found = self.transformations.get(transformation_id)
        given = secret.encode("utf-8", "surrogatepass")  # compare_digest takes ASCII str only
        if found is None or not secrets.compare_digest(found.secret.encode(), given):
            return None
        return found

    # -- webhooks ----------------------------------------------------------------------------
    def receive(
        self,
        transformation: Transformation,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        payload: Any,
    ) -> None:
        """Queue the webhook's run (with the code as it is now), keep the webhook and count
        it, and schedule the run's turn after the acknowledgement. Raises RuntimeBusy
        (nothing kept or counted) when the runtime's queue is full."""
        webhook = Webhook(self._now(), canonical_headers(headers), payload)
        entry = LogEntry(0, transformation.id, webhook.time, webhook.headers, payload)
        code = transformation.code
        finished: list[bool] = []  # a worker may take the run, and finish it, at once

        def done(outcome: ScriptResult | Exception) -> None:
            with self._lock:
                finished.append(True)
                self._queued.discard(queued)
            self._finish(transformation, entry, outcome)

        queued = self.runtime().submit(transformation.id, code, payload, webhook.headers, done)
        with self._lock:
            if not finished:
                self._queued.add(queued)
            transformation.last_webhook = webhook
            transformation.incoming_requests += 1
            entry.id = self._next_log
            self._next_log += 1
            self.logs.append(entry)
        # Each turn runs the run the runtime deems next (transformations in turn), not
        # necessarily this one: as many turns as runs, so every run gets one.
        self._schedule(hops.TRANSFORMATION.name, self._serve)

    def _serve(self) -> None:
        self.runtime().serve()

    def _finish(
        self, transformation: Transformation, entry: LogEntry, outcome: ScriptResult | Exception
    ) -> None:
        if isinstance(outcome, InputTooLarge):  # the run's input crossed a limit: said so
            entry.error_kind, entry.error = "input_too_large", str(outcome)
            return
        if isinstance(outcome, Exception):  # nothing ran (no worker, input V8 cannot take)
            entry.error_kind, entry.error = "unavailable", f"the code did not run: {outcome}"
            return
        result = outcome
        entry.result = result
        if not result.ok:
            entry.error_kind, entry.error = result.error_kind, result.error
            return
        destination = self.destinations[transformation.destination]
        unsendable = output_problems(result, depth_limit(destination, self.max_depth))
        if unsendable:  # refused before the destination sees it: nothing is delivered
            entry.result = _without_output(result)
            entry.error_kind = "invalid_output"
            entry.error = "; ".join(f"{p['pointer'] or '/'}: {p['message']}" for p in unsendable)
            return
        problems = destination.check(result.output)
        if problems and not delivers_despite(destination, result.output, problems):
            entry.error_kind = "invalid_output"
            entry.error = "; ".join(f"{p['pointer'] or '/'}: {p['message']}" for p in problems)
            return
        if not transformation.active:
            entry.skipped = "transformation is inactive: nothing delivered"
            return
        entry.delivery = destination.deliver(result.output)
        if entry.delivery.ok:
            with self._lock:
                transformation.deliveries += 1

    # -- validate ----------------------------------------------------------------------------
    def validate(
        self,
        transformation: Transformation,
        payload: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Validation:
        """Run the code on `payload` (default: the most recent webhook); deliver nothing."""
        if payload is None:
            if transformation.last_webhook is None:
                raise LookupError("no webhook received yet: send one, or give a payload")
            payload = transformation.last_webhook.payload
            headers = headers or transformation.last_webhook.headers
        return validate_code(
            self.runtime(),
            transformation.code,
            payload,
            canonical_headers(headers or {}),
            self.destinations[transformation.destination],
            transformation.destination,
            max_depth=self.max_depth,
        )


def validate_code(
    runtime: TransformationRuntime,
    code: str,
    payload: Any,
    headers: Mapping[str, str],
    destination: Destination,
    destination_name: str,
    *,
    max_depth: int = MAX_DEPTH,
) -> Validation:
    result = runtime.run(code, payload, headers)
    return judge(result, destination, destination_name, max_depth=max_depth)


def judge(
    result: ScriptResult,
    destination: Destination,
    destination_name: str,
    *,
    max_depth: int = MAX_DEPTH,
) -> Validation:
    """A run's verdict: its output checked the way the destination's endpoint would, after
    the checks any request must pass (JSON in UTF-8, nesting at most `max_depth` deep)."""
    if not result.ok:
        return Validation(result, destination_name, [])
    unsendable = output_problems(result, depth_limit(destination, max_depth))
    if unsendable:
        return Validation(_without_output(result), destination_name, unsendable)
    return Validation(result, destination_name, destination.check(result.output))


def depth_limit(destination: Destination, max_json_depth: int) -> tuple[int, str]:
    """How deep an output for `destination` may nest, and what sets that limit: a catalog's
    own (its item values may nest 50 levels, below the body's own three), else the limit on
    a request body."""
    own = getattr(destination, "max_output_depth", None)
    if isinstance(own, int):
        return own, "the catalog item endpoints' bound"
    return max_json_depth, "max_json_depth"


def output_problems(result: ScriptResult, limit: tuple[int, str]) -> list[dict[str, str]]:
    """Why no request could carry a run's output at all: nested more than `max_depth` levels
    (the limit on a request body), or a string with a lone surrogate (JSON text in UTF-8
    cannot hold one; **assumed**: Braze refuses such an output rather than mending it).
    One walk, iterative: an output as deep as V8 allows must not exhaust Python's stack."""
    too_deep = problem_of_depth(result.depth, limit)
    if too_deep is not None:
        return [too_deep]
    deepest = 0
    surrogate: str | None = None
    stack: list[tuple[Any, str, int]] = [(result.output, "", 0)]
    while stack:
        value, pointer, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth + 1)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                where = f"{pointer}/{_escape(key)}"
                if surrogate is None and isinstance(key, str) and _lone_surrogate(key):
                    surrogate = where
                stack.append((item, where, depth + 1))
        elif surrogate is None and isinstance(value, str) and _lone_surrogate(value):
            surrogate = pointer
    too_deep = problem_of_depth(deepest, limit)
    if too_deep is not None:
        return [too_deep]
    if surrogate is not None:
        return [{"pointer": surrogate, "message": LONE_SURROGATE}]
    return []


def problem_of_depth(depth: int | None, limit: tuple[int, str]) -> dict[str, str] | None:
    most, source = limit
    if depth is None or depth <= most:
        return None
    return {
        "pointer": "",
        "message": f"the output nests {depth} levels deep; a request body may nest at most "
        f"{most} ({source})",
    }


def _escape(key: Any) -> str:
    """A JSON pointer's reference token (RFC 6901), printable whatever the key holds."""
    text = str(key).replace("~", "~0").replace("/", "~1")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _lone_surrogate(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _without_output(result: ScriptResult) -> ScriptResult:
    """A refused output is not kept: it may be more than a log or an answer can carry."""
    return replace(result, output=None)


def _definition(data: Any, *, partial: bool) -> dict[str, Any]:
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
