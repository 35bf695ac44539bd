"""Liquid 5's standard filters with Ruby's semantics, as Shopify's `StandardFilters` has them.

Each filter takes the input and its arguments as Ruby Liquid passes them (keyword arguments as
one trailing dict) and answers what Ruby Liquid 5.4 with ActiveSupport answers, byte for byte:
text is Ruby text (strip leaves a no-break space, `split` drops trailing empty items), numbers
are Ruby numbers (decimal arithmetic on floats, integer division floors), arrays are flattened
where Ruby flattens them. The differential tests hold this module to Ruby Liquid itself.
"""

from __future__ import annotations

import base64
import binascii
import decimal
import html
import inspect as pyinspect
import math
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from seen_braze_harness.mocks.braze.liquid.ruby.comparison import (
    eql_key,
    ruby_eq,
    spaceship,
    truthy,
)
from seen_braze_harness.mocks.braze.liquid.ruby.encoding import (
    binary_text,
    check_compatible,
    is_binary,
)
from seen_braze_harness.mocks.braze.liquid.ruby.lookups import (
    first,
    has_first,
    has_last,
    has_size,
    last,
    ruby_size,
)
from seen_braze_harness.mocks.braze.liquid.ruby.numbers import (
    DECIMAL_CONTEXT,
    LONG,
    c_long,
    from_decimal,
    to_integer,
    to_number,
)
from seen_braze_harness.mocks.braze.liquid.ruby.printing import flatten, to_s
from seen_braze_harness.mocks.braze.liquid.ruby.sort import ruby_sort
from seen_braze_harness.mocks.braze.liquid.ruby.strftime import date_filter
from seen_braze_harness.mocks.braze.liquid.ruby.values import (
    Drop,
    LiquidArgumentError,
    RubyRange,
    TimeText,
)


class LiquidZeroDivisionError(LiquidArgumentError):
    """Ruby Liquid's `Liquid::ZeroDivisionError`."""


class LiquidFloatDomainError(LiquidArgumentError):
    """Ruby Liquid's `Liquid::FloatDomainError` (rounding Infinity or NaN)."""


@dataclass(frozen=True)
class FilterCall:
    """What a filter may need from the render besides its arguments: the clock, and the
    bounds a filter must check before it builds a result."""

    now: float
    result_chars: int = 1_000_000
    integer_bits: int = 100_000


_RUBY_SPACE = " \t\n\v\f\r\0"
_AWK_SPACE = " \t\n\v\f\r"


def _text(value: Any) -> str:
    return to_s(value)


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


# --- text ----------------------------------------------------------------------------------------


def size(value: Any) -> Any:
    return ruby_size(value) if has_size(value) else 0


def downcase(value: Any) -> str:
    return _text(value).lower()


def upcase(value: Any) -> str:
    return _text(value).upper()


def capitalize(value: Any) -> str:
    text = _text(value)
    return text[:1].title() + text[1:].lower() if text else ""


def escape(value: Any) -> str | None:
    if value is None:
        return None
    return html.escape(_text(value), quote=True).replace("&#x27;", "&#39;")


_ESCAPE_ONCE = re.compile(r"[\"><']|&(?!([a-zA-Z]+|(#\d+));)")
_ESCAPES = {"&": "&amp;", ">": "&gt;", "<": "&lt;", '"': "&quot;", "'": "&#39;"}


def escape_once(value: Any) -> str:
    return _ESCAPE_ONCE.sub(lambda m: _ESCAPES[m.group(0)[0]], _text(value))


def url_encode(value: Any) -> str | None:
    """`CGI.escape`: all but `a-z A-Z 0-9 _ . - ~` percent-encoded, a space as `+`."""
    if value is None:
        return None
    return urllib.parse.quote_plus(_text(value).encode("utf-8", "surrogateescape"), safe="~")


_PERCENT = re.compile(rb"%([0-9a-fA-F]{2})")


def url_decode(value: Any) -> str | None:
    """`CGI.unescape`: `+` is a space, `%XX` a byte; broken escapes stay as they are."""
    if value is None:
        return None
    text = _text(value)
    raw = text.encode("utf-8", "surrogateescape").replace(b"+", b" ")
    decoded = _PERCENT.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
    if is_binary(text):
        return binary_text(decoded)  # binary in, binary out: always a valid encoding
    try:
        return decoded.decode("utf-8")
    except UnicodeDecodeError:
        raise LiquidArgumentError("invalid byte sequence in UTF-8") from None


def _binary(data: bytes) -> str:
    return binary_text(data)


def _strict_b64decode(text: str) -> bytes:
    """`Base64.strict_decode64`: padding required, no stray bits, nothing but the alphabet."""
    if len(text) % 4 or re.search(r"[^A-Za-z0-9+/=]", text):
        raise binascii.Error
    data = base64.b64decode(text, validate=True)
    if base64.b64encode(data).decode() != text:
        raise binascii.Error
    return data


def base64_encode(value: Any) -> str:
    return base64.b64encode(_text(value).encode("utf-8", "surrogateescape")).decode()


def base64_decode(value: Any) -> str:
    text = _text(value)
    try:
        return _binary(_strict_b64decode(text))
    except (binascii.Error, ValueError):
        raise LiquidArgumentError("invalid base64 provided to base64_decode") from None


def base64_url_safe_encode(value: Any) -> str:
    return base64.urlsafe_b64encode(_text(value).encode("utf-8", "surrogateescape")).decode()


def base64_url_safe_decode(value: Any) -> str:
    text = _text(value)
    if not text.endswith("=") and len(text) % 4:
        text = text.ljust((len(text) + 3) & ~3, "=")
    text = text.replace("-", "+").replace("_", "/")
    try:
        return _binary(_strict_b64decode(text))
    except (binascii.Error, ValueError):
        raise LiquidArgumentError("invalid base64 provided to base64_url_safe_decode") from None


def _ruby_slice(seq: Any, offset: int, length: int) -> Any:
    """`String#slice(offset, length)` / `Array#slice`: None where Ruby answers nil."""
    size_ = len(seq)
    if offset < 0:
        offset += size_
        if offset < 0:
            return None
    if offset > size_ or length < 0:
        return None
    return seq[offset : offset + length]


def slice_(value: Any, offset: Any, length: Any = None) -> Any:
    start = c_long(to_integer(offset))
    count = c_long(to_integer(length)) if truthy(length) else 1
    if isinstance(value, list):
        got = _ruby_slice(value, start, count)
        return [] if got is None else got
    got = _ruby_slice(_text(value), start, count)
    return "" if got is None else got


def truncate(value: Any, length: Any = 50, ellipsis: Any = "...") -> str | None:
    if value is None:
        return None
    text = _text(value)
    limit = to_integer(length)
    tail = _text(ellipsis)
    keep = max(limit - len(tail), 0)
    return text[:keep] + tail if len(text) > limit else text


def _awk_split(text: str, limit: int = 0) -> list[str]:
    """`String#split(" ", limit)`: fields between runs of ASCII whitespace, leading ones
    ignored; with a limit the last field is the rest, and trailing empty fields are kept."""
    fields: list[str] = []
    begin = end = 0
    skipping = True
    count = 1
    for position, char in enumerate(text, 1):
        if skipping:
            if char in _AWK_SPACE:
                begin = position
            else:
                end = position
                skipping = False
                if limit > 0 and limit <= count:
                    break
        elif char in _AWK_SPACE:
            fields.append(text[begin:end])
            skipping = True
            begin = position
            if limit > 0:
                count += 1
        else:
            end = position
    if text and (limit > 0 or len(text) > begin):
        fields.append(text[begin:])
    if limit == 0:
        while fields and fields[-1] == "":
            fields.pop()
    return fields


def truncatewords(value: Any, words: Any = 15, ellipsis: Any = "...") -> str | None:
    if value is None:
        return None
    text = _text(value)
    count = to_integer(words)
    if count <= 0:
        count = 1
    if count + 1 > 2**31 - 1:
        raise LiquidArgumentError(f"integer {count} too big for truncatewords")
    wordlist = _awk_split(text, count + 1)
    if len(wordlist) <= count:
        return text
    wordlist.pop()
    return " ".join(wordlist) + _text(ellipsis)


def split(value: Any, pattern: Any) -> list[str]:
    text, separator = _joined(_text(value), _text(pattern))
    if separator == " ":
        return _awk_split(text)
    parts = list(text) if separator == "" else text.split(separator)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def strip(value: Any) -> str:
    return _text(value).strip(_RUBY_SPACE)


def lstrip(value: Any) -> str:
    return _text(value).lstrip(_RUBY_SPACE)


def rstrip(value: Any) -> str:
    return _text(value).rstrip(_RUBY_SPACE)


_HTML_BLOCKS = (("<script", "</script>"), ("<!--", "-->"), ("<style", "</style>"))
"""Ruby Liquid's STRIP_HTML_BLOCKS, tried in this order at each `<`."""


def strip_html(value: Any) -> str:
    """`<script…</script>`, `<!--…-->`, `<style…</style>` removed, then every `<…>`, as Ruby's
    two `gsub`s do, in one linear pass each (a closing mark once missing stays missing)."""
    text = _text(value)
    missing: set[str] = set()
    kept: list[str] = []
    pos = 0
    while (at := text.find("<", pos)) >= 0:
        end = -1
        for opening, closing in _HTML_BLOCKS:
            if closing not in missing and text.startswith(opening, at):
                found = text.find(closing, at + len(opening))
                if found < 0:
                    missing.add(closing)
                    continue
                end = found + len(closing)
                break
        if end < 0:
            kept.append(text[pos : at + 1])
            pos = at + 1
            continue
        kept.append(text[pos:at])
        pos = end
    kept.append(text[pos:])
    text = "".join(kept)
    kept, pos = [], 0
    while (at := text.find("<", pos)) >= 0:
        end = text.find(">", at + 1)
        if end < 0:
            break
        kept.append(text[pos:at])
        pos = end + 1
    kept.append(text[pos:])
    return "".join(kept)


def strip_newlines(value: Any) -> str:
    return re.sub(r"\r?\n", "", _text(value))


def newline_to_br(value: Any) -> str:
    return re.sub(r"\r?\n", "<br />\n", _text(value))


def _joined(*parts: str) -> tuple[str, ...]:
    """The parts, once Ruby would agree to join them (binary and UTF-8 text may not)."""
    for index in range(1, len(parts)):
        check_compatible(parts[0], parts[index])
    return parts


def _replaced_size(call: FilterCall, text: str, needle: str, new: str, count: int) -> None:
    """Refuse a replacement whose result would be over the limit, before building it."""
    size = len(text) + count * (len(new) - len(needle))
    if size > call.result_chars:
        raise LiquidArgumentError(
            f"the result is longer than {call.result_chars:,} characters "
            "(the emulator's output limit)"
        )


def replace(call: FilterCall, value: Any, search: Any, replacement: Any = "") -> str:
    text, needle, new = _joined(_text(value), _text(search), _text(replacement))
    if new:
        _replaced_size(call, text, needle, new, text.count(needle))
    return text.replace(needle, new)


def replace_first(value: Any, search: Any, replacement: Any = "") -> str:
    text, needle, new = _joined(_text(value), _text(search), _text(replacement))
    return text.replace(needle, new, 1)


def replace_last(value: Any, search: Any, replacement: Any) -> str:
    text, needle = _text(value), _text(search)
    at = text.rfind(needle)
    if at < 0:
        return text
    return text[:at] + _text(replacement) + text[at + len(needle) :]


def remove(value: Any, search: Any) -> str:
    text, needle = _joined(_text(value), _text(search))
    return text.replace(needle, "")


def remove_first(value: Any, search: Any) -> str:
    return replace_first(value, search, "")


def remove_last(value: Any, search: Any) -> str:
    return replace_last(value, search, "")


def append(value: Any, suffix: Any) -> str:
    left, right = _joined(_text(value), _text(suffix))
    return left + right


def prepend(value: Any, prefix: Any) -> str:
    left, right = _joined(_text(prefix), _text(value))
    return left + right


# --- arrays --------------------------------------------------------------------------------------


def join(call: FilterCall, value: Any, glue: Any = " ") -> str:
    parts = [to_s(item) for item in flatten(_items(value))]
    separator = _text(glue)
    size = sum(map(len, parts)) + len(separator) * max(len(parts) - 1, 0)
    if size > call.result_chars:
        raise LiquidArgumentError(
            f"the result is longer than {call.result_chars:,} characters "
            "(the emulator's output limit)"
        )
    text = separator.join(parts)
    if is_binary(text):
        _joined(text, *parts, separator)
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
        x = _ascii_fold(_text(a))
        y = _ascii_fold(_text(b))
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


# --- numbers -------------------------------------------------------------------------------------


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


def default(value: Any, fallback: Any = "", options: Any = None) -> Any:
    options = options if isinstance(options, dict) else {}
    missing = value is None if truthy(options.get("allow_false")) else not truthy(value)
    if missing or (isinstance(value, str | list | dict) and len(value) == 0):
        return fallback
    return value


def date(call: FilterCall, value: Any, fmt: Any) -> Any:
    """`date`: Ruby's Time.parse and strftime on a UTC server, `now` from the mock's clock."""
    if isinstance(value, TimeText):
        value = value.moment
    return date_filter(value, fmt, datetime.fromtimestamp(call.now, UTC))


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


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": abs_,
    "append": append,
    "at_least": at_least,
    "at_most": at_most,
    "base64_decode": base64_decode,
    "base64_encode": base64_encode,
    "base64_url_safe_decode": base64_url_safe_decode,
    "base64_url_safe_encode": base64_url_safe_encode,
    "capitalize": capitalize,
    "ceil": ceil,
    "compact": compact,
    "concat": concat,
    "default": default,
    "divided_by": divided_by,
    "downcase": downcase,
    "escape": escape,
    "escape_once": escape_once,
    "first": first_,
    "floor": floor,
    "h": escape,
    "join": join,
    "last": last_,
    "lstrip": lstrip,
    "map": map_,
    "minus": minus,
    "modulo": modulo,
    "newline_to_br": newline_to_br,
    "plus": plus,
    "prepend": prepend,
    "remove": remove,
    "remove_first": remove_first,
    "remove_last": remove_last,
    "replace": replace,
    "replace_first": replace_first,
    "replace_last": replace_last,
    "reverse": reverse,
    "round": round_,
    "rstrip": rstrip,
    "size": size,
    "slice": slice_,
    "sort": sort,
    "sort_natural": sort_natural,
    "split": split,
    "strip": strip,
    "strip_html": strip_html,
    "strip_newlines": strip_newlines,
    "times": times,
    "truncate": truncate,
    "truncatewords": truncatewords,
    "uniq": uniq,
    "upcase": upcase,
    "url_decode": url_decode,
    "url_encode": url_encode,
    "where": where,
}
STANDARD_FILTERS: dict[str, Filter] = {name: make_filter(f) for name, f in _FUNCTIONS.items()}
"""Every filter of Ruby Liquid 5.4's StandardFilters, by name."""
STANDARD_FILTERS["date"] = make_filter(date)
