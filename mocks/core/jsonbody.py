"""Parsing request bodies as JSON once, at the edge, so nothing hostile reaches a backend."""

from __future__ import annotations

import json
import math
import re
from typing import Any

WHITESPACE = r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
"""ECMAScript's `\\s` as a character class body: the OpenAPI document's patterns are ECMA regexes,
and Python's `\\s` and `str.strip` differ from it (U+001C..U+001F, U+0085, U+FEFF)."""
NOT_BLANK = f"[^{WHITESPACE}]"
"""A string holding something besides white space: search for it (as JSON Schema's `pattern`
does); the OpenAPI documents use it for names that must not be blank."""


def not_blank(text: str) -> bool:
    return re.search(NOT_BLANK, text) is not None


class JsonBodyError(ValueError):
    """A body that is not JSON the mocks can hold; the message says why, in a few words."""


def parse_json(text: str, *, max_depth: int | None = None) -> Any:
    """`text` parsed as strict JSON, then checked: no NaN or Infinity (nor numbers too large for
    a double, such as 1e400), no lone surrogates, and nesting at most `max_depth` deep."""
    if text.startswith("\ufeff"):  # as json.loads says
        raise JsonBodyError("Unexpected UTF-8 BOM (decode using utf-8-sig)")
    try:
        data = _DECODER.decode(text)
    except RecursionError:
        raise JsonBodyError("JSON nested too deeply") from None
    except ValueError as exc:
        raise JsonBodyError(str(exc)) from None
    # Numbers were checked while parsing. The walk is needed only when the text could hold
    # a lone surrogate (an escape, or one in the text itself) or could nest too deeply.
    deep = max_depth is not None and text.count("[") + text.count("{") > max_depth
    if deep or _SURROGATE_ESCAPE.search(text) or not _encodable(text):
        _check(data, max_depth)
    return data


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise JsonBodyError("number out of range: JSON numbers must fit a double")
    return value


def _double_sized(literal: str) -> int:
    value = int(literal)
    if len(literal) > 300:
        try:
            float(value)
        except OverflowError:
            raise JsonBodyError("number out of range: JSON numbers must fit a double") from None
    return value


def _refuse_constant(constant: str) -> Any:
    raise JsonBodyError(f"Out of range float values are not JSON compliant: {constant!r}")


def _check(data: Any, max_depth: int | None) -> None:
    """One iterative walk: deep input must not be able to exhaust the stack here either."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if max_depth is not None and depth > max_depth:
                raise JsonBodyError(f"JSON nested more than {max_depth} levels deep")
            if isinstance(value, dict):
                for key, item in value.items():
                    _check_text(key)
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_text(value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise JsonBodyError("number out of range: JSON numbers must fit a double")
        elif isinstance(value, int) and not isinstance(value, bool):
            try:
                float(value)
            except OverflowError:
                raise JsonBodyError("number out of range: JSON numbers must fit a double") from None


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JsonBodyError("string with a lone surrogate (\\ud800-\\udfff)") from None


_DECODER = json.JSONDecoder(
    parse_constant=_refuse_constant, parse_float=_finite, parse_int=_double_sized
)
"""One strict decoder for every body (json.loads builds a new one per call given hooks)."""
