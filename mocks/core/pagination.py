"""Pages of the admin API's listings: `limit` and an opaque `cursor` on every one of them.

A listing answered whole grows with the store: `GET /_mock/receivers` once answered 98 MB and
the profile export pushed a server to 823 MB. So every listing answers one page: at most
`limit` items (`admin_page_limit` when the request names none, never more than
`admin_page_max`), and fewer when their JSON would pass `admin_page_bytes` (a page always holds
one item, so a listing always moves on). The answer keeps its shape (`{"count": ...,
"receivers": [...]}`, `count` still every match) and adds `"next_cursor"`: null on the last
page, else the text to send back as `cursor` for the next one.

A cursor names the listing and the key of the last item shown (a receiver's id, an exchange's
id, a profile's place in the store), never an offset: items added or forgotten while a client
pages do not shift the pages, and no item is shown twice. Most listings page from the oldest
on; the journal, its HAR export and the transformation logs page from the newest back, as
their `limit` always meant "the last N" (each page is still oldest first).

`limit=0` answers the counts only, with no cursor. A `limit` that is not a whole number, is
above the maximum, or a cursor that is not one of this listing's is a 400 problem.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, overload

from flask import Response, current_app

from seen_braze_harness.mocks.core.http import status_line

T = TypeVar("T")

PAGE_ARGS = ("limit", "cursor")
"""The query parameters every listing takes besides its filters."""
MAX_CURSOR = 200
"""Longest cursor text accepted (a real one is far shorter)."""
_FORWARD, _BACKWARD = ">", "<"
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class PageError(ValueError):
    """A `limit` or `cursor` a listing cannot use; the admin API answers it with a 400."""


@dataclass(frozen=True)
class PageQuery:
    """What one request asks of a listing: how many items, and after (or before) which key."""

    listing: str
    limit: int
    bound: int | None = None
    """Exclusive: keys above it (oldest first), or below it (newest first); None: from the
    start."""
    newest_first: bool = False
    max_bytes: int = 4 * 1024 * 1024


@dataclass(frozen=True)
class Raw:
    """JSON text already encoded, put into an answer as it is."""

    text: str


@dataclass(frozen=True)
class Page:
    """One page of a listing: its items as a JSON array, and the cursor of the next one."""

    items: Raw
    shown: int
    next_cursor: str | None


def page_query(listing: str, args: Mapping[str, str], *, newest_first: bool = False) -> PageQuery:
    """The page `args` (`limit`, `cursor`) asks of `listing`, within the mock's settings;
    PageError for a bad limit or a cursor of another listing."""
    settings = current_app.extensions["mock"].settings
    maximum: int = settings.admin_page_max
    raw_limit = args.get("limit")
    if raw_limit is None:
        limit: int = settings.admin_page_limit
    elif not (raw_limit.isascii() and raw_limit.isdigit()) or len(raw_limit) > 9:
        raise PageError(f"limit: must be a whole number from 0 to {maximum}, not {raw_limit!r}")
    else:
        limit = int(raw_limit)
        if limit > maximum:
            raise PageError(
                f"limit: {limit} is above the most one page holds ({maximum}, the "
                "admin_page_max setting); follow next_cursor for the rest"
            )
    cursor = args.get("cursor")
    bound = None if cursor is None else decode_cursor(cursor, listing, newest_first)
    return PageQuery(listing, limit, bound, newest_first, settings.admin_page_bytes)


def encode_cursor(listing: str, key: int, newest_first: bool) -> str:
    """The opaque text of a cursor: the listing, the direction and the last key shown."""
    text = f"{listing}\x00{_BACKWARD if newest_first else _FORWARD}{key}"
    return base64.urlsafe_b64encode(text.encode("utf-8")).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str, listing: str, newest_first: bool) -> int:
    """The key a cursor of `listing` points past; PageError for anything else."""
    problem = f"cursor: {cursor[:40]!r} is not a cursor of this listing"
    hint = "; send back the next_cursor of the previous page, or no cursor to start again"
    if not cursor or len(cursor) > MAX_CURSOR or not cursor.isascii():
        raise PageError(problem + hint)
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        raise PageError(problem + hint) from None
    name, _, position = text.partition("\x00")
    direction, digits = position[:1], position[1:]
    wanted = _BACKWARD if newest_first else _FORWARD
    if name != listing or direction != wanted or not (digits.isascii() and digits.isdigit()):
        raise PageError(problem + hint)
    return int(digits)


def take(
    query: PageQuery,
    keyed: Sequence[tuple[int, T]],
    to_json: Callable[[T], Any],
) -> Page:
    """The page `query` asks of `keyed`, (key, item) pairs in ascending key order. Only the
    items shown are turned into JSON (`to_json`), one at a time."""
    if query.limit == 0:
        return Page(Raw("[]"), 0, None)
    if query.newest_first:
        end = (
            len(keyed) if query.bound is None else bisect.bisect_left(keyed, query.bound, key=_key)
        )
        order: Iterable[int] = range(end - 1, -1, -1)
        remaining = end
    else:
        start = 0 if query.bound is None else bisect.bisect_right(keyed, query.bound, key=_key)
        order = range(start, len(keyed))
        remaining = len(keyed) - start
    texts: list[str] = []
    size = 2
    last_key = 0
    for index in order:
        if len(texts) >= query.limit:
            break
        key, item = keyed[index]
        text = _ENCODER.encode(to_json(item))
        cost = len(text.encode("utf-8")) + 1
        if texts and size + cost > query.max_bytes:
            break
        texts.append(text)
        size += cost
        last_key = key
    more = len(texts) < remaining
    if query.newest_first:
        texts.reverse()
    cursor = encode_cursor(query.listing, last_key, query.newest_first) if more else None
    return Page(Raw("[" + ",".join(texts) + "]"), len(texts), cursor)


def _key(pair: tuple[int, Any]) -> int:
    return pair[0]


def numbered(items: Iterable[T]) -> list[tuple[int, T]]:
    """Items keyed by their place (1, 2, ...): for listings that only grow at the end."""
    return list(enumerate(items, start=1))


class Keyed(Sequence[tuple[int, T]]):
    """`items` (in ascending key order) seen as (key, item) pairs, made only when `take`
    looks at one: a large store's page costs no pair per item it holds."""

    def __init__(self, items: Sequence[T], key: Callable[[T], int]) -> None:
        self._items = items
        self._key = key

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> tuple[int, T]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[int, T]]: ...

    def __getitem__(self, index: int | slice) -> tuple[int, T] | Sequence[tuple[int, T]]:
        if isinstance(index, slice):
            return [(self._key(item), item) for item in self._items[index]]
        item = self._items[index]
        return self._key(item), item


def render(value: Any) -> str:
    """`value` as compact JSON, with `Raw` values (in objects) put in as they are."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Mapping):
        return (
            "{" + ",".join(f"{_ENCODER.encode(str(k))}:{render(v)}" for k, v in value.items()) + "}"
        )
    return _ENCODER.encode(value)


def raw_json_response(body: Any, status: int = 200) -> Response:
    """A JSON answer whose `Raw` parts are already encoded (a page's items)."""
    return Response(render(body), status=status_line(status), mimetype="application/json")


def page_response(
    head: Mapping[str, Any], key: str, page: Page, tail: Mapping[str, Any] | None = None
) -> Response:
    """A listing's answer: `head` (count, ...), the page's items under `key`, `tail`, then
    `next_cursor`."""
    return raw_json_response(
        {**head, key: page.items, **(tail or {}), "next_cursor": page.next_cursor}
    )


def follow(
    fetch: Callable[[dict[str, str]], Mapping[str, Any]],
    key: str,
    *,
    params: Mapping[str, str] | None = None,
    newest_first: bool = False,
    cursor_key: str = "next_cursor",
    max_pages: int = 1_000_000,
) -> tuple[dict[str, Any], list[Any]]:
    """Every item of a listing, for a client: `fetch(params)` answers one page (the JSON
    object); the cursors (`cursor_key`: `_next_cursor` in a HAR document's `log`) are
    followed to the end. Returns the first page without its items and cursor, and every
    item in the listing's order, oldest first (a newest-first listing's pages are put back
    in order). ValueError if the listing answers no list under `key`, or a cursor comes
    back twice."""
    pages: list[list[Any]] = []
    first: dict[str, Any] | None = None
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(max_pages):
        query = dict(params or {})
        if cursor is not None:
            query["cursor"] = cursor
        answer = fetch(query)
        items = answer.get(key) if isinstance(answer, Mapping) else None
        if not isinstance(items, list):
            raise ValueError(f"the listing answered no {key!r} list")
        if first is None:
            first = {k: v for k, v in answer.items() if k != key}
        pages.append(items)
        cursor = answer.get(cursor_key)
        if cursor is None:
            break
        if not isinstance(cursor, str) or cursor in seen:
            raise ValueError(f"the listing's next_cursor {cursor!r} leads nowhere new")
        seen.add(cursor)
    if newest_first:
        pages.reverse()
    assert first is not None
    first.pop(cursor_key, None)
    return first, [item for page in pages for item in page]
