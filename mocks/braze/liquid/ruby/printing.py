"""What a value prints as in Ruby: `to_s` (what `{{ value }}` writes) and `inspect`."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from seen_braze_harness.mocks.braze.liquid.ruby.values import Drop, MethodLiteral, RubyRange


def float_to_s(value: float) -> str:
    """`Float#to_s`: shortest digits; plain from 1e-4 up to 16 integer digits, else `1.0e+20`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign, digits_tuple, exponent = Decimal(repr(value)).as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digits_tuple)).rstrip("0") or "0"
    trailing = len("".join(map(str, digits_tuple))) - len(digits)
    exponent += trailing
    decpt = len(digits) + exponent
    minus = "-" if sign else ""
    if 0 < decpt < 16:
        whole, fraction = digits[:decpt].ljust(decpt, "0"), digits[decpt:]
        return f"{minus}{whole}.{fraction or '0'}"
    if -4 < decpt <= 0:
        return f"{minus}0.{'0' * -decpt}{digits}"
    mantissa = f"{digits[0]}.{digits[1:] or '0'}"
    power = decpt - 1
    return f"{minus}{mantissa}e{'+' if power >= 0 else '-'}{abs(power):02d}"


def to_s(value: Any) -> str:
    """`value.to_s` as Ruby has it: nil is '', arrays and hashes print as `inspect`."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_to_s(value)
    if isinstance(value, Decimal):
        return decimal_to_s(value)
    if isinstance(value, list | dict):
        return inspect(value)
    if isinstance(value, RubyRange):
        return repr(value)
    if isinstance(value, Drop):
        return value.ruby_class
    if isinstance(value, MethodLiteral):
        return ""
    if isinstance(value, datetime):
        return time_to_s(value)
    return str(value)


def time_to_s(value: datetime) -> str:
    """`Time#to_s`: `2021-03-06 10:30:30 UTC`, or with the offset (`-0800`) in a zone."""
    year = value.year + getattr(value, "year_shift", 0)
    utc = getattr(value, "utc_mode", value.tzinfo is None or value.utcoffset() == timedelta(0))
    zone = "UTC" if utc else value.strftime("%z")
    return f"{year:04d}-{value:%m-%d %H:%M:%S} {zone}"


def output_text(value: Any) -> str:
    """What `{{ value }}` writes: arrays joined (flattened) with nothing, else `to_s`."""
    if isinstance(value, list):
        return "".join(to_s(item) for item in flatten(value))
    return to_s(value)


def decimal_to_s(value: Decimal) -> str:
    """`BigDecimal#to_s` is never shown: Ruby Liquid turns every BigDecimal into a Float."""
    return float_to_s(float(value))


_INSPECT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "\f": "\\f",
    "\v": "\\v",
    "\b": "\\b",
    "\a": "\\a",
    "\x1b": "\\e",
    "#": "#",
}


def _inspect_string(text: str) -> str:
    out = ['"']
    for index, char in enumerate(text):
        if char in _INSPECT_ESCAPES:
            escaped = _INSPECT_ESCAPES[char]
            if char == "#" and text[index + 1 : index + 2] in ("{", "$", "@"):
                escaped = "\\#"
            out.append(escaped)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}" if ord(char) > 0xFF else f"\\x{ord(char):02X}")
        elif 0xD800 <= ord(char) <= 0xDFFF:
            out.append(f"\\x{ord(char) & 0xFF:02X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def inspect(value: Any) -> str:
    """`value.inspect` (what `Array#to_s` and `Hash#to_s` print) in Ruby 3.1's format."""
    if value is None:
        return "nil"
    if isinstance(value, str):
        return _inspect_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(inspect(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{inspect(k)}=>{inspect(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Drop):
        return value.ruby_class
    return to_s(value)


def flatten(values: list[Any]) -> list[Any]:
    """`Array#flatten`: nested arrays spliced in, recursively."""
    out: list[Any] = []
    for item in values:
        if isinstance(item, list):
            out.extend(flatten(item))
        else:
            out.append(item)
    return out
