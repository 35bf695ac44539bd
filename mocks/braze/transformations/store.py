"""The workspace's transformations, and each webhook's run from the queue to the destination.

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
from datetime import UTC, datetime
from typing import Any

from seen_braze_harness.mocks.braze import hops
from seen_braze_harness.mocks.braze.transformations.definitions import (
    LogEntry,
    TierLimitError,
    Transformation,
    TransformationError,
    Webhook,
    parse_definition,
)
from seen_braze_harness.mocks.braze.transformations.destinations import (
    Destination,
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
from seen_braze_harness.mocks.braze.transformations.validation import (
    MAX_DEPTH,
    Validation,
    depth_limit,
    output_problems,
    validate_code,
    without_output,
)
from seen_braze_harness.mocks.core.ids import IdMint

LOG_CAP = 1000


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
        values = parse_definition(data, partial=False)
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
        values = parse_definition(data, partial=True)
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
        *,
        origin: str = "",
    ) -> None:
        """Queue the webhook's run (with the code as it is now), keep the webhook and count
        it, and schedule the run's turn after the acknowledgement. Raises RuntimeBusy
        (nothing kept or counted) when the runtime's queue is full."""
        webhook = Webhook(self._now(), canonical_headers(headers), payload)
        entry = LogEntry(
            0, transformation.id, webhook.time, webhook.headers, payload, origin=origin
        )
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
            entry.result = without_output(result)
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
        entry.delivery = destination.deliver(result.output, origin=entry.origin)
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
