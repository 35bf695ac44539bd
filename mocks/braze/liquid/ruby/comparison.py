"""Ruby's truth, equality, blankness and order, as conditions, `sort` and `uniq` use them."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from seen_braze_harness.mocks.braze.liquid.ruby.printing import inspect
from seen_braze_harness.mocks.braze.liquid.ruby.values import LiquidArgumentError, MethodLiteral

# --- truth, equality, blankness ------------------------------------------------------------------

_BLANK_TEXT = re.compile(r"\A[\s\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\Z")


def is_blank(value: Any) -> bool:
    """ActiveSupport's `blank?`: nil, false, whitespace-only text, empty arrays and hashes."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return _BLANK_TEXT.match(value) is not None
    if isinstance(value, list | dict):
        return not value
    return False  # a Range has no empty? in Ruby 3.1, so ActiveSupport asks `!self`


def responds_to_empty(value: Any) -> bool:
    return isinstance(value, str | list | dict)


def truthy(value: Any) -> bool:
    """Ruby truth: only nil and false are false (0, '' and [] are true)."""
    return value is not None and value is not False


def ruby_eq(left: Any, right: Any) -> bool:
    """`left == right`: numbers by value (1 == 1.0), booleans only equal booleans."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, int | float | Decimal) and isinstance(right, int | float | Decimal):
        return bool(left == right)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(ruby_eq, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(ruby_eq(v, right[k]) for k, v in left.items())
    if type(left) is not type(right) and not (isinstance(left, str) and isinstance(right, str)):
        return False
    return bool(left == right)


def equal_variables(left: Any, right: Any) -> Any:
    """Liquid's `==` in a condition: `blank`/`empty` ask the other side; else Ruby's `==`."""
    if isinstance(left, MethodLiteral):
        return _method_literal(left, right)
    if isinstance(right, MethodLiteral):
        return _method_literal(right, left)
    return ruby_eq(left, right)


def _method_literal(literal: MethodLiteral, value: Any) -> Any:
    if literal.method == "blank?":
        if isinstance(value, MethodLiteral):
            return False  # ActiveSupport: an object with no empty? is blank only when falsy
        return is_blank(value)
    if responds_to_empty(value):
        return len(value) == 0
    return None


def eql_key(value: Any) -> Any:
    """A key that is equal exactly when Ruby's `eql?` is (what `uniq` compares): 1 and 1.0
    differ, true and 1 differ."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, int):
        return ("int", value)
    if isinstance(value, float):
        return ("float", value)
    if isinstance(value, str):
        return ("str", value)
    if isinstance(value, list):
        return ("list", tuple(eql_key(item) for item in value))
    if isinstance(value, dict):
        return ("dict", tuple((eql_key(k), eql_key(v)) for k, v in value.items()))
    if value is None:
        return ("nil",)
    return ("object", id(value))


# --- comparison ----------------------------------------------------------------------------------


def _class_name(value: Any) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Hash"
    return type(value).__name__


def _comparable(value: Any) -> bool:
    return isinstance(value, int | float | Decimal | str) and not isinstance(value, bool)


def compare(left: Any, operator: str, right: Any) -> Any:
    """`<`, `>`, `<=`, `>=` in a condition: numbers with numbers, text with text; a value that
    has no such method (nil, booleans, arrays, hashes) makes it false; text against a number
    is Ruby's ArgumentError."""
    if not (_comparable(left) and _comparable(right)):
        return None
    if isinstance(left, str) != isinstance(right, str):
        shown = inspect(right) if not isinstance(right, str) else _class_name(right)
        if isinstance(left, str):
            raise LiquidArgumentError(f"comparison of String with {shown} failed")
        raise LiquidArgumentError(f"comparison of {_class_name(left)} with String failed")
    if isinstance(left, str):
        a: Any = left.encode("utf-8", "surrogateescape")
        b: Any = right.encode("utf-8", "surrogateescape")
    else:
        if (isinstance(left, float) and math.isnan(left)) or (
            isinstance(right, float) and (math.isnan(right))
        ):
            return False
        a, b = left, right
    if operator == "<":
        return a < b
    if operator == ">":
        return a > b
    if operator == "<=":
        return a <= b
    return a >= b


def spaceship(left: Any, right: Any) -> int | None:
    """`left <=> right`: None when Ruby cannot order the two (what `sort` then refuses)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return 0 if left is right else None
    if isinstance(left, int | float) and isinstance(right, int | float):
        if isinstance(left, float) and math.isnan(left):
            return None
        if isinstance(right, float) and math.isnan(right):
            return None
        return (left > right) - (left < right)
    if isinstance(left, str) and isinstance(right, str):
        a = left.encode("utf-8", "surrogateescape")
        b = right.encode("utf-8", "surrogateescape")
        return (a > b) - (a < b)
    if isinstance(left, list) and isinstance(right, list):
        for x, y in zip(left, right, strict=False):
            order = spaceship(x, y)
            if order != 0:
                return order
        return (len(left) > len(right)) - (len(left) < len(right))
    if left is None and right is None:
        return 0
    if isinstance(left, dict) and isinstance(right, dict) and ruby_eq(left, right):
        return 0
    return None
