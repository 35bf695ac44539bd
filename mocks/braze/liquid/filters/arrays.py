"""Liquid's array filters with Ruby's `Array` semantics: the input flattened as Ruby Liquid's
`InputIterator` does, items' properties read as Ruby's `[]` reads them, sorted as Ruby sorts."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from seen_braze_harness.mocks.braze.liquid.filters.calling import FilterCall
from seen_braze_harness.mocks.braze.liquid.filters.text import joined
from seen_braze_harness.mocks.braze.liquid.ruby.comparison import (
    eql_key,
    ruby_eq,
    spaceship,
    truthy,
)
from seen_braze_harness.mocks.braze.liquid.ruby.encoding import check_compatible, is_binary
from seen_braze_harness.mocks.braze.liquid.ruby.lookups import first, has_first, has_last, last
from seen_braze_harness.mocks.braze.liquid.ruby.numbers import LONG, c_long
from seen_braze_harness.mocks.braze.liquid.ruby.printing import flatten, to_s
from seen_braze_harness.mocks.braze.liquid.ruby.sort import ruby_sort
from seen_braze_harness.mocks.braze.liquid.ruby.values import Drop, LiquidArgumentError, RubyRange


def _items(value: Any) -> list[Any]:
    """Ruby Liquid's InputIterator: arrays flattened, a hash as one item, nil as none."""
    if isinstance(value, list):
        return flatten(value)
    if isinstance(value, RubyRange):
        return value.to_list()
    if value is None:
        return []
    return [value]


class _NoIndex(Exception):
    """The item has no `[]` (nil, a number that is a Float, a boolean)."""


def _whole(prop: Any) -> int | None:
    """An Integer or Float index as Ruby's `[]` takes it (a Float truncated), else None."""
    if isinstance(prop, bool):
        return None
    if isinstance(prop, int):
        return c_long(prop)
    if isinstance(prop, float):
        if not math.isfinite(prop):
            raise LiquidArgumentError(to_s(prop))
        return c_long(int(prop))
    return None


def _sequence_index(item: str | list[Any], prop: Any) -> Any:
    """`String#[]` / `Array#[]` with an Integer, a Float or a Range; TypeError otherwise."""
    at = _whole(prop)
    if at is not None:
        return item[at] if -len(item) <= at < len(item) else None
    if isinstance(prop, RubyRange):
        start, stop = c_long(prop.first), c_long(prop.last)
        size_ = len(item)
        if start < 0:
            start += size_
        if stop < 0:
            stop += size_
        if start < 0 or start > size_:
            return None
        return item[start : max(stop + 1, start)]
    raise LiquidArgumentError(f"cannot select the property '{to_s(prop)}'")


def _property(item: Any, prop: Any) -> Any:
    """`item[prop]`, with Ruby's TypeError as Liquid's property error."""
    if isinstance(item, dict):
        if isinstance(prop, str):
            return item.get(prop)
        return next((v for k, v in item.items() if type(k) is type(prop) and k == prop), None)
    if isinstance(item, str):
        if isinstance(prop, str):
            check_compatible(item, prop)
            return prop if prop in item else None
        return _sequence_index(item, prop)
    if isinstance(item, list):
        return _sequence_index(item, prop)
    if isinstance(item, int) and not isinstance(item, bool):
        if isinstance(prop, float) and math.isfinite(prop):
            prop = int(prop)
        if isinstance(prop, int) and not isinstance(prop, bool):
            if prop < 0:
                return 0
            if prop >= LONG:  # a bit beyond any C long: the sign's
                return 0 if item >= 0 else 1
            return (item >> prop) & 1
        if isinstance(prop, RubyRange):
            low, high = prop.first, prop.last
            shifted = item >> low if low >= 0 else item << -low
            if high < low:
                return shifted  # Ruby: no bits asked for, the number shifted
            return shifted & ((1 << (high - low + 1)) - 1)
        raise LiquidArgumentError(f"cannot select the property '{to_s(prop)}'")
    if isinstance(item, Drop):
        return item.invoke(to_s(prop))
    raise _NoIndex


def _has_index(item: Any) -> bool:
    return isinstance(item, dict | str | list | Drop) or (
        isinstance(item, int) and not isinstance(item, bool)
    )


def join(call: FilterCall, value: Any, glue: Any = " ") -> str:
    parts = [to_s(item) for item in flatten(_items(value))]
    separator = to_s(glue)
    size = sum(map(len, parts)) + len(separator) * max(len(parts) - 1, 0)
    if size > call.result_chars:
        raise LiquidArgumentError(
            f"the result is longer than {call.result_chars:,} characters "
            "(the emulator's output limit)"
        )
    text = separator.join(parts)
    if is_binary(text):
        joined(text, *parts, separator)
    return text


def _nil_safe_compare(a: Any, b: Any) -> int:
    order = spaceship(a, b)
    if order is not None:
        return order
    if a is None:
        return 1
    if b is None:
        return -1
    raise LiquidArgumentError("cannot sort values of incompatible types")


def _casecmp(a: Any, b: Any) -> int:
    if a is not None and b is not None:
        x = _ascii_fold(to_s(a))
        y = _ascii_fold(to_s(b))
        return (x > y) - (x < y)
    return 1 if a is None else -1


def _ascii_fold(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape").translate(_ASCII_LOWER)


_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")


def _sorted(items: list[Any], compare: Callable[[Any, Any], int]) -> list[Any]:
    """Ruby's `Array#sort` with a block: the order of ties and of inconsistent comparisons
    (nil against nil is 1 both ways) is Ruby's, not Python's."""
    return ruby_sort(items, compare)


def sort(value: Any, prop: Any = None) -> Any:
    items = _items(value)
    if not items:
        return []
    if prop is None:
        return _sorted(items, _nil_safe_compare)
    if all(_has_index(item) for item in items):
        return _sorted(
            items, lambda a, b: _nil_safe_compare(_property(a, prop), _property(b, prop))
        )
    return None


def sort_natural(value: Any, prop: Any = None) -> Any:
    items = _items(value)
    if not items:
        return []
    if prop is None:
        return _sorted(items, _casecmp)
    if all(_has_index(item) for item in items):
        return _sorted(items, lambda a, b: _casecmp(_property(a, prop), _property(b, prop)))
    return None


def where(value: Any, prop: Any, target: Any = None) -> Any:
    items = _items(value)
    if not items:
        return []
    kept = []
    for item in items:
        try:
            got = _property(item, prop)
        except _NoIndex:
            return None
        if truthy(got) if target is None else ruby_eq(got, target):
            kept.append(item)
    return kept


def uniq(value: Any, prop: Any = None) -> Any:
    items = _items(value)
    if prop is not None and not items:
        return []
    if len(items) <= 1:
        return list(items)  # Ruby's Array#uniq never calls the block for one item
    seen: set[Any] = set()
    kept = []
    for item in items:
        if prop is None:
            key = eql_key(item)
        else:
            try:
                key = eql_key(_property(item, prop))
            except _NoIndex:
                return None
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def reverse(value: Any) -> list[Any]:
    return list(reversed(_items(value)))


def map_(value: Any, prop: Any) -> list[Any]:
    out = []
    for item in _items(value):
        if prop == "to_liquid":
            out.append(item)
        elif _has_index(item):
            out.append(_property(item, prop))
        else:
            out.append(None)
    return out


def compact(value: Any, prop: Any = None) -> Any:
    items = _items(value)
    if prop is None:
        return [item for item in items if item is not None]
    if not items:
        return []
    kept = []
    for item in items:
        try:
            if _property(item, prop) is not None:
                kept.append(item)
        except _NoIndex:
            return None
    return kept


def concat(value: Any, other: Any) -> list[Any]:
    if not isinstance(other, list):
        raise LiquidArgumentError("concat filter requires an array argument")
    return _items(value) + other


def first_(value: Any) -> Any:
    return first(value) if has_first(value) else None


def last_(value: Any) -> Any:
    return last(value) if has_last(value) else None
