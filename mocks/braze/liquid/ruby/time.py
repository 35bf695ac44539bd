"""Ruby's Time for the Liquid `date` filter, so emulated templates print what Braze prints.

Braze renders Liquid with Shopify's Ruby Liquid 5.4 inside Rails on a UTC server. Its `date`
filter turns the input into a Ruby `Time` with `Liquid::Utils.to_date` (which falls back to
`Time.parse`, i.e. Ruby 3.1's `Date._parse` heuristics) and prints it with `Time#strftime`.
`time_parse.py`, `date_parse.py` and `strftime.py` port those three pieces from their sources
(liquid-5.4.0 `utils.rb` and `standardfilters.rb`, Ruby 3.1 `time.rb`, date-3.2.2
`date_parse.c` without TIGHT_PARSER, Ruby 3.1 `strftime.c`), checked byte for byte against Ruby
by tests/liquid/test_ruby_time.py; this module has the time they share and Ruby's errors.

A parsed time is a `RubyTime`: a `datetime` that also keeps the exact fraction of a second
(Ruby keeps nanoseconds and more, `datetime` only microseconds) and whether Ruby holds it in
UTC mode (`Time#utc?`, which only `%-z` shows). Python's `datetime` covers years 1 to 9999
only while Ruby's Time has no limit, so a time outside that range is held with its year moved
by a multiple of 400 (the Gregorian calendar, weekdays included, repeats every 400 years) and
`RubyTime.year_shift` says by how much; `strftime` prints the true year.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from fractions import Fraction

__all__ = [
    "CYCLE_SECONDS",
    "NoTime",
    "RubyArgumentError",
    "RubyError",
    "RubyRangeError",
    "RubyTime",
    "as_ruby",
    "in_zone",
    "new_ruby_time",
    "num2int",
]


class RubyError(ValueError):
    """Ruby raised an error that Liquid lets through: the render fails with this message."""


class RubyArgumentError(RubyError):
    """ArgumentError from a bad strftime format ("invalid format: %Y %")."""


class RubyRangeError(RubyError):
    """RangeError from a date part too big for a C int ("integer ... too big to convert")."""


class NoTime(Exception):
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
CYCLE_SECONDS = _CYCLE_DAYS * 86400


def new_ruby_time(dt: datetime, subsec: Fraction, utc_mode: bool, shift: int = 0) -> RubyTime:
    """A RubyTime for an aware datetime whose microseconds are dropped in favour of `subsec`."""
    micro = int(subsec * 1_000_000)
    t = RubyTime(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, micro, tzinfo=dt.tzinfo)
    t.subsec = subsec
    t.utc_mode = utc_mode
    t.year_shift = shift
    return t


def as_ruby(t: datetime) -> RubyTime:
    """Any datetime as a RubyTime; a naive one is server-local, i.e. UTC as on Braze."""
    if isinstance(t, RubyTime):
        return t
    if t.tzinfo is None:
        return new_ruby_time(t.replace(tzinfo=UTC), Fraction(t.microsecond, 1_000_000), False)
    return new_ruby_time(t, Fraction(t.microsecond, 1_000_000), t.tzinfo is UTC)


def in_zone(t: datetime, zone: tzinfo) -> RubyTime:
    """`t` as the same instant in `zone` (ActiveSupport's `in_time_zone`), exactness kept."""
    ruby = as_ruby(t)
    return new_ruby_time(ruby.astimezone(zone), ruby.subsec, False, ruby.year_shift)


def num2int(value: int) -> int:
    """Ruby's NUM2INT: a RangeError, which Liquid does not rescue, past a C int."""
    if not -(2**63) <= value < 2**63:
        raise RubyRangeError("bignum too big to convert into `long'")
    if value > 2**31 - 1:
        raise RubyRangeError(f"integer {value} too big to convert to `int'")
    if value < -(2**31):
        raise RubyRangeError(f"integer {value} too small to convert to `int'")
    return value
