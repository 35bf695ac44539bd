"""Braze's date formats: every documented form is read, and nothing else becomes a date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from seen_braze_harness.mocks.braze.dates import (
    format_date,
    format_instant,
    parse_date,
    parse_event_time,
    time_zone_name,
)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ISO 8601, extended form
        ("2024-05-01", utc(2024, 5, 1)),
        ("2024-05-01T10:20:30Z", utc(2024, 5, 1, 10, 20, 30)),
        ("2024-05-01T10:20:30+02:00", utc(2024, 5, 1, 8, 20, 30)),
        ("2024-05-01T10:20:30-0530", utc(2024, 5, 1, 15, 50, 30)),
        ("2024-05-01T10:20:30-05", utc(2024, 5, 1, 15, 20, 30)),
        ("2024-05-01T10:20:30.123456Z", utc(2024, 5, 1, 10, 20, 30, 123456)),
        ("2024-05-01T10:20:30,5Z", utc(2024, 5, 1, 10, 20, 30, 500000)),
        ("2024-05-01T10:20Z", utc(2024, 5, 1, 10, 20)),
        # yyyy-MM-ddTHH:mm:ss:SSSZ
        ("2024-05-01T10:20:30:123+0100", utc(2024, 5, 1, 9, 20, 30, 123000)),
        ("2024-05-01T10:20:30:123Z", utc(2024, 5, 1, 10, 20, 30, 123000)),
        # yyyy-MM-ddTHH:mm:ss and yyyy-MM-dd HH:mm:ss: no zone is UTC
        ("2024-05-01T10:20:30", utc(2024, 5, 1, 10, 20, 30)),
        ("2024-05-01 10:20:30", utc(2024, 5, 1, 10, 20, 30)),
        # MM/dd/yyyy (and Braze's "12-1-2021")
        ("05/01/2024", utc(2024, 5, 1)),
        ("5/1/2024", utc(2024, 5, 1)),
        ("12-1-2021", utc(2021, 12, 1)),
        # ddd MM dd HH:mm:ss.TZD YYYY
        ("Tue Jul 16 19:20:30 +0100 2013", utc(2013, 7, 16, 18, 20, 30)),
        ("Tue 07 16 19:20:30.+01:00 2013", utc(2013, 7, 16, 18, 20, 30)),
        ("Wed Jul 17 19:20:30 UTC 2013", utc(2013, 7, 17, 19, 20, 30)),
        ("Wed Jul 17 19:20:30 2013", utc(2013, 7, 17, 19, 20, 30)),
    ],
)
def test_braze_date_formats_are_read(text: str, expected: datetime) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


def test_a_date_keeps_its_zone_and_defaults_to_utc() -> None:
    assert parse_date("2024-05-01T10:20:30+02:00") == datetime(
        2024, 5, 1, 10, 20, 30, tzinfo=timezone(timedelta(hours=2))
    )
    parsed = parse_date("2024-05-01T10:20:30")
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value",
    [
        "20240501",  # ISO basic form: digit strings never become dates
        "20240501T102030Z",
        "2024-13-01",
        "2024-02-30",
        "2024-05-01T25:00:00",
        "2024-05-01T10:61:00",
        "2024-05-01T10:20:30+24:00",
        "2024-05-01T10:20:30:12Z",  # ss:SSS takes exactly three digits
        "2024-05-01Z",  # a zone needs a time
        "0000-01-01",  # no year 0: kept as a string, like Braze's years below 0
        "-0001-01-01",
        "13/01/2024",
        "2024/05/01",
        " 2024-05-01",
        "2024-05-01 ",
        "Tue Foo 16 19:20:30 2013",
        "yesterday",
        "",
        20240501,
        1714557630.0,
        None,
        True,
        ["2024-05-01"],
    ],
)
def test_anything_else_is_not_a_date(value: Any) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:20:30Z", utc(2024, 5, 1, 10, 20, 30)),
        ("2024-05-01T10:20:30.5+02:00", utc(2024, 5, 1, 8, 20, 30, 500000)),
        ("2024-05-01T10:20:30:000+0100", utc(2024, 5, 1, 9, 20, 30)),
        ("2024-05-01", utc(2024, 5, 1)),
    ],
)
def test_event_times_are_iso_8601_or_the_sss_form(text: str, expected: datetime) -> None:
    assert parse_event_time(text) == expected


@pytest.mark.parametrize(
    "value",
    [
        "2024-05-01 10:20:30",
        "05/01/2024",
        "Tue Jul 16 19:20:30 +0100 2013",
        "20240501T102030Z",
        1714557630,
        None,
    ],
)
def test_event_times_take_no_other_form(value: Any) -> None:
    assert parse_event_time(value) is None


def test_dates_are_written_in_utc_with_milliseconds_and_z() -> None:
    moment = datetime(2024, 5, 1, 10, 20, 30, 123456, tzinfo=timezone(timedelta(hours=2)))
    assert format_date(moment) == "2024-05-01T08:20:30.123Z"
    assert format_instant(0) == "1970-01-01T00:00:00.000Z"
    assert format_instant(1714557630.5) == "2024-05-01T10:00:30.500Z"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("America/New_York", "America/New_York"),
        ("Europe/Oslo", "Europe/Oslo"),
        ("UTC", "UTC"),
        ("Eastern Time (US & Canada)", "Eastern Time (US & Canada)"),
        ("Kyiv", "Kyiv"),
        ("america/new_york", None),
        ("Mars/Olympus_Mons", None),
        ("Eastern Time", None),
        ("", None),
        (5, None),
        (None, None),
    ],
)
def test_time_zones_are_iana_or_rails_names(value: Any, expected: str | None) -> None:
    assert time_zone_name(value) == expected
