"""Differential test of Ruby's Time in mocks.braze.liquid.ruby against Ruby Liquid 5.4 itself.

Braze prints `{{ x | date: f }}` with Ruby; the emulator must print the same bytes. One `ruby`
process (TZ=UTC, ActiveSupport and Liquid loaded, `Time.now` pinned per case) renders every
(input, format) pair below and the Python port must agree byte for byte, or raise where Ruby
raises. Without Ruby Liquid the test skips, unless SEEN_BRAZE_REQUIRE_RUBY is set.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from seen_braze_harness.mocks.braze.liquid.ruby.printing import float_to_s, to_s
from seen_braze_harness.mocks.braze.liquid.ruby.strftime import date_filter, strftime
from seen_braze_harness.mocks.braze.liquid.ruby.time import RubyArgumentError, RubyError
from seen_braze_harness.mocks.braze.liquid.ruby.time_parse import to_time
from tests.liquid.conftest import COMPARED
from tests.liquid.known_differences import KNOWN_DIFFERENCES

RUBY = r"""
ENV["TZ"] = "UTC"
require "base64"
require "json"
require "active_support"
require "active_support/core_ext"
require "liquid"
$stdout.sync = true

class << Time
  alias_method :ruby_time_real_now, :now
  def now(*args, **kwargs)
    $ruby_time_now || ruby_time_real_now(*args, **kwargs)
  end
end

TEMPLATE = Liquid::Template.parse("{{ d | date: f }}")

def value_of(spec)
  return spec unless spec.is_a?(Hash)
  y, mo, d, h, mi, s, us, zone = spec["time"]
  sec = Rational(s * 1_000_000 + us, 1_000_000)
  zone == "utc" ? Time.utc(y, mo, d, h, mi, sec) : Time.new(y, mo, d, h, mi, sec, zone)
end

$stdin.each_line do |line|
  c = JSON.parse(line)
  $ruby_time_now = Time.at(Rational(c["now"], 1_000_000))
  begin
    out = TEMPLATE.render!({ "d" => value_of(c["value"]), "f" => c["format"] })
    puts JSON.generate({ "id" => c["id"], "output" => Base64.strict_encode64(out.b) })
  rescue StandardError => e
    puts JSON.generate({ "id" => c["id"], "error" => e.message.sub(/\ALiquid error: /, "") })
  end
end
"""

NOW_MAIN = datetime(2021, 3, 10, 15, 4, 5, 123456, tzinfo=UTC)
NOW_LATE = datetime(2021, 12, 31, 22, 30, 0, tzinfo=UTC)

FULL = "%Y-%m-%d %H:%M:%S.%N %z %Z"

STRINGS = [
    "2021-03-06", "03/06/2021", "2021-03-06T10:20:30Z", "2021-03-06T10:20:30-05:00",
    "2021-03-06T10:20:30.123456Z", "2021-03-06T10:20:30.123456789Z", "2021-03-06 10:20:30",
    "March 6, 2021", "Sat, 06 Mar 2021 10:20:30 +0000", "2021-03-06T24:00:00Z",
    "1614000000", "-86400", "now", "today", "Now", "TODAY", " now", "", "not a date", "10:20",
    "Mar 2021", "2021-13-45", "20210306", "2021/03/06", "6/3/21", "Tue", "2020-02-29",
    "2021-02-29", "2021-02-30", "2021-04-31", "0099-01-01", "0005-03-06", "0999-12-31",
    "99-01-01", "21-03-06", "2021-03-06T10:20:30+05:30", "2021-03-06T10:20:30+0530",
    "2021-03-06T10:20:30-0800", "2021-03-06T10:20:30+05", "2021-03-06T10:20:30+5",
    "2021-03-06T10:20:30-00:00", "2021-03-06T10:20:30+00:00", "2021-03-06T10:20:30 UTC",
    "2021-03-06T10:20:30 GMT", "2021-03-06 10:20:30 EST", "2021-03-06 10:20:30 PDT",
    "2021-03-06 10:20:30 CET", "2021-03-06T10:20:30z", "2021-03-06T10:20", "2021-03-06T10",
    "2021-03-06T10:20:30,5Z", "2021-03-06T10:20:30.Z", "2021-03-06T24:30:00Z",
    "2021-03-06T25:00:00Z", "2021-03-06T23:59:60Z", "2021-03-06T10:60:00Z",
    "2021-03-06T24:00:00+01:00", "2021-03-06T23:00:00-05:00", "2021-02-28T23:00:00-05:00",
    "2021-12-31T23:30:00-01:00", "2021-01-01T00:30:00+01:00", "2021-03-06T10:20:30+99:00",
    "2021-03-06T10:20:30+14:00", "2021-03-06T10:20:30-12:00", "2021-03-06T10:20:30+12:34:56",
    "6 Mar 2021", "6 March 2021", "March 6", "Mar 6", "6 Mar", "March", "mar", "Sept 2021",
    "March 6th, 2021", "6th March 2021", "the 6th", "March 6, 2021 10:20 PM",
    "March 6, 2021 10:20pm", "10pm", "10 am", "12am", "12pm", "12:00 a.m.", "10:20:30",
    "10:20:30.5", "10:20 +05:00", "23:30 -05:00", "10:20 UTC", "10h20m30s", "10h",
    "Sat Mar  6 10:20:30 2021", "Sat Mar 6 10:20:30 UTC 2021", "Saturday, March 6, 2021",
    "Sat, 06 Mar 2021 10:20:30 GMT", "Sat, 06 Mar 2021 10:20:30 -0500",
    "Sat, 06-Mar-2021 10:20:30 GMT", "06-Mar-2021", "Mar-06-2021", "2021-Mar-06",
    "6.3.2021", "2021.03.06", "h31.03.06", "r3.03.06", "2021-065", "2021-W09-6", "2021-W09",
    "--03-06", "--0306", "'21", "21", "2021", "202103", "20210306T102030", "20210306102030",
    "20210306T102030Z", "210306", "102030", "1020", "2021-03-06 10:20:30 +0100",
    "06/03/2021", "3/6/2021", "12/31/2021", "31/12/2021", "2021/3/6", "3/6", "3/2021",
    "2021-3-6", "1 BC", "Mar 6 2021 BC", "  2021-03-06  ", "2021-03-06\n", "x 2021-03-06 y",
    "2021_03_06", "2021-03-06T10:20:30.999999999999Z", "10:20:30.1234567890123",
    "1/1/1970", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1900-02-29", "2000-02-29",
    "2024-12-30", "2021-01-03", "2027-01-01", "2021-12-31T23:59:59.999999Z", "-1",
    "+2021-03-06", "1614000000.75", "1e9", "0", "00", "1,614,000,000", "yesterday",
    "tomorrow", "noon", "2021-03-06 10:20:30 Eastern Standard Time",
    "2021-03-06T10:20:30[+05:00]", "1614000000 UTC", "Thu, 01 Jan 1970 00:00:00 -0000",
    "éte 2021-03-06", "2021-03-06 10:20:30 +05:30:15", "a" * 130, "2021-03-06" + " " * 120,
    "May 5 10:20", "Dec 25", "Feb 29", "Feb 30 2021", "mon 10:20", "fri", "2021-03-06 fri",
    "11:59:59 pm", "0:00", "24:00", "2021-03-06T10:20:30-00:30", "2021-03-06T10:20:30-0030",
    "0000-01-01", "10000-01-01", "9999-12-31T23:59:59-01:00", "-0044-03-15", "12345-06-07",
    "10:20:3020210306", "71614000000pm", "2021-03-062021hm", "2021-20-40T10:20:30+05:00",
    "2021-366", "2020-366", "2021-400", "99999999999999999999 pm", "10:20:30 utc+5",
    "10:20:30 gmt-03:00", "2021-03-06T10:20:30 CEST", "2021-03-06 10:20 EDT",
]  # fmt: skip

NUMBERS: list[Any] = [
    1614000000, 1614000000.75, -86400, 0, -1, 253402300799, 1e20, 0.5, -1.5, True, False,
    None, 100000000000, 2**31, -62135596800, 10**12, -62135596801,
]  # fmt: skip

DIRECTIVES = [
    "%Y", "%C", "%y", "%m", "%B", "%b", "%h", "%d", "%e", "%j", "%H", "%k", "%I", "%l", "%P",
    "%p", "%M", "%S", "%L", "%N", "%3N", "%6N", "%9N", "%12N", "%1N", "%z", "%:z", "%::z",
    "%:::z", "%Z", "%A", "%a", "%u", "%w", "%G", "%g", "%V", "%U", "%W", "%s", "%Q", "%n",
    "%t", "%%", "%c", "%D", "%F", "%v", "%x", "%X", "%r", "%R", "%T", "%+",
]  # fmt: skip

FLAGGED = [
    "%-d", "%-m", "%-H", "%-I", "%-l", "%-e", "%-j", "%-y", "%_d", "%_m", "%_H", "%0e",
    "%0k", "%010d", "%10d", "%3d", "%_10Y", "%-Y", "%^B", "%^b", "%^a", "%^A", "%#B", "%#b",
    "%#a", "%#A", "%#p", "%#P", "%^p", "%^P", "%^Z", "%#Z", "%10A", "%010A", "%-10A",
    "%_10B", "%^10B", "%-z", "%_z", "%10z", "%_10z", "%-:z", "%_:z", "%-::z", "%-:::z",
    "%_:::z", "%06z", "%010:::z", "%::::z", "%-_z", "%_-z", "%10%", "%-%", "%5n", "%3t",
    "%^c", "%#c", "%30c", "%-30c", "%030c", "%^x", "%12F", "%_12F", "%^v", "%10v", "%^r",
    "%-L", "%0L", "%6L", "%_N", "%-N", "%^N", "%010s", "%-s", "%_5s", "%Ey", "%EY", "%Ec",
    "%EC", "%Ex", "%EX", "%Ez", "%E", "%Od", "%OH", "%Oy", "%OJ", "%O", "%J", "%-J", "%10J",
    "%q", "%i", "%f", "%K", "%:", "%:x", "%10-d", "%10^B", "%-10d", "%^-10B", "%é",
    "%Y %", "%", "%-", "%10", "%0", "%^", "%#", "%_", "%::", "%E", "%Oé", "%5",
    "100%", "%Y%m%d", "%Y-%m-%dT%H:%M:%S%:z", "%a, %d %b %Y %H:%M:%S %z", "%B %-d, %Y",
    "%l:%M %p", "%I:%M%P", "%A %B %e %Y", "%s%L", "%Y-%j", "%G-W%V-%u", "%U/%W", "%D %T",
    "%F %R", "%c %Z", "%10Z|", "%-10Z|", "literal text", "%%Y", "%%%Y", "%Y\n%m",
    "日付 %Y年%m月%d日",
]  # fmt: skip

TIMES: list[tuple[int, int, int, int, int, int, int, str]] = [
    (2021, 3, 6, 10, 20, 30, 0, "utc"),
    (2021, 3, 6, 22, 5, 9, 123456, "+05:30"),
    (2021, 3, 6, 0, 0, 0, 0, "-08:00"),
    (2020, 2, 29, 12, 0, 0, 500000, "utc"),
    (2024, 12, 30, 23, 59, 59, 999999, "utc"),
    (2021, 1, 3, 1, 2, 3, 0, "utc"),
    (2027, 1, 1, 13, 0, 0, 0, "-00:30"),
    (5, 3, 6, 10, 20, 30, 0, "utc"),
    (999, 12, 31, 23, 0, 0, 0, "+14:00"),
    (1969, 12, 31, 23, 59, 59, 1, "utc"),
]


@dataclass(frozen=True)
class Case:
    """One `{{ d | date: f }}` rendering with Ruby's `Time.now` pinned to `now`."""

    id: str
    value: Any
    fmt: Any
    now: datetime

    def to_json(self) -> str:
        now = (self.now - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
        return json.dumps({"id": self.id, "value": self.value, "format": self.fmt, "now": now})

    def python_value(self) -> object:
        if isinstance(self.value, dict):
            y, mo, d, h, mi, s, us, zone = self.value["time"]
            if zone == "utc":
                tz: timezone = UTC
            else:
                sign = -1 if zone[0] == "-" else 1
                tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
            return datetime(y, mo, d, h, mi, s, us, tzinfo=tz)
        return self.value


def _label(value: Any) -> str:
    if isinstance(value, dict):
        return "time:" + ",".join(str(p) for p in value["time"])
    if isinstance(value, str):
        return "str:" + value
    return f"{type(value).__name__}:{value!r}"


def build_cases() -> list[Case]:
    """Every input with two rich formats, every format on a few inputs, and format oddities."""
    cases: dict[str, Case] = {}

    def add(value: Any, fmt: Any, now: datetime = NOW_MAIN, tag: str = "") -> None:
        case_id = f"{_label(value)}|{fmt}{tag}"
        cases.setdefault(case_id, Case(case_id, value, fmt, now))

    times: list[Any] = [{"time": list(t)} for t in TIMES]
    for value in [*STRINGS, *NUMBERS, *times]:
        add(value, FULL)
        add(value, "%a %b %e %j %U %W %V %G %u %w %s %-z %:::z")
    late = ["10:20", "10:20 +05:00", "23:30 -05:00", "March 6", "Dec 25", "now", "10pm", "12:00"]
    for value in late:
        add(value, FULL, NOW_LATE, "@late")
    probes: list[Any] = [
        "2021-03-06T10:20:30.123456789Z", "2021-03-06T22:05:09-05:30", "2021-01-01", "now",
        1614000000, *times,
    ]  # fmt: skip
    for value, fmt in itertools.product(probes, [*DIRECTIVES, *FLAGGED]):
        add(value, fmt)
    odd_formats: list[Any] = [None, "", 5, 1.5, True]
    for odd in odd_formats:
        add("2021-03-06", odd)
        add("not a date", odd)
    return list(cases.values())


CASES = build_cases()


@pytest.fixture(scope="module")
def ruby_outputs(ruby_liquid: Any) -> dict[str, dict[str, str]]:
    """Ruby's result for every case: {"output": base64} or {"error": message}."""
    done = subprocess.run(
        ["ruby", "-e", RUBY],
        input="".join(case.to_json() + "\n" for case in CASES).encode(),
        capture_output=True,
        check=False,
        env={**os.environ, "TZ": "UTC", "LANG": "C.UTF-8"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    results: dict[str, dict[str, str]] = {}
    for line in done.stdout.decode().splitlines():
        reply = json.loads(line)
        results[reply.pop("id")] = reply
    return results


def _python_result(case: Case) -> tuple[str, bytes]:
    """("output", bytes) or ("error", message) as the Python port renders the case."""
    try:
        value = date_filter(case.python_value(), case.fmt, case.now)
    except RubyError as exc:
        return "error", str(exc).encode()
    return "output", to_s(value).encode()


def _ruby_result(reply: dict[str, str]) -> tuple[str, bytes]:
    if "error" in reply:
        return "error", reply["error"].encode()
    return "output", base64.b64decode(reply["output"])


def _differences(ruby_outputs: dict[str, dict[str, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for case in CASES:
        want = _ruby_result(ruby_outputs[case.id])
        got = _python_result(case)
        if want != got:
            found[case.id] = f"ruby {want!r}\n      python {got!r}"
    return found


def test_case_table_is_large() -> None:
    assert len(CASES) >= 500


def test_date_filter_matches_ruby(ruby_outputs: dict[str, dict[str, str]]) -> None:
    diffs = {k: v for k, v in _differences(ruby_outputs).items() if k not in KNOWN_DIFFERENCES}
    COMPARED["date filter"] = len(CASES)
    report = "\n".join(f"{k!r}:\n      {v}" for k, v in itertools.islice(diffs.items(), 60))
    assert not diffs, f"{len(diffs)} of {len(CASES)} cases differ from Ruby:\n{report}"


def test_known_differences_still_differ(ruby_outputs: dict[str, dict[str, str]]) -> None:
    """A known difference that went away must leave KNOWN_DIFFERENCES."""
    diffs = _differences(ruby_outputs)
    stale = [k for k in KNOWN_DIFFERENCES if k not in diffs]
    assert not stale, f"no longer different (or no such case): {stale}"


def test_python_only_basics() -> None:
    """What the port must do even where Ruby is missing."""
    assert strftime(datetime(2021, 3, 6, 10, 20, 30, tzinfo=UTC), "%-d %^b %Z %z") == (
        "6 MAR UTC +0000"
    )
    parsed = to_time("2021-03-06T10:20:30-05:00", NOW_MAIN)
    assert parsed is not None
    assert strftime(parsed, "%H:%M %z|%Z|") == "10:20 -0500||"
    assert to_time("", NOW_MAIN) is None
    assert to_time(1.5, NOW_MAIN) is None
    assert date_filter("not a date", "%Y", NOW_MAIN) == "not a date"
    assert date_filter("2021-03-06", None, NOW_MAIN) == "2021-03-06"
    assert float_to_s(1e20) == "1.0e+20"
    with pytest.raises(RubyArgumentError):
        strftime(NOW_MAIN, "%Y %")
