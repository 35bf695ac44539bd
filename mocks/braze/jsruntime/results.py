"""What a run of a Data Transformation is allowed, and what it comes back with."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

ErrorKind = Literal["syntax", "runtime", "timeout", "memory"]
ConsoleLevel = Literal["log", "info", "warn", "error", "debug"]


class InputTooLarge(ValueError):
    """The code, payload or headers exceed what `RunLimits` lets cross into the worker."""


class RuntimeUnavailable(RuntimeError):
    """The JavaScript worker process could not be started (the message says why)."""


@dataclass(frozen=True)
class RunLimits:
    """Per-run limits. Braze documents none of them: every default is *assumed*."""

    timeout: float = 1.0
    """Seconds of wall time per run (compiling new code has the same allowance again)."""
    memory: int = 64 * 1024 * 1024
    """Bytes of V8 heap (the isolate's live heap, prelude included: about 3 MB), checked after
    each garbage collection. Array buffers live outside that heap; the worker process caps them
    separately (512 MiB or 8 x `memory` over its start-up size, whichever is larger)."""
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
        for name in ("memory", "payload_bytes", "output_chars", "console_chars", "code_chars"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: must be a whole number of at least 1, not {value!r}")
        if self.memory < 8 * 1024 * 1024:
            raise ValueError("memory: V8 needs at least 8 MiB of heap")


@dataclass(frozen=True)
class ConsoleLine:
    level: ConsoleLevel
    text: str
    """The arguments formatted like Node's console: strings as they are, objects as JSON."""


@dataclass(frozen=True)
class RunResult:
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
    """Seconds the run took inside the worker (compiling new code included)."""
    stack: str | None = None
    """For a thrown Error: its stack, limited to the frames in the user's code."""
    depth: int | None = None
    """Levels of nesting of an output too deep to bring across from V8 (`output` is then
    None); None otherwise."""

    @property
    def ok(self) -> bool:
        return self.error_kind is None
