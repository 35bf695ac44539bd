"""Running transformation code in worker processes that own the V8 isolates.

The runtime hands each run to a free place in its pool (`slot.py`, one worker process each,
`process.py`), at once or in turn from its queue (`queueing.py`).
"""

from __future__ import annotations

import json
import math
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

from seen_braze_harness.mocks.braze.transformations.jsruntime.queueing import FairQueue, QueuedRun
from seen_braze_harness.mocks.braze.transformations.jsruntime.results import (
    InputTooLarge,
    RunLimits,
    RuntimeBusy,
    RuntimeUnavailable,
    ScriptResult,
    result_of,
)
from seen_braze_harness.mocks.braze.transformations.jsruntime.slot import (
    Slot,
    close_slots,
    worker_config,
)
from seen_braze_harness.mocks.braze.transformations.jsruntime.worker import GRACE

DEFAULT_LIMITS = RunLimits()
WATCHDOG_MARGIN = 2.0
"""Seconds past the worker's own limits before the parent kills it as hung."""
DEFAULT_RETRY_AFTER = 1
"""Seconds a refused run is told to wait at least (`RuntimeBusy.retry_after`)."""


class _Claim:
    """A caller waiting for a worker; `slot` is set, then `ready`, when one is handed over."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.slot: Slot | None = None


class TransformationRuntime:
    """Runs Data Transformation code: a function body that sees `payload` and `headers`.

    Each run is isolated from the others (see worker/prelude.js), limited in time and memory, and
    executed in a worker process, so that even V8 aborting cannot take this process with it.
    Up to `workers` processes serve that many runs at once (default 1); the first starts
    with the runtime, each other one when a run would otherwise wait.

    Two ways in, both thread-safe. `run` runs now, on the next worker free (callers waiting
    for one are served in turn). `submit` queues a run under a key (a transformation id) and
    `serve` runs the next one: the queue holds at most `queue` runs (None: no bound; a full
    queue refuses with `RuntimeBusy`), and serves keys in turn, so that a flood of slow runs
    under one key holds back another key's run by about one run. A run's `duration` is its
    own; the time it waited for a worker is its `queued`.
    """

    def __init__(
        self,
        limits: RunLimits = DEFAULT_LIMITS,
        *,
        workers: int = 1,
        queue: int | None = None,
    ) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers: must be a whole number of at least 1, not {workers!r}")
        if queue is not None and (
            isinstance(queue, bool) or not isinstance(queue, int) or queue < 1
        ):
            raise ValueError(f"queue: must be a whole number of at least 1, not {queue!r}")
        self.limits = limits
        self.workers = workers
        self.queue_limit = queue
        self._config = worker_config(limits)
        self._slots = [Slot(self._config, start=index == 0) for index in range(workers)]
        self._idle: list[Slot] = self._slots[:1]  # started and free, the warmest last
        self._unstarted: list[Slot] = self._slots[:0:-1]
        self._claims: deque[_Claim] = deque()
        self._waiting = FairQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._finalizer = weakref.finalize(self, close_slots, self._slots)

    # -- running now ---------------------------------------------------------------------------
    def run(self, code: str, payload: Any, headers: Mapping[str, str]) -> ScriptResult:
        """Run `code` on one webhook. Errors of the code come back in the result; bad input
        raises: InputTooLarge, TypeError or ValueError for a payload JSON cannot carry (NaN
        included), UnicodeEncodeError for code with a lone surrogate."""
        body = self._request(code, payload, headers)
        asked = time.monotonic()
        slot = self._take()
        try:
            answer, started = slot.exchange(body, self._allowance())
        finally:
            self._give_back(slot)
        return result_of(answer, started - asked)

    # -- running in turn -------------------------------------------------------------------------
    @property
    def waiting(self) -> int:
        """Runs submitted and not started yet."""
        return self._waiting.count

    def submit(
        self,
        key: str,
        code: str,
        payload: Any,
        headers: Mapping[str, str],
        done: Callable[[ScriptResult | Exception], None],
    ) -> QueuedRun:
        """Queue a run under `key`; a later `serve` runs it and calls `done` with its result,
        or with the exception `run` would have raised (RuntimeUnavailable included). Call
        `serve` once for each run submitted. Raises RuntimeBusy when the queue is full."""
        queued = QueuedRun(self, key, code, payload, headers, done)
        with self._lock:
            if self._closed:
                raise RuntimeError("TransformationRuntime is closed")
            busy = self.full()
            if busy is not None:
                raise busy
            self._waiting.push(queued)
        return queued

    def full(self) -> RuntimeBusy | None:
        """Why `submit` would refuse a run now (the queue is full), or None."""
        waiting, limit = self._waiting.count, self.queue_limit
        if limit is None or waiting < limit:
            return None
        return RuntimeBusy(
            f"{waiting:,} runs wait for a worker already, the most the queue holds ({limit:,})",
            retry_after=self._retry_after(),
        )

    def serve(self) -> bool:
        """Wait for a worker, then run the next queued run on it (the key served least
        recently goes first) and call its `done`. False when no run was waiting (or the
        runtime is closed)."""
        try:
            slot = self._take()
        except RuntimeError:  # closed
            return False
        with self._lock:
            queued = self._waiting.pop()
        if queued is None:
            self._give_back(slot)
            return False
        outcome: ScriptResult | Exception
        try:
            body = self._request(queued.code, queued.payload, queued.headers)
            answer, started = slot.exchange(body, self._allowance())
            outcome = result_of(answer, started - queued.submitted)
        except (InputTooLarge, TypeError, ValueError, RuntimeUnavailable) as exc:
            outcome = exc  # UnicodeEncodeError is a ValueError
        finally:
            self._give_back(slot)
        queued.done(outcome)
        return True

    def _withdraw(self, queued: QueuedRun) -> bool:
        with self._lock:
            return self._waiting.remove(queued)

    def _retry_after(self) -> int:
        """Seconds until a place in the queue is likely free: one run's time limit."""
        return max(DEFAULT_RETRY_AFTER, math.ceil(self.limits.timeout))

    # -- the pool --------------------------------------------------------------------------------
    def stats(self) -> list[dict[str, Any]]:
        """Each started worker's pid, V8 version, whether it uses the direct path to V8, and
        how often it replaced its isolate (a run that needed a fresh one shows here)."""
        return [stat for stat in (slot.stats() for slot in self._slots) if stat is not None]

    def _request(self, code: str, payload: Any, headers: Mapping[str, str]) -> bytes:
        if len(code) > self.limits.code_chars:
            raise InputTooLarge(
                f"code of {len(code)} characters exceeds the {self.limits.code_chars} allowed"
            )
        code.encode("utf-8")  # V8 gets the code as UTF-8
        payload_text = json.dumps(
            payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
        headers_text = json.dumps(dict(headers), ensure_ascii=False, separators=(",", ":"))
        size = len(payload_text.encode("utf-8", "surrogatepass")) + len(
            headers_text.encode("utf-8", "surrogatepass")
        )
        if size > self.limits.payload_bytes:
            raise InputTooLarge(
                f"payload and headers of {size} bytes exceed the "
                f"{self.limits.payload_bytes} allowed"
            )
        body = json.dumps({"code": code, "payload": payload_text, "headers": headers_text})
        return body.encode("utf-8")

    def _allowance(self) -> float:
        # Compiling new code and running it each get the time limit; then the worker's grace.
        return 2 * self.limits.timeout + GRACE + WATCHDOG_MARGIN

    def _take(self) -> Slot:
        """A free worker's slot: a started one, else one not started yet, else the next to
        be given back (callers waiting are served in the order they came)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("TransformationRuntime is closed")
            if not self._claims:
                if self._idle:
                    return self._idle.pop()
                if self._unstarted:
                    return self._unstarted.pop()
            claim = _Claim()
            self._claims.append(claim)
        while not claim.ready.wait(0.5):
            with self._lock:
                if self._closed and claim.slot is None and claim in self._claims:
                    self._claims.remove(claim)
                    break
        if claim.slot is None:  # woken by close
            raise RuntimeError("TransformationRuntime is closed")
        return claim.slot

    def _give_back(self, slot: Slot) -> None:
        with self._lock:
            if not self._closed:
                if self._claims:
                    claim = self._claims.popleft()
                    claim.slot = slot
                    claim.ready.set()
                else:
                    self._idle.append(slot)
                return
        slot.close()

    def close(self) -> None:
        """Stop the workers: runs in progress finish first; queued runs are not run, their
        `done` called with RuntimeUnavailable."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            free, self._idle, self._unstarted = self._idle + self._unstarted, [], []
            dropped = self._waiting.clear()
            claims, self._claims = list(self._claims), deque()
        for claim in claims:
            claim.ready.set()  # wakes to find the runtime closed
        for slot in free:
            slot.close()
        for queued in dropped:
            queued.done(RuntimeUnavailable("the runtime was closed before the run started"))

    def __enter__(self) -> TransformationRuntime:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
