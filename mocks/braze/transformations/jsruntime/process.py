"""One worker process as the parent sees it: started, spoken to over its pipes, and how it
ended when it dies."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from seen_braze_harness.mocks.braze.transformations.jsruntime.results import RuntimeUnavailable
from seen_braze_harness.mocks.braze.transformations.jsruntime.worker import (
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
the standard library and py_mini_racer only, not the mock around the package. This folder's
other modules are on the worker's path too (as when the worker ran as a script from here):
none may take the name of a module the worker imports."""
STARTUP_TIMEOUT = 60.0
"""Seconds a new worker gets to import V8 and load the prelude (about 0.2 s here)."""
WORKER_ENV = {"TZ": "UTC", "LC_ALL": "en_US.UTF-8", "MALLOC_MMAP_THRESHOLD_": "1048576"}
"""*Assumed*: transformations run in UTC with the en-US locale (what `new Date().toString()`
and `Intl` defaults show). A fixed malloc threshold makes glibc hand every block of 1 MiB or
more (an array buffer's) back to the system when it is freed, instead of keeping it in its
heap, where it would count against the worker's data cap for every later run."""


class WorkerDied(Exception):
    """The worker exited during an exchange (V8 aborts the process on some out-of-memory)."""


class NotDelivered(Exception):
    """The worker was gone before it could read the request: nothing ran."""


class WorkerHung(Exception):
    """The worker did not answer in time, even allowing for its own limits."""


class WorkerProcess:
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
        except (WorkerDied, WorkerHung) as exc:
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
            raise NotDelivered from None
        return self._receive(deadline)

    def _receive(self, deadline: float) -> bytes:
        while not self._frames:
            data = read_spinning(self._response_fd, SPIN_SECONDS, deadline)
            if data is None:
                raise WorkerHung
            if not data:
                raise WorkerDied
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
