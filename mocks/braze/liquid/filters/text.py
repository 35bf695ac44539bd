"""Liquid's text filters with Ruby's `String` semantics: case, slices, splits, strips and
replacements (`strip` leaves a no-break space, `split` drops trailing empty items)."""

from __future__ import annotations

import re
from typing import Any

from seen_braze_harness.mocks.braze.liquid.filters.calling import FilterCall
from seen_braze_harness.mocks.braze.liquid.ruby.comparison import truthy
from seen_braze_harness.mocks.braze.liquid.ruby.encoding import check_compatible
from seen_braze_harness.mocks.braze.liquid.ruby.lookups import has_size, ruby_size
from seen_braze_harness.mocks.braze.liquid.ruby.numbers import c_long, to_integer
from seen_braze_harness.mocks.braze.liquid.ruby.printing import to_s
from seen_braze_harness.mocks.braze.liquid.ruby.values import LiquidArgumentError

_RUBY_SPACE = " \t\n\v\f\r\0"
_AWK_SPACE = " \t\n\v\f\r"


def size(value: Any) -> Any:
    return ruby_size(value) if has_size(value) else 0


def downcase(value: Any) -> str:
    return to_s(value).lower()


def upcase(value: Any) -> str:
    return to_s(value).upper()


def capitalize(value: Any) -> str:
    text = to_s(value)
    return text[:1].title() + text[1:].lower() if text else ""


def _ruby_slice(seq: Any, offset: int, length: int) -> Any:
    """`String#slice(offset, length)` / `Array#slice`: None where Ruby answers nil."""
    size_ = len(seq)
    if offset < 0:
        offset += size_
        if offset < 0:
            return None
    if offset > size_ or length < 0:
        return None
    return seq[offset : offset + length]


def slice_(value: Any, offset: Any, length: Any = None) -> Any:
    start = c_long(to_integer(offset))
    count = c_long(to_integer(length)) if truthy(length) else 1
    if isinstance(value, list):
        got = _ruby_slice(value, start, count)
        return [] if got is None else got
    got = _ruby_slice(to_s(value), start, count)
    return "" if got is None else got


def truncate(value: Any, length: Any = 50, ellipsis: Any = "...") -> str | None:
    if value is None:
        return None
    text = to_s(value)
    limit = to_integer(length)
    tail = to_s(ellipsis)
    keep = max(limit - len(tail), 0)
    return text[:keep] + tail if len(text) > limit else text


def _awk_split(text: str, limit: int = 0) -> list[str]:
    """`String#split(" ", limit)`: fields between runs of ASCII whitespace, leading ones
    ignored; with a limit the last field is the rest, and trailing empty fields are kept."""
    fields: list[str] = []
    begin = end = 0
    skipping = True
    count = 1
    for position, char in enumerate(text, 1):
        if skipping:
            if char in _AWK_SPACE:
                begin = position
            else:
                end = position
                skipping = False
                if limit > 0 and limit <= count:
                    break
        elif char in _AWK_SPACE:
            fields.append(text[begin:end])
            skipping = True
            begin = position
            if limit > 0:
                count += 1
        else:
            end = position
    if text and (limit > 0 or len(text) > begin):
        fields.append(text[begin:])
    if limit == 0:
        while fields and fields[-1] == "":
            fields.pop()
    return fields


def truncatewords(value: Any, words: Any = 15, ellipsis: Any = "...") -> str | None:
    if value is None:
        return None
    text = to_s(value)
    count = to_integer(words)
    if count <= 0:
        count = 1
    if count + 1 > 2**31 - 1:
        raise LiquidArgumentError(f"integer {count} too big for truncatewords")
    wordlist = _awk_split(text, count + 1)
    if len(wordlist) <= count:
        return text
    wordlist.pop()
    return " ".join(wordlist) + to_s(ellipsis)


def split(value: Any, pattern: Any) -> list[str]:
    text, separator = joined(to_s(value), to_s(pattern))
    if separator == " ":
        return _awk_split(text)
    parts = list(text) if separator == "" else text.split(separator)
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def strip(value: Any) -> str:
    return to_s(value).strip(_RUBY_SPACE)


def lstrip(value: Any) -> str:
    return to_s(value).lstrip(_RUBY_SPACE)


def rstrip(value: Any) -> str:
    return to_s(value).rstrip(_RUBY_SPACE)


_HTML_BLOCKS = (("<script", "</script>"), ("<!--", "-->"), ("<style", "</style>"))
"""Ruby Liquid's STRIP_HTML_BLOCKS, tried in this order at each `<`."""


def strip_html(value: Any) -> str:
    """`<script…</script>`, `<!--…-->`, `<style…</style>` removed, then every `<…>`, as Ruby's
    two `gsub`s do, in one linear pass each (a closing mark once missing stays missing)."""
    text = to_s(value)
    missing: set[str] = set()
    kept: list[str] = []
    pos = 0
    while (at := text.find("<", pos)) >= 0:
        end = -1
        for opening, closing in _HTML_BLOCKS:
            if closing not in missing and text.startswith(opening, at):
                found = text.find(closing, at + len(opening))
                if found < 0:
                    missing.add(closing)
                    continue
                end = found + len(closing)
                break
        if end < 0:
            kept.append(text[pos : at + 1])
            pos = at + 1
            continue
        kept.append(text[pos:at])
        pos = end
    kept.append(text[pos:])
    text = "".join(kept)
    kept, pos = [], 0
    while (at := text.find("<", pos)) >= 0:
        end = text.find(">", at + 1)
        if end < 0:
            break
        kept.append(text[pos:at])
        pos = end + 1
    kept.append(text[pos:])
    return "".join(kept)


def strip_newlines(value: Any) -> str:
    return re.sub(r"\r?\n", "", to_s(value))


def newline_to_br(value: Any) -> str:
    return re.sub(r"\r?\n", "<br />\n", to_s(value))


def joined(*parts: str) -> tuple[str, ...]:
    """The parts, once Ruby would agree to join them (binary and UTF-8 text may not)."""
    for index in range(1, len(parts)):
        check_compatible(parts[0], parts[index])
    return parts


def _replaced_size(call: FilterCall, text: str, needle: str, new: str, count: int) -> None:
    """Refuse a replacement whose result would be over the limit, before building it."""
    size = len(text) + count * (len(new) - len(needle))
    if size > call.result_chars:
        raise LiquidArgumentError(
            f"the result is longer than {call.result_chars:,} characters "
            "(the emulator's output limit)"
        )


def replace(call: FilterCall, value: Any, search: Any, replacement: Any = "") -> str:
    text, needle, new = joined(to_s(value), to_s(search), to_s(replacement))
    if new:
        _replaced_size(call, text, needle, new, text.count(needle))
    return text.replace(needle, new)


def replace_first(value: Any, search: Any, replacement: Any = "") -> str:
    text, needle, new = joined(to_s(value), to_s(search), to_s(replacement))
    return text.replace(needle, new, 1)


def replace_last(value: Any, search: Any, replacement: Any) -> str:
    text, needle = to_s(value), to_s(search)
    at = text.rfind(needle)
    if at < 0:
        return text
    return text[:at] + to_s(replacement) + text[at + len(needle) :]


def remove(value: Any, search: Any) -> str:
    text, needle = joined(to_s(value), to_s(search))
    return text.replace(needle, "")


def remove_first(value: Any, search: Any) -> str:
    return replace_first(value, search, "")


def remove_last(value: Any, search: Any) -> str:
    return replace_last(value, search, "")


def append(value: Any, suffix: Any) -> str:
    left, right = joined(to_s(value), to_s(suffix))
    return left + right


def prepend(value: Any, prefix: Any) -> str:
    left, right = joined(to_s(prefix), to_s(value))
    return left + right
