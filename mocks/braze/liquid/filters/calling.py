"""How a filter is called: what it may read from the render (`FilterCall`), and the argument
counts Ruby's method accepts, checked before it runs (`Filter`, `make_filter`)."""

from __future__ import annotations

import inspect as pyinspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from seen_braze_harness.mocks.braze.liquid.ruby.values import LiquidArgumentError


@dataclass(frozen=True)
class FilterCall:
    """What a filter may need from the render besides its arguments: the clock, and the
    bounds a filter must check before it builds a result."""

    now: float
    result_chars: int = 1_000_000
    integer_bits: int = 100_000


@dataclass(frozen=True)
class Filter:
    """A filter and the argument counts Ruby's method accepts (beyond the input)."""

    function: Callable[..., Any]
    least: int
    most: int
    needs_call: bool = False

    def __call__(self, call: FilterCall, value: Any, args: list[Any]) -> Any:
        if not self.least <= len(args) <= self.most:
            expected = (
                str(self.least + 1)
                if self.least == self.most
                else f"{self.least + 1}..{self.most + 1}"
            )
            raise LiquidArgumentError(
                f"wrong number of arguments (given {len(args) + 1}, expected {expected})"
            )
        if self.needs_call:
            return self.function(call, value, *args)
        return self.function(value, *args)


def make_filter(function: Callable[..., Any], needs_call: bool | None = None) -> Filter:
    """A `Filter` whose argument counts are read off the function's signature; a function
    whose first parameter is `call` is given the render's `FilterCall`."""
    parameters = list(pyinspect.signature(function).parameters.values())
    if needs_call is None:
        needs_call = bool(parameters) and parameters[0].name == "call"
    parameters = parameters[1 + needs_call :]
    least = sum(1 for p in parameters if p.default is pyinspect.Parameter.empty)
    return Filter(function, least, len(parameters), needs_call)
