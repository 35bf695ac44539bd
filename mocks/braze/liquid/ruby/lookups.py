"""What `.size`, `.first`, `.last` and `[]` answer, where Ruby (with ActiveSupport) has them."""

from __future__ import annotations

from typing import Any

from seen_braze_harness.mocks.braze.liquid.ruby.numbers import c_long
from seen_braze_harness.mocks.braze.liquid.ruby.values import Drop, ObjectAsList, RubyRange


def ruby_size(value: Any) -> Any:
    """`.size` where Ruby has it: text in characters, arrays, hashes, ranges; an Integer's
    size is its machine size in bytes (8)."""
    if isinstance(value, str | list | dict | RubyRange):
        return len(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return 8 if -(2**62) <= value < 2**62 else (value.bit_length() + 7) // 8
    return None


def has_size(value: Any) -> bool:
    return isinstance(value, str | list | dict | RubyRange) or (
        isinstance(value, int) and not isinstance(value, bool)
    )


def first(value: Any) -> Any:
    """`.first` where Ruby (with ActiveSupport's String#first) has it."""
    if isinstance(value, str):
        return value[:1]
    if isinstance(value, list):
        return value[0] if value else None
    if isinstance(value, dict):
        return [next(iter(value)), next(iter(value.values()))] if value else None
    if isinstance(value, RubyRange):
        return value.first
    return None


def last(value: Any) -> Any:
    """`.last` where Ruby (with ActiveSupport's String#last) has it; hashes have none."""
    if isinstance(value, str):
        return value[-1:]
    if isinstance(value, list):
        return value[-1] if value else None
    if isinstance(value, RubyRange):
        return value.last
    return None


def has_first(value: Any) -> bool:
    return isinstance(value, str | list | dict | RubyRange)


def has_last(value: Any) -> bool:
    return isinstance(value, str | list | RubyRange)


def index(value: Any, key: Any) -> tuple[bool, Any]:
    """`object[key]` as a variable look-up does it: a hash's key, an array's integer index
    (negative from the end); (False, None) where Ruby Liquid finds nothing."""
    if isinstance(value, dict):
        if isinstance(key, str):
            return (True, value[key]) if key in value else (False, None)
        if key == 0 and isinstance(value, ObjectAsList) and not isinstance(key, bool):
            return True, value
        for candidate in value:  # keys are text in JSON; another key never eql? matches one
            if type(candidate) is type(key) and candidate == key:
                return True, value[candidate]
        return False, None
    if isinstance(value, list) and isinstance(key, int) and not isinstance(key, bool):
        c_long(key)
        if -len(value) <= key < len(value):
            return True, value[key]
        return True, None
    if isinstance(value, Drop) and isinstance(key, str):
        return True, value.invoke(key)
    return False, None
