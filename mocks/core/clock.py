"""One clock and one scheduler per world, so every time rule can run in real or virtual time."""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from datetime import UTC, datetime

Task = Callable[[], None]


class Clock:
    """Wall-clock time that can be frozen and moved forward.

    A frozen clock is the harness's virtual time: it only moves when `advance` is called.
    An unfrozen clock follows `time.time()` plus whatever has been advanced.
    """

    def __init__(self, *, frozen: bool = False, start: float | None = None) -> None:
        self._lock = threading.Lock()
        wall = time.time()
        self._offset = 0.0 if start is None else start - wall
        self._frozen_at: float | None = None
        if frozen:
            self._frozen_at = wall if start is None else start

    def now(self) -> float:
        frozen_at = self._frozen_at
        if frozen_at is not None:
            return frozen_at
        return time.time() + self._offset

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def freeze(self) -> None:
        with self._lock:
            if self._frozen_at is None:
                self._frozen_at = time.time() + self._offset

    def unfreeze(self) -> None:
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - time.time()
                self._frozen_at = None

    def _move_to(self, instant: float) -> None:
        """Move forward to `instant` (never backwards). Only the scheduler calls this."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = max(self._frozen_at, instant)
            else:
                self._offset = max(self._offset, instant - time.time())

    def isoformat(self, instant: float | None = None) -> str:
        moment = self.now() if instant is None else instant
        return datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")


@dataclass(order=True)
class ScheduledTask:
    due: float
    seq: int
    name: str = field(compare=False)
    run: Task = field(compare=False, repr=False)
    owner: str = field(default="", compare=False)
    inline: bool = field(default=False, compare=False)
    """Cheap work the real-time thread runs itself instead of handing it to the executor."""
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    """Due tasks on a clock, always run in time order.

    Under a frozen clock nothing runs until `advance` or `run_until_idle` moves time to the
    next due task. Under a running clock, `start()` launches a thread that runs tasks as they
    fall due; with an executor the tasks run there, so a slow one does not hold up the rest.
    `advance` and `run_until_idle` run tasks in the caller's thread, so when they return the
    work they ran is done (the admin API's clock advance relies on it).
    """

    def __init__(self, clock: Clock, *, executor: Executor | None = None) -> None:
        self.clock = clock
        self._executor = executor
        self._heap: list[ScheduledTask] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()
        self._run_lock = threading.RLock()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self.errors: deque[tuple[str, BaseException]] = deque(maxlen=100)
        self._in_flight: set[Future[None]] = set()

    # -- scheduling -------------------------------------------------------------------------
    def call_at(
        self, due: float, name: str, run: Task, *, owner: str = "", inline: bool = False
    ) -> ScheduledTask:
        task = ScheduledTask(due, next(self._seq), name, run, owner, inline)
        with self._cond:
            heapq.heappush(self._heap, task)
            if self._heap[0] is task:  # otherwise the thread's current wait is still right
                self._cond.notify_all()
        return task

    def call_later(
        self, delay: float, name: str, run: Task, *, owner: str = "", inline: bool = False
    ) -> ScheduledTask:
        due = self.clock.now() + max(0.0, delay)
        return self.call_at(due, name, run, owner=owner, inline=inline)

    def pending(self) -> list[ScheduledTask]:
        with self._cond:
            return sorted(t for t in self._heap if not t.cancelled)

    def next_due(self) -> float | None:
        with self._cond:
            self._drop_cancelled()
            return self._heap[0].due if self._heap else None

    def clear(self, owner: str | None = None) -> None:
        """Cancel every pending task, or only those of one owner (a mock being reset)."""
        with self._cond:
            for task in self._heap:
                if owner is None or task.owner == owner:
                    task.cancel()
            self._drop_cancelled()
            self._cond.notify_all()

    # -- running ----------------------------------------------------------------------------
    def run_due(self, *, background: bool = False) -> int:
        """Run every task already due at the clock's current time, in order.

        Only the real-time thread passes `background`: its tasks go to the executor, if any.
        Everywhere else a task has finished when the call that ran it returns.
        """
        ran = 0
        with self._run_lock:
            while (task := self._pop_due(self.clock.now())) is not None:
                if background and self._executor is not None and not task.inline:
                    future = self._executor.submit(self._guarded, task)
                    with self._cond:
                        self._in_flight.add(future)
                    future.add_done_callback(self._landed)
                else:
                    self._guarded(task)
                ran += 1
        return ran

    def drain(self, timeout: float = 30.0) -> None:
        """Wait for the work the real-time thread handed to the executor to finish."""
        with self._cond:
            running = list(self._in_flight)
        futures_wait(running, timeout=timeout)

    def _landed(self, future: Future[None]) -> None:
        with self._cond:
            self._in_flight.discard(future)

    def advance(self, seconds: float) -> int:
        """Move the clock forward, running each task at its own due time on the way
        (after the work already in flight has finished)."""
        if not 0 <= seconds < math.inf:
            raise ValueError(f"the clock only moves forward by a finite amount, not {seconds!r}")
        ran = 0
        with self._run_lock:  # held: the real-time thread cannot hand out more work meanwhile
            self.drain()
            target = self.clock.now() + seconds
            while (task := self._pop_due(target)) is not None:
                self.clock._move_to(task.due)
                self._guarded(task)
                ran += 1
            self.clock._move_to(target)
        self.wake()
        return ran

    def run_until_idle(self, *, max_seconds: float = 7 * 24 * 3600.0) -> int:
        """Jump from one due task to the next until none is left (or `max_seconds` passed)."""
        ran = 0
        with self._run_lock:
            limit = self.clock.now() + max_seconds
            while (task := self._pop_due(limit)) is not None:
                self.clock._move_to(task.due)
                self._guarded(task)
                ran += 1
        return ran

    def start(self) -> None:
        """Run tasks in real time on a background thread (server mode)."""
        if self._thread is not None:
            return
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="mock-scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _loop(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                self._drop_cancelled()
                wait: float | None = None
                if self._heap:
                    wait = self._heap[0].due - self.clock.now()
                if self.clock.frozen:
                    wait = None
                if wait is None or wait > 0:
                    self._cond.wait(timeout=None if wait is None else min(wait, 1.0))
                    continue
            self.run_due(background=True)

    def wake(self) -> None:
        """Tell the background thread that the clock changed."""
        with self._cond:
            self._cond.notify_all()

    def _drop_cancelled(self) -> None:
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)

    def _pop_due(self, limit: float) -> ScheduledTask | None:
        with self._cond:
            self._drop_cancelled()
            if self._heap and self._heap[0].due <= limit:
                return heapq.heappop(self._heap)
            return None

    def _guarded(self, task: ScheduledTask) -> None:
        try:
            task.run()
        except Exception as exc:  # a failing task must not stop the clock
            self.errors.append((task.name, exc))
