"""Runs waiting for a worker, served key by key."""

from __future__ import annotations

import itertools
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from seen_braze_harness.mocks.braze.transformations.jsruntime.results import ScriptResult

if TYPE_CHECKING:
    from seen_braze_harness.mocks.braze.transformations.jsruntime.runtime import (
        TransformationRuntime,
    )


class QueuedRun:
    """A run waiting in the runtime's queue (`TransformationRuntime.submit`)."""

    def __init__(
        self,
        runtime: TransformationRuntime,
        key: str,
        code: str,
        payload: Any,
        headers: Mapping[str, str],
        done: Callable[[ScriptResult | Exception], None],
    ) -> None:
        self.key = key
        self.code, self.payload, self.headers = code, payload, headers
        self.done = done
        self.submitted = time.monotonic()
        self._runtime = runtime

    def cancel(self) -> bool:
        """Take the run out of the queue (its `done` is then never called); False when it is
        no longer waiting (it started, or was cancelled already)."""
        return self._runtime._withdraw(self)


@dataclass
class FairQueue:
    """Waiting runs, served key by key: the next run is the oldest of the key served least
    recently (never served first, then in the order keys arrived), so one key with a thousand
    runs waiting delays another key's run by one run at most."""

    runs: dict[str, deque[QueuedRun]] = field(default_factory=dict)
    served: dict[str, int] = field(default_factory=dict)
    count: int = 0
    _ticks: Iterator[int] = field(default_factory=itertools.count)

    def push(self, run: QueuedRun) -> None:
        self.runs.setdefault(run.key, deque()).append(run)
        self.count += 1

    def pop(self) -> QueuedRun | None:
        if not self.runs:
            return None
        served = self.served
        key = min(self.runs, key=lambda k: served.get(k, -1))
        waiting = self.runs[key]
        run = waiting.popleft()
        if not waiting:
            del self.runs[key]
        served[key] = next(self._ticks)
        if len(served) > 4 * len(self.runs) + 1024:  # forget keys long idle
            for idle in [k for k in served if k not in self.runs]:
                del served[idle]
        self.count -= 1
        return run

    def remove(self, run: QueuedRun) -> bool:
        waiting = self.runs.get(run.key)
        if waiting is None or run not in waiting:
            return False
        waiting.remove(run)
        if not waiting:
            del self.runs[run.key]
        self.count -= 1
        return True

    def clear(self) -> list[QueuedRun]:
        dropped = [run for waiting in self.runs.values() for run in waiting]
        self.runs.clear()
        self.count = 0
        return dropped
