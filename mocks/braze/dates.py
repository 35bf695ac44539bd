"""Braze's date formats and time-zone names, so attributes, events and exports agree on time.

Braze documents these date forms for attributes and event properties: ISO 8601,
`yyyy-MM-ddTHH:mm:ss:SSSZ`, `yyyy-MM-ddTHH:mm:ss`, `yyyy-MM-dd HH:mm:ss`, `yyyy-MM-dd`,
`MM/dd/yyyy` and `ddd MM dd HH:mm:ss.TZD YYYY`; a time without a zone is UTC. Event and
purchase `time` takes ISO 8601 or `yyyy-MM-dd'T'HH:mm:ss:SSSZ` only.

**Assumed** (Braze documents no more than the list above):

- ISO 8601 means the extended form only (`2024-05-01T10:00:00+02:00`): the basic form
  (`20240501`) is not a date, so digit strings such as ids are never turned into dates.
- Fractions of a second may follow `.` or `,` (ISO 8601) or `:` with exactly three digits
  (the `ss:SSS` form); zones are `Z`, `±HH:MM`, `±HHMM` or `±HH`. Hours and minutes without
  seconds (`T10:00`) are accepted, as ISO 8601 allows.
- `yyyy-MM-dd HH:mm:ss` may carry a fraction and a zone like the ISO form.
- `MM/dd/yyyy` also takes one-digit months and days and `-` as separator (Braze's data-types
  page: "12-1-2021" or "12/1/2021" is treated as a time).
- `ddd MM dd HH:mm:ss.TZD YYYY` is read as the C/Ruby form `Tue Jul 16 19:20:30 +0100 2013`:
  the month as a number or an English abbreviation, an optional fraction, an optional zone
  (`Z`, `UTC`, `GMT`, `±HH:MM`, `±HHMM`), optionally after a dot; the weekday is not checked.
- Years 0001-9999 only (Python's range); nothing else is a date, so a year 0 or a negative
  year stays a string, which is what Braze does for years below 0.
- Event times: the ISO form with the `T` separator (or a plain date), plus `ss:SSS`.
- `time_zone`: any IANA name known to the tz database here (zoneinfo + tzdata), exactly as
  spelt, or a Rails time-zone name such as "Eastern Time (US & Canada)" (Braze's attributes
  object page gives that example); the value is stored as sent.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

_ZONE = r"(?P<zone>[Zz]|[+-]\d{1,2}(?::?\d{2})?)"  # "+1:00" too: Braze's own example
_ISO = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:(?P<sep>[Tt ])(?P<hour>\d{2}):(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9})|:(?P<millis>\d{3}))?)?"
    rf"{_ZONE}?)?",
    re.ASCII,  # digits are 0-9: Python's \d also takes other scripts' digits, and int() reads them
)
_US = re.compile(r"(?P<month>\d{1,2})(?P<s>[/-])(?P<day>\d{1,2})(?P=s)(?P<year>\d{4})", re.ASCII)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CTIME = re.compile(
    r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+(?P<month>\d{1,2}|[a-z]{3})\s+(?P<day>\d{1,2})\s+"
    r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?"
    r"(?:\.?\s*(?P<zone>z|utc|gmt|[+-]\d{2}:?\d{2}))?\s+(?P<year>\d{4})",
    re.IGNORECASE | re.ASCII,
)

# Rails' ActiveSupport::TimeZone::MAPPING: the friendly names Braze accepts for `time_zone`.
RAILS_TIME_ZONES: dict[str, str] = {
    "International Date Line West": "Pacific/Midway",
    "Midway Island": "Pacific/Midway",
    "American Samoa": "Pacific/Pago_Pago",
    "Hawaii": "Pacific/Honolulu",
    "Alaska": "America/Juneau",
    "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Tijuana": "America/Tijuana",
    "Mountain Time (US & Canada)": "America/Denver",
    "Arizona": "America/Phoenix",
    "Chihuahua": "America/Chihuahua",
    "Mazatlan": "America/Mazatlan",
    "Central Time (US & Canada)": "America/Chicago",
    "Saskatchewan": "America/Regina",
    "Guadalajara": "America/Mexico_City",
    "Mexico City": "America/Mexico_City",
    "Monterrey": "America/Monterrey",
    "Central America": "America/Guatemala",
    "Eastern Time (US & Canada)": "America/New_York",
    "Indiana (East)": "America/Indiana/Indianapolis",
    "Bogota": "America/Bogota",
    "Lima": "America/Lima",
    "Quito": "America/Lima",
    "Atlantic Time (Canada)": "America/Halifax",
    "Caracas": "America/Caracas",
    "La Paz": "America/La_Paz",
    "Santiago": "America/Santiago",
    "Newfoundland": "America/St_Johns",
    "Brasilia": "America/Sao_Paulo",
    "Buenos Aires": "America/Argentina/Buenos_Aires",
    "Montevideo": "America/Montevideo",
    "Georgetown": "America/Guyana",
    "Puerto Rico": "America/Puerto_Rico",
    "Greenland": "America/Godthab",
    "Mid-Atlantic": "Atlantic/South_Georgia",
    "Azores": "Atlantic/Azores",
    "Cape Verde Is.": "Atlantic/Cape_Verde",
    "Dublin": "Europe/Dublin",
    "Edinburgh": "Europe/London",
    "Lisbon": "Europe/Lisbon",
    "London": "Europe/London",
    "Casablanca": "Africa/Casablanca",
    "Monrovia": "Africa/Monrovia",
    "UTC": "Etc/UTC",
    "Belgrade": "Europe/Belgrade",
    "Bratislava": "Europe/Bratislava",
    "Budapest": "Europe/Budapest",
    "Ljubljana": "Europe/Ljubljana",
    "Prague": "Europe/Prague",
    "Sarajevo": "Europe/Sarajevo",
    "Skopje": "Europe/Skopje",
    "Warsaw": "Europe/Warsaw",
    "Zagreb": "Europe/Zagreb",
    "Brussels": "Europe/Brussels",
    "Copenhagen": "Europe/Copenhagen",
    "Madrid": "Europe/Madrid",
    "Paris": "Europe/Paris",
    "Amsterdam": "Europe/Amsterdam",
    "Berlin": "Europe/Berlin",
    "Bern": "Europe/Zurich",
    "Zurich": "Europe/Zurich",
    "Rome": "Europe/Rome",
    "Stockholm": "Europe/Stockholm",
    "Vienna": "Europe/Vienna",
    "West Central Africa": "Africa/Algiers",
    "Bucharest": "Europe/Bucharest",
    "Cairo": "Africa/Cairo",
    "Helsinki": "Europe/Helsinki",
    "Kyiv": "Europe/Kiev",
    "Riga": "Europe/Riga",
    "Sofia": "Europe/Sofia",
    "Tallinn": "Europe/Tallinn",
    "Vilnius": "Europe/Vilnius",
    "Athens": "Europe/Athens",
    "Istanbul": "Europe/Istanbul",
    "Minsk": "Europe/Minsk",
    "Jerusalem": "Asia/Jerusalem",
    "Harare": "Africa/Harare",
    "Pretoria": "Africa/Johannesburg",
    "Kaliningrad": "Europe/Kaliningrad",
    "Moscow": "Europe/Moscow",
    "St. Petersburg": "Europe/Moscow",
    "Volgograd": "Europe/Volgograd",
    "Samara": "Europe/Samara",
    "Kuwait": "Asia/Kuwait",
    "Riyadh": "Asia/Riyadh",
    "Nairobi": "Africa/Nairobi",
    "Baghdad": "Asia/Baghdad",
    "Tehran": "Asia/Tehran",
    "Abu Dhabi": "Asia/Muscat",
    "Muscat": "Asia/Muscat",
    "Baku": "Asia/Baku",
    "Tbilisi": "Asia/Tbilisi",
    "Yerevan": "Asia/Yerevan",
    "Kabul": "Asia/Kabul",
    "Ekaterinburg": "Asia/Yekaterinburg",
    "Islamabad": "Asia/Karachi",
    "Karachi": "Asia/Karachi",
    "Tashkent": "Asia/Tashkent",
    "Chennai": "Asia/Kolkata",
    "Kolkata": "Asia/Kolkata",
    "Mumbai": "Asia/Kolkata",
    "New Delhi": "Asia/Kolkata",
    "Kathmandu": "Asia/Kathmandu",
    "Astana": "Asia/Dhaka",
    "Dhaka": "Asia/Dhaka",
    "Sri Jayawardenepura": "Asia/Colombo",
    "Almaty": "Asia/Almaty",
    "Novosibirsk": "Asia/Novosibirsk",
    "Rangoon": "Asia/Rangoon",
    "Bangkok": "Asia/Bangkok",
    "Hanoi": "Asia/Bangkok",
    "Jakarta": "Asia/Jakarta",
    "Krasnoyarsk": "Asia/Krasnoyarsk",
    "Beijing": "Asia/Shanghai",
    "Chongqing": "Asia/Chongqing",
    "Hong Kong": "Asia/Hong_Kong",
    "Urumqi": "Asia/Urumqi",
    "Kuala Lumpur": "Asia/Kuala_Lumpur",
    "Singapore": "Asia/Singapore",
    "Taipei": "Asia/Taipei",
    "Perth": "Australia/Perth",
    "Irkutsk": "Asia/Irkutsk",
    "Ulaanbaatar": "Asia/Ulaanbaatar",
    "Seoul": "Asia/Seoul",
    "Osaka": "Asia/Tokyo",
    "Sapporo": "Asia/Tokyo",
    "Tokyo": "Asia/Tokyo",
    "Yakutsk": "Asia/Yakutsk",
    "Darwin": "Australia/Darwin",
    "Adelaide": "Australia/Adelaide",
    "Canberra": "Australia/Melbourne",
    "Melbourne": "Australia/Melbourne",
    "Sydney": "Australia/Sydney",
    "Brisbane": "Australia/Brisbane",
    "Hobart": "Australia/Hobart",
    "Vladivostok": "Asia/Vladivostok",
    "Guam": "Pacific/Guam",
    "Port Moresby": "Pacific/Port_Moresby",
    "Magadan": "Asia/Magadan",
    "Srednekolymsk": "Asia/Srednekolymsk",
    "Solomon Is.": "Pacific/Guadalcanal",
    "New Caledonia": "Pacific/Noumea",
    "Fiji": "Pacific/Fiji",
    "Kamchatka": "Asia/Kamchatka",
    "Marshall Is.": "Pacific/Majuro",
    "Auckland": "Pacific/Auckland",
    "Wellington": "Pacific/Auckland",
    "Nuku'alofa": "Pacific/Tongatapu",
    "Tokelau Is.": "Pacific/Fakaofo",
    "Chatham Is.": "Pacific/Chatham",
    "Samoa": "Pacific/Apia",
}


def parse_date(value: Any) -> datetime | None:
    """A Braze date (ISO 8601; 'yyyy-MM-ddTHH:mm:ss:SSSZ'; 'yyyy-MM-ddTHH:mm:ss';
    'yyyy-MM-dd HH:mm:ss'; 'yyyy-MM-dd'; 'MM/dd/yyyy'; 'ddd MM dd HH:mm:ss.TZD YYYY'),
    aware, UTC when no zone; None if not one of them."""
    if not isinstance(value, str):
        return None
    return _iso(value, strict=False) or _us(value) or _ctime(value)


def parse_event_time(value: Any) -> datetime | None:
    """An event or purchase `time`: ISO 8601 or yyyy-MM-dd'T'HH:mm:ss:SSSZ; None otherwise."""
    if not isinstance(value, str):
        return None
    return _iso(value, strict=True)


def format_date(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and `Z`, as JavaScript's toISOString writes it."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def format_instant(seconds: float) -> str:
    """A clock reading (epoch seconds) in the same form as `format_date`."""
    return format_date(datetime.fromtimestamp(seconds, UTC))


def time_zone_name(value: Any) -> str | None:
    """`value` if Braze would set it as a `time_zone` (IANA or Rails name), else None."""
    if not isinstance(value, str):
        return None
    if value in RAILS_TIME_ZONES or value in _iana_names():
        return value
    return None


@functools.cache
def _iana_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _iso(value: str, *, strict: bool) -> datetime | None:
    match = _ISO.fullmatch(value)
    if match is None or (strict and match["sep"] == " "):
        return None
    parts = match.groupdict()
    fraction = parts["fraction"] or parts["millis"] or ""
    return _build(
        parts["year"],
        parts["month"],
        parts["day"],
        parts["hour"],
        parts["minute"],
        parts["second"],
        fraction,
        parts["zone"],
    )


def _us(value: str) -> datetime | None:
    match = _US.fullmatch(value)
    if match is None:
        return None
    return _build(match["year"], match["month"], match["day"])


def _ctime(value: str) -> datetime | None:
    match = _CTIME.fullmatch(value)
    if match is None:
        return None
    month = match["month"].lower()
    if not month.isdigit():
        if month not in _MONTHS:
            return None
        month = str(_MONTHS.index(month) + 1)
    zone = match["zone"]
    if zone is not None and zone.lower() in ("utc", "gmt"):
        zone = "Z"
    return _build(
        match["year"],
        month,
        match["day"],
        match["hour"],
        match["minute"],
        match["second"],
        match["fraction"] or "",
        zone,
    )


def _build(
    year: str,
    month: str,
    day: str,
    hour: str | None = None,
    minute: str | None = None,
    second: str | None = None,
    fraction: str = "",
    zone: str | None = None,
) -> datetime | None:
    try:
        tz = _zone(zone)
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int(fraction[:6].ljust(6, "0")) if fraction else 0,
            tzinfo=tz,
        )
        moment.astimezone(UTC)  # a time whose UTC falls outside years 1-9999 is no date here
    except (ValueError, OverflowError):
        return None
    return moment


def _zone(zone: str | None) -> timezone:
    if zone is None or zone in ("Z", "z"):
        return UTC
    sign = -1 if zone[0] == "-" else 1
    body = zone[1:]
    if ":" in body:
        hour_text, minute_text = body.split(":")
    elif len(body) <= 2:
        hour_text, minute_text = body, "0"
    else:
        hour_text, minute_text = body[:-2], body[-2:]
    hours, minutes = int(hour_text), int(minute_text)
    if hours > 23 or minutes > 59:
        raise ValueError(f"not a UTC offset: {zone}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
