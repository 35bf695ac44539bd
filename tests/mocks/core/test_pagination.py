"""Pages of the admin listings: `limit`, an opaque `cursor`, a byte budget, and the client that
follows the cursors; through the journal, the HAR export and the fault rules."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.core.pagination import (
    PageError,
    PageQuery,
    Raw,
    decode_cursor,
    encode_cursor,
    follow,
    page_query,
    render,
    take,
)
from seen_braze_harness.mocks.core.runtime import MockRuntime
from seen_braze_harness.mocks.core.settings import SettingsError
from seen_braze_harness.mocks.seen.settings import SeenSettings
from tests.mocks.core.test_admin import assert_problem


def walk(
    client: FlaskClient, path: str, key: str, *, newest_first: bool = False, **params: str
) -> tuple[list[Any], int]:
    """Every item of a listing by following its cursors, and the number of pages it took."""
    pages = 0

    def fetch(query: dict[str, str]) -> Any:
        nonlocal pages
        pages += 1
        response = client.get(path, query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    _head, items = follow(fetch, key, params=params, newest_first=newest_first)
    return items, pages


def record(runtime: MockRuntime, count: int, hop: str = "seen.receivers") -> None:
    for _ in range(count):
        runtime.journal.record(
            service="seen",
            hop=hop,
            direction="inbound",
            time=runtime.clock.now(),
            method="POST",
            url="https://mock.test/x",
            request_headers={},
            request_body=runtime.journal.body(b"{}"),
            status=201,
            response_body=runtime.journal.body(b"{}"),
        )


# -- the helper ------------------------------------------------------------------------------


def query(limit: int, bound: int | None = None, **options: Any) -> PageQuery:
    return PageQuery("items", limit, bound, **options)


KEYED = [(key, {"n": key}) for key in (2, 3, 5, 7, 11)]


def test_forward_pages_follow_the_keys_not_the_offsets() -> None:
    first = take(query(2), KEYED, dict)
    assert json.loads(first.items.text) == [{"n": 2}, {"n": 3}]
    bound = decode_cursor(first.next_cursor or "", "items", False)
    assert bound == 3
    # an item before the bound is forgotten, one after it added: no item shown twice or lost
    changed = [pair for pair in KEYED if pair[0] != 2] + [(13, {"n": 13})]
    second = take(query(2, bound), changed, dict)
    assert json.loads(second.items.text) == [{"n": 5}, {"n": 7}]
    last = take(query(2, decode_cursor(second.next_cursor or "", "items", False)), changed, dict)
    assert json.loads(last.items.text) == [{"n": 11}, {"n": 13}] and last.next_cursor is None


def test_newest_first_pages_go_back_and_each_is_oldest_first() -> None:
    first = take(query(2, newest_first=True), KEYED, dict)
    assert json.loads(first.items.text) == [{"n": 7}, {"n": 11}]
    bound = decode_cursor(first.next_cursor or "", "items", True)
    second = take(query(2, bound, newest_first=True), KEYED, dict)
    assert json.loads(second.items.text) == [{"n": 3}, {"n": 5}]
    bound = decode_cursor(second.next_cursor or "", "items", True)
    last = take(query(2, bound, newest_first=True), KEYED, dict)
    assert json.loads(last.items.text) == [{"n": 2}] and last.next_cursor is None


def test_limit_0_gives_no_items_and_no_cursor() -> None:
    page = take(query(0), KEYED, dict)
    assert (page.items.text, page.shown, page.next_cursor) == ("[]", 0, None)


def test_a_page_ends_before_its_json_passes_the_byte_budget() -> None:
    big = [(i, {"text": "x" * 100}) for i in range(1, 11)]
    page = take(query(10, max_bytes=350), big, dict)
    assert page.shown == 3 and len(page.items.text.encode()) <= 350
    assert page.next_cursor is not None
    alone = take(query(10, max_bytes=10), big, dict)
    assert alone.shown == 1, "a page always holds one item, however large"


def test_only_the_items_shown_are_turned_into_json() -> None:
    made: list[int] = []
    take(query(2, 3), KEYED, lambda item: made.append(item["n"]) or item)
    assert made == [5, 7]


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not base64!",
        "x" * 300,
        "é",
        encode_cursor("other", 3, False),
        encode_cursor("items", 3, True),
        "aXRlbXMAPmFi",  # items, forward, "ab"
    ],
)
def test_a_cursor_of_another_listing_or_no_cursor_at_all_is_refused(cursor: str) -> None:
    with pytest.raises(PageError, match=r"cursor: .* is not a cursor of this listing"):
        decode_cursor(cursor, "items", False)


def test_render_puts_raw_json_in_as_it_is() -> None:
    assert render({"a": 1, "b": Raw("[1,2]"), "c": None, "é": "ü"}) == (
        '{"a":1,"b":[1,2],"c":null,"é":"ü"}'
    )


def test_follow_puts_newest_first_pages_back_in_order_and_stops_on_a_loop() -> None:
    pages = {
        None: {"count": 4, "items": [3, 4], "next_cursor": "b"},
        "b": {"count": 4, "items": [1, 2], "next_cursor": None},
    }
    head, items = follow(lambda q: pages[q.get("cursor")], "items", newest_first=True)
    assert (head, items) == ({"count": 4}, [1, 2, 3, 4])
    looping = {"items": [1], "next_cursor": "same"}
    with pytest.raises(ValueError, match="leads nowhere new"):
        follow(lambda q: looping, "items")
    with pytest.raises(ValueError, match="no 'items' list"):
        follow(lambda q: {"other": []}, "items")


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"admin_page_limit": 0}, "admin_page_limit"),
        ({"admin_page_max": True}, "admin_page_max"),
        ({"admin_page_bytes": 1.5}, "admin_page_bytes"),
        ({"admin_body_bytes": -1}, "admin_body_bytes"),
        ({"admin_page_limit": 20, "admin_page_max": 10}, "above admin_page_max"),
    ],
)
def test_page_settings_are_checked(settings: dict[str, Any], fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        SeenSettings(**settings)


# -- through the admin API -------------------------------------------------------------------


@pytest.fixture
def small_pages(make_seen_app: Callable[..., Flask]) -> Flask:
    return make_seen_app(admin_page_limit=2, admin_page_max=3)


def test_the_journal_pages_back_from_the_newest(small_pages: Flask) -> None:
    runtime = small_pages.extensions["mock"]
    record(runtime, 7)
    client = small_pages.test_client()
    first = client.get("/_mock/journal").get_json()
    assert [e["id"] for e in first["exchanges"]] == [6, 7], "the default page: the last two"
    assert (first["count"], first["retained"], first["evicted"]) == (7, 7, 0)
    assert list(first)[-1] == "next_cursor" and first["next_cursor"]
    items, pages = walk(client, "/_mock/journal", "exchanges", newest_first=True)
    assert [e["id"] for e in items] == [1, 2, 3, 4, 5, 6, 7] and pages == 4
    items, pages = walk(client, "/_mock/journal", "exchanges", newest_first=True, limit="3")
    assert [e["id"] for e in items] == [1, 2, 3, 4, 5, 6, 7] and pages == 3
    filtered, _ = walk(client, "/_mock/journal", "exchanges", newest_first=True, since="4")
    assert [e["id"] for e in filtered] == [5, 6, 7]


def test_the_har_export_pages_like_the_journal(small_pages: Flask) -> None:
    record(small_pages.extensions["mock"], 5)
    client = small_pages.test_client()
    first = client.get("/_mock/journal.har").get_json()
    assert [e["_id"] for e in first["log"]["entries"]] == [4, 5]
    seen: list[int] = []
    cursor = first["log"]["_next_cursor"]
    while cursor is not None:
        page = client.get("/_mock/journal.har", query_string={"cursor": cursor}).get_json()
        seen[:0] = [e["_id"] for e in page["log"]["entries"]]
        cursor = page["log"]["_next_cursor"]
    assert seen == [1, 2, 3]
    _head, entries = follow(
        lambda q: client.get("/_mock/journal.har", query_string=q).get_json()["log"],
        "entries",
        newest_first=True,
        cursor_key="_next_cursor",
    )
    assert [e["_id"] for e in entries] == [1, 2, 3, 4, 5]
    last = client.get("/_mock/journal.har?limit=3").get_json()["log"]
    assert [e["_id"] for e in last["entries"]] == [3, 4, 5] and last["_next_cursor"]


def test_fault_rules_page_from_the_oldest(small_pages: Flask) -> None:
    client = small_pages.test_client()
    for status in (500, 502, 503):
        client.post("/_mock/faults", json={"hop": "seen.callback", "status": status})
    first = client.get("/_mock/faults").get_json()
    assert [r["status"] for r in first["faults"]] == [500, 502] and first["next_cursor"]
    items, pages = walk(client, "/_mock/faults", "faults")
    assert [r["status"] for r in items] == [500, 502, 503] and pages == 2
    client.delete(f"/_mock/faults/{items[0]['id']}")
    rest = client.get("/_mock/faults", query_string={"cursor": first["next_cursor"]})
    assert [r["status"] for r in rest.get_json()["faults"]] == [503]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("limit=-1", "limit: must be a whole number from 0 to 3"),
        ("limit=two", "limit: must be a whole number"),
        ("limit=%C2%B2", "limit: must be a whole number"),
        ("limit=99999999999999999999", "limit: must be a whole number"),
        ("limit=4", "limit: 4 is above the most one page holds (3, the admin_page_max"),
        ("cursor=nonsense", "cursor: 'nonsense' is not a cursor of this listing"),
        ("cursor=", "is not a cursor of this listing"),
    ],
)
@pytest.mark.parametrize("path", ["/_mock/journal", "/_mock/journal.har", "/_mock/faults"])
def test_a_bad_limit_or_cursor_is_a_400_problem(
    small_pages: Flask, path: str, query: str, fragment: str
) -> None:
    assert_problem(small_pages.test_client().get(f"{path}?{query}"), 400, fragment)


def test_a_cursor_of_one_listing_is_refused_by_another(small_pages: Flask) -> None:
    record(small_pages.extensions["mock"], 5)
    client = small_pages.test_client()
    cursor = client.get("/_mock/journal").get_json()["next_cursor"]
    assert client.get("/_mock/journal", query_string={"cursor": cursor}).status_code == 200
    for other in ("/_mock/journal.har", "/_mock/faults", "/_mock/receivers"):
        response = client.get(other, query_string={"cursor": cursor})
        assert_problem(response, 400, "is not a cursor of this listing")


def test_page_query_reads_the_mocks_settings(small_pages: Flask) -> None:
    with small_pages.test_request_context("/_mock/journal"):
        assert page_query("x", {}).limit == 2
        assert page_query("x", {"limit": "0"}).limit == 0
        assert page_query("x", {}).max_bytes == 4 * 1024 * 1024
