"""What a run of a Data Transformation is allowed, and what it comes back with."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Literal

ErrorKind = Literal["syntax", "runtime", "timeout", "memory", "crashed"]
"""Why a run failed. `crashed`: its worker process died under it without saying it ran out
of memory (killed from outside, say); the run is lost, the next one gets a new worker."""
ConsoleLevel = Literal["log", "info", "warn", "error", "debug"]


class InputTooLarge(ValueError):
    """The code, payload or headers exceed what `RunLimits` lets cross into the worker."""


class RuntimeUnavailable(RuntimeError):
    """The JavaScript worker process could not be started (the message says why)."""


class RuntimeBusy(RuntimeError):
    """The runtime's queue of waiting runs is full: the run was not queued. `retry_after`:
    seconds after which a place is likely free."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RunLimits:
    """Per-run limits. Braze documents none of them: every default is *assumed*."""

    timeout: float = 1.0
    """Seconds of wall time per run (compiling new code has the same allowance again)."""
    memory: int = 64 * 1024 * 1024
    """Bytes of JavaScript heap (the isolate's heap in use, prelude included: about 3 MB),
    checked after each garbage collection: a run past it is stopped. Together with
    `worker_overhead` it also caps everything the worker process allocates during a run."""
    worker_overhead: int = 32 * 1024 * 1024
    """Bytes a worker may allocate during a run beyond `memory`: V8's young generation, its
    collector's and compiler's working memory, the run's input and output on their way. The
    worker's data segment (RLIMIT_DATA) may grow at most `memory + worker_overhead` beyond
    its size once started (twice the overhead while it compiles new code or builds an
    isolate), so V8's heap, array buffers, flattened strings and the rest cannot pass that
    together: an allocation past it fails (an array buffer's is a RangeError; one V8 cannot
    survive aborts the worker, which is replaced). *Assumed*: 32 MiB, with which the largest
    payload and output still cross and a 1 MB code compiles."""
    payload_bytes: int = 4 * 1024 * 1024
    """UTF-8 bytes of JSON for the payload and headers together."""
    output_chars: int = 4 * 1024 * 1024
    """Characters of JSON the returned value may serialise to."""
    console_chars: int = 64 * 1024
    """Characters of console output kept per run; later calls are counted, not kept."""
    code_chars: int = 1024 * 1024
    """Characters of transformation code."""

    def __post_init__(self) -> None:
        timeout = self.timeout
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise ValueError("timeout: must be a number of seconds")
        if not math.isfinite(timeout) or timeout <= 0:
            raise ValueError(f"timeout: must be above 0, not {timeout!r}")
        for name in (
            "memory",
            "worker_overhead",
            "payload_bytes",
            "output_chars",
            "console_chars",
            "code_chars",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: must be a whole number of at least 1, not {value!r}")
        if self.memory < 8 * 1024 * 1024:
            raise ValueError("memory: V8 needs at least 8 MiB of heap")
        if self.worker_overhead < 16 * 1024 * 1024:
            raise ValueError("worker_overhead: V8 needs at least 16 MiB of working memory")


@dataclass(frozen=True)
class ConsoleLine:
    level: ConsoleLevel
    text: str
    """The arguments formatted like Node's console: strings as they are, objects as JSON."""


@dataclass(frozen=True)
class ScriptResult:
    output: Any
    """The returned value after `JSON.stringify`, parsed back; None when nothing was returned."""
    returned: bool
    """False when the code returned undefined (or only something JSON drops: a function)."""
    error_kind: ErrorKind | None
    error: str | None
    """E.g. "TypeError: Cannot read properties of undefined (reading 'x')"; a thrown value
    that is not an Error reads "Uncaught <the value as a string>"."""
    line: int | None
    """1-based line in the user's code, for syntax and runtime errors when V8 knows it."""
    column: int | None
    console: tuple[ConsoleLine, ...]
    duration: float
    """Seconds the run took inside the worker (compiling new code included): its own time,
    not the time it waited for a worker."""
    stack: str | None = None
    """For a thrown Error: its stack, limited to the frames in the user's code."""
    depth: int | None = None
    """Levels of nesting of an output too deep to bring across from V8 (`output` is then
    None); None otherwise."""
    queued: float = 0.0
    """Seconds the run waited for a worker before it started (a worker starting included)."""

    @property
    def ok(self) -> bool:
        return self.error_kind is None


def result_of(answer: dict[str, Any], queued: float = 0.0) -> ScriptResult:
    """A worker's answer to a run as its result; `queued`: seconds the run waited."""
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
