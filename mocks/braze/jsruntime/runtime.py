"""Running transformation code in worker processes that own the V8 isolates."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from mocks.braze.jsruntime.results import (
    ConsoleLine,
    InputTooLarge,
    RunLimits,
    RunResult,
    RuntimeUnavailable,
)
from mocks.braze.jsruntime.worker import (
    GRACE,
    SPIN_SECONDS,
    FrameReader,
    WorkerConfig,
    encode_frame,
    read_spinning,
    write_all,
)

WORKER_PATH = Path(__file__).with_name("worker.py")
DEFAULT_LIMITS = RunLimits()
STARTUP_TIMEOUT = 60.0
"""Seconds a new worker gets to import V8 and load the prelude (about 0.2 s here)."""
WATCHDOG_MARGIN = 2.0
"""Seconds past the worker's own limits before the parent kills it as hung."""
WORKER_ENV = {"TZ": "UTC", "LC_ALL": "en_US.UTF-8"}
"""*Assumed*: transformations run in UTC with the en-US locale (what `new Date().toString()`
and `Intl` defaults show)."""


class _WorkerDied(Exception):
    """The worker exited during an exchange (V8 aborts the process on some out-of-memory)."""


class _NotDelivered(Exception):
    """The worker was gone before it could read the request: nothing ran."""


class _WorkerHung(Exception):
    """The worker did not answer in time, even allowing for its own limits."""


class _WorkerProcess:
    """One worker process and the two pipes to it."""

    def __init__(self, config: WorkerConfig) -> None:
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
                    str(WORKER_PATH),
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

    def death_reason(self) -> str:
        """Why the worker died, in a line: its exit and V8's own last words if it left some."""
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        if code is None:
            how = "still running"
        elif code < 0:
            how = f"killed by {signal.Signals(-code).name}"
        else:
            how = f"exit status {code}"
        said = ""
        try:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - 8192))
            tail = self._stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            tail = ""
        for line in tail.splitlines():
            text = line.strip("# \t")
            if text.startswith(("Fatal", "Error", "Traceback")) or "out of memory" in text:
                said = text
                break
        if not said:
            lines = [line for line in tail.splitlines() if line.strip()]
            said = lines[-1].strip() if lines else ""
        return f"{how}: {said}" if said else how

    def kill(self) -> None:
        if self.alive:
            self.process.kill()
        self.close()

    def close(self) -> None:
        """Ask the worker to stop (it exits on end of input) and release everything."""
        if self._request_fd >= 0:
            os.close(self._request_fd)
            self._request_fd = -1
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self._response_fd >= 0:
            os.close(self._response_fd)
            self._response_fd = -1
        self._stderr.close()


class _Slot:
    """A place in the pool: at most one worker process at a time, started again when needed."""

    def __init__(self, config: WorkerConfig) -> None:
        self._config = config
        self.process: _WorkerProcess | None = _WorkerProcess(config)

    def _ready_process(self) -> _WorkerProcess:
        process = self.process
        if process is not None and not process.alive:
            process.kill()
            process = None
        if process is None:
            process = self.process = _WorkerProcess(self._config)
        process.wait_ready()
        return process

    def exchange(self, body: bytes, allowance: float) -> dict[str, Any]:
        """The worker's answer within `allowance` seconds; a worker that dies or hangs is
        replaced (the new one warms up while the caller goes on) and the run reported."""
        for _attempt in range(2):
            process = self._ready_process()
            started = time.monotonic()
            try:
                answer: dict[str, Any] = json.loads(process.exchange(body, started + allowance))
            except _NotDelivered:
                self._replace(process)
                continue
            except _WorkerDied:
                reason = process.death_reason()
                self._replace(process)
                return {
                    "kind": "memory",
                    "error": f"The JavaScript worker crashed ({reason}), most likely out of memory",
                    "duration": time.monotonic() - started,
                }
            except _WorkerHung:
                self._replace(process)
                return {
                    "kind": "timeout",
                    "error": "The JavaScript worker stopped answering and was restarted",
                    "duration": time.monotonic() - started,
                }
            if answer.get("restart"):  # it exits after this answer: V8 was wedged
                self._replace(process)
            return answer
        raise RuntimeUnavailable("the JavaScript worker keeps exiting")

    def stats(self) -> dict[str, Any]:
        process = self._ready_process()
        answer = json.loads(process.exchange(b'{"op":"stats"}', time.monotonic() + 10))
        return dict(process.info or {}, **answer)

    def _replace(self, process: _WorkerProcess) -> None:
        process.kill()
        self.process = _WorkerProcess(self._config)

    def close(self) -> None:
        if self.process is not None:
            self.process.close()
            self.process = None


def _close_slots(slots: list[_Slot]) -> None:
    for slot in slots:
        slot.close()


def _worker_config(limits: RunLimits) -> WorkerConfig:
    mib = 1024 * 1024
    return WorkerConfig(
        timeout=limits.timeout,
        memory=limits.memory,
        console_chars=limits.console_chars,
        output_chars=limits.output_chars,
        code_cache=128,
        # V8 aborts the process past this heap; mini-racer's limit stops runs well before it.
        heap_mb=max(4 * limits.memory, limits.memory + 128 * mib) // mib,
        data_headroom=max(512 * mib, 8 * limits.memory),
    )


class TransformationRuntime:
    """Runs Data Transformation code: a function body that sees `payload` and `headers`.

    Each run is isolated from the others (see prelude.js), limited in time and memory, and
    executed in a worker process, so that even V8 aborting cannot take this process with it.
    `run` is thread-safe; `workers` processes serve that many runs at once (default 1).
    """

    def __init__(self, limits: RunLimits = DEFAULT_LIMITS, *, workers: int = 1) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers: must be a whole number of at least 1, not {workers!r}")
        self.limits = limits
        self._config = _worker_config(limits)
        self._slots: list[_Slot] = []
        self._idle: queue.LifoQueue[_Slot] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._finalizer = weakref.finalize(self, _close_slots, self._slots)
        for _ in range(workers):
            slot = _Slot(self._config)
            self._slots.append(slot)
            self._idle.put(slot)

    def run(self, code: str, payload: Any, headers: Mapping[str, str]) -> RunResult:
        """Run `code` on one webhook. Errors of the code come back in the result; bad input
        raises: InputTooLarge, TypeError or ValueError for a payload JSON cannot carry (NaN
        included), UnicodeEncodeError for code with a lone surrogate."""
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
        # Compiling new code and running it each get the time limit; then the worker's grace.
        allowance = 2 * self.limits.timeout + GRACE + WATCHDOG_MARGIN
        slot = self._take()
        try:
            answer = slot.exchange(body.encode("utf-8"), allowance)
        finally:
            self._give_back(slot)
        return _result(answer)

    def stats(self) -> list[dict[str, Any]]:
        """Each worker's pid, V8 version, whether it uses the direct path to V8, and how often
        it replaced its isolate (a run that needed a fresh one shows here)."""
        slots = [self._take() for _ in self._slots]
        try:
            return [slot.stats() for slot in slots]
        finally:
            for slot in slots:
                self._give_back(slot)

    def _take(self) -> _Slot:
        while True:
            if self._closed:
                raise RuntimeError("TransformationRuntime is closed")
            try:
                return self._idle.get(timeout=0.5)
            except queue.Empty:
                continue

    def _give_back(self, slot: _Slot) -> None:
        with self._lock:
            if self._closed:
                slot.close()
                return
        self._idle.put(slot)

    def close(self) -> None:
        """Stop the workers. Runs in progress finish first."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        while True:
            try:
                slot = self._idle.get_nowait()
            except queue.Empty:
                break
            slot.close()

    def __enter__(self) -> TransformationRuntime:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _result(answer: dict[str, Any]) -> RunResult:
    kind = answer["kind"]
    duration = float(answer.get("duration", 0.0))
    if kind == "ok":
        envelope = answer["envelope"]
        console = _console(envelope["console"])
        if "oversize" in envelope:
            return RunResult(
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
            )
        return RunResult(
            output=envelope["output"],
            returned=bool(envelope["returned"]),
            depth=envelope.get("deep"),
            error_kind=None,
            error=None,
            line=None,
            column=None,
            console=console,
            duration=duration,
        )
    return RunResult(
        output=None,
        returned=False,
        error_kind=kind,
        error=printable(answer.get("error")),
        line=answer.get("line"),
        column=answer.get("column"),
        console=_console(answer.get("console", [])),
        duration=duration,
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
