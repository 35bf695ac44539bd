"""A place in the runtime's pool: one worker process at a time, replaced when it dies or hangs."""

from __future__ import annotations

import json
import signal
import threading
import time
from typing import Any

from seen_braze_harness.mocks.braze.transformations.jsruntime.process import (
    Death,
    NotDelivered,
    WorkerDied,
    WorkerHung,
    WorkerProcess,
)
from seen_braze_harness.mocks.braze.transformations.jsruntime.results import (
    RunLimits,
    RuntimeUnavailable,
)
from seen_braze_harness.mocks.braze.transformations.jsruntime.worker import WorkerConfig


class Slot:
    """A place in the pool: at most one worker process at a time, started when first needed
    and again after it died. `lock` is held for each exchange."""

    def __init__(self, config: WorkerConfig, *, start: bool = True) -> None:
        self._config = config
        self.lock = threading.Lock()
        self.process: WorkerProcess | None = WorkerProcess(config) if start else None

    def _ready_process(self) -> WorkerProcess:
        process = self.process
        if process is not None and not process.alive:
            process.kill()
            process = None
        if process is None:
            process = self.process = WorkerProcess(self._config)
        process.wait_ready()
        return process

    def exchange(self, body: bytes, allowance: float) -> tuple[dict[str, Any], float]:
        """The worker's answer within `allowance` seconds, and when the worker was given the
        request (monotonic). A worker that dies or hangs is replaced (the new one warms up
        while the caller goes on) and the run reported; one that died before it had read the
        request is replaced and the run sent again, once."""
        with self.lock:
            for _attempt in range(2):
                process = self._ready_process()
                started = time.monotonic()
                try:
                    answer: dict[str, Any] = json.loads(process.exchange(body, started + allowance))
                except NotDelivered:
                    self._replace(process)
                    continue
                except WorkerDied:
                    unread = process.unread()
                    death = process.death()
                    self._replace(process)
                    if unread:  # killed before it had the whole request: nothing of it ran
                        continue
                    return self._died(death, time.monotonic() - started), started
                except WorkerHung:
                    self._replace(process)
                    return {
                        "kind": "timeout",
                        "error": "The JavaScript worker stopped answering and was restarted",
                        "duration": time.monotonic() - started,
                    }, started
                if answer.get("restart"):  # it exits after this answer: wedged, or crowded
                    self._replace(process)
                return answer, started
        raise RuntimeUnavailable("the JavaScript worker keeps exiting")

    def _died(self, death: Death, duration: float) -> dict[str, Any]:
        """The answer for a run whose worker died under it: "memory" when the worker said it
        ran out, else "crashed", with what is known of how."""
        config = self._config
        if death.out_of_memory(config.data_headroom):
            said = death.said if death.oom_report or not death.grown else ""
            said = said or (
                f"{death.how}, without a word, after growing by "
                f"{(death.grown or 0) // (1024 * 1024)} MiB"
            )
            error = (
                f"Exceeded the memory limit of {config.memory} bytes of JavaScript heap: an "
                f"allocation took the worker past its cap of {config.data_headroom} bytes "
                f"and V8 aborted it ({said}); a new worker takes the next run"
            )
            return {"kind": "memory", "error": error, "duration": duration}
        if death.code is not None and death.code < 0 and not death.said:
            how = f"was {death.how}"
            if death.code == -signal.SIGTRAP:
                how += " (V8 aborting, without saying why)"
        else:
            how = f"ended during the run ({death.reason})"
        error = f"The JavaScript worker {how}; the run was lost and a new worker takes the next"
        return {"kind": "crashed", "error": error, "duration": duration}

    def stats(self) -> dict[str, Any] | None:
        """The worker's figures, None when this slot never started one."""
        with self.lock:
            if self.process is None:
                return None
            process = self._ready_process()
            answer = json.loads(process.exchange(b'{"op":"stats"}', time.monotonic() + 10))
            return dict(process.info or {}, **answer)

    def _replace(self, process: WorkerProcess) -> None:
        process.kill()
        self.process = WorkerProcess(self._config)

    def close(self) -> None:
        with self.lock:
            if self.process is not None:
                self.process.close()
                self.process = None


def close_slots(slots: list[Slot]) -> None:
    for slot in slots:
        slot.close()


def worker_config(limits: RunLimits) -> WorkerConfig:
    mib = 1024 * 1024
    running = limits.memory + limits.worker_overhead
    building = limits.memory + 2 * limits.worker_overhead
    return WorkerConfig(
        timeout=limits.timeout,
        memory=limits.memory,
        console_chars=limits.console_chars,
        output_chars=limits.output_chars,
        code_cache=128,
        # V8's own ceiling: beyond it V8 aborts the worker. The data cap binds first.
        heap_mb=-(-building // mib),
        # The young generation scales with this: small, so that it fits in the overhead.
        semi_space_mb=max(1, limits.memory // (16 * mib)),
        data_headroom=running,
        build_headroom=building,
    )
