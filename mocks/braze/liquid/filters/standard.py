"""Liquid 5's standard filters by name, as Shopify's `StandardFilters` has them, with the two
that belong to no family: `default` and `date`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from seen_braze_harness.mocks.braze.liquid.filters import arrays, escaping, numbers, text
from seen_braze_harness.mocks.braze.liquid.filters.calling import Filter, FilterCall, make_filter
from seen_braze_harness.mocks.braze.liquid.ruby.comparison import truthy
from seen_braze_harness.mocks.braze.liquid.ruby.strftime import date_filter
from seen_braze_harness.mocks.braze.liquid.ruby.values import TimeText


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


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "abs": numbers.abs_,
    "append": text.append,
    "at_least": numbers.at_least,
    "at_most": numbers.at_most,
    "base64_decode": escaping.base64_decode,
    "base64_encode": escaping.base64_encode,
    "base64_url_safe_decode": escaping.base64_url_safe_decode,
    "base64_url_safe_encode": escaping.base64_url_safe_encode,
    "capitalize": text.capitalize,
    "ceil": numbers.ceil,
    "compact": arrays.compact,
    "concat": arrays.concat,
    "default": default,
    "divided_by": numbers.divided_by,
    "downcase": text.downcase,
    "escape": escaping.escape,
    "escape_once": escaping.escape_once,
    "first": arrays.first_,
    "floor": numbers.floor,
    "h": escaping.escape,
    "join": arrays.join,
    "last": arrays.last_,
    "lstrip": text.lstrip,
    "map": arrays.map_,
    "minus": numbers.minus,
    "modulo": numbers.modulo,
    "newline_to_br": text.newline_to_br,
    "plus": numbers.plus,
    "prepend": text.prepend,
    "remove": text.remove,
    "remove_first": text.remove_first,
    "remove_last": text.remove_last,
    "replace": text.replace,
    "replace_first": text.replace_first,
    "replace_last": text.replace_last,
    "reverse": arrays.reverse,
    "round": numbers.round_,
    "rstrip": text.rstrip,
    "size": text.size,
    "slice": text.slice_,
    "sort": arrays.sort,
    "sort_natural": arrays.sort_natural,
    "split": text.split,
    "strip": text.strip,
    "strip_html": text.strip_html,
    "strip_newlines": text.strip_newlines,
    "times": numbers.times,
    "truncate": text.truncate,
    "truncatewords": text.truncatewords,
    "uniq": arrays.uniq,
    "upcase": text.upcase,
    "url_decode": escaping.url_decode,
    "url_encode": escaping.url_encode,
    "where": arrays.where,
}
STANDARD_FILTERS: dict[str, Filter] = {name: make_filter(f) for name, f in _FUNCTIONS.items()}
"""Every filter of Ruby Liquid 5.4's StandardFilters, by name."""
STANDARD_FILTERS["date"] = make_filter(date)
