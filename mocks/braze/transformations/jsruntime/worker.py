"""The process that owns the V8 isolate, so that V8 aborting on an out-of-memory kills only it.

The parent (`TransformationRuntime`) starts it as ``python worker.py REQUEST_FD RESPONSE_FD
CONFIG_JSON`` and speaks length-prefixed JSON frames over the two pipes: one request, one
response, strictly in turn. Only the standard library and py_mini_racer are imported here, and
py_mini_racer only once running, so the parent can import the framing helpers cheaply.

One isolate serves every run; the prelude (prelude.js) restores the realm after each one. The
restore is posted right behind the run, so V8 does it while this process answers. A run that
hits the time or memory limit, or a restore that reports changes it cannot undo, costs a fresh
isolate. When V8 is wedged in a built-in that ignores termination, the worker answers and
exits; the parent starts another.

The promise jobs a run leaves (then callbacks, await) run before anything else: mini-racer's
message pump drains the job queue after every script. Jobs that do not settle within the time
limit are terminated through V8 itself (no cancel of mini-racer's reaches them) and the run is
reported as such; the next run gets a fresh isolate, so each one starts on an empty job queue.

Everything this process allocates during a run (V8's heap, array buffers, V8's and Python's
working memory) comes out of one cap on its data segment (`DataLimit`, RLIMIT_DATA), sized from
the memory limit; after a run that left garbage, V8 collects it before the next run starts.
"""

from __future__ import annotations

import ctypes
import json
import os
import queue
import re
import secrets
import select
import struct
import sys
import time
from collections import OrderedDict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from py_mini_racer import MiniRacer

FRAME_HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 256 * 1024 * 1024
SOURCE_URL = "transformation.js"
"""The name V8 gives the user's code in positions and stack frames."""
PRELUDE_PATH = Path(__file__).with_name("prelude.js")
FUNCTION_BODY_FIRST_LINE = 3
"""`new Function(a, b, body)` compiles "(function anonymous(a,b\\n) {\\nBODY\\n})"."""
GRACE = 0.5
"""Seconds V8 gets, after a run is stopped, to take another task; beyond it, it is wedged."""
STARTUP_TIMEOUT = 30.0
JOBS_NEVER_SETTLED = (
    ": the code returned, but the promise jobs it queued (then callbacks, await) never settled"
)
"""Said after the limit a run crossed in the promise jobs it left rather than in its code."""
PUBLIC_API_ENV = "SEEN_BRAZE_JS_PUBLIC_API"
"""Set to 1, the worker reaches V8 through mini-racer's public API only (slower; for tests)."""


# -- framing (shared with the parent) ---------------------------------------------------------
def encode_frame(body: bytes) -> bytes:
    return FRAME_HEADER.pack(len(body)) + body


class FrameReader:
    """Splits a byte stream into frames."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        frames: list[bytes] = []
        while len(self._buffer) >= FRAME_HEADER.size:
            (size,) = FRAME_HEADER.unpack_from(self._buffer)
            if size > MAX_FRAME_BYTES:
                raise ValueError(f"frame of {size} bytes exceeds {MAX_FRAME_BYTES}")
            end = FRAME_HEADER.size + size
            if len(self._buffer) < end:
                break
            frames.append(bytes(self._buffer[FRAME_HEADER.size : end]))
            del self._buffer[:end]
        return frames


SPIN_SECONDS = 0.003
"""How long a reader polls its pipe before it sleeps. Waking a sleeping process costs tens of
microseconds on a small virtual machine, more than a typical run: while runs follow each
other closely (an end-to-end run sends one every few milliseconds), neither side sleeps."""


TIDY_EVERY = 1000
"""Runs between full garbage collections V8 is asked for: left to itself, V8 lets its heap
grow towards the limit before it collects, so a long run's worker would grow for nothing."""
TIDY_FRACTION = 8
"""After each run the worker measures its data segment: grown by more than this fraction of
the memory limit, V8 is asked for a full garbage collection before the next run. Garbage
counts against the next run twice over: in the old generation it counts towards mini-racer's
heap check at every young-generation collection (it measures the heap used, not the heap
live), and its pages, like dead array buffers, count towards the process's allowance."""


def read_spinning(fd: int, spin: float, deadline: float | None = None) -> bytes | None:
    """What `fd` (non-blocking) has, polling for `spin` seconds, then waiting in `select`
    until `deadline` (monotonic; None: for ever). None when the deadline passed first."""
    polling_until = time.monotonic() + spin
    while True:
        try:
            return os.read(fd, 1 << 16)
        except BlockingIOError:
            pass
        now = time.monotonic()
        if now < polling_until:
            continue
        if deadline is not None and now >= deadline:
            return None
        select.select([fd], [], [], None if deadline is None else deadline - now)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


# -- what V8 says about an exception ----------------------------------------------------------
@dataclass(frozen=True)
class WorkerConfig:
    timeout: float
    memory: int
    console_chars: int
    output_chars: int
    code_cache: int
    heap_mb: int
    semi_space_mb: int
    data_headroom: int
    build_headroom: int

    @classmethod
    def from_json(cls, text: str) -> WorkerConfig:
        return cls(**json.loads(text))


@dataclass(frozen=True)
class Failure:
    """A thrown exception as the parent reports it: description, user position, user stack."""

    error: str
    line: int | None = None
    column: int | None = None
    stack: str | None = None

    def as_dict(self, kind: str) -> dict[str, Any]:
        return {
            "kind": kind,
            "error": self.error,
            "line": self.line,
            "column": self.column,
            "stack": self.stack,
        }


_PREFIX = re.compile(r"(.*?):(-?\d+): ")
_CARET = re.compile(r" *\^+")
_FRAME = re.compile(re.escape(SOURCE_URL) + r":(\d+):(\d+)")
_FIRST_LINE_FRAME = re.compile(re.escape(SOURCE_URL) + r":1:(\d+)")


@dataclass(frozen=True)
class SourceMap:
    """Where the user's code sits in the script V8 saw: it starts at `first_line`, and its own
    first line is preceded there by `indent` characters of wrapper."""

    code: str
    first_line: int = 1
    indent: int = 0

    @property
    def lines(self) -> list[str]:
        return self.code.split("\n")

    def script_line(self, line: int) -> str | None:
        index = line - self.first_line
        lines = self.lines
        if not 0 <= index < len(lines):
            return None
        return (" " * self.indent if index == 0 else "") + lines[index]

    def to_user(self, line: int, column: int | None) -> tuple[int, int | None]:
        """A script position as a position in the user's code; one past the end of the code
        stands for positions in the wrapper after it (an unclosed brace, say)."""
        lines = self.lines
        user_line = line - self.first_line + 1
        if user_line > len(lines):
            return len(lines), len(lines[-1]) + 1
        user_line = max(user_line, 1)
        if column is not None and user_line == 1:
            column = max(column - self.indent, 1)
        return user_line, column

    def user_columns(self, text: str) -> str:
        """Frames on the user's first line in `text` with the user's columns."""
        if self.first_line != 1 or not self.indent or f"{SOURCE_URL}:1:" not in text:
            return text
        return _FIRST_LINE_FRAME.sub(
            lambda m: f"{SOURCE_URL}:1:{max(int(m.group(1)) - self.indent, 1)}", text
        )

    def user_stack(self, stack: str) -> str:
        """The stack without the runner's frames, columns on the first line made the user's."""
        kept = [
            line
            for line in stack.split("\n")
            if not line.startswith("    at ") or f"{SOURCE_URL}:" in line
        ]
        return self.user_columns("\n".join(kept))


def parse_exception(text: str, source: SourceMap, resource: str = SOURCE_URL) -> Failure:
    """mini-racer reports an exception as d8 prints it: "NAME:LINE: DESCRIPTION", the source
    line, a caret line, and (for Error objects) a blank line and the stack. `resource` is the
    script name V8 gives the code in `source`."""
    prefix = _PREFIX.match(text)
    if prefix is None:
        return Failure(text.strip() or "Error")
    name, line = prefix.group(1), int(prefix.group(2))
    rest = text[prefix.end() :].rstrip("\n").split("\n")
    expected = source.script_line(line) if name == resource else None
    caret = None
    for index in range(1, len(rest)):
        if _CARET.fullmatch(rest[index]) and (expected is None or rest[index - 1] == expected):
            caret = index
            break
    if caret is None and expected is not None:
        caret = next((i for i in range(1, len(rest)) if _CARET.fullmatch(rest[i])), None)
    if caret is None:
        description, column, tail = rest[0], None, rest[1:]
    else:
        description = "\n".join(rest[: caret - 1])
        column = rest[caret].index("^") + 1
        tail = rest[caret + 1 :]
    stack = "\n".join(tail).strip("\n") or None
    # An Error's own top frame in the user's code is where it happened (as Node's stack shows);
    # V8's message position is the statement that threw, for values without a stack.
    position: tuple[int, int | None] | None = None
    frame = _FRAME.search(stack) if stack is not None else None
    if frame is not None:
        position = source.to_user(int(frame.group(1)), int(frame.group(2)))
    elif name == resource:
        position = source.to_user(line, column)
    if stack is None:
        # Not an Error object: V8 printed String(value).
        description = f"Uncaught {description}"
    user_stack = source.user_stack(stack) if stack is not None and resource == SOURCE_URL else None
    return Failure(
        description,
        None if position is None else position[0],
        None if position is None else position[1],
        user_stack,
    )


def js_string(text: str) -> str:
    """`text` as a JavaScript string literal (JSON strings are JavaScript strings)."""
    return json.dumps(text)


# -- the way to V8 --------------------------------------------------------------------------------
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


# -- one isolate --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Compiled:
    id: int
    source: SourceMap


class Isolate:
    """A V8 isolate with the prelude loaded and the user code compiled in it so far."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.name = "__dt" + secrets.token_hex(16)
        self.channel = Channel()
        self.racer = self.channel.racer
        self._compiled: OrderedDict[str, Compiled | dict[str, Any]] = OrderedDict()
        self._next_id = 0
        limits = {
            "consoleChars": config.console_chars,
            "outputChars": config.output_chars,
        }
        prelude = (
            PRELUDE_PATH.read_text("utf-8")
            .replace("__DT_RUNTIME__", self.name)
            .replace("__DT_LIMITS__", json.dumps(limits))
        )
        self.evaluate(prelude, STARTUP_TIMEOUT)
        self.racer.set_hard_memory_limit(config.memory)

    def evaluate(self, script: str, timeout: float) -> Any:
        return self.channel.evaluate(script, timeout)

    def knows(self, code: str) -> bool:
        """Whether `code` was compiled here already (or found not to compile)."""
        return code in self._compiled

    def compile(self, code: str) -> Compiled | dict[str, Any]:
        """The user's code as a factory of fresh functions, or why it cannot be one."""
        from py_mini_racer import JSEvalException

        known = self._compiled.get(code)
        if known is not None:
            self._compiled.move_to_end(code)
            return known
        entry: Compiled | dict[str, Any]
        try:
            self.evaluate(f'"use strict";{self.name}.check({js_string(code)})', self.config.timeout)
        except TimeoutError:
            return {"kind": "timeout", "error": "Compiling the code exceeded the time limit"}
        except JSEvalException as exc:
            body = SourceMap(code, first_line=FUNCTION_BODY_FIRST_LINE)
            entry = parse_exception(str(exc), body, resource="undefined").as_dict("syntax")
            entry["stack"] = None
        else:
            entry = self._define(code)
        self._compiled[code] = entry
        while len(self._compiled) > self.config.code_cache:
            _, old = self._compiled.popitem(last=False)
            if isinstance(old, Compiled):
                self.evaluate(f"{self.name}.forget({old.id})", self.config.timeout)
        return entry

    def _define(self, code: str) -> Compiled | dict[str, Any]:
        from py_mini_racer import JSEvalException

        self._next_id += 1
        header = (
            f"{self.name}.define({self._next_id}, "
            "function () { return function (payload, headers) {"
        )
        script = f"{header}{code}\n}}; }});\n//# sourceURL={SOURCE_URL}"
        source = SourceMap(code, first_line=1, indent=len(header))
        try:
            self.evaluate(script, self.config.timeout)
        except TimeoutError:
            return {"kind": "timeout", "error": "Compiling the code exceeded the time limit"}
        except JSEvalException as exc:
            entry = parse_exception(str(exc), source, resource="<anonymous>").as_dict("syntax")
            entry["stack"] = None
            return entry
        return Compiled(self._next_id, source)

    def close(self) -> None:
        self.channel.close()


# -- the engine: runs, restores, recycles --------------------------------------------------------
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
        self._resident = _resident_bytes()
        self._settled = 0  # bytes the data segment held beyond its start after the last tidy

    def recycle(self) -> None:
        self.isolate.close()
        with self.data_limit.building():
            self.isolate = Isolate(self.config)
        self.recycles += 1
        self._resident = _resident_bytes()
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
        now, then = _resident_bytes(), self._resident
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
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _resident_bytes() -> int | None:
    """This process's resident memory (Linux; None elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _fix_console_columns(lines: list[list[str]], source: SourceMap) -> None:
    for line in lines:
        line[1] = source.user_columns(line[1])


# -- the process ---------------------------------------------------------------------------------
class DataLimit:
    """The cap on what this process may allocate beyond its size once started (RLIMIT_DATA):
    V8's heap pages, array buffers, strings V8 flattens and its own working memory all come
    out of it, so an allocation past it fails whatever mini-racer's heap check has seen.
    Compiling new code and building an isolate get a larger allowance than running code."""

    def __init__(self, run: int, build: int) -> None:
        self.base: int | None = None
        self._run, self._build = run, build
        self._current: int | None = None
        self._statm = -1
        self._statm_base: int | None = None

    def grown(self) -> int:
        """Bytes the data segment holds beyond its size at `start` (0 when it cannot be
        measured): a read of /proc/self/statm, about a microsecond."""
        now = self._statm_data()
        return 0 if now is None or self._statm_base is None else now - self._statm_base

    def _statm_data(self) -> int | None:
        if self._statm < 0:
            return None
        try:
            return int(os.pread(self._statm, 256, 0).split()[5]) * _PAGE
        except (OSError, IndexError, ValueError):
            return None

    def start(self) -> None:
        """Measure the process as it is now and apply the run allowance (Linux; elsewhere,
        nothing is capped)."""
        try:
            import resource  # noqa: F401

            status = Path("/proc/self/status").read_text()
        except (ImportError, OSError):
            return
        match = re.search(r"^VmData:\s+(\d+) kB", status, re.MULTILINE)
        if match is not None:
            self.base = int(match.group(1)) * 1024
            self._apply(self._run)
            try:
                self._statm = os.open("/proc/self/statm", os.O_RDONLY)
            except OSError:
                self._statm = -1
            self._statm_base = self._statm_data()

    @contextmanager
    def building(self) -> Iterator[None]:
        """The larger allowance while V8 compiles new code or loads the prelude."""
        if self.base is None:
            yield
            return
        self._apply(self._build)
        try:
            yield
        finally:
            self._apply(self._run)

    def _apply(self, headroom: int) -> None:
        import resource

        assert self.base is not None
        limit = self.base + headroom
        if limit == self._current:
            return
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
        self._current = limit


def _restarting(body: bytes) -> bytes:
    """A run's answer that also tells the parent this worker exits after it."""
    answer = json.loads(body)
    answer["restart"] = True
    return json.dumps(answer).encode()


def serve(request_fd: int, response_fd: int, config: WorkerConfig) -> None:
    engine = Engine(config)
    engine.data_limit.start()
    ready = {
        "ready": True,
        "pid": os.getpid(),
        "v8": engine.isolate.racer.v8_version,
        "heap_limit": engine.isolate.racer.heap_stats()["heap_size_limit"],
        "direct": engine.isolate.channel.direct,
        "recorded_objects": engine.isolate.evaluate(f"{engine.isolate.name}.recordCount()", 5),
        "rss": _resident_bytes(),
    }
    write_all(response_fd, encode_frame(json.dumps(ready).encode()))
    reader = FrameReader()
    runs = 0
    os.set_blocking(request_fd, False)
    while True:
        data = read_spinning(request_fd, SPIN_SECONDS)
        if not data:
            break
        for frame in reader.feed(data):
            request = json.loads(frame)
            if request.get("op") == "stats":
                body = json.dumps({"recycles": engine.recycles}).encode()
                write_all(response_fd, encode_frame(body))
                continue
            body, then = engine.run(request)
            fresh = then == "recycle"
            if fresh:  # before answering: what the old isolate held is given back first, so
                engine.recycle()  # that the crowding check sees only what the process keeps
                then = None
            if then is None and engine.crowded():
                body, then = _restarting(body), "exit"
            write_all(response_fd, encode_frame(body))
            runs += 1
            # After answering: the caller does not wait for it.
            if then == "exit":  # the isolate's thread is wedged, or the process holds memory
                os._exit(0)  # another run would die of: no orderly shutdown is possible
            if fresh:
                continue
            if runs % TIDY_EVERY == 0:
                engine.isolate.racer.low_memory_notification()
            else:
                engine.tidy()
    engine.isolate.close()


def main(argv: list[str]) -> int:
    request_fd, response_fd = int(argv[1]), int(argv[2])
    config = WorkerConfig.from_json(argv[3])
    from py_mini_racer import DEFAULT_V8_FLAGS, init_mini_racer

    init_mini_racer(
        flags=[
            *DEFAULT_V8_FLAGS,
            f"--max-old-space-size={config.heap_mb}",
            f"--max-semi-space-size={config.semi_space_mb}",
        ]
    )
    serve(request_fd, response_fd, config)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
