"""Ruby's Time for the Liquid `date` filter, so emulated templates print what Braze prints.

Braze renders Liquid with Shopify's Ruby Liquid 5.4 inside Rails on a UTC server. Its `date`
filter turns the input into a Ruby `Time` with `Liquid::Utils.to_date` (which falls back to
`Time.parse`, i.e. Ruby 3.1's `Date._parse` heuristics) and prints it with `Time#strftime`.
This module ports those three pieces from their sources (liquid-5.4.0 `utils.rb` and
`standardfilters.rb`, Ruby 3.1 `time.rb`, date-3.2.2 `date_parse.c` without TIGHT_PARSER,
Ruby 3.1 `strftime.c`), checked byte for byte against Ruby by tests/liquid/test_ruby_time.py.

A parsed time is a `RubyTime`: a `datetime` that also keeps the exact fraction of a second
(Ruby keeps nanoseconds and more, `datetime` only microseconds) and whether Ruby holds it in
UTC mode (`Time#utc?`, which only `%-z` shows). Python's `datetime` covers years 1 to 9999
only while Ruby's Time has no limit, so a time outside that range is held with its year moved
by a multiple of 400 (the Gregorian calendar, weekdays included, repeats every 400 years) and
`RubyTime.year_shift` says by how much; `strftime` prints the true year.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from datetime import date as _date
from fractions import Fraction
from typing import Any

from seen_braze_harness.mocks.braze.liquid.ruby.printing import to_s

__all__ = [
    "RubyArgumentError",
    "RubyError",
    "RubyRangeError",
    "RubyTime",
    "date_filter",
    "in_zone",
    "strftime",
    "to_time",
]


class RubyError(ValueError):
    """Ruby raised an error that Liquid lets through: the render fails with this message."""


class RubyArgumentError(RubyError):
    """ArgumentError from a bad strftime format ("invalid format: %Y %")."""


class RubyRangeError(RubyError):
    """RangeError from a date part too big for a C int ("integer ... too big to convert")."""


WIDTH_LIMIT = 1_000_000
"""*Assumed.* The widest field `strftime` pads to: a render's whole output may not be longer,
so a wider one (`%999999999d`) is refused before it is built (Ruby answers ERANGE for the
widest ones and builds the rest)."""


class _NoTime(Exception):
    """Ruby raised ArgumentError inside `to_date`, which Liquid rescues into nil."""


class RubyTime(datetime):
    """A datetime with Ruby's exact sub-second part and UTC mode, which strftime prints."""

    subsec: Fraction
    utc_mode: bool
    year_shift: int
    """Years to add to `.year` for Ruby's year: 0 unless that is outside 1..9999."""

    @property
    def ruby_year(self) -> int:
        return self.year + self.year_shift


_CYCLE_DAYS = 146097  # days in 400 Gregorian years, a whole number of weeks
_CYCLE_SECONDS = _CYCLE_DAYS * 86400


def _ruby_time(dt: datetime, subsec: Fraction, utc_mode: bool, shift: int = 0) -> RubyTime:
    """A RubyTime for an aware datetime whose microseconds are dropped in favour of `subsec`."""
    micro = int(subsec * 1_000_000)
    t = RubyTime(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, micro, tzinfo=dt.tzinfo)
    t.subsec = subsec
    t.utc_mode = utc_mode
    t.year_shift = shift
    return t


def _as_ruby(t: datetime) -> RubyTime:
    """Any datetime as a RubyTime; a naive one is server-local, i.e. UTC as on Braze."""
    if isinstance(t, RubyTime):
        return t
    if t.tzinfo is None:
        return _ruby_time(t.replace(tzinfo=UTC), Fraction(t.microsecond, 1_000_000), False)
    return _ruby_time(t, Fraction(t.microsecond, 1_000_000), t.tzinfo is UTC)


def in_zone(t: datetime, zone: tzinfo) -> RubyTime:
    """`t` as the same instant in `zone` (ActiveSupport's `in_time_zone`), exactness kept."""
    ruby = _as_ruby(t)
    return _ruby_time(ruby.astimezone(zone), ruby.subsec, False, ruby.year_shift)


# ---------------------------------------------------------------------------------------------
# Liquid::Utils.to_date and Time.at / Time.now


def to_time(value: object, now: datetime) -> datetime | None:
    """What Ruby Liquid 5.4's `Liquid::Utils.to_date(value)` returns on a UTC server, or None.

    `now` stands for Ruby's `Time.now`: what "now"/"today" mean and where `Time.parse` takes
    missing date parts from.
    """
    if isinstance(value, datetime):
        return _as_ruby(value)
    if isinstance(value, _date):  # Ruby's Date also responds to strftime
        return _ruby_time(
            datetime(value.year, value.month, value.day, tzinfo=UTC), Fraction(0), False
        )
    if isinstance(value, str):
        if value == "":
            return None
        text = value.lower()
        if text in ("now", "today"):
            return _local(_as_ruby(now))
        if re.fullmatch(r"[0-9]+", text):
            return _time_at(int(text))
        try:
            return _time_parse(text, _as_ruby(now))
        except _NoTime:
            return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _time_at(value)
    return None  # floats, nil, arrays, hashes: `case` matches nothing


def _local(t: RubyTime) -> RubyTime:
    """The same instant as a server-local Time (`Time#getlocal` on TZ=UTC)."""
    return _ruby_time(t.astimezone(UTC), t.subsec, False, t.year_shift)


def _time_at(seconds: int) -> RubyTime:
    """`Time.at(seconds)`: local time, which is UTC on the server."""
    cycles = 0
    if not -62_000_000_000 < seconds < 250_000_000_000:  # about years 5 to 9900
        cycles = (seconds - 946_684_800) // _CYCLE_SECONDS  # 400-year steps from 2000
        seconds -= cycles * _CYCLE_SECONDS
    dt = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    return _ruby_time(dt, Fraction(0), False, cycles * 400)


# ---------------------------------------------------------------------------------------------
# Date._parse (date_parse.c, date 3.2.2, without TIGHT_PARSER)

# Onigmo's \d, \s are ASCII; its \b and [[:alpha:]] follow Unicode, as Python's do.
_D = "[0-9]"
_S = r"[ \t\n\v\f\r]"
_NS = r"[^ \t\n\v\f\r]"
_ALPHA = r"[^\W0-9_]"
_ABBR_DAYS = "sun|mon|tue|wed|thu|fri|sat"
_ABBR_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_ERA = r"(c(?:e|\.e\.)|b(?:ce|\.c\.e\.)|a(?:d|\.d\.)|b(?:c|\.c\.))?"


_OUTSIDE = {"d": _D, "D": "[^0-9]", "s": _S, "S": _NS}
_INSIDE = {"d": "0-9", "s": r" \t\n\v\f\r"}


def _rx(pattern: str, icase: bool = True) -> re.Pattern[str]:
    """Compile a date_parse.c pattern, spelling Onigmo's ASCII \\d and \\s out for Python."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            e = pattern[i + 1]
            table = _INSIDE if in_class else _OUTSIDE
            out.append(table.get(e, c + e))
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
            out.append(c)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                out.append("\\]")
                i += 1
        elif c == "]" and in_class:
            in_class = False
            out.append(c)
        else:
            out.append(c)
        i += 1
    return re.compile("".join(out), re.IGNORECASE if icase else 0)


_SPACES = re.compile(r"(?:[^-+',./:@\[\]\w]|_)+")
_DAY = _rx(rf"\b({_ABBR_DAYS})[^-/\d\s]*")
_TIME = _rx(
    r"((?:\d+\s*:\s*\d+(?:\s*:\s*\d+(?:[,.]\d*)?)?|\d+\s*h(?:\s*\d+m?(?:\s*\d+s?)?)?)"
    r"(?:\s*[ap](?:m\b|\.m\.))?|\d+\s*[ap](?:m\b|\.m\.))"
    r"(?:\s*((?:gmt|utc?)?[-+]\d+(?:[,.:]\d+(?::\d+)?)?"
    rf"|(?:{_ALPHA}|[.\s])+(?:standard|daylight)\stime\b"
    rf"|{_ALPHA}+(?:\sdst)?\b))?"
)
_TIME2 = _rx(
    r"\A(\d+)h?(?:\s*:?\s*(\d+)m?(?:\s*:?\s*(\d+)(?:[,.](\d+))?s?)?)?(?:\s*([ap])(?:m\b|\.m\.))?"
)
_EU = _rx(
    rf"('?\d+)[^-\d\s]*\s*({_ABBR_MONTHS})[^-\d\s']*"
    rf"(?:\s*{_ERA}\s*('?-?\d+(?:(?:st|nd|rd|th)\b)?))?"
)
_US = _rx(rf"\b({_ABBR_MONTHS})[^-\d\s']*\s*('?\d+)[^-\d\s']*(?:\s*,?\s*{_ERA}\s*('?-?\d+))?")
_ISO = _rx(r"('?[-+]?\d+)-(\d+)-('?-?\d+)", icase=False)
_ISO21 = _rx(r"\b(\d{2}|\d{4})?-?w(\d{2})(?:-?(\d))?\b")
_ISO22 = _rx(r"-w-(\d)\b")
_ISO23 = _rx(r"--(\d{2})?-(\d{2})\b", icase=False)
_ISO24 = _rx(r"--(\d{2})(\d{2})?\b", icase=False)
_ISO25_0 = _rx(r"[,.](\d{2}|\d{4})-\d{3}\b", icase=False)
_ISO25 = _rx(r"\b(\d{2}|\d{4})-(\d{3})\b", icase=False)
_ISO26_0 = _rx(r"\d-\d{3}\b", icase=False)
_ISO26 = _rx(r"\b-(\d{3})\b", icase=False)
_JIS = _rx(r"\b([mtshr])(\d+)\.(\d+)\.(\d+)")
_VMS11 = _rx(rf"('?-?\d+)-({_ABBR_MONTHS})[^-/.]*-('?-?\d+)")
_VMS12 = _rx(rf"\b({_ABBR_MONTHS})[^-/.]*-('?-?\d+)(?:-('?-?\d+))?")
_SLA = _rx(r"('?-?\d+)/\s*('?\d+)(?:\D\s*('?-?\d+))?")
_DOT = _rx(r"('?-?\d+)\.\s*('?\d+)\.\s*('?-?\d+)")
_YEAR = _rx(r"'(\d+)\b", icase=False)
_MON = _rx(rf"\b({_ABBR_MONTHS})\S*")
_MDAY = _rx(r"(\d+)(st|nd|rd|th)\b")
_DDD = _rx(
    r"([-+]?)(\d{2,14})(?:\s*t?\s*(\d{2,6})?(?:[,.](\d*))?)?"
    r"(?:\s*(z\b|[-+]\d{1,4}\b|\[[-+]?\d[^\]]*\]))?"
)
_BC = _rx(r"\b(bc\b|bce\b|b\.c\.|b\.c\.e\.)")
_FRAG = _rx(r"\A\s*(\d{1,2})\s*\Z")

_MONTH_ABBRS = _ABBR_MONTHS.split("|")
_DAY_ABBRS = _ABBR_DAYS.split("|")

_Hash = dict[str, Any]


class _Str:
    """The string date_parse.c edits in place: each matched part becomes one space."""

    def __init__(self, text: str) -> None:
        self.text = text

    def subs(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        m = pattern.search(self.text)
        if m is not None:
            self.text = self.text[: m.start()] + " " + self.text[m.end() :]
        return m

    def has(self, classes: str) -> bool:
        """check_class: the ASCII classes (a=alpha, d=digit, or a punctuation mark) present."""
        t = self.text
        for c in classes:
            if c == "a":
                if not re.search("[A-Za-z]", t):
                    return False
            elif c == "d":
                if not re.search("[0-9]", t):
                    return False
            elif c not in t:
                return False
        return True


def _str2num(s: str) -> int:
    """rb_str_to_inum(s, 10, 0): a leading signed integer, 0 when there is none."""
    m = re.match(r"[ \t\n\v\f\r]*([-+]?[0-9]+)", s)
    return int(m.group(1)) if m else 0


def _mon_num(s: str) -> int:
    return _MONTH_ABBRS.index(s[:3].lower()) + 1


def _digits_from(s: str, i: int) -> int:
    j = i
    while j < len(s) and s[j].isascii() and s[j].isdigit():
        j += 1
    return j


def _s3e(h: _Hash, y: str | None, m: str | None, d: str | None, bc: bool) -> None:
    """date_parse.c's s3e: decide which of three numbers is year, month and day."""
    comp: bool | None = None
    if y is not None and m is not None and d is None:
        y, m, d = d, y, m
    if y is None:
        if d is not None and len(d) > 2:
            y, d = d, None
        if d is not None and d[:1] == "'":
            y, d = d, None
    if y is not None:
        i = 0
        while i < len(y) and y[i] not in "+-" and not ("0" <= y[i] <= "9"):
            i += 1
        if i < len(y):
            bp = i
            if y[i] in "+-":
                i += 1
            ep = _digits_from(y, i)
            if ep < len(y):
                number = y[bp:ep]
                y, d = d, number
    if m is not None and (m[:1] == "'" or len(m) > 2):
        y, m, d = m, d, y
    if d is not None and (d[:1] == "'" or len(d) > 2):
        y, d = d, y
    if y is not None:
        i = 0
        while i < len(y) and y[i] not in "+-" and not ("0" <= y[i] <= "9"):
            i += 1
        if i < len(y):
            bp = i
            if y[i] in "+-":
                i += 1
                comp = False
            ep = _digits_from(y, i)
            if ep - i > 2:
                comp = False
            h["year"] = _str2num(y[bp:ep])
    if bc:
        h["_bc"] = True
    for key, v in (("mon", m), ("mday", d)):
        if v is not None:
            i = 0
            while i < len(v) and not ("0" <= v[i] <= "9"):
                i += 1
            if i < len(v):
                h[key] = int(v[i : _digits_from(v, i)])
    if comp is not None:
        h["_comp"] = comp


def _is_bc(b: str | None) -> bool:
    return b is not None and b[:1] in "bB"


def _parse_time(s: _Str, h: _Hash) -> None:
    m = s.subs(_TIME)
    if m is None:
        return
    if m.group(2) is not None:
        h["zone"] = m.group(2)
    t = _TIME2.search(m.group(1))
    if t is None:
        return
    hour = int(t.group(1))
    if t.group(5) is not None:
        hour = _num2int(hour) % 12
        if t.group(5) in "pP":
            hour += 12
    h["hour"] = hour
    if t.group(2) is not None:
        h["min"] = int(t.group(2))
    if t.group(3) is not None:
        h["sec"] = int(t.group(3))
    if t.group(4) is not None:
        h["sec_fraction"] = Fraction(int(t.group(4)), 10 ** len(t.group(4)))


def _parse_eu(s: _Str, h: _Hash) -> bool:
    m = s.subs(_EU)
    if m is None:
        return False
    _s3e(h, m.group(4), str(_mon_num(m.group(2))), m.group(1), _is_bc(m.group(3)))
    return True


def _parse_us(s: _Str, h: _Hash) -> bool:
    m = s.subs(_US)
    if m is None:
        return False
    _s3e(h, m.group(4), str(_mon_num(m.group(1))), m.group(2), _is_bc(m.group(3)))
    return True


def _parse_iso(s: _Str, h: _Hash) -> bool:
    m = s.subs(_ISO)
    if m is None:
        return False
    _s3e(h, m.group(1), m.group(2), m.group(3), False)
    return True


def _parse_iso2(s: _Str, h: _Hash) -> bool:
    if m := s.subs(_ISO21):
        if m.group(1) is not None:
            h["cwyear"] = int(m.group(1))
        h["cweek"] = int(m.group(2))
        if m.group(3) is not None:
            h["cwday"] = int(m.group(3))
        return True
    if m := s.subs(_ISO22):
        h["cwday"] = int(m.group(1))
        return True
    if m := s.subs(_ISO23):
        if m.group(1) is not None:
            h["mon"] = int(m.group(1))
        h["mday"] = int(m.group(2))
        return True
    if m := s.subs(_ISO24):
        h["mon"] = int(m.group(1))
        if m.group(2) is not None:
            h["mday"] = int(m.group(2))
        return True
    if not _ISO25_0.search(s.text) and (m := s.subs(_ISO25)):
        h["year"] = int(m.group(1))
        h["yday"] = int(m.group(2))
        return True
    if not _ISO26_0.search(s.text) and (m := s.subs(_ISO26)):
        h["yday"] = int(m.group(1))
        return True
    return False


def _parse_jis(s: _Str, h: _Hash) -> bool:
    m = s.subs(_JIS)
    if m is None:
        return False
    era = {"m": 1867, "t": 1911, "s": 1925, "h": 1988, "r": 2018}.get(m.group(1).lower(), 0)
    h["year"] = int(m.group(2)) + era
    h["mon"] = int(m.group(3))
    h["mday"] = int(m.group(4))
    return True


def _parse_vms(s: _Str, h: _Hash) -> bool:
    if m := s.subs(_VMS11):
        _s3e(h, m.group(3), str(_mon_num(m.group(2))), m.group(1), False)
        return True
    if m := s.subs(_VMS12):
        _s3e(h, m.group(3), str(_mon_num(m.group(1))), m.group(2), False)
        return True
    return False


def _parse_sla(s: _Str, h: _Hash) -> bool:
    m = s.subs(_SLA)
    if m is None:
        return False
    _s3e(h, m.group(1), m.group(2), m.group(3), False)
    return True


def _parse_dot(s: _Str, h: _Hash) -> bool:
    m = s.subs(_DOT)
    if m is None:
        return False
    _s3e(h, m.group(1), m.group(2), m.group(3), False)
    return True


def _parse_year(s: _Str, h: _Hash) -> bool:
    m = s.subs(_YEAR)
    if m is None:
        return False
    h["year"] = int(m.group(1))
    return True


def _parse_mon(s: _Str, h: _Hash) -> bool:
    m = s.subs(_MON)
    if m is None:
        return False
    h["mon"] = _mon_num(m.group(1))
    return True


def _parse_mday(s: _Str, h: _Hash) -> bool:
    m = s.subs(_MDAY)
    if m is None:
        return False
    h["mday"] = int(m.group(1))
    return True


def _n2i(s: str, start: int, width: int) -> int:
    return int(s[start : start + width])


def _parse_ddd(s: _Str, h: _Hash) -> bool:
    """Runs of digits: yymmdd, yyyymmddhhmmss, hhmmss with a fraction and a zone..."""
    m = s.subs(_DDD)
    if m is None:
        return False
    s1, s2, s3, s4, s5 = m.groups()
    neg = s1 == "-"
    l2 = len(s2)
    time_first = s3 is None and s4 is not None
    if l2 == 2:
        if time_first:
            h["sec"] = _n2i(s2, 0, 2)
        else:
            h["mday"] = _n2i(s2, 0, 2)
    elif l2 == 4:
        if time_first:
            h["sec"] = _n2i(s2, 2, 2)
            h["min"] = _n2i(s2, 0, 2)
        else:
            h["mon"] = _n2i(s2, 0, 2)
            h["mday"] = _n2i(s2, 2, 2)
    elif l2 == 6:
        if time_first:
            h["sec"] = _n2i(s2, 4, 2)
            h["min"] = _n2i(s2, 2, 2)
            h["hour"] = _n2i(s2, 0, 2)
        else:
            y = _n2i(s2, 0, 2)
            h["year"] = -y if neg else y
            h["mon"] = _n2i(s2, 2, 2)
            h["mday"] = _n2i(s2, 4, 2)
    elif l2 in (8, 10, 12, 14):
        if time_first:
            h["sec"] = _n2i(s2, l2 - 2, 2)
            h["min"] = _n2i(s2, l2 - 4, 2)
            h["hour"] = _n2i(s2, l2 - 6, 2)
            h["mday"] = _n2i(s2, l2 - 8, 2)
            if l2 >= 10:
                h["mon"] = _n2i(s2, l2 - 10, 2)
            if l2 == 12:
                y = _n2i(s2, 0, 2)
                h["year"] = -y if neg else y
            if l2 == 14:
                y = _n2i(s2, 0, 4)
                h["year"] = -y if neg else y
                h["_comp"] = False
        else:
            y = _n2i(s2, 0, 4)
            h["year"] = -y if neg else y
            h["mon"] = _n2i(s2, 4, 2)
            h["mday"] = _n2i(s2, 6, 2)
            if l2 >= 10:
                h["hour"] = _n2i(s2, 8, 2)
            if l2 >= 12:
                h["min"] = _n2i(s2, 10, 2)
            if l2 >= 14:
                h["sec"] = _n2i(s2, 12, 2)
            h["_comp"] = False
    elif l2 == 3:
        if time_first:
            h["sec"] = _n2i(s2, 1, 2)
            h["min"] = _n2i(s2, 0, 1)
        else:
            h["yday"] = _n2i(s2, 0, 3)
    elif l2 == 5:
        if time_first:
            h["sec"] = _n2i(s2, 3, 2)
            h["min"] = _n2i(s2, 1, 2)
            h["hour"] = _n2i(s2, 0, 1)
        else:
            y = _n2i(s2, 0, 2)
            h["year"] = -y if neg else y
            h["yday"] = _n2i(s2, 2, 3)
    elif l2 == 7:
        if time_first:
            h["sec"] = _n2i(s2, 5, 2)
            h["min"] = _n2i(s2, 3, 2)
            h["hour"] = _n2i(s2, 1, 2)
            h["mday"] = _n2i(s2, 0, 1)
        else:
            y = _n2i(s2, 0, 4)
            h["year"] = -y if neg else y
            h["yday"] = _n2i(s2, 4, 3)
    if s3 is not None:
        l3 = len(s3)
        if l3 in (2, 4, 6):
            if s4 is not None:
                h["sec"] = _n2i(s3, l3 - 2, 2)
                if l3 >= 4:
                    h["min"] = _n2i(s3, l3 - 4, 2)
                if l3 >= 6:
                    h["hour"] = _n2i(s3, l3 - 6, 2)
            else:
                h["hour"] = _n2i(s3, 0, 2)
                if l3 >= 4:
                    h["min"] = _n2i(s3, 2, 2)
                if l3 >= 6:
                    h["sec"] = _n2i(s3, 4, 2)
    if s4 is not None:
        h["sec_fraction"] = Fraction(_str2num(s4), 10 ** len(s4))
    if s5 is not None:
        zone = s5
        if s5.startswith("["):
            inner = s5[1:-1]
            zone = inner.split(":", 1)[1] if ":" in inner else inner
        h["zone"] = zone
    return True


def _parse_frag(s: _Str, h: _Hash) -> None:
    m = s.subs(_FRAG)
    if m is None:
        return
    n = int(m.group(1))
    if "hour" in h and "mday" not in h and 1 <= n <= 31:
        h["mday"] = n
    if "mday" in h and "hour" not in h and 0 <= n <= 24:
        h["hour"] = n


_Parser = Callable[[_Str, _Hash], bool]
_CHAIN: tuple[tuple[str, _Parser], ...] = (
    ("ad", _parse_eu),
    ("ad", _parse_us),
    ("d-", _parse_iso),
    ("d.", _parse_jis),
    ("ad-", _parse_vms),
    ("d/", _parse_sla),
    ("d.", _parse_dot),
    ("d", _parse_iso2),
    ("d", _parse_year),
    ("a", _parse_mon),
    ("d", _parse_mday),
    ("d", _parse_ddd),
)


def _date_parse(text: str) -> _Hash:
    """`Date._parse(text)` with comp=true, the parts `Time.parse` reads."""
    if len(text.encode("utf-8", "surrogatepass")) > 128:
        raise _NoTime("string length exceeds the limit 128")
    s = _Str(_SPACES.sub(" ", text))
    h: _Hash = {"_comp": True}
    if s.has("a") and (m := s.subs(_DAY)):
        h["wday"] = _DAY_ABBRS.index(m.group(1)[:3].lower())
    if s.has("d"):
        _parse_time(s, h)
    for classes, parser in _CHAIN:
        if s.has(classes) and parser(s, h):
            break
    if s.has("a") and s.subs(_BC):
        h["_bc"] = True
    if s.has("d"):
        _parse_frag(s, h)
    if h.pop("_bc", False):
        for key in ("cwyear", "year"):
            if key in h:
                h[key] = 1 - h[key]
    if h.pop("_comp", False):
        for key in ("cwyear", "year"):
            if key in h and 0 <= h[key] <= 99:
                h[key] += 1900 if h[key] >= 69 else 2000
    return h


# ---------------------------------------------------------------------------------------------
# Time.parse (time.rb, Ruby 3.1)

_ZONE_OFFSET = {
    "UTC": 0, "Z": 0, "UT": 0, "GMT": 0,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8, "I": 9, "K": 10, "L": 11,
    "M": 12, "N": -1, "O": -2, "P": -3, "Q": -4, "R": -5, "S": -6, "T": -7, "U": -8, "V": -9,
    "W": -10, "X": -11, "Y": -12,
}  # fmt: skip
_NUMERIC_ZONE = re.compile(r"([+-])([0-9]{2})(:?)([0-9]{2})(?:\3([0-9]{2}))?\Z")


def _zone_offset(zone: str) -> int | None:
    """`Time.zone_offset`: seconds east of UTC for a numeric or RFC 822 zone, else None."""
    zone = zone.upper()
    if m := _NUMERIC_ZONE.match(zone):
        off = (int(m.group(2)) * 60 + int(m.group(4))) * 60 + int(m.group(5) or 0)
        return -off if m.group(1) == "-" else off
    if re.fullmatch(r"[+-][0-9]{2}", zone):
        return int(zone) * 3600
    if zone in _ZONE_OFFSET:
        return _ZONE_OFFSET[zone] * 3600
    return None  # the server's own zone names (UTC) are in the table already


def _month_days(y: int, m: int) -> int | None:
    """time.rb's month_days: a Ruby array lookup, so month 0 is December and 13 is nil."""
    days = (31, 29 if calendar.isleap(y) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    return days[m - 1] if -12 <= m - 1 < 12 else None


def _num2int(value: int) -> int:
    """Ruby's NUM2INT: a RangeError, which Liquid does not rescue, past a C int."""
    if not -(2**63) <= value < 2**63:
        raise RubyRangeError("bignum too big to convert into `long'")
    if value > 2**31 - 1:
        raise RubyRangeError(f"integer {value} too big to convert to `int'")
    if value < -(2**31):
        raise RubyRangeError(f"integer {value} too small to convert to `int'")
    return value


def _apply_offset(
    year: int, mon: int, day: int, hour: int, mn: int, sec: int, off: int
) -> tuple[int, int, int, int, int, int]:
    """time.rb's apply_offset: local parts to UTC parts, with its own month rollover."""
    if off < 0:
        off = -off
        off, o = divmod(off, 60)
        if o:
            sec += o
            o, sec = divmod(sec, 60)
            off += o
        off, o = divmod(off, 60)
        if o:
            mn += o
            o, mn = divmod(mn, 60)
            off += o
        off, o = divmod(off, 24)
        if o:
            hour += o
            o, hour = divmod(hour, 24)
            off += o
        if off:
            day += off
            days = _month_days(year, mon)
            if days is not None and days < day:
                mon += 1
                if mon > 12:
                    mon = 1
                    year += 1
                day = 1
    elif off > 0:
        off, o = divmod(off, 60)
        if o:
            sec -= o
            o, sec = divmod(sec, 60)
            off -= o
        off, o = divmod(off, 60)
        if o:
            mn -= o
            o, mn = divmod(mn, 60)
            off -= o
        off, o = divmod(off, 24)
        if o:
            hour -= o
            o, hour = divmod(hour, 24)
            off -= o
        if off:
            day -= off
            if day < 1:
                mon -= 1
                if mon < 1:
                    year -= 1
                    mon = 12
                day = _month_days(year, mon) or 1  # nil mday means 1 to Time.utc
    return year, mon, day, hour, mn, sec


def _time_utc(year: int, mon: int, day: int, hour: int, mn: int, sec: int) -> tuple[datetime, int]:
    """`Time.utc(...)`'s checks and normalisation (Feb 30 is Mar 2, 24:00 the next day), with
    the year moved into datetime's range: (time, years moved)."""
    for value, bits in ((mon, 4), (day, 5), (hour, 5), (mn, 6), (sec, 6)):
        if not 0 <= _num2int(value) < 2**bits:  # time.c's obj2ubits, one part at a time
            raise _NoTime("argument out of range")
    if not 1 <= mon <= 12 or not 1 <= day <= 31 or not 0 <= hour <= 24:
        raise _NoTime("argument out of range")
    if not 0 <= mn <= 59 or not 0 <= sec <= 60 or (hour == 24 and (mn or sec)):
        raise _NoTime("argument out of range")
    shift = 0
    if not 100 <= year <= 9800:
        shift = (year - 2000) // 400 * 400
        year -= shift
    moment = datetime(year, mon, 1, tzinfo=UTC)
    return moment + timedelta(days=day - 1, hours=hour, minutes=mn, seconds=sec), shift


def _zone_utc(zone: str) -> bool:
    return re.fullmatch(r"-00:00|-0000|-00|utc|z|ut", zone, re.IGNORECASE) is not None


def _time_parse(text: str, now: RubyTime) -> RubyTime:
    """`Time.parse(text)` with Ruby's `Time.now` being `now`."""
    h = _date_parse(text)
    return _make_time(
        h.get("year"), h.get("yday"), h.get("mon"), h.get("mday"), h.get("hour"),
        h.get("min"), h.get("sec"), h.get("sec_fraction"), h.get("zone"), now,
    )  # fmt: skip


def _make_time(
    year: int | None,
    yday: int | None,
    mon: int | None,
    day: int | None,
    hour: int | None,
    mn: int | None,
    sec: int | None,
    frac: Fraction | None,
    zone: str | None,
    now: RubyTime,
) -> RubyTime:
    """time.rb's make_time: fill missing leading parts from `now`, then apply the zone."""
    parts = (year, yday, mon, day, hour, mn, sec, frac)
    if all(p is None for p in parts):
        raise _NoTime("no time information")
    off_year = year if year is not None else now.year
    off = _zone_offset(zone) if zone is not None else None
    if yday is not None:
        if not 1 <= yday <= 366:
            raise _NoTime("yday out of range")
        mon, day = divmod(yday - 1, 31)
        mon += 1
        day += 1
        t = _make_time(year, None, mon, day, hour, mn, sec, frac, zone, now)
        diff = yday - t.timetuple().tm_yday
        if diff == 0:
            return t
        day += diff
        if day > 28:
            mday = _month_days(off_year, mon)
            if mday is None:
                raise _NoTime("comparison of Integer with nil failed")
            if day > mday:
                mon += 1
                if mon > 12:
                    raise _NoTime("yday out of range")
                day -= mday
        return _make_time(year, None, mon, day, hour, mn, sec, frac, zone, now)
    if off is not None and abs(off) >= 86400:
        raise _NoTime("utc_offset out of range")
    here = now.astimezone(timezone(timedelta(seconds=off)) if off is not None else UTC)
    if year is None:
        year = here.year
        if mon is None:
            mon = here.month
            if day is None:
                day = here.day
                if hour is None:
                    hour = here.hour
                    if mn is None:
                        mn = here.minute
                        if sec is None:
                            sec = here.second
    subsec = frac if frac is not None else Fraction(0)
    mon = 1 if mon is None else mon
    day = 1 if day is None else day
    hour = 0 if hour is None else hour
    mn = 0 if mn is None else mn
    sec = 0 if sec is None else sec
    if off is None:
        utc, shift = _time_utc(year, mon, day, hour, mn, sec)
        return _ruby_time(utc, subsec, False, shift)
    utc, shift = _time_utc(*_apply_offset(year, mon, day, hour, mn, sec, off))
    assert zone is not None
    if _zone_utc(zone):
        return _ruby_time(utc, subsec, True, shift)
    if off == 0:
        return _ruby_time(utc, subsec, False, shift)
    return _ruby_time(utc.astimezone(timezone(timedelta(seconds=off))), subsec, False, shift)


# ---------------------------------------------------------------------------------------------
# Time#strftime (strftime.c, Ruby 3.1)

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
    out = _strftime(_as_ruby(t), fmt)
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
    return calendar.timegm(t.utctimetuple()) + t.year_shift // 400 * _CYCLE_SECONDS


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
