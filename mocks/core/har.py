"""The journal as an HTTP Archive (HAR 1.2): what browsers' tools, proxies and viewers read.

HAR has no place for what the journal knows beyond HTTP (hop, direction, attempt, fault,
note, schema verdicts): those go in custom fields, whose names start with `_` as HAR allows.
So does the cursor of the next page of a served export (`log._next_cursor`, see
`mocks.core.pagination`): the journal's HAR comes in pages, like the journal itself.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from seen_braze_harness.mocks.core.journal import Body, Exchange, header

HAR_VERSION = "1.2"
CREATOR = "seen-braze-harness"
HTTP_VERSION = "HTTP/1.1"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def to_har(exchanges: Iterable[Exchange], *, creator_version: str) -> dict[str, Any]:
    """A HAR 1.2 document with one entry per exchange, in the order given."""
    return har_document(
        [entry(exchange) for exchange in exchanges], creator_version=creator_version
    )


def har_document(
    entries: Any, *, creator_version: str, paged: bool = False, next_cursor: str | None = None
) -> dict[str, Any]:
    """A HAR 1.2 document around `entries` (a list, or a page's items already encoded); a
    `paged` one, a page of a served export, also says where the next page is
    (`_next_cursor`, null on the last one)."""
    log: dict[str, Any] = {
        "version": HAR_VERSION,
        "creator": {"name": CREATOR, "version": creator_version},
        "entries": entries,
    }
    if paged:
        log["_next_cursor"] = next_cursor
    return {"log": log}


def entry(exchange: Exchange) -> dict[str, Any]:
    """One exchange as a HAR entry."""
    elapsed = 0.0 if exchange.duration is None else round(exchange.duration * 1000, 3)
    verdict = exchange.verdict()
    out: dict[str, Any] = {
        "startedDateTime": started(exchange.time),
        "time": elapsed,
        "request": _request(exchange),
        "response": _response(exchange),
        "cache": {},
        "timings": {"send": 0, "wait": elapsed, "receive": 0},
        "_id": exchange.id,
        "_service": exchange.service,
        "_hop": exchange.hop,
        "_direction": exchange.direction,
        "_attempt": exchange.attempt,
        "_fault": exchange.fault,
        "_note": exchange.note,
        "_schema": {k: None if v is None else v.to_dict() for k, v in verdict.items()},
    }
    if exchange.error is not None:
        out["_error"] = exchange.error
    return out


def started(instant: float) -> str:
    """An exchange's clock time as ISO 8601 with milliseconds, in UTC."""
    return datetime.fromtimestamp(instant, UTC).isoformat(timespec="milliseconds")


def _request(exchange: Exchange) -> dict[str, Any]:
    body = exchange.request_body
    out: dict[str, Any] = {
        "method": exchange.method,
        "url": exchange.url,
        "httpVersion": HTTP_VERSION,
        "cookies": [],
        "headers": _headers(exchange.request_headers),
        "queryString": [
            {"name": name, "value": value}
            for name, value in parse_qsl(urlsplit(exchange.url).query, keep_blank_values=True)
        ],
        "headersSize": -1,
        "bodySize": body.size,
    }
    if body.size or exchange.method.upper() in BODY_METHODS:
        text, encoding = _text(body)
        post: dict[str, Any] = {
            "mimeType": body.content_type or header(exchange.request_headers, "content-type"),
            "text": text,
        }
        if encoding:
            post["_encoding"] = encoding
        if body.truncated:
            post["_truncated"] = True
        out["postData"] = post
    return out


def _response(exchange: Exchange) -> dict[str, Any]:
    body = exchange.response_body
    status = exchange.status or 0
    content: dict[str, Any] = {"size": 0, "mimeType": ""}
    if body is not None:
        text, encoding = _text(body)
        content = {
            "size": body.size,
            "mimeType": body.content_type or header(exchange.response_headers, "content-type"),
            "text": text,
        }
        if encoding:
            content["encoding"] = encoding
        if body.truncated:
            content["_truncated"] = True
    return {
        "status": status,
        "statusText": _status_text(status),
        "httpVersion": HTTP_VERSION if exchange.status is not None else "",
        "cookies": [],
        "headers": _headers(exchange.response_headers),
        "content": content,
        "redirectURL": header(exchange.response_headers, "location"),
        "headersSize": -1,
        "bodySize": -1 if body is None else body.size,
    }


def _text(body: Body) -> tuple[str, str]:
    """The body as HAR text: itself when it is UTF-8, else base64 (with the encoding named)."""
    try:
        return body.raw.decode("utf-8"), ""
    except UnicodeDecodeError:
        return base64.b64encode(body.raw).decode("ascii"), "base64"


def _headers(headers: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers.items()]


def _status_text(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def merged(*documents: Mapping[str, Any], creator_version: str) -> dict[str, Any]:
    """Several HAR documents as one, their entries in time order (stable for equal times)."""
    entries = [e for doc in documents for e in doc.get("log", {}).get("entries", [])]
    entries.sort(key=lambda e: datetime.fromisoformat(e["startedDateTime"]))
    return {
        "log": {
            "version": HAR_VERSION,
            "creator": {"name": CREATOR, "version": creator_version},
            "entries": entries,
        }
    }
