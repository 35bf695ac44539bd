"""The way to V8: scripts posted to one isolate in order, each result awaited or dropped,
and a script or the promise jobs it left stopped when they run past their time."""

from __future__ import annotations

import ctypes
import os
import queue
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from py_mini_racer import MiniRacer

GRACE = 0.5
"""Seconds V8 gets, after a run is stopped, to take another task; beyond it, it is wedged."""
STARTUP_TIMEOUT = 30.0
PUBLIC_API_ENV = "SEEN_BRAZE_JS_PUBLIC_API"
"""Set to 1, the worker reaches V8 through mini-racer's public API only (slower; for tests)."""


class Wedged(Exception):
    """V8 was told to stop a script and did not within `GRACE`: a built-in that ignores
    termination (one giant allocation, say) holds the isolate's thread. `jobs`: what ran past
    the limit were the promise jobs a script left, not the script itself."""

    def __init__(self, *, jobs: bool = False) -> None:
        super().__init__("jobs" if jobs else "script")
        self.jobs = jobs


class JobsStopped(Exception):
    """The first script returned in time, but the promise jobs it left kept V8 busy past the
    limit (V8 runs them all before it takes the next script): they were terminated. `outcomes`
    are those of every wanted script, as `Channel.submit` gives them; the ones after the first
    ran once the job queue was stopped (or were stopped with it)."""

    def __init__(self, outcomes: list[Any]) -> None:
        super().__init__("promise jobs stopped")
        self.outcomes = outcomes


GET_CURRENT_ISOLATE = "_ZN2v87Isolate10GetCurrentEv"
TERMINATE_EXECUTION = "_ZN2v87Isolate18TerminateExecutionEv"
"""V8's own `v8::Isolate::GetCurrent()` and `v8::Isolate::TerminateExecution()`, which
libmini_racer exports. mini-racer terminates a script only while its task runs; the promise
jobs a script leaves run after the task, in the microtask checkpoint of mini-racer's message
pump, where no cancel reaches. TerminateExecution may be called from any thread and stops
whatever JavaScript the isolate runs, the checkpoint included (V8 then empties the job
queue)."""


class _DirectPath:
    """Posting scripts straight to mini-racer's task queue and taking the results from the queue
    its callback fills, without its asyncio plumbing: about half the cost of `MiniRacer.eval`
    per script on a small machine. These are py_mini_racer internals (as of 0.14.1); `attach`
    checks that they work and answers None otherwise, and the worker uses the public API."""

    def __init__(self, racer: MiniRacer) -> None:
        context = racer._ctx
        assert context is not None
        self._context = context
        self._dll = context._dll
        self._handle = context._ctx
        self._results: queue.Queue[Any] = context._non_cancelable_mr_task_results_queue
        self._scripts: deque[Any] = deque()  # each script's handle, alive until its result
        self._constants: dict[str, Any] = {}  # handles of scripts posted again and again
        self._isolate: int | None = None  # the v8::Isolate, once `attach` found it
        self._terminate: Any = None

    @classmethod
    def attach(cls, racer: MiniRacer) -> _DirectPath | None:
        try:
            direct = cls(racer)
            with direct._noting_the_isolate():
                direct.post("1 + 1")
                value = direct.take(5.0)
            if direct.result(value) != 2:
                return None
        except Exception:
            return None
        return direct

    @contextmanager
    def _noting_the_isolate(self) -> Iterator[None]:
        """Note the isolate from inside the next result callback: mini-racer calls it on the
        isolate's own thread, the only place where V8 says which isolate it is."""
        try:
            current = getattr(self._dll, GET_CURRENT_ISOLATE)
            terminate = getattr(self._dll, TERMINATE_EXECUTION)
        except AttributeError:
            yield
            return
        current.restype, current.argtypes = ctypes.c_void_p, []
        terminate.restype, terminate.argtypes = None, [ctypes.c_void_p]
        results = self._results
        put = results.put

        def noting_put(item: Any, block: bool = True, timeout: float | None = None) -> None:
            if self._isolate is None:
                self._isolate = current()
            put(item, block, timeout)

        results.put = noting_put  # type: ignore[method-assign]
        try:
            yield
        finally:
            del results.put
        if self._isolate:
            self._terminate = terminate

    def terminate(self) -> bool:
        """Stop whatever JavaScript the isolate runs now (promise jobs included); False when
        the isolate could not be found."""
        if self._terminate is None or not self._isolate:
            return False
        self._terminate(self._isolate)
        return True

    def post(self, script: str, *, constant: bool = False) -> int:
        """Post a script; a `constant` one keeps its V8-side copy for the next post (V8 only
        reads it)."""
        code = self._constants.get(script) if constant else None
        if code is None:
            code = self._context._python_to_value_handle(script)
            if constant:
                self._constants[script] = code
        self._scripts.append(code)
        return int(self._dll.mr_eval(self._handle, code.raw, 0))

    def take(self, timeout: float) -> Any:
        """The next result, in posting order (raises queue.Empty after `timeout`)."""
        value = self._results.get(timeout=max(timeout, 0.0))
        self._scripts.popleft()
        return value

    def cancel(self, task: int) -> None:
        self._dll.mr_cancel_task(self._handle, task)

    def result(self, value: Any) -> Any:
        return self._context._value_handle_to_python(value)


class Channel:
    """Scripts to one V8 isolate, run in the order posted; each result is awaited or dropped.

    V8 runs pending promise jobs after each script, before the next one starts, so a script
    posted behind another sees the world after the first one's promise jobs.
    """

    def __init__(self) -> None:
        self.racer = _bare_racer()
        public_only = os.environ.get(PUBLIC_API_ENV) == "1"
        self._direct = None if public_only else _DirectPath.attach(self.racer)
        self._expected: deque[tuple[int, bool]] = deque()  # (task, wanted) per posted script

    @property
    def direct(self) -> bool:
        return self._direct is not None

    def evaluate(self, script: str, timeout: float) -> Any:
        """The script's value; raises what it threw, TimeoutError, or Wedged."""
        (outcome,) = self.submit([(script, True)], timeout)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def submit(self, scripts: list[tuple[str, bool]], timeout: float) -> list[Any]:
        """Post `scripts` at once (all but the first are taken to be the same text each time)
        and return the outcomes of those marked wanted, in order:
        each its value, or the exception it raised. The others run unwaited-for (their results
        are dropped), so V8 gets on with them while this process answers. Raises TimeoutError
        when the wanted ones are not all done within `timeout` (or the memory error, when
        that is what stopped them), and Wedged when V8 cannot be stopped."""
        direct = self._direct
        if direct is None:
            return self._submit_public(scripts, timeout)
        deadline = time.monotonic() + timeout
        waiting: list[int] = []
        for index, (script, wanted) in enumerate(scripts):
            task = direct.post(script, constant=index > 0)
            self._expected.append((task, wanted))
            if wanted:
                waiting.append(task)
        outcomes: list[Any] = []
        while len(outcomes) < len(waiting):
            try:
                value = direct.take(deadline - time.monotonic())
            except queue.Empty:
                if outcomes:  # the first returned: V8 is still in the promise jobs it left
                    self._stop_jobs(len(waiting) - len(outcomes), outcomes)
                return self._stop(waiting[len(outcomes) :], timeout, jobs=bool(outcomes))
            _, wanted = self._expected.popleft()
            if wanted:
                outcomes.append(self._outcome(value))
        return outcomes

    def _stop_jobs(self, due: int, outcomes: list[Any]) -> None:
        """Out of time in the promise jobs the first script left: terminate them and take the
        outcomes of the `due` wanted scripts behind, which V8 runs next (raises JobsStopped),
        or Wedged when V8 does not get to them within `GRACE`. Without a way to terminate
        (mini-racer's internals differ), nothing is done and the caller stops as for a
        script."""
        assert self._direct is not None
        if not self._direct.terminate():
            return
        while due:
            try:
                value = self._direct.take(GRACE)
            except queue.Empty:
                raise Wedged(jobs=True) from None
            _, wanted = self._expected.popleft()
            if wanted:
                due -= 1
                outcomes.append(self._outcome(value))
        raise JobsStopped(outcomes)

    def _outcome(self, value: Any) -> Any:
        assert self._direct is not None
        try:
            return self._direct.result(value)
        except Exception as exc:
            return exc

    def _stop(self, tasks: list[int], timeout: float, *, jobs: bool = False) -> list[Any]:
        """Out of time: stop the tasks still due (the running one is terminated, the others
        dropped) and wait, briefly, for V8 to report each of them. `jobs`: V8 is in the
        promise jobs of a script that returned, which no cancel stops."""
        from py_mini_racer import JSOOMException

        assert self._direct is not None
        for task in tasks:
            self._direct.cancel(task)
        remaining = len(tasks)
        memory = None
        while remaining:
            try:
                value = self._direct.take(GRACE)
            except queue.Empty:
                raise Wedged(jobs=jobs) from None
            _, wanted = self._expected.popleft()
            if wanted:
                remaining -= 1
                outcome = self._outcome(value)
                if isinstance(outcome, JSOOMException):
                    memory = outcome
        if memory is not None:
            raise memory
        raise TimeoutError(f"stopped after {timeout:g} s")

    def _submit_public(self, scripts: list[tuple[str, bool]], timeout: float) -> list[Any]:
        deadline = time.monotonic() + timeout
        outcomes: list[Any] = []
        for script, wanted in scripts:
            remaining = max(deadline - time.monotonic(), 0.001) if wanted else STARTUP_TIMEOUT
            value: Any
            try:
                value = self.racer.eval(script, timeout_sec=remaining)
            except TimeoutError:
                if outcomes:  # promise jobs of the first: only this process exiting ends them
                    raise Wedged(jobs=True) from None
                raise
            except Exception as exc:
                value = exc
            if wanted:
                outcomes.append(value)
        return outcomes

    def close(self) -> None:
        self.racer.close()


def _bare_racer() -> MiniRacer:
    """A MiniRacer without the setTimeout shim its constructor installs: nothing can run
    between two runs, and `setTimeout` is simply not there (as in plain ECMAScript)."""
    from py_mini_racer import MiniRacer

    class BareRacer(MiniRacer):
        skipped_shim = False

        def eval(
            self,
            code: str,
            timeout: float | None = None,
            timeout_sec: float | None = None,
            max_memory: int | None = None,
        ) -> Any:
            if not self.skipped_shim and "class __TimerManager" in code:
                self.skipped_shim = True
                return None
            return super().eval(code, timeout, timeout_sec, max_memory)

    return BareRacer()
