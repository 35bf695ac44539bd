"""Ruby's two encodings of text a template may hold: UTF-8, and binary (`base64_decode`'s)."""

from __future__ import annotations

import re

from seen_braze_harness.mocks.braze.liquid.ruby.values import LiquidArgumentError

_BINARY_BYTE = re.compile("[\udc80-\udcff]")
_UNICODE_CHAR = re.compile("[^\x00-\x7f\udc80-\udcff]")


def binary_text(data: bytes) -> str:
    """Bytes as Ruby's binary (ASCII-8BIT) text: every byte one character, so sizes, slices
    and case mapping count and touch bytes as Ruby's do; a byte over 127 is held as a
    surrogate escape and written back as that byte."""
    return data.decode("ascii", "surrogateescape")


def is_binary(text: str) -> bool:
    return _BINARY_BYTE.search(text) is not None


def has_unicode(text: str) -> bool:
    return _UNICODE_CHAR.search(text) is not None


def check_compatible(left: str, right: str) -> None:
    """Ruby refuses to join binary text holding bytes over 127 with UTF-8 text holding
    characters beyond ASCII (Encoding::CompatibilityError)."""
    if left.isascii() or right.isascii():
        return  # `isascii` is a flag CPython keeps: no scan
    if (_BINARY_BYTE.search(left) and _UNICODE_CHAR.search(right)) or (
        _UNICODE_CHAR.search(left) and _BINARY_BYTE.search(right)
    ):
        raise LiquidArgumentError("incompatible character encodings: UTF-8 and ASCII-8BIT")


def as_utf8(text: str) -> str:
    """Rendered text with binary bytes that form UTF-8 read as the characters they form."""
    if _BINARY_BYTE.search(text) is None:
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")
