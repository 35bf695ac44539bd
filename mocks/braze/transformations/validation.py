"""Validate's verdict on a run: its output checked as any request body, then by its destination."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.transformations.destinations import Destination
from seen_braze_harness.mocks.braze.transformations.jsruntime import (
    ScriptResult,
    TransformationRuntime,
)

MAX_DEPTH = BrazeSettings.max_json_depth
"""Levels of nesting an output may have: what a request body to the destination may have
(`BrazeSettings.max_json_depth`)."""
LONE_SURROGATE = "the output has a lone surrogate, which JSON in UTF-8 cannot carry"


@dataclass
class Validation:
    """What Validate shows: the output, the destination's verdict, the console; delivers nothing."""

    result: ScriptResult
    destination: str
    problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def acceptable(self) -> bool:
        return self.result.ok and not self.problems

    def to_dict(self) -> dict[str, Any]:
        result = self.result
        return {
            "destination": self.destination,
            "output": result.output,
            "acceptable": self.acceptable,
            "error": None
            if result.ok
            else {
                "kind": result.error_kind,
                "message": result.error,
                "line": result.line,
                "column": result.column,
            },
            "errors": self.problems,
            "console": [{"level": c.level, "text": c.text} for c in result.console],
            "duration_ms": round(result.duration * 1000, 3),
        }


def validate_code(
    runtime: TransformationRuntime,
    code: str,
    payload: Any,
    headers: Mapping[str, str],
    destination: Destination,
    destination_name: str,
    *,
    max_depth: int = MAX_DEPTH,
) -> Validation:
    result = runtime.run(code, payload, headers)
    return judge(result, destination, destination_name, max_depth=max_depth)


def judge(
    result: ScriptResult,
    destination: Destination,
    destination_name: str,
    *,
    max_depth: int = MAX_DEPTH,
) -> Validation:
    """A run's verdict: its output checked the way the destination's endpoint would, after
    the checks any request must pass (JSON in UTF-8, nesting at most `max_depth` deep)."""
    if not result.ok:
        return Validation(result, destination_name, [])
    unsendable = output_problems(result, depth_limit(destination, max_depth))
    if unsendable:
        return Validation(without_output(result), destination_name, unsendable)
    return Validation(result, destination_name, destination.check(result.output))


def depth_limit(destination: Destination, max_json_depth: int) -> tuple[int, str]:
    """How deep an output for `destination` may nest, and what sets that limit: a catalog's
    own (its item values may nest 50 levels, below the body's own three), else the limit on
    a request body."""
    own = getattr(destination, "max_output_depth", None)
    if isinstance(own, int):
        return own, "the catalog item endpoints' bound"
    return max_json_depth, "max_json_depth"


def output_problems(result: ScriptResult, limit: tuple[int, str]) -> list[dict[str, str]]:
    """Why no request could carry a run's output at all: nested more than `max_depth` levels
    (the limit on a request body), or a string with a lone surrogate (JSON text in UTF-8
    cannot hold one; **assumed**: Braze refuses such an output rather than mending it).
    One walk, iterative: an output as deep as V8 allows must not exhaust Python's stack."""
    too_deep = problem_of_depth(result.depth, limit)
    if too_deep is not None:
        return [too_deep]
    deepest = 0
    surrogate: str | None = None
    stack: list[tuple[Any, str, int]] = [(result.output, "", 0)]
    while stack:
        value, pointer, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth + 1)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                where = f"{pointer}/{_escape(key)}"
                if surrogate is None and isinstance(key, str) and _lone_surrogate(key):
                    surrogate = where
                stack.append((item, where, depth + 1))
        elif surrogate is None and isinstance(value, str) and _lone_surrogate(value):
            surrogate = pointer
    too_deep = problem_of_depth(deepest, limit)
    if too_deep is not None:
        return [too_deep]
    if surrogate is not None:
        return [{"pointer": surrogate, "message": LONE_SURROGATE}]
    return []


def problem_of_depth(depth: int | None, limit: tuple[int, str]) -> dict[str, str] | None:
    most, source = limit
    if depth is None or depth <= most:
        return None
    return {
        "pointer": "",
        "message": f"the output nests {depth} levels deep; a request body may nest at most "
        f"{most} ({source})",
    }


def _escape(key: Any) -> str:
    """A JSON pointer's reference token (RFC 6901), printable whatever the key holds."""
    text = str(key).replace("~", "~0").replace("/", "~1")
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _lone_surrogate(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def without_output(result: ScriptResult) -> ScriptResult:
    """A refused output is not kept: it may be more than a log or an answer can carry."""
    return replace(result, output=None)
