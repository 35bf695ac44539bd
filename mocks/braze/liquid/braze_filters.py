"""The filters Braze adds to Shopify Liquid, as functions of the input and the arguments.

Semantics follow Braze's "Advanced filters" reference (its example vectors are in the tests).
Where that page is silent, each filter says which convention it follows and why.
`BRAZE_LIQUID_FILTERS` is every filter a Braze template may use, Liquid's standard ones too.
"""

from __future__ import annotations

import base64
import decimal
import hashlib
import hmac
import json
import re
import urllib.parse
import zoneinfo
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any

from seen_braze_harness.mocks.braze.dates import RAILS_TIME_ZONES
from seen_braze_harness.mocks.braze.liquid.filters.calling import Filter, FilterCall, make_filter
from seen_braze_harness.mocks.braze.liquid.filters.standard import STANDARD_FILTERS
from seen_braze_harness.mocks.braze.liquid.ruby.numbers import to_number
from seen_braze_harness.mocks.braze.liquid.ruby.printing import to_s
from seen_braze_harness.mocks.braze.liquid.ruby.time import in_zone
from seen_braze_harness.mocks.braze.liquid.ruby.time_parse import to_time
from seen_braze_harness.mocks.braze.liquid.ruby.values import LiquidArgumentError, TimeText
from seen_braze_harness.mocks.core.jsonbody import parse_json

JSON_PARSE_MAX_DEPTH = 100
"""Deepest nesting `json_parse` accepts: Ruby's `JSON.parse` default (`max_nesting: 100`)."""


def json_escape(value: object) -> str:
    """Escape for use inside a JSON string literal, without the surrounding quotes.

    Like Ruby's `to_json` minus the quotes: `"`, `\\` and control characters are escaped
    (`\\n`, `\\t`, `\\r`, `\\b`, `\\f`, else `\\u00XX`); non-ASCII text and `/` stay as they are.
    """
    return json.dumps(to_s(value), ensure_ascii=False)[1:-1]


# Ruby's URI.escape kept RFC 2396 unreserved and reserved characters: only the rest is escaped.
_URL_SAFE = "-_.!~*'();/?:@&=+$,[]"


def url_escape(value: object) -> str:
    """Percent-encode what is not allowed in a URL, keeping its structure (`/ ? & = :` …).

    Braze documents `hey<>hi` -> `hey%3C%3Ehi`; like Ruby's `URI.escape`, reserved characters
    are kept and everything else (space as `%20`, `#`, `%`, non-ASCII as UTF-8) is escaped.
    """
    return urllib.parse.quote(to_s(value), safe=_URL_SAFE)


def url_param_escape(value: object) -> str:
    """Percent-encode for one query-parameter value, `&` included.

    Braze documents `hey<&>hi` -> `hey%3C%26%3Ehi`. Everything but the RFC 3986 unreserved
    characters (`A-Z a-z 0-9 - . _ ~`) is escaped; a space becomes `%20` (not `+`), which every
    server decodes the same way.
    """
    return urllib.parse.quote(to_s(value), safe="")


def url_encode(value: object) -> str:
    """Shopify's form encoding (Ruby `CGI.escape`): a space becomes `+`, as Braze documents."""
    return urllib.parse.quote_plus(to_s(value), safe="")


def md5(value: object) -> str:
    """Hex MD5 of the UTF-8 text."""
    return hashlib.md5(to_s(value).encode()).hexdigest()


def sha1(value: object) -> str:
    """Hex SHA-1 of the UTF-8 text."""
    return hashlib.sha1(to_s(value).encode()).hexdigest()


def sha2(value: object) -> str:
    """Hex SHA-256 of the UTF-8 text (Braze's `sha2` is the 256-bit variant)."""
    return hashlib.sha256(to_s(value).encode()).hexdigest()


def base64_encode(value: object) -> str:
    """Standard Base64 with padding and no line breaks (Ruby `strict_encode64`)."""
    return base64.b64encode(to_s(value).encode()).decode("ascii")


def _hmac(value: object, key: object, digest: str) -> bytes:
    if key is None:
        raise LiquidArgumentError("the HMAC filters need a key, e.g. `| hmac_sha256_hex: 'key'`")
    return hmac.new(to_s(key).encode(), to_s(value).encode(), digest).digest()


def hmac_sha1_hex(value: object, key: object = None) -> str:
    """HMAC-SHA1 of the text with the key given as argument, as hex."""
    return _hmac(value, key, "sha1").hex()


def hmac_sha1_base64(value: object, key: object = None) -> str:
    """HMAC-SHA1 of the text with the key given as argument, as Base64."""
    return base64.b64encode(_hmac(value, key, "sha1")).decode("ascii")


def hmac_sha256_hex(value: object, key: object = None) -> str:
    """HMAC-SHA256 of the text with the key given as argument, as hex."""
    return _hmac(value, key, "sha256").hex()


def hmac_sha256_base64(value: object, key: object = None) -> str:
    """HMAC-SHA256 of the text with the key given as argument, as Base64."""
    return base64.b64encode(_hmac(value, key, "sha256")).decode("ascii")


def hmac_sha512(value: object, key: object = None) -> str:
    """HMAC-SHA512 of the text with the key given as argument, as hex (as `hmac_sha256` is)."""
    return _hmac(value, key, "sha512").hex()


def money(value: object) -> str:
    """Braze's `money`: the number with two decimals and `,` between thousands.

    Braze documents that its `money` does not divide by 100 as Shopify's does (`145` is
    `145.00`, `1.45` stays `1.45`) and that text must be made a number first (`| plus: 0`):
    text goes through Liquid's own number conversion, so `"1,234.5"` is 1. **Assumed**: halves
    round away from zero, negative amounts keep their sign in front (`-1,234.50`).
    """
    number = to_number(value)
    if isinstance(number, decimal.Decimal) and not number.is_finite():
        raise LiquidArgumentError(f"money: {to_s(value)} is not a finite number")
    amount = decimal.Decimal(number).quantize(decimal.Decimal("0.01"), decimal.ROUND_HALF_UP)
    whole, _, cents = f"{abs(amount):f}".partition(".")
    head = len(whole) % 3 or 3
    groups = [whole[:head], *(whole[i : i + 3] for i in range(head, len(whole), 3))]
    return ("-" if amount < 0 else "") + ",".join(groups) + "." + cents


def time_zone(call: FilterCall, value: object, zone: object = None) -> object:
    """`time | time_zone: 'America/New_York'`: the same instant in that zone, so `date` then
    prints the local time (and `%z`, `%Z` the zone's offset and name).

    The input is read as the `date` filter reads it (`'now'`, epoch seconds, date text, a
    time); what it cannot read is returned unchanged. The zone is an IANA name, a Rails name
    ("Eastern Time (US & Canada)", as `${time_zone}` may hold), `UTC`, a whole number of hours
    (`-5`) or an offset text (`+05:30`). **Assumed**: an unknown zone leaves the time in UTC;
    a date without a time is midnight UTC before it is moved into the zone.
    """
    given = value.moment if isinstance(value, TimeText) else value
    moment = to_time(given, datetime.fromtimestamp(call.now, UTC))
    if moment is None:
        return value
    target = _zone(zone)
    return moment if target is None else in_zone(moment, target)


_OFFSET = re.compile(r"([+-])(\d{1,2}):?(\d{2})?")


def _zone(zone: object) -> tzinfo | None:
    if isinstance(zone, int) and not isinstance(zone, bool) and -14 <= zone <= 14:
        return timezone(timedelta(hours=zone))
    if not isinstance(zone, str):
        return None
    name = RAILS_TIME_ZONES.get(zone, zone.strip())
    if name.upper() in ("UTC", "GMT", "Z"):
        return UTC
    offset = _OFFSET.fullmatch(name)
    if offset is not None:
        minutes = int(offset.group(2)) * 60 + int(offset.group(3) or 0)
        if minutes <= 14 * 60:
            sign = -1 if offset.group(1) == "-" else 1
            return timezone(timedelta(minutes=sign * minutes))
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def json_parse(value: object) -> Any:
    """Parse a JSON string into an object Liquid can index; text that is not JSON is an error.

    Braze documents the filter for Connected Content and catalog strings; failing loudly (a
    render error naming the line) beats printing the text unparsed. Strict like Ruby's
    `JSON.parse`: no NaN or Infinity, at most 100 levels deep (also no lone surrogates).
    """
    try:
        return parse_json(to_s(value), max_depth=JSON_PARSE_MAX_DEPTH)
    except ValueError as exc:
        raise LiquidArgumentError(f"the text is not JSON ({exc})") from None


def as_json_string(value: object) -> str:
    """Serialise a value as compact JSON: objects and arrays in full, strings quoted.

    Nil and undefined values become `null`, so the output is always a JSON value; a NaN or
    infinite number is an error (as Ruby's `to_json` raises), never invalid JSON.
    """
    if value is None:
        return "null"
    return json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), default=str, allow_nan=False
    )


def property_accessor(value: object, key: object = None) -> Any:
    """`hash | property_accessor: 'key'`: the value under a key chosen at render time.

    Missing keys, and inputs that are not objects, give nil (an empty render) like any
    missing value in Braze.
    """
    if isinstance(value, Mapping):
        return value.get(to_s(key))
    return None


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def number_with_delimiter(value: object, delimiter: object = ",", separator: object = ".") -> str:
    """Group the integer digits in threes (`1234567.5` -> `1,234,567.5`), like Rails' helper.

    Input that is not a number is returned unchanged, as Rails does. `delimiter` and
    `separator` may be given (`| number_with_delimiter: '.', ','`).
    """
    if isinstance(value, bool) or value is None:
        return to_s(value)
    numeric = isinstance(value, float | decimal.Decimal | int)
    text = str(value) if numeric else to_s(value).strip()
    if not _NUMBER.fullmatch(text):
        return to_s(value)
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    whole = whole.lstrip("0") or "0"
    head = len(whole) % 3 or 3  # grouped as text: any number of digits, no int() limit
    groups = [whole[:head], *(whole[i : i + 3] for i in range(head, len(whole), 3))]
    grouped = to_s(delimiter).join(groups)
    return sign + grouped + (to_s(separator) + fraction if fraction else "")


BRAZE_FILTERS: Mapping[str, Callable[..., Any]] = {
    "json_escape": json_escape,
    "url_escape": url_escape,
    "url_param_escape": url_param_escape,
    "md5": md5,
    "sha1": sha1,
    "sha2": sha2,
    "hmac_sha1_hex": hmac_sha1_hex,
    "hmac_sha1": hmac_sha1_hex,
    "hmac_sha1_base64": hmac_sha1_base64,
    "hmac_sha256_hex": hmac_sha256_hex,
    "hmac_sha256_base64": hmac_sha256_base64,
    "hmac_sha256": hmac_sha256_hex,
    "hmac_sha512": hmac_sha512,
    "money": money,
    "json_parse": json_parse,
    "as_json_string": as_json_string,
    "property_accessor": property_accessor,
    "number_with_delimiter": number_with_delimiter,
}
"""Braze's filters by name (`hmac_sha1` is the documented former name of `hmac_sha1_hex`;
`hmac_sha256`, Shopify's name, gives hex as Shopify's does)."""

BRAZE_CALL_FILTERS: Mapping[str, Callable[..., Any]] = {"time_zone": time_zone}
"""Braze's filters that read the render's clock (they take a `FilterCall` first)."""


BRAZE_UNSUPPORTED_FILTERS = frozenset(
    {
        "camelize",
        "handleize",
        "pluralize",
        "lstrip",
        "rstrip",
        "money_with_currency",
        "money_without_currency",
        "format_address",
        "highlight",
        "find_index",
    }
)
"""Filters Braze's filter reference marks "not supported" (Shopify's color and font filters
are not supported either, and are not Liquid filters at all)."""

BRAZE_LIQUID_FILTERS: Mapping[str, Filter] = {
    **STANDARD_FILTERS,
    **{name: make_filter(function) for name, function in BRAZE_FILTERS.items()},
    **{name: make_filter(f, needs_call=True) for name, f in BRAZE_CALL_FILTERS.items()},
}
"""Liquid 5's standard filters (Ruby semantics) plus Braze's."""
