"""Running transformation code in worker processes that own the V8 isolates."""

from __future__ import annotations

import fcntl
import itertools
import json
import math
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from seen_braze_harness.mocks.braze.transformations.jsruntime.results import (
    ConsoleLine,
    InputTooLarge,
    RunLimits,
    RuntimeBusy,
    RuntimeUnavailable,
    ScriptResult,
)
from seen_braze_harness.mocks.braze.transformations.jsruntime.worker import (
    GRACE,
    SPIN_SECONDS,
    FrameReader,
    WorkerConfig,
    encode_frame,
    read_spinning,
    write_all,
)

JSRUNTIME_DIR = Path(__file__).parent
WORKER_BOOT = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "from worker.serve import main; sys.exit(main(sys.argv))"
)
"""How a worker process starts: ``python -P -c WORKER_BOOT JSRUNTIME_DIR REQUEST_FD
RESPONSE_FD CONFIG_JSON``. The `worker` package is imported from this folder by that name,
first on the path (and the current directory not on it, `-P`), so that the process imports
the standard library and py_mini_racer only, not the mock around the package."""
DEFAULT_LIMITS = RunLimits()
STARTUP_TIMEOUT = 60.0
"""Seconds a new worker gets to import V8 and load the prelude (about 0.2 s here)."""
WATCHDOG_MARGIN = 2.0
"""Seconds past the worker's own limits before the parent kills it as hung."""
WORKER_ENV = {"TZ": "UTC", "LC_ALL": "en_US.UTF-8", "MALLOC_MMAP_THRESHOLD_": "1048576"}
"""*Assumed*: transformations run in UTC with the en-US locale (what `new Date().toString()`
and `Intl` defaults show). A fixed malloc threshold makes glibc hand every block of 1 MiB or
more (an array buffer's) back to the system when it is freed, instead of keeping it in its
heap, where it would count against the worker's data cap for every later run."""


class _WorkerDied(Exception):
    """The worker exited during an exchange (V8 aborts the process on some out-of-memory)."""


class _NotDelivered(Exception):
    """The worker was gone before it could read the request: nothing ran."""


class _WorkerHung(Exception):
    """The worker did not answer in time, even allowing for its own limits."""


class _WorkerProcess:
    """One worker process and the two pipes to it."""

    def __init__(self, config: WorkerConfig) -> None:
        self._closing = threading.Lock()
        request_read, self._request_fd = os.pipe()
        self._response_fd, response_write = os.pipe()
        os.set_blocking(self._response_fd, False)
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        env = dict(os.environ)
        env.update(WORKER_ENV)
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-P",
                    "-c",
                    WORKER_BOOT,
                    str(JSRUNTIME_DIR),
                    str(request_read),
                    str(response_write),
                    json.dumps(asdict(config)),
                ],
                pass_fds=(request_read, response_write),
                stdin=subprocess.DEVNULL,
                stdout=self._stderr,
                stderr=self._stderr,
                env=env,
            )
        except BaseException:
            for fd in (self._request_fd, self._response_fd):
                os.close(fd)
            self._stderr.close()
            raise
        finally:
            os.close(request_read)
            os.close(response_write)
        self._reader = FrameReader()
        self._frames: list[bytes] = []
        self.info: dict[str, Any] | None = None

    def wait_ready(self) -> None:
        if self.info is not None:
            return
        try:
            ready = self._receive(time.monotonic() + STARTUP_TIMEOUT)
        except (_WorkerDied, _WorkerHung) as exc:
            reason = self.death_reason()
            self.kill()
            raise RuntimeUnavailable(f"the JavaScript worker did not start: {reason}") from exc
        self.info = json.loads(ready)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def exchange(self, body: bytes, deadline: float) -> bytes:
        try:
            write_all(self._request_fd, encode_frame(body))
        except BrokenPipeError:
            raise _NotDelivered from None
        return self._receive(deadline)

    def _receive(self, deadline: float) -> bytes:
        while not self._frames:
            data = read_spinning(self._response_fd, SPIN_SECONDS, deadline)
            if data is None:
                raise _WorkerHung
            if not data:
                raise _WorkerDied
            self._frames.extend(self._reader.feed(data))
        return self._frames.pop(0)

    def unread(self) -> int:
        """Bytes of requests still in the pipe to the worker: after it died, more than none
        means it never had the whole of the last one, so nothing of that run started."""
        if self._request_fd < 0:
            return 0
        try:
            raw = fcntl.ioctl(self._request_fd, termios.FIONREAD, b"\0\0\0\0")
        except OSError:
            return 0
        return int(struct.unpack("i", raw)[0])

    def death(self) -> Death:
        """How the worker ended (it is waited for), its peak size, and V8's or Python's last
        words."""
        code, peak = self._reap()
        try:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - 8192))
            tail = self._stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            tail = ""
        started = None if self.info is None else self.info.get("rss")
        grown = None if peak is None or not isinstance(started, int) else peak - started
        return Death(code, _last_words(tail), grown, any(m in tail for m in V8_OOM_REPORT))

    def _reap(self) -> tuple[int | None, int | None]:
        """Wait (5 s at most) for the worker to end: its exit code (negative: the signal) and
        its peak resident size in bytes, which only waiting for it yourself gives (wait4)."""
        process = self.process
        deadline = time.monotonic() + 5
        while process.returncode is None and time.monotonic() < deadline:
            try:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            except ChildProcessError:  # waited for elsewhere already
                break
            if pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                return process.returncode, usage.ru_maxrss * 1024  # Linux: KiB
            time.sleep(0.005)
        try:
            return process.wait(timeout=max(deadline - time.monotonic(), 0.01)), None
        except subprocess.TimeoutExpired:
            return None, None

    def death_reason(self) -> str:
        """Why the worker died, in a line: its exit and V8's own last words if it left some."""
        return self.death().reason

    def kill(self) -> None:
        if self.alive:
            self.process.kill()
        self.close()

    def close(self) -> None:
        """Ask the worker to stop (it exits on end of input) and release everything. Safe from
        two threads at once: each descriptor is taken under a lock and closed once, since a
        second close would close whatever the number had been given to since (another
        server's socket, a pipe)."""
        with self._closing:
            request_fd, self._request_fd = self._request_fd, -1
        if request_fd >= 0:
            os.close(request_fd)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with self._closing:
            response_fd, self._response_fd = self._response_fd, -1
        if response_fd >= 0:
            os.close(response_fd)
        self._stderr.close()


@dataclass(frozen=True)
class Death:
    """How a worker process ended: its exit code (negative: the signal) and its last words."""

    code: int | None
    said: str
    grown: int | None = None
    """Bytes its peak resident size was above its size when it was ready (None: unknown)."""
    oom_report: bool = False
    """Whether its stderr holds (part of) V8's out-of-memory report."""

    @property
    def how(self) -> str:
        if self.code is None:
            return "still running"
        if self.code < 0:
            try:
                return f"killed by {signal.Signals(-self.code).name}"
            except ValueError:
                return f"killed by signal {-self.code}"
        return f"exit status {self.code}"

    @property
    def reason(self) -> str:
        return f"{self.how}: {self.said}" if self.said else self.how

    def out_of_memory(self, cap: int) -> bool:
        """Whether the evidence says the worker ran out of memory: it said so (V8's fatal
        out-of-memory report, Python's MemoryError), or V8 aborted it (a signal other than
        a kill from outside) after it grew to half its data `cap` or more: V8 aborts without
        a word when the system refuses it a page it did not expect to be refused. A SIGKILL
        is not evidence: one from outside and one from the kernel's out-of-memory killer look
        the same to a parent."""
        words = self.said.lower()
        if self.oom_report or "out of memory" in words or "memoryerror" in words:
            return True
        aborted = self.code is not None and self.code < 0 and -self.code not in _KILLS
        return aborted and self.grown is not None and self.grown >= cap // 2


V8_OOM_REPORT = (
    "<--- Last few GCs --->",
    "<--- JS stacktrace --->",
    "Fatal JavaScript out of memory",
)
"""What V8 writes to stderr when it gives up on an allocation."""
_KILLS = frozenset({signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP})


def _last_words(tail: str) -> str:
    """The line of a worker's stderr that says why it ended: V8's fatal message, or the last
    line of a Python traceback (the exception itself)."""
    lines = [line.strip("# \t") for line in tail.splitlines() if line.strip("# \t")]
    for index, text in enumerate(lines):
        if text.startswith("Traceback"):
            return lines[-1] if index < len(lines) - 1 else text
        if text.startswith(("Fatal", "Error")) or "out of memory" in text:
            return text
    return lines[-1] if lines else ""


class _Slot:
    """A place in the pool: at most one worker process at a time, started when first needed
    and again after it died. `lock` is held for each exchange."""

    def __init__(self, config: WorkerConfig, *, start: bool = True) -> None:
        self._config = config
        self.lock = threading.Lock()
        self.process: _WorkerProcess | None = _WorkerProcess(config) if start else None

    def _ready_process(self) -> _WorkerProcess:
        process = self.process
        if process is not None and not process.alive:
            process.kill()
            process = None
        if process is None:
            process = self.process = _WorkerProcess(self._config)
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
                except _NotDelivered:
                    self._replace(process)
                    continue
                except _WorkerDied:
                    unread = process.unread()
                    death = process.death()
                    self._replace(process)
                    if unread:  # killed before it had the whole request: nothing of it ran
                        continue
                    return self._died(death, time.monotonic() - started), started
                except _WorkerHung:
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

    def _replace(self, process: _WorkerProcess) -> None:
        process.kill()
        self.process = _WorkerProcess(self._config)

    def close(self) -> None:
        with self.lock:
            if self.process is not None:
                self.process.close()
                self.process = None


def _close_slots(slots: list[_Slot]) -> None:
    for slot in slots:
        slot.close()


def _worker_config(limits: RunLimits) -> WorkerConfig:
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


DEFAULT_RETRY_AFTER = 1
"""Seconds a refused run is told to wait at least (`RuntimeBusy.retry_after`)."""


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
class _FairQueue:
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


class _Claim:
    """A caller waiting for a worker; `slot` is set, then `ready`, when one is handed over."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.slot: _Slot | None = None


class TransformationRuntime:
    """Runs Data Transformation code: a function body that sees `payload` and `headers`.

    Each run is isolated from the others (see prelude.js), limited in time and memory, and
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
        self._config = _worker_config(limits)
        self._slots = [_Slot(self._config, start=index == 0) for index in range(workers)]
        self._idle: list[_Slot] = self._slots[:1]  # started and free, the warmest last
        self._unstarted: list[_Slot] = self._slots[:0:-1]
        self._claims: deque[_Claim] = deque()
        self._waiting = _FairQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._finalizer = weakref.finalize(self, _close_slots, self._slots)

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
        return _result(answer, started - asked)

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
            outcome = _result(answer, started - queued.submitted)
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

    def _take(self) -> _Slot:
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

    def _give_back(self, slot: _Slot) -> None:
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


def _result(answer: dict[str, Any], queued: float = 0.0) -> ScriptResult:
    kind = answer["kind"]
    duration = float(answer.get("duration", 0.0))
    queued = max(queued, 0.0)
    if kind == "ok":
        envelope = answer["envelope"]
        console = _console(envelope["console"])
        if "oversize" in envelope:
            return ScriptResult(
                output=None,
                returned=True,
                error_kind="runtime",
                error=(
                    f"Output too large: the returned value serialises to {envelope['oversize']} "
                    "characters of JSON, over the limit"
                ),
                line=None,
                column=None,
                console=console,
                duration=duration,
                queued=queued,
            )
        return ScriptResult(
            output=envelope["output"],
            returned=bool(envelope["returned"]),
            depth=envelope.get("deep"),
            error_kind=None,
            error=None,
            line=None,
            column=None,
            console=console,
            duration=duration,
            queued=queued,
        )
    return ScriptResult(
        output=None,
        returned=False,
        error_kind=kind,
        error=printable(answer.get("error")),
        line=answer.get("line"),
        column=answer.get("column"),
        console=_console(answer.get("console", [])),
        duration=duration,
        queued=queued,
        stack=printable(answer.get("stack")),
    )


def _console(lines: list[list[str]]) -> tuple[ConsoleLine, ...]:
    return tuple(
        ConsoleLine(level, printable(text) or "")  # type: ignore[arg-type]
        for level, text in lines
    )


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str | None) -> str | None:
    """Text a JavaScript program built, each lone surrogate (which UTF-8 cannot carry, so
    no log, journal or answer could) replaced by U+FFFD: for console lines and errors."""
    if text is None or text.isascii():
        return text
    return _LONE_SURROGATE.sub("\ufffd", text)
