"""The engine: runs on the current isolate, restores after each one, fresh isolates when
needed, and the tidy-ups that keep the process within its allowance."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from .channel import GRACE, JobsStopped, Wedged
from .failures import SOURCE_URL, SourceMap, parse_exception
from .isolate import Compiled, Isolate, js_string
from .memory import DataLimit, resident_bytes
from .protocol import WorkerConfig

JOBS_NEVER_SETTLED = (
    ": the code returned, but the promise jobs it queued (then callbacks, await) never settled"
)
"""Said after the limit a run crossed in the promise jobs it left rather than in its code."""
TIDY_EVERY = 1000
"""Runs between full garbage collections V8 is asked for: left to itself, V8 lets its heap
grow towards the limit before it collects, so a long run's worker would grow for nothing."""
TIDY_FRACTION = 8
"""After each run the worker measures its data segment: grown by more than this fraction of
the memory limit, V8 is asked for a full garbage collection before the next run. Garbage
counts against the next run twice over: in the old generation it counts towards mini-racer's
heap check at every young-generation collection (it measures the heap used, not the heap
live), and its pages, like dead array buffers, count towards the process's allowance."""


class Engine:
    """Runs requests on the current isolate and keeps it clean.

    A run is posted to V8 together with the prelude's restore, which V8 starts as soon as the
    run returns, while this process is still answering; the next run queues behind it. The
    prelude refuses to run on a realm it could not restore ("dirty"), which costs a fresh
    isolate and a second try.
    """

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.data_limit = DataLimit(config.data_headroom, config.build_headroom)
        self.isolate = Isolate(config)
        self.recycles = 0
        self._resident = resident_bytes()
        self._settled = 0  # bytes the data segment held beyond its start after the last tidy

    def recycle(self) -> None:
        self.isolate.close()
        with self.data_limit.building():
            self.isolate = Isolate(self.config)
        self.recycles += 1
        self._resident = resident_bytes()
        self._settled = self.data_limit.grown()

    def crowded(self) -> bool:
        """Whether this process still holds more than half its run allowance beyond its start
        after a full collection (pages V8 or the allocator kept from earlier runs). The next
        run would have less room than its own limit and could die of another run's memory, so
        the worker answers, says so, and exits; a fresh one takes the next run."""
        half = self.config.data_headroom // 2
        if self.data_limit.grown() <= half:
            return False
        self.isolate.racer.low_memory_notification()
        self._settled = self.data_limit.grown()  # collected: the tidy-up after answering skips
        return self._settled > half

    def tidy(self) -> None:
        """After answering a run: if the process holds noticeably more than after the last
        collection (garbage of the run: heap pages, array buffers), a full garbage collection,
        so that the next run starts with the whole allowance and is measured against its own
        objects only. What V8 keeps after it (live code, caches) is the next reference."""
        if self.data_limit.grown() <= self._settled + self.config.memory // TIDY_FRACTION:
            return
        self.isolate.racer.low_memory_notification()
        self._settled = self.data_limit.grown()

    def run(self, request: dict[str, Any]) -> tuple[bytes, str | None]:
        """One run: the response frame's body, and what to do once it is sent ("recycle" the
        isolate, "exit" this process, or nothing)."""
        if self.isolate.racer.was_hard_memory_limit_reached():
            # V8's flag stays set once a garbage collection found the heap over the limit, and
            # one after a run has answered (the tidy-up's) sets it for no run: the next run,
            # judged by the flag, would be blamed for "memory". It starts in a fresh isolate.
            self.recycle()
        for _attempt in range(2):
            response = self._run_once(request)
            if response is not None:
                return response
            self.recycle()  # the realm was dirty: once more, in a new isolate
        return json.dumps({"kind": "runtime", "error": "internal: no clean isolate"}).encode(), None

    def _run_once(self, request: dict[str, Any]) -> tuple[bytes, str | None] | None:
        from py_mini_racer import JSEvalException, JSOOMException

        isolate = self.isolate
        started = time.perf_counter()
        code = request["code"]
        if isolate.knows(code):
            compiled = isolate.compile(code)
        else:
            with self.data_limit.building():
                compiled = isolate.compile(code)
        if not isinstance(compiled, Compiled):
            compiled = dict(compiled, duration=time.perf_counter() - started)
            return json.dumps(compiled).encode(), None
        name = isolate.name
        run = (
            f'"use strict";{name}.run({compiled.id},'
            f"{js_string(request['payload'])},{js_string(request['headers'])})"
        )
        try:
            # The run; after its promise jobs, what it returned and logged; then the restore.
            ran, envelope = isolate.channel.submit(
                [(run, True), (f"{name}.collect()", True), (f"{name}.restore()", False)],
                self.config.timeout,
            )
        except JobsStopped as stopped:
            return self._jobs_stopped(stopped.outcomes, compiled.source, started)
        except TimeoutError:
            return self._stopped("timeout", started)
        except Wedged as wedged:
            return self._wedged("timeout", started, jobs=wedged.jobs)
        except JSOOMException:
            return self._stopped("memory", started)
        duration = time.perf_counter() - started
        if ran == "ran" and isolate.racer.was_hard_memory_limit_reached():
            # The code returned; its promise jobs filled the heap, and V8 stopped them.
            return self._jobs_stopped([ran, envelope], compiled.source, started)
        for outcome in (ran, envelope):
            if isinstance(outcome, JSOOMException) or (
                isinstance(outcome, JSEvalException)
                and isolate.racer.was_hard_memory_limit_reached()
            ):
                return self._stopped("memory", started)
        if ran == "dirty":
            return None
        if not isinstance(envelope, str) or not envelope.startswith("{"):
            raise RuntimeError(f"the prelude answered {envelope!r} after a run")
        if isinstance(ran, JSEvalException):
            response = parse_exception(str(ran), compiled.source).as_dict("runtime")
            if _BUFFER_REFUSED.fullmatch(response["error"]):
                response["kind"] = "memory"  # more than this process may hold: its data cap
            response["duration"] = duration
            response["console"] = json.loads(envelope)["console"]
            _fix_console_columns(response["console"], compiled.source)
            return json.dumps(response).encode(), None
        if f"{SOURCE_URL}:1:" in envelope:  # an Error logged from the user's first line
            decoded = json.loads(envelope)
            _fix_console_columns(decoded["console"], compiled.source)
            envelope = json.dumps(decoded)
        head = json.dumps({"kind": "ok", "duration": duration})[:-1]
        return f'{head},"envelope":{envelope}}}'.encode(), None

    def _console(self, timeout: float) -> list[Any]:
        isolate = self.isolate
        return list(json.loads(isolate.evaluate(f"{isolate.name}.takeConsole()", timeout)))

    def _limit_response(self, kind: str, started: float) -> dict[str, Any]:
        if self.isolate.racer.was_hard_memory_limit_reached():
            kind = "memory"
        if kind == "memory":
            error = f"Exceeded the memory limit of {self.config.memory} bytes of JavaScript heap"
        else:
            error = f"Exceeded the time limit of {self.config.timeout:g} s"
        return {"kind": kind, "error": error, "duration": time.perf_counter() - started}

    def _wedged(self, kind: str, started: float, *, jobs: bool = False) -> tuple[bytes, str | None]:
        # Stuck in one built-in call: a giant allocation if this process grew past the limit
        # (mini-racer only notices the heap at the end of a garbage collection).
        now, then = resident_bytes(), self._resident
        if now is not None and then is not None and now - then > self.config.memory:
            kind = "memory"
        response = self._limit_response(kind, started)
        if jobs:
            response["error"] += JOBS_NEVER_SETTLED
        response["restart"] = True
        return json.dumps(response).encode(), "exit"

    def _jobs_stopped(
        self, outcomes: list[Any], source: SourceMap, started: float
    ) -> tuple[bytes, str | None]:
        """The code returned but its promise jobs did not settle within the limits: V8 stopped
        them. The console is what `collect` found after them; the next run gets a fresh
        isolate (a clean job queue, and no termination left pending)."""
        response = self._limit_response("timeout", started)
        response["error"] += JOBS_NEVER_SETTLED
        envelope = outcomes[1] if len(outcomes) > 1 else None
        console: list[list[str]] = []
        if isinstance(envelope, str) and envelope.startswith("{"):
            console = json.loads(envelope)["console"]
        else:  # `collect` was stopped too: the jobs' garbage still filled the heap
            racer = self.isolate.racer
            try:
                racer.low_memory_notification()
                racer.set_hard_memory_limit(self.config.memory)  # clears "reached"
                console = self._console(GRACE)
            except Exception:
                console = []
        _fix_console_columns(console, source)
        response["console"] = console
        return json.dumps(response).encode(), "recycle"

    def _stopped(self, kind: str, started: float) -> tuple[bytes, str | None]:
        """After a run V8 stopped (time or memory): its console if V8 can still be reached, and
        a fresh isolate either way; if V8 cannot be reached, this process exits."""
        response = self._limit_response(kind, started)
        self.isolate.racer.set_hard_memory_limit(self.config.memory)  # clears "reached"
        try:
            response["console"] = self._console(GRACE)
        except (TimeoutError, Wedged):
            response["restart"] = True
            return json.dumps(response).encode(), "exit"
        except Exception:
            response["console"] = []
        return json.dumps(response).encode(), "recycle"


_BUFFER_REFUSED = re.compile(
    r"RangeError: (Array buffer allocation failed|\S+\.prototype\.(resize|grow): Out of memory)"
)
"""How V8 says an array buffer (or a resize or grow of one) found no memory under the cap."""


def _fix_console_columns(lines: list[list[str]], source: SourceMap) -> None:
    for line in lines:
        line[1] = source.user_columns(line[1])
