"""One render's state: scopes, the environment, registers, and the limits it keeps to."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from seen_braze_harness.mocks.braze.liquid.engine.errors import (
    LiquidRenderError,
    RenderLimitError,
    failure_text,
)
from seen_braze_harness.mocks.braze.liquid.engine.parsing import MAX_DEPTH
from seen_braze_harness.mocks.braze.liquid.filters.calling import Filter, FilterCall
from seen_braze_harness.mocks.braze.liquid.ruby.encoding import has_unicode, is_binary
from seen_braze_harness.mocks.braze.liquid.ruby.values import RubyRange

if TYPE_CHECKING:
    from seen_braze_harness.mocks.braze.liquid.engine.expressions import FilterUse


class Deferred:
    """An environment value computed when the template first reads it (a Content Block,
    rendered only where the template uses it)."""

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[[], Any]) -> None:
        self.compute = compute


@dataclass
class Limits:
    """Bounds on one render, so a template cannot stall a send."""

    loop_iterations: int = 100_000
    output_bytes: int = 1_000_000
    assign_score: int = 1_000_000
    scope_depth: int = MAX_DEPTH
    integer_bits: int = 100_000
    """Largest integer arithmetic may make (Ruby's have no bound; squaring in a loop would
    take the machine)."""
    seconds: float = 5.0
    """Longest one render may take: work the other limits do not count (a filter on a large
    value in a long loop) still ends."""


class Context:
    """One render's state: scopes (innermost first), the environment, registers, limits."""

    __slots__ = (
        "assign_sizes",
        "assign_total",
        "call",
        "deadline",
        "environment",
        "filters",
        "interrupts",
        "limits",
        "loop_factor",
        "registers",
        "scopes",
        "seen_binary",
        "seen_unicode",
        "written",
    )

    def __init__(
        self,
        environment: dict[str, Any],
        filters: Mapping[str, Filter],
        now: float,
        limits: Limits,
    ) -> None:
        self.environment = environment
        self.scopes: list[dict[Any, Any]] = [{}]
        self.filters = filters
        self.call = FilterCall(now, limits.output_bytes, limits.integer_bits)
        self.deadline = time.monotonic() + limits.seconds
        self.registers: dict[str, Any] = {}
        self.interrupts: list[str] = []
        self.limits = limits
        self.loop_factor = 1
        self.written = 0
        self.seen_binary = False
        self.seen_unicode = False
        self.assign_sizes: dict[str, int] = {}
        self.assign_total = 0

    def find_variable(self, name: Any) -> Any:
        for scope in self.scopes:
            if name in scope:
                return scope[name]
        if isinstance(name, str):
            value = self.environment.get(name)
            if type(value) is Deferred:
                value = self.environment[name] = value.compute()
            return value
        return None

    def in_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderLimitError(
                f"the render took more than {self.limits.seconds:g} seconds (the emulator's limit)"
            )

    def push(self, scope: dict[str, Any]) -> None:
        if len(self.scopes) >= self.limits.scope_depth:
            raise LiquidRenderError("Nesting too deep")
        self.scopes.insert(0, scope)

    def pop(self) -> None:
        self.scopes.pop(0)

    def invoke(self, use: FilterUse, value: Any, args: list[Any]) -> Any:
        """Apply a filter within the limits: no range longer than a loop may be, no result
        longer than the whole output may be."""
        function = self.filters.get(use.name)
        if function is None:
            return value
        if type(value) is RubyRange or any(type(arg) is RubyRange for arg in args):
            for given in (value, *args):
                if type(given) is RubyRange and len(given) > self.limits.loop_iterations:
                    raise RenderLimitError(
                        f"{use.name}: a range of more than {self.limits.loop_iterations:,} items "
                        "(the emulator's limit)",
                        use.line,
                    )
        try:
            result = function(self.call, value, args)
        except LiquidRenderError:
            raise
        except RecursionError:
            raise LiquidRenderError(
                f"{use.name}: the value is nested too deeply", use.line
            ) from None
        except (ValueError, ArithmeticError, TypeError, LookupError) as exc:
            raise LiquidRenderError(f"{use.name}: {failure_text(exc)}", use.line) from None
        if type(result) is str and len(result) > self.limits.output_bytes:
            raise RenderLimitError(
                f"{use.name}: the result is longer than {self.limits.output_bytes:,} characters "
                "(the emulator's output limit)",
                use.line,
            )
        return result

    def enter_loop(self, length: int) -> int:
        """Count a loop of `length` items inside the loops around it; returns the factor to
        restore when it ends."""
        outer = self.loop_factor
        total = outer * length
        if total > self.limits.loop_iterations:
            raise RenderLimitError(
                f"the template loops more than {self.limits.loop_iterations:,} times "
                "(the emulator's limit; nested loops multiply)"
            )
        self.loop_factor = total or outer
        return outer

    def wrote(self, text: str) -> None:
        """Count what was written, and refuse binary text beside UTF-8 text as Ruby's output
        buffer does (its encoding becomes the first one that is not ASCII)."""
        if not text.isascii():
            binary, unicode = is_binary(text), has_unicode(text)
            if (binary and (unicode or self.seen_unicode)) or (unicode and self.seen_binary):
                raise LiquidRenderError(
                    "incompatible character encodings: UTF-8 and ASCII-8BIT (binary text from "
                    "base64_decode next to text beyond ASCII)"
                )
            self.seen_binary = self.seen_binary or binary
            self.seen_unicode = self.seen_unicode or unicode
        self.written += len(text.encode("utf-8", "surrogateescape"))
        if self.written > self.limits.output_bytes:
            raise RenderLimitError(
                f"the rendered text is longer than {self.limits.output_bytes:,} bytes "
                "(the emulator's limit)"
            )

    def assigned(self, name: str, value: Any) -> None:
        """Keep the assigned values within the limit (their current size, as text)."""
        size = _assign_score(value)
        self.assign_total += size - self.assign_sizes.get(name, 0)
        self.assign_sizes[name] = size
        if self.assign_total > self.limits.assign_score:
            raise RenderLimitError(
                f"the values the template assigns take more than {self.limits.assign_score:,} "
                "bytes (the emulator's limit)"
            )


def _assign_score(value: Any) -> int:
    """Ruby Liquid's assign score: text by its bytes, containers by their items."""
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogateescape"))
    if isinstance(value, list):
        return 1 + sum(_assign_score(item) for item in value)
    if isinstance(value, dict):
        return 1 + sum(_assign_score(k) + _assign_score(v) for k, v in value.items())
    return 1
