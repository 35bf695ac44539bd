"""What the `date` filter's input is as a Ruby Time: `Liquid::Utils.to_date`, `Time.at`,
and Ruby 3.1's `Time.parse` (time.rb) over `Date._parse`."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone
from datetime import date as _date
from fractions import Fraction

from seen_braze_harness.mocks.braze.liquid.ruby.date_parse import date_parse
from seen_braze_harness.mocks.braze.liquid.ruby.time import (
    CYCLE_SECONDS,
    NoTime,
    RubyTime,
    as_ruby,
    new_ruby_time,
    num2int,
)

__all__ = ["to_time"]


# ---------------------------------------------------------------------------------------------
# Liquid::Utils.to_date and Time.at / Time.now


def to_time(value: object, now: datetime) -> datetime | None:
    """What Ruby Liquid 5.4's `Liquid::Utils.to_date(value)` returns on a UTC server, or None.

    `now` stands for Ruby's `Time.now`: what "now"/"today" mean and where `Time.parse` takes
    missing date parts from.
    """
    if isinstance(value, datetime):
        return as_ruby(value)
    if isinstance(value, _date):  # Ruby's Date also responds to strftime
        return new_ruby_time(
            datetime(value.year, value.month, value.day, tzinfo=UTC), Fraction(0), False
        )
    if isinstance(value, str):
        if value == "":
            return None
        text = value.lower()
        if text in ("now", "today"):
            return _local(as_ruby(now))
        if re.fullmatch(r"[0-9]+", text):
            return _time_at(int(text))
        try:
            return _time_parse(text, as_ruby(now))
        except NoTime:
            return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _time_at(value)
    return None  # floats, nil, arrays, hashes: `case` matches nothing


def _local(t: RubyTime) -> RubyTime:
    """The same instant as a server-local Time (`Time#getlocal` on TZ=UTC)."""
    return new_ruby_time(t.astimezone(UTC), t.subsec, False, t.year_shift)


def _time_at(seconds: int) -> RubyTime:
    """`Time.at(seconds)`: local time, which is UTC on the server."""
    cycles = 0
    if not -62_000_000_000 < seconds < 250_000_000_000:  # about years 5 to 9900
        cycles = (seconds - 946_684_800) // CYCLE_SECONDS  # 400-year steps from 2000
        seconds -= cycles * CYCLE_SECONDS
    dt = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)
    return new_ruby_time(dt, Fraction(0), False, cycles * 400)


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
        if not 0 <= num2int(value) < 2**bits:  # time.c's obj2ubits, one part at a time
            raise NoTime("argument out of range")
    if not 1 <= mon <= 12 or not 1 <= day <= 31 or not 0 <= hour <= 24:
        raise NoTime("argument out of range")
    if not 0 <= mn <= 59 or not 0 <= sec <= 60 or (hour == 24 and (mn or sec)):
        raise NoTime("argument out of range")
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
    h = date_parse(text)
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
        raise NoTime("no time information")
    off_year = year if year is not None else now.year
    off = _zone_offset(zone) if zone is not None else None
    if yday is not None:
        if not 1 <= yday <= 366:
            raise NoTime("yday out of range")
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
                raise NoTime("comparison of Integer with nil failed")
            if day > mday:
                mon += 1
                if mon > 12:
                    raise NoTime("yday out of range")
                day -= mday
        return _make_time(year, None, mon, day, hour, mn, sec, frac, zone, now)
    if off is not None and abs(off) >= 86400:
        raise NoTime("utc_offset out of range")
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
        return new_ruby_time(utc, subsec, False, shift)
    utc, shift = _time_utc(*_apply_offset(year, mon, day, hour, mn, sec, off))
    assert zone is not None
    if _zone_utc(zone):
        return new_ruby_time(utc, subsec, True, shift)
    if off == 0:
        return new_ruby_time(utc, subsec, False, shift)
    return new_ruby_time(utc.astimezone(timezone(timedelta(seconds=off))), subsec, False, shift)
