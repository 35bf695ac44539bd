"""Text, floats and nil as Ruby makes numbers of them (`to_i`, `Integer()`, BigDecimal)."""

from __future__ import annotations

import decimal
import math
import re
from decimal import Decimal
from typing import Any

from seen_braze_harness.mocks.braze.liquid.ruby.printing import float_to_s, inspect, to_s
from seen_braze_harness.mocks.braze.liquid.ruby.values import LiquidArgumentError

DECIMAL_CONTEXT = decimal.Context(prec=40, Emax=999_999, Emin=-999_999)
"""BigDecimal arithmetic, close enough: Ruby keeps more digits, but every result is read back
as a Float (`to_f`), where 40 significant digits round the same."""


_TO_I = re.compile(r"\s*([-+]?\d+(?:_\d+)*)")
_DECIMAL_TEXT = re.compile(r"\A-?\d+\.\d+\Z")


def string_to_i(text: str) -> int:
    """`String#to_i`: leading blanks, a sign and digits (underscores between them); else 0."""
    match = _TO_I.match(text)
    return int(match.group(1).replace("_", "")) if match else 0


def to_number(value: Any) -> int | Decimal:
    """`Liquid::Utils.to_number`: Floats and decimal text become BigDecimal, other text
    `to_i`, anything else 0."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return Decimal("NaN")
        if math.isinf(value):
            return Decimal("Infinity") if value > 0 else Decimal("-Infinity")
        return Decimal(repr(value))
    if isinstance(value, str):
        stripped = value.strip(" \t\n\v\f\r\0")
        if _DECIMAL_TEXT.match(stripped):
            return Decimal(stripped)
        return string_to_i(value)
    return 0


def to_integer(value: Any) -> int:
    """`Liquid::Utils.to_integer`: an Integer, or text Ruby's `Integer()` accepts."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = to_s(value)
    cleaned = text.strip(" \t\n\v\f\r")
    if re.fullmatch(
        r"[-+]?(?:0[xX][0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|0[bB][01]+(?:_[01]+)*|"
        r"0[oO]?[0-7]+(?:_[0-7]+)*|\d+(?:_\d+)*)",
        cleaned,
    ):
        sign = -1 if cleaned.startswith("-") else 1
        body = cleaned.lstrip("+-").replace("_", "").lower()
        if body.startswith("0x"):
            return sign * int(body[2:], 16)
        if body.startswith("0b"):
            return sign * int(body[2:], 2)
        if body.startswith("0o"):
            return sign * int(body[2:], 8)
        if len(body) > 1 and body.startswith("0"):
            return sign * int(body[1:], 8)
        return sign * int(body)
    raise LiquidArgumentError("invalid integer")


def from_decimal(value: int | Decimal) -> int | float:
    """What a filter returns: BigDecimal results become Floats (`to_f`)."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def ruby_to_i(value: Any) -> int:
    """`value.to_i` for what a range bound or a tablerow attribute may be."""
    if value is None:
        return 0
    if isinstance(value, str):
        return string_to_i(value)
    if isinstance(value, bool):
        raise LiquidArgumentError(f"undefined method `to_i' for {to_s(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise LiquidArgumentError(float_to_s(value))
        return int(value)
    raise LiquidArgumentError(f"undefined method `to_i' for {inspect(value)}")


LONG = 2**63
"""Ruby converts an index to a C long; a larger one is a RangeError."""


def c_long(value: int) -> int:
    """`value` if it fits a C long, else Ruby's RangeError (as a Liquid argument error)."""
    if not -LONG <= value < LONG:
        raise LiquidArgumentError("bignum too big to convert into `long'")
    return value
