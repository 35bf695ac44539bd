"""Liquid's number filters with Ruby's arithmetic: floats as BigDecimal, integer division that
floors, `round` half away from zero."""

from __future__ import annotations

import decimal
import math
from decimal import Decimal, InvalidOperation
from typing import Any

from seen_braze_harness.mocks.braze.liquid.filters.calling import FilterCall
from seen_braze_harness.mocks.braze.liquid.ruby.numbers import (
    DECIMAL_CONTEXT,
    from_decimal,
    to_number,
)
from seen_braze_harness.mocks.braze.liquid.ruby.printing import to_s
from seen_braze_harness.mocks.braze.liquid.ruby.values import LiquidArgumentError


class LiquidZeroDivisionError(LiquidArgumentError):
    """Ruby Liquid's `Liquid::ZeroDivisionError`."""


class LiquidFloatDomainError(LiquidArgumentError):
    """Ruby Liquid's `Liquid::FloatDomainError` (rounding Infinity or NaN)."""


def _finish(result: int | Decimal) -> int | float:
    return from_decimal(result)


def _bounded_integer(result: int, limit: int) -> int:
    if result.bit_length() > limit:
        raise LiquidArgumentError(
            f"the result has more than {limit:,} bits (the emulator's limit on integers)"
        )
    return result


def _arith(call: FilterCall, value: Any, operand: Any, operation: str) -> Any:
    left, right = to_number(value), to_number(operand)
    if isinstance(left, int) and isinstance(right, int):
        if operation == "*" and left.bit_length() + right.bit_length() > call.integer_bits + 1:
            raise LiquidArgumentError(
                f"the result has more than {call.integer_bits:,} bits (the emulator's limit on "
                "integers)"
            )
        if operation == "+":
            return _bounded_integer(left + right, call.integer_bits)
        if operation == "-":
            return _bounded_integer(left - right, call.integer_bits)
        if operation == "*":
            return _bounded_integer(left * right, call.integer_bits)
        if right == 0:
            raise LiquidZeroDivisionError("divided by 0")
        if operation == "/":
            return left // right
        return left % right
    a, b = Decimal(left), Decimal(right)
    try:
        if operation == "+":
            return _finish(DECIMAL_CONTEXT.add(a, b))
        if operation == "-":
            return _finish(DECIMAL_CONTEXT.subtract(a, b))
        if operation == "*":
            return _finish(DECIMAL_CONTEXT.multiply(a, b))
        if operation == "/":
            if b == 0:
                if a == 0 or a.is_nan():
                    return math.nan
                return math.inf if (a > 0) == (not b.is_signed()) else -math.inf
            return _finish(DECIMAL_CONTEXT.divide(a, b))
        if a.is_nan() or b.is_nan():
            return math.nan
        if b == 0:
            raise LiquidZeroDivisionError("divided by 0")
        if a.is_infinite():
            return math.nan
        remainder = DECIMAL_CONTEXT.remainder(a, b)
        if remainder == 0:
            return 0.0
        if (remainder < 0) != (b < 0):
            remainder = DECIMAL_CONTEXT.add(remainder, b)
        return _finish(remainder)
    except InvalidOperation:
        return math.nan


def plus(call: FilterCall, value: Any, operand: Any) -> Any:
    return _arith(call, value, operand, "+")


def minus(call: FilterCall, value: Any, operand: Any) -> Any:
    return _arith(call, value, operand, "-")


def times(call: FilterCall, value: Any, operand: Any) -> Any:
    return _arith(call, value, operand, "*")


def divided_by(call: FilterCall, value: Any, operand: Any) -> Any:
    return _arith(call, value, operand, "/")


def modulo(call: FilterCall, value: Any, operand: Any) -> Any:
    return _arith(call, value, operand, "%")


def _round_half_up(number: Decimal, places: int) -> Decimal:
    """BigDecimal#round(places): half away from zero, exact whatever the precision."""
    if number.is_zero():
        return number
    if places >= 0 and -number.as_tuple().exponent <= places:  # type: ignore[operator]
        return number  # already no finer than asked
    if places < 0 and number.adjusted() < -places - 1:
        return Decimal(0)  # smaller than half the unit
    precision = max(number.adjusted() + places + 2, 1)
    context = decimal.Context(prec=precision, Emax=DECIMAL_CONTEXT.Emax, Emin=DECIMAL_CONTEXT.Emin)
    return number.quantize(
        Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP, context=context
    )


def _integer_round(number: int, places: int) -> int:
    """Integer#round(places): half away from zero to a power of ten; 0 when the power is
    larger than the number (without computing it)."""
    if places >= 0:
        return number
    if -places > int(abs(number).bit_length() * 0.30103) + 1:  # 10**-places > 2 * |number|
        return 0
    unit = 10**-places
    quotient, rest = divmod(abs(number), unit)
    if rest * 2 >= unit:
        quotient += 1
    return int(quotient * unit) * (1 if number >= 0 else -1)


_INT = 2**31
"""`round` takes its digits as a C int; a larger count is Ruby's RangeError."""


def round_(value: Any, places: Any = 0) -> Any:
    number = to_number(value)
    digits = to_number(places)
    if isinstance(digits, Decimal):
        if not digits.is_finite():
            raise LiquidFloatDomainError(to_s(float(digits)))
        digits = int(digits)
    if not -_INT <= digits < _INT:
        raise LiquidArgumentError(f"integer {digits} too big to convert to `int'")
    if isinstance(number, int):
        result: Any = _integer_round(number, digits)
    else:
        if not number.is_finite():
            raise LiquidFloatDomainError(to_s(float(number)))
        rounded = _round_half_up(number, digits)
        result = int(rounded) if digits <= 0 else float(rounded)  # BigDecimal#round(-n) is whole
    if (isinstance(places, int) and not isinstance(places, bool) and places == 0) or (
        isinstance(places, float) and places == 0
    ):
        result = int(result)
    return result


def _floor_ceil(value: Any, up: bool) -> int:
    number = to_number(value)
    if isinstance(number, int):
        return number
    if not number.is_finite():
        raise LiquidFloatDomainError(to_s(float(number)))
    rounding = "ROUND_CEILING" if up else "ROUND_FLOOR"
    return int(number.to_integral_value(rounding=rounding))


def ceil(value: Any) -> int:
    return _floor_ceil(value, True)


def floor(value: Any) -> int:
    return _floor_ceil(value, False)


def abs_(value: Any) -> Any:
    number = to_number(value)
    return _finish(number.copy_abs() if isinstance(number, Decimal) else abs(number))


def _less(left: int | Decimal, right: int | Decimal) -> bool:
    """`left < right` as BigDecimal answers it: false when either is NaN."""
    if (isinstance(left, Decimal) and left.is_nan()) or (
        isinstance(right, Decimal) and right.is_nan()
    ):
        return False
    return left < right


def at_least(value: Any, bound: Any) -> Any:
    low, number = to_number(bound), to_number(value)
    return _finish(low if _less(number, low) else number)


def at_most(value: Any, bound: Any) -> Any:
    high, number = to_number(bound), to_number(value)
    return _finish(high if _less(high, number) else number)
