"""Ruby's semantics for the values a Liquid template handles, as Braze's Rails servers have them.

Braze renders Liquid with Shopify's Ruby implementation, with ActiveSupport loaded. What a value
prints as, what equals what, what is blank, how text becomes a number: each follows Ruby 3 (and
ActiveSupport where it adds a method), not Python. Values are the JSON types (None, bool, int,
float, str, list, dict) plus `RubyRange` and the loop drops the engine makes.
"""

from __future__ import annotations

import decimal
import math
import re
import sys
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

DECIMAL_CONTEXT = decimal.Context(prec=40, Emax=999_999, Emin=-999_999)
"""BigDecimal arithmetic, close enough: Ruby keeps more digits, but every result is read back
as a Float (`to_f`), where 40 significant digits round the same."""


class LiquidArgumentError(ValueError):
    """Ruby Liquid's `Liquid::ArgumentError` (and the errors it reports the same way)."""


class RubyRange:
    """`(1..5)`: an inclusive range of integers, as Ruby's Range prints and iterates."""

    __slots__ = ("first", "last")

    def __init__(self, first: int, last: int) -> None:
        self.first = first
        self.last = last

    def __len__(self) -> int:
        return max(0, min(self.last - self.first + 1, sys.maxsize))

    def to_list(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RubyRange) and (self.first, self.last) == (other.first, other.last)

    def __hash__(self) -> int:
        return hash((self.first, self.last))

    def __repr__(self) -> str:
        return f"{self.first}..{self.last}"


class TimeText(str):
    """Text that prints as given but is a time to the date filters: how Braze hands Canvas
    context date-times to Liquid (shown as sent, formatted in UTC)."""

    moment: datetime

    def __new__(cls, text: str, moment: datetime) -> TimeText:
        made = super().__new__(cls, text)
        made.moment = moment
        return made


class ObjectAsList(dict[str, Any]):
    """A hash that also answers `[0]` with itself, as Braze's nested custom attributes do."""


class Drop:
    """A Liquid drop (forloop, tablerowloop): readable attributes, printed as its class name."""

    ruby_class = "Liquid::Drop"

    def invoke(self, name: str) -> Any:
        """The attribute `name`, or None when the drop has none (as Ruby Liquid answers)."""
        return None


# --- printing ------------------------------------------------------------------------------------


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


# --- binary text ------------------------------------------------------------------------------

_BINARY_BYTE = re.compile("[\udc80-\udcff]")
_UNICODE_CHAR = re.compile("[^\x00-\x7f\udc80-\udcff]")


def binary_text(data: bytes) -> str:
    """Bytes as Ruby's binary (ASCII-8BIT) text: every byte one character, so sizes, slices
    and case mapping count and touch bytes as Ruby's do; a byte over 127 is held as a
    surrogate escape and written back as that byte."""
    return data.decode("ascii", "surrogateescape")


def is_binary(text: str) -> bool:
    return _BINARY_BYTE.search(text) is not None


def has_unicode(text: str) -> bool:
    return _UNICODE_CHAR.search(text) is not None


def check_compatible(left: str, right: str) -> None:
    """Ruby refuses to join binary text holding bytes over 127 with UTF-8 text holding
    characters beyond ASCII (Encoding::CompatibilityError)."""
    if left.isascii() or right.isascii():
        return  # `isascii` is a flag CPython keeps: no scan
    if (_BINARY_BYTE.search(left) and _UNICODE_CHAR.search(right)) or (
        _UNICODE_CHAR.search(left) and _BINARY_BYTE.search(right)
    ):
        raise LiquidArgumentError("incompatible character encodings: UTF-8 and ASCII-8BIT")


def as_utf8(text: str) -> str:
    """Rendered text with binary bytes that form UTF-8 read as the characters they form."""
    if _BINARY_BYTE.search(text) is None:
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")


# --- truth, equality, blankness ------------------------------------------------------------------


class MethodLiteral:
    """`blank` and `empty` in a condition: equal to whatever answers `blank?` / `empty?`."""

    __slots__ = ("method",)

    def __init__(self, method: str) -> None:
        self.method = method

    def __repr__(self) -> str:
        return self.method


BLANK = MethodLiteral("blank?")
EMPTY = MethodLiteral("empty?")

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


# --- numbers -------------------------------------------------------------------------------------

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


LONG = 2**63
"""Ruby converts an index to a C long; a larger one is a RangeError."""


def c_long(value: int) -> int:
    """`value` if it fits a C long, else Ruby's RangeError (as a Liquid argument error)."""
    if not -LONG <= value < LONG:
        raise LiquidArgumentError("bignum too big to convert into `long'")
    return value


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
