"""The journal: recording, querying, caps, bodies, schema verdicts, and many threads at once."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from seen_braze_harness.mocks.core import journal as journal_module
from seen_braze_harness.mocks.core.journal import (
    Body,
    Direction,
    Exchange,
    HopSchemas,
    Journal,
    status_matches,
    valid_status_filter,
)

RECEIVERS = HopSchemas(
    request="seen/receivers-request",
    responses={
        201: "seen/receivers-created",
        400: "seen/receivers-errors",
        "4xx": "seen/error-detail",
    },
)
GOOD_REQUEST = [{"first_name": "Ada", "email": "ada@example.com"}]
GOOD_RESPONSE = [{"id": 1, "first_name": "Ada", "email": "ada@example.com"}]


def record(
    journal: Journal,
    hop: str = "seen.receivers",
    *,
    direction: Direction = "inbound",
    status: int | None = 201,
    request: Any = None,
    response: Any = None,
    raw_request: bytes | None = None,
    raw_response: bytes | None = None,
    **outcome: Any,
) -> Exchange:
    request_bytes = raw_request if raw_request is not None else json.dumps(request).encode()
    response_bytes = raw_response if raw_response is not None else json.dumps(response).encode()
    return journal.record(
        service="seen",
        hop=hop,
        direction=direction,
        time=1000.0,
        method="POST",
        url=f"https://mock.test/{hop}",
        request_headers={"Content-Type": "application/json"},
        request_body=journal.body(request_bytes, "application/json"),
        status=status,
        response_body=None if status is None else journal.body(response_bytes, "application/json"),
        **outcome,
    )


# -- querying ---------------------------------------------------------------------------------

TRAFFIC: list[tuple[str, Direction, int | None]] = [
    ("seen.receivers", "inbound", 201),  # 1
    ("seen.receivers", "inbound", 400),  # 2
    ("seen.receivers", "inbound", 429),  # 3
    ("seen.callback", "outbound", None),  # 4
    ("seen.callback", "outbound", 200),  # 5
    ("braze.users_track", "inbound", 201),  # 6
    ("seen.unmatched", "inbound", 404),  # 7
    ("seen.callback", "outbound", 503),  # 8
]


@pytest.fixture
def busy() -> Journal:
    journal = Journal()
    for hop, direction, status in TRAFFIC:
        record(journal, hop, direction=direction, status=status)
    return journal


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        ({}, [1, 2, 3, 4, 5, 6, 7, 8]),
        ({"hop": "seen.receivers"}, [1, 2, 3]),
        ({"hop": "seen.callback"}, [4, 5, 8]),
        ({"hop": "seen.*"}, [1, 2, 3, 4, 5, 7, 8]),
        ({"hop": "*.users_track"}, [6]),
        ({"hop": "seen.[cu]*"}, [4, 5, 7, 8]),
        ({"hop": "seen"}, []),
        ({"hop": "SEEN.*"}, []),
        ({"status": 201}, [1, 6]),
        ({"status": "201"}, [1, 6]),
        ({"status": " 201 "}, [1, 6]),
        ({"status": "4xx"}, [2, 3, 7]),
        ({"status": "4XX"}, [2, 3, 7]),
        ({"status": "2xx"}, [1, 5, 6]),
        ({"status": "5xx"}, [8]),
        ({"status": "none"}, [4]),
        ({"status": "error"}, [4]),
        ({"status": 500}, []),
        ({"direction": "outbound"}, [4, 5, 8]),
        ({"direction": "inbound"}, [1, 2, 3, 6, 7]),
        ({"since": 0}, [1, 2, 3, 4, 5, 6, 7, 8]),
        ({"since": 5}, [6, 7, 8]),
        ({"since": 8}, []),
        ({"hop": "seen.*", "status": "4xx", "since": 2}, [3, 7]),
        ({"hop": "seen.callback", "direction": "inbound"}, []),
        ({"direction": "outbound", "status": "none"}, [4]),
    ],
)
def test_query_filters(busy: Journal, filters: dict[str, Any], ids: list[int]) -> None:
    assert [e.id for e in busy.query(**filters)] == ids
    assert busy.count(**filters) == len(ids)


@pytest.mark.parametrize(
    ("status", "wanted", "matches"),
    [
        (201, None, True),
        (None, None, True),
        (201, 201, True),
        (201, 200, False),
        (None, 200, False),
        (201, "201", True),
        (201, "2xx", True),
        (299, "2xx", True),
        (300, "2xx", False),
        (None, "2xx", False),
        (None, "none", True),
        (None, "NONE", True),
        (500, "none", False),
        (201, "", False),
        (201, "2x", False),
        (201, "x01", False),
        (201, "²⁰¹", False),
        (201, "²xx", False),
    ],
)
def test_status_matches(status: int | None, wanted: Any, matches: bool) -> None:
    assert status_matches(status, wanted) is matches


@pytest.mark.parametrize(
    ("wanted", "valid"),
    [
        ("201", True),
        ("100", True),
        ("599", True),
        ("099", False),
        ("600", False),
        ("99", False),
        ("1xx", True),
        ("5XX", False),
        (" 4xx ", False),
        ("NONE", False),
        ("Error", False),
        ("0201", False),
        ("201\n", False),
        ("6xx", False),
        ("0xx", False),
        ("xx", False),
        ("none", True),
        ("error", True),
        ("", False),
        ("abc", False),
        ("-201", False),
        ("2.0", False),
        ("²", False),
        ("²⁰¹", False),
        ("²xx", False),
    ],
)
def test_valid_status_filter(wanted: str, valid: bool) -> None:
    assert valid_status_filter(wanted) is valid


def test_exchanges_keep_the_order_they_happened(journal: Journal) -> None:
    made = [record(journal, f"hop.{n}") for n in range(5)]
    assert journal.query() == made
    assert [e.id for e in made] == [1, 2, 3, 4, 5]
    assert len(journal) == 5


# -- caps ----------------------------------------------------------------------------------


def test_the_cap_evicts_the_oldest_and_counts_them() -> None:
    journal = Journal(cap=3)
    for n in range(5):
        record(journal, f"hop.{n}")
    assert [e.hop for e in journal.query()] == ["hop.2", "hop.3", "hop.4"]
    assert [e.id for e in journal.query()] == [3, 4, 5]
    assert journal.evicted == 2
    assert len(journal) == 3


def test_clear_empties_the_journal_and_ids_keep_growing() -> None:
    journal = Journal(cap=2)
    for _ in range(3):
        record(journal)
    journal.clear()
    assert len(journal) == 0
    assert journal.query() == []
    assert journal.evicted == 0
    assert record(journal).id == 4, "ids are never reused, so `since` stays meaningful"


@pytest.mark.parametrize("cap", [0, -1])
def test_a_journal_needs_room_for_one_exchange(cap: int) -> None:
    with pytest.raises(ValueError, match="cap"):
        Journal(cap)


@pytest.mark.parametrize(
    ("data", "cap", "raw", "size", "truncated"),
    [
        (b"0123456789", 10, b"0123456789", 10, False),
        (b"0123456789A", 10, b"0123456789", 11, True),
        (b"", 10, b"", 0, False),
        (None, 10, b"", 0, False),
        (b"abc", 1, b"a", 3, True),
    ],
)
def test_body_capture_keeps_up_to_the_cap(
    data: bytes | None, cap: int, raw: bytes, size: int, truncated: bool
) -> None:
    body = Body.capture(data, "application/json", cap)
    assert (body.raw, body.size, body.truncated) == (raw, size, truncated)
    assert ("truncated" in body.to_dict()) is truncated


def test_a_truncated_body_is_marked_and_its_verdict_says_so() -> None:
    journal = Journal(body_cap=16)
    journal.describe_hop("seen.receivers", RECEIVERS)
    exchange = record(journal, request=GOOD_REQUEST, response=GOOD_RESPONSE)
    full = len(json.dumps(GOOD_REQUEST))
    assert full > 16
    assert exchange.request_body.truncated
    assert exchange.request_body.size == full
    assert len(exchange.request_body.raw) == 16
    assert exchange.request_json is None
    assert not exchange.request_body.is_json
    assert exchange.to_dict()["request"]["body"] == {
        "size": full,
        "text": json.dumps(GOOD_REQUEST)[:16],
        "truncated": True,
    }
    verdict = exchange.verdict()["request"]
    assert verdict is not None and not verdict.valid
    assert [(i.pointer, i.message) for i in verdict.errors] == [("", "body is truncated")]
    assert not exchange.valid


# -- bodies -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "is_json", "parsed", "shown"),
    [
        (b'{"a": 1}', True, {"a": 1}, {"json": {"a": 1}}),
        (b"[1, 2]", True, [1, 2], {"json": [1, 2]}),
        (b'"text"', True, "text", {"json": "text"}),
        (b"0", True, 0, {"json": 0}),
        (b"false", True, False, {"json": False}),
        (b"null", True, None, {"json": None}),
        (b" null ", True, None, {"json": None}),
        (b"", False, None, {"text": ""}),
        (b"   ", False, None, {"text": "   "}),
        (b"not json", False, None, {"text": "not json"}),
        (b"{'a': 1}", False, None, {"text": "{'a': 1}"}),
        (b"\xff\xfe", False, None, {"text": "\ufffd\ufffd"}),
        (b"<html>oops</html>", False, None, {"text": "<html>oops</html>"}),
    ],
)
def test_bodies_parse_as_json_on_demand(
    raw: bytes, is_json: bool, parsed: Any, shown: dict[str, Any]
) -> None:
    body = Body.capture(raw)
    assert body.is_json is is_json
    assert body.json() == parsed
    assert body.to_dict() == {"size": len(raw), **shown}


def test_a_non_json_body_gets_a_not_json_verdict(journal: Journal) -> None:
    journal.describe_hop("seen.receivers", RECEIVERS)
    exchange = record(journal, raw_request=b"first_name=Ada", status=415, response={"detail": "x"})
    request, response = exchange.verdict()["request"], exchange.verdict()["response"]
    assert request is not None and not request.valid
    assert [(i.pointer, i.message, i.rule) for i in request.errors] == [
        ("", "body is not JSON", "type")
    ]
    assert response is not None and response.valid and response.schema == "seen/error-detail"


# -- schema verdicts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "schema"),
    [
        (201, "seen/receivers-created"),
        (400, "seen/receivers-errors"),
        (401, "seen/error-detail"),
        (429, "seen/error-detail"),
        (499, "seen/error-detail"),
        (200, None),
        (500, None),
        (None, None),
    ],
)
def test_hop_schemas_pick_the_exact_status_then_its_class(
    status: int | None, schema: str | None
) -> None:
    assert RECEIVERS.for_status(status) == schema


def test_hop_schemas_without_responses_check_no_response() -> None:
    assert HopSchemas(request="seen/callback").for_status(200) is None


def test_verdicts_check_request_and_response(journal: Journal) -> None:
    journal.describe_hop("seen.receivers", RECEIVERS)
    good = record(journal, request=GOOD_REQUEST, response=GOOD_RESPONSE)
    bad = record(journal, request=[{"first_name": "  "}], status=201, response=[{"id": 0}])
    assert good.valid
    assert {k: v is not None and v.valid for k, v in good.verdict().items()} == {
        "request": True,
        "response": True,
    }
    assert not bad.valid
    request, response = bad.verdict()["request"], bad.verdict()["response"]
    assert request is not None and response is not None
    assert request.schema == "seen/receivers-request"
    assert [(i.pointer, i.rule) for i in request.errors] == [("/0/first_name", "pattern")]
    assert response.schema == "seen/receivers-created"
    assert [(i.pointer, i.rule) for i in response.errors] == [
        ("/0", "required"),
        ("/0/id", "minimum"),
    ]
    schema = bad.to_dict()["schema"]
    assert schema["request"]["valid"] is False
    assert schema["request"]["errors"][0]["pointer"] == "/0/first_name"


def test_a_hop_without_schemas_has_no_verdicts(journal: Journal) -> None:
    exchange = record(journal, "other.hop", request={"anything": 1})
    assert exchange.verdict() == {"request": None, "response": None}
    assert exchange.valid
    assert exchange.to_dict()["schema"] == {"request": None, "response": None}


def test_an_exchange_without_a_response_has_no_response_verdict(journal: Journal) -> None:
    journal.describe_hop("seen.receivers", RECEIVERS)
    exchange = record(journal, request=GOOD_REQUEST, status=None, error="connection dropped")
    assert exchange.verdict()["response"] is None
    assert exchange.to_dict()["response"] is None
    assert exchange.to_dict()["error"] == "connection dropped"


def test_verdicts_are_lazy_and_cached(journal: Journal, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real_check = journal_module.check

    def counting_check(name: str, instance: Any) -> Any:
        calls.append(name)
        return real_check(name, instance)

    monkeypatch.setattr(journal_module, "check", counting_check)
    journal.describe_hop("seen.receivers", RECEIVERS)
    exchange = record(journal, request=GOOD_REQUEST, response=GOOD_RESPONSE)
    assert calls == [], "recording does not check schemas"
    first = exchange.verdict()
    assert sorted(calls) == ["seen/receivers-created", "seen/receivers-request"]
    assert exchange.verdict() is first
    exchange.to_dict()
    assert exchange.valid
    assert len(calls) == 2, "verdicts are computed once"


def test_describing_a_hop_applies_to_exchanges_recorded_after(journal: Journal) -> None:
    before = record(journal, request=[{}])
    journal.describe_hop("seen.receivers", RECEIVERS)
    after = record(journal, request=[{}])
    assert before.valid
    assert not after.valid


# -- the record as a dict ---------------------------------------------------------------------


def test_to_dict_has_every_part_of_the_exchange(journal: Journal) -> None:
    exchange = journal.record(
        service="seen",
        hop="seen.callback",
        direction="outbound",
        time=1234.5,
        method="POST",
        url="https://dt.example.test/t",
        request_headers={"X-A": "1"},
        request_body=journal.body(b'{"a": 1}'),
        status=202,
        response_headers={"X-B": "2"},
        response_body=journal.body(b"ok"),
        attempt=2,
        fault={"id": 1},
        note="why",
        duration=0.5,
    )
    assert exchange.to_dict() == {
        "id": 1,
        "service": "seen",
        "hop": "seen.callback",
        "direction": "outbound",
        "time": 1234.5,
        "request": {
            "method": "POST",
            "url": "https://dt.example.test/t",
            "headers": {"X-A": "1"},
            "body": {"size": 8, "json": {"a": 1}},
        },
        "response": {"status": 202, "headers": {"X-B": "2"}, "body": {"size": 2, "text": "ok"}},
        "error": None,
        "attempt": 2,
        "fault": {"id": 1},
        "note": "why",
        "duration": 0.5,
        "schema": {"request": None, "response": None},
    }
    json.dumps(exchange.to_dict())


def test_recorded_headers_are_a_copy(journal: Journal) -> None:
    headers = {"A": "1"}
    exchange = journal.record(
        service="s",
        hop="h",
        direction="inbound",
        time=0.0,
        method="GET",
        url="/",
        request_headers=headers,
        request_body=journal.body(b""),
    )
    headers["A"] = "changed"
    assert exchange.request_headers == {"A": "1"}


# -- threads ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("cap", "threads", "each"), [(10_000, 8, 250), (500, 8, 250)])
def test_many_threads_recording_get_unique_ids_and_an_exact_count(
    cap: int, threads: int, each: int
) -> None:
    journal = Journal(cap)
    start = threading.Barrier(threads)
    made: list[list[int]] = [[] for _ in range(threads)]

    def work(n: int) -> None:
        start.wait()
        for _ in range(each):
            made[n].append(record(journal, f"hop.{n}").id)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    total = threads * each
    ids = [i for per_thread in made for i in per_thread]
    assert sorted(ids) == list(range(1, total + 1))
    assert all(per_thread == sorted(per_thread) for per_thread in made)
    assert len(journal) == min(cap, total)
    assert journal.evicted == total - min(cap, total)
    kept = [e.id for e in journal.query()]
    assert kept == list(range(total - len(kept) + 1, total + 1))
