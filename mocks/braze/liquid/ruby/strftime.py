"""Ruby 3.1's `Time#strftime` (strftime.c), and Ruby Liquid 5.4's `date` filter, which prints
with it."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, datetime, timezone, tzinfo

from seen_braze_harness.mocks.braze.liquid.ruby.printing import to_s
from seen_braze_harness.mocks.braze.liquid.ruby.time import (
    CYCLE_SECONDS,
    RubyArgumentError,
    RubyRangeError,
    RubyTime,
    as_ruby,
)
from seen_braze_harness.mocks.braze.liquid.ruby.time_parse import to_time

__all__ = ["WIDTH_LIMIT", "date_filter", "strftime"]


WIDTH_LIMIT = 1_000_000
"""*Assumed.* The widest field `strftime` pads to: a render's whole output may not be longer,
so a wider one (`%999999999d`) is refused before it is built (Ruby answers ERANGE for the
widest ones and builds the rest)."""

_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
_COMPOSITES = {
    "c": "%a %b %e %H:%M:%S %Y",
    "x": "%m/%d/%y",
    "D": "%m/%d/%y",
    "X": "%H:%M:%S",
    "T": "%H:%M:%S",
    "r": "%I:%M:%S %p",
    "R": "%H:%M",
    "F": "%Y-%m-%d",
    "v": "%e-%^b-%4Y",
}
_LEFT, _CHCASE, _LOWER, _UPPER = 1, 2, 4, 8


def _zone_name(t: RubyTime) -> str:
    """`Time#zone`: "UTC" on the server's clock, "" for a fixed offset, else the tz name."""
    tz: tzinfo | None = t.tzinfo
    if tz is None or tz is UTC:
        return "UTC"
    if isinstance(tz, timezone):
        name = tz.tzname(t)
        return "" if name.startswith("UTC") else name
    return t.tzname() or ""


def _case(text: str, flags: int) -> str:
    if flags & _UPPER and not flags & _LOWER:
        return text.upper()
    if flags & _LOWER and not flags & _UPPER:
        return text.lower()
    return text


def strftime(t: datetime, fmt: str) -> str:
    """Ruby's `Time#strftime(fmt)`; raises RubyArgumentError where Ruby raises."""
    out = _strftime(as_ruby(t), fmt)
    if out is None:
        raise RubyArgumentError(f"invalid format: {fmt}")
    return out


def _strftime(t: RubyTime, fmt: str) -> str | None:
    out: list[str] = []
    n = len(fmt)
    i = 0
    wday = (t.weekday() + 1) % 7
    yday = t.timetuple().tm_yday
    utc_off = t.utcoffset()
    offset = int(utc_off.total_seconds()) if utc_off is not None else 0
    year = t.ruby_year
    iso_year, iso_week, _ = t.isocalendar()
    iso_year += t.year_shift
    while i < n:
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        sp = i = j
        precision = -1
        flags = 0
        padding = ""
        colons = 0
        text: str | None = None

        while True:
            i += 1
            if i >= n:
                return None
            c = fmt[i]
            if c in "%nt":
                text = {"%": "%", "n": "\n", "t": "\t"}[c]
                if not flags & _LEFT and precision > 1:
                    text = (padding or " ") * (precision - 1) + text
                out.append(text)
                text = None
                break
            if c in "aAbhB":
                if flags & _CHCASE:
                    flags = (flags & ~(_LOWER | _CHCASE)) | _UPPER
                if c in "aA":
                    text = _DAYS[wday][:3] if c == "a" else _DAYS[wday]
                else:
                    text = _MONTHS[t.month - 1][:3] if c in "bh" else _MONTHS[t.month - 1]
                break
            if c in "pP":
                if (c == "p" and flags & _CHCASE) or (c == "P" and not flags & (_CHCASE | _UPPER)):
                    flags = (flags & ~(_UPPER | _CHCASE)) | _LOWER
                text = "AM" if t.hour < 12 else "PM"
                break
            if c == "Z":
                if flags & _CHCASE:
                    flags = (flags & ~(_UPPER | _CHCASE)) | _LOWER
                text = "UTC" if t.utc_mode else _zone_name(t)
                break
            if c in _COMPOSITES:
                sub = _strftime(t, _COMPOSITES[c])
                assert sub is not None
                sub = _case(sub, flags)
                if precision > len(sub):
                    sub = (padding or " ") * (precision - len(sub)) + sub
                out.append(sub)
                break
            numbers: dict[str, Callable[[], tuple[str, int, int]]] = {
                "d": lambda: ("0", 2, t.day),
                "e": lambda: (" ", 2, t.day),
                "H": lambda: ("0", 2, t.hour),
                "k": lambda: (" ", 2, t.hour),
                "I": lambda: ("0", 2, (t.hour % 12) or 12),
                "l": lambda: (" ", 2, (t.hour % 12) or 12),
                "j": lambda: ("0", 3, yday),
                "m": lambda: ("0", 2, t.month),
                "M": lambda: ("0", 2, t.minute),
                "S": lambda: ("0", 2, t.second),
                "U": lambda: ("0", 2, (yday - 1 + 7 - wday) // 7),
                "W": lambda: ("0", 2, (yday - 1 + 7 - (wday - 1) % 7) // 7),
                "w": lambda: ("0", 1, wday),
                "u": lambda: ("0", 1, wday or 7),
                "y": lambda: ("0", 2, year % 100),
                "Y": lambda: ("0", 4 if year >= 0 else 5, year),
                "C": lambda: ("0", 2, year // 100),
                "V": lambda: ("0", 2, iso_week),
                "G": lambda: ("0", 4 if iso_year >= 0 else 5, iso_year),
                "g": lambda: ("0", 2, iso_year % 100),
                "s": lambda: ("0", 1, _epoch(t)),
            }
            if c in numbers:
                pad, prec, value = numbers[c]()
                out.append(_fmt_num(pad, prec, value, flags, precision, padding))
                break
            if c in "LN":
                digits = precision if precision > 0 else (3 if c == "L" else 9)
                out.append(f"{int(t.subsec * 10**digits):0{digits}d}")
                break
            if c == "z":
                z = _format_offset(
                    offset, t.utc_mode and bool(flags & _LEFT), colons, precision, padding
                )
                if z is None:
                    i -= 1
                    text = fmt[sp : i + 1]
                    flags = 0
                    precision = -1
                    break
                out.append(z)
                break
            if c == "E" or c == "O":
                allowed = "cCxXyY" if c == "E" else "deHkIlmMSuUVwWy"
                if i + 1 < n and fmt[i + 1] in allowed:
                    continue
            elif c in "-^#_":
                if precision > 0:
                    text, flags, precision = fmt[sp : i + 1], 0, -1
                    break
                if c == "-":
                    flags |= _LEFT
                    padding = ""
                    precision = 0
                elif c == "^":
                    flags |= _UPPER
                elif c == "#":
                    flags |= _CHCASE
                else:
                    padding = " "
                continue
            elif c == ":":
                colons = 1
                bad = False
                while colons <= 3:
                    if i + colons >= n:
                        bad = True
                        break
                    if fmt[i + colons] == "z":
                        break
                    if fmt[i + colons] != ":":
                        bad = True
                        break
                    colons += 1
                if not bad:
                    i += colons - 1
                    continue
            elif c in "0123456789":
                if c == "0":
                    padding = "0"
                k = i
                while k < n and fmt[k] in "0123456789":
                    k += 1
                if k - i > 10:
                    text, flags, precision = fmt[sp : i + 1], 0, -1
                    break
                value = int(fmt[i:k])
                if value > 2**31 - 1:
                    text, flags, precision = fmt[sp : i + 1], 0, -1
                    break
                if value > WIDTH_LIMIT:
                    raise RubyRangeError(
                        f"Result too large (a width of {value:,}; the emulator refuses more than "
                        f"{WIDTH_LIMIT:,})"
                    )
                precision = value
                i = k - 1
                continue
            # unknown directive: printed as written, from "%" up to here
            text, flags, precision = fmt[sp : i + 1], 0, -1
            break
        if text:  # an empty zone name prints nothing, padding included
            if not flags & _LEFT and precision > len(text):
                text = (padding or " ") * (precision - len(text)) + text
            out.append(_case(text, flags))
        i += 1
    return "".join(out)


def _fmt_num(def_pad: str, def_prec: int, value: int, flags: int, precision: int, pad: str) -> str:
    """strftime.c's FMT: `-` means width 1, `0`/`_` choose the padding over the default."""
    width = 1 if flags & _LEFT else (def_prec if precision <= 0 else precision)
    zero = pad == "0" or (not pad and def_pad == "0")
    return f"{value:0{width}d}" if zero else f"{value:{width}d}"


def _epoch(t: RubyTime) -> int:
    """Whole seconds since the epoch (`%s`), floor as Ruby's `div`."""
    return calendar.timegm(t.utctimetuple()) + t.year_shift // 400 * CYCLE_SECONDS


def _format_offset(
    off: int, minus_zero: bool, colons: int, precision: int, padding: str
) -> str | None:
    """`%z`, `%:z`, `%::z`, `%:::z` with Ruby's widths; None for four colons or more."""
    if off < 0 or minus_zero:
        aoff, sign = -off, -1
    else:
        aoff, sign = off, 1
    if colons == 0:
        precision = 2 if precision <= 5 else precision - 3
    elif colons == 1:
        precision = 2 if precision <= 6 else precision - 4
    elif colons == 2:
        precision = 2 if precision <= 9 else precision - 7
    elif colons == 3:
        if aoff % 3600 == 0:
            precision = 2 if precision <= 3 else precision - 1
        elif aoff % 60 == 0:
            precision = 2 if precision <= 6 else precision - 4
        else:
            precision = 2 if precision <= 9 else precision - 7
    else:
        return None
    hours = sign * (aoff // 3600)
    if padding == " ":
        head = f"{hours:+{precision + 1}d}"
        if sign < 0 and aoff < 3600:
            head = head[:-2] + "-" + head[-1:]
    else:
        head = ("-" if hours < 0 else "+") + f"{abs(hours):0{precision}d}"
        if sign < 0 and aoff < 3600:
            head = "-" + head[1:]
    parts = [head]
    rest = aoff % 3600
    if colons == 3 and rest == 0:
        return "".join(parts)
    if colons >= 1:
        parts.append(":")
    parts.append(f"{rest // 60:02d}")
    rest %= 60
    if colons == 3 and rest == 0:
        return "".join(parts)
    if colons >= 2:
        parts.append(f":{rest:02d}")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# StandardFilters#date and Ruby's printing of what it returns unchanged


def date_filter(value: object, fmt: object, now: datetime) -> object:
    """Ruby Liquid 5.4's `date` filter: the formatted time, or `value` itself when Liquid
    returns its input (empty format, unparseable value); RubyArgumentError for a bad format.
    """
    text = to_s(fmt)
    if text == "":
        return value
    t = to_time(value, now)
    if t is None:
        return value
    return strftime(t, text)
