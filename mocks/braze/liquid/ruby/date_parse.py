"""Ruby's `Date._parse` (date_parse.c, date 3.2.2, without TIGHT_PARSER) for `Time.parse`."""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from seen_braze_harness.mocks.braze.liquid.ruby.time import NoTime, num2int

__all__ = ["date_parse"]


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
        hour = num2int(hour) % 12
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


def date_parse(text: str) -> _Hash:
    """`Date._parse(text)` with comp=true, the parts `Time.parse` reads."""
    if len(text.encode("utf-8", "surrogatepass")) > 128:
        raise NoTime("string length exceeds the limit 128")
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
