"""Liquid's HTML, URL and Base64 filters, as Ruby's `CGI` and `Base64` encode and decode."""

from __future__ import annotations

import base64
import binascii
import html
import re
import urllib.parse
from typing import Any

from seen_braze_harness.mocks.braze.liquid.ruby.encoding import binary_text, is_binary
from seen_braze_harness.mocks.braze.liquid.ruby.printing import to_s
from seen_braze_harness.mocks.braze.liquid.ruby.values import LiquidArgumentError


def escape(value: Any) -> str | None:
    if value is None:
        return None
    return html.escape(to_s(value), quote=True).replace("&#x27;", "&#39;")


_ESCAPE_ONCE = re.compile(r"[\"><']|&(?!([a-zA-Z]+|(#\d+));)")
_ESCAPES = {"&": "&amp;", ">": "&gt;", "<": "&lt;", '"': "&quot;", "'": "&#39;"}


def escape_once(value: Any) -> str:
    return _ESCAPE_ONCE.sub(lambda m: _ESCAPES[m.group(0)[0]], to_s(value))


def url_encode(value: Any) -> str | None:
    """`CGI.escape`: all but `a-z A-Z 0-9 _ . - ~` percent-encoded, a space as `+`."""
    if value is None:
        return None
    return urllib.parse.quote_plus(to_s(value).encode("utf-8", "surrogateescape"), safe="~")


_PERCENT = re.compile(rb"%([0-9a-fA-F]{2})")


def url_decode(value: Any) -> str | None:
    """`CGI.unescape`: `+` is a space, `%XX` a byte; broken escapes stay as they are."""
    if value is None:
        return None
    text = to_s(value)
    raw = text.encode("utf-8", "surrogateescape").replace(b"+", b" ")
    decoded = _PERCENT.sub(lambda m: bytes([int(m.group(1), 16)]), raw)
    if is_binary(text):
        return binary_text(decoded)  # binary in, binary out: always a valid encoding
    try:
        return decoded.decode("utf-8")
    except UnicodeDecodeError:
        raise LiquidArgumentError("invalid byte sequence in UTF-8") from None


def _binary(data: bytes) -> str:
    return binary_text(data)


def _strict_b64decode(text: str) -> bytes:
    """`Base64.strict_decode64`: padding required, no stray bits, nothing but the alphabet."""
    if len(text) % 4 or re.search(r"[^A-Za-z0-9+/=]", text):
        raise binascii.Error
    data = base64.b64decode(text, validate=True)
    if base64.b64encode(data).decode() != text:
        raise binascii.Error
    return data


def base64_encode(value: Any) -> str:
    return base64.b64encode(to_s(value).encode("utf-8", "surrogateescape")).decode()


def base64_decode(value: Any) -> str:
    text = to_s(value)
    try:
        return _binary(_strict_b64decode(text))
    except (binascii.Error, ValueError):
        raise LiquidArgumentError("invalid base64 provided to base64_decode") from None


def base64_url_safe_encode(value: Any) -> str:
    return base64.urlsafe_b64encode(to_s(value).encode("utf-8", "surrogateescape")).decode()


def base64_url_safe_decode(value: Any) -> str:
    text = to_s(value)
    if not text.endswith("=") and len(text) % 4:
        text = text.ljust((len(text) + 3) & ~3, "=")
    text = text.replace("-", "+").replace("_", "/")
    try:
        return _binary(_strict_b64decode(text))
    except (binascii.Error, ValueError):
        raise LiquidArgumentError("invalid base64 provided to base64_url_safe_decode") from None
