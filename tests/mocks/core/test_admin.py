"""The `/_mock` admin API, through the SEEN mock's test client: every error is problem+json."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from seen_braze_harness.mocks.core.http import ConnectionDropped
from seen_braze_harness.mocks.core.journal import Direction
from seen_braze_harness.mocks.core.runtime import MockRuntime
from seen_braze_harness.mocks.seen.models import SeenBackend
from tests.conftest import post_receivers

RECEIVER = [{"first_name": "Ada", "customer_id": "b1"}]


def assert_problem(response: TestResponse, status: int, *fragments: str) -> dict[str, Any]:
    """An RFC 7807 problem with `status`, whose detail mentions every fragment."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert isinstance(body, dict)
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert body["title"] == HTTPStatus(status).phrase
    assert isinstance(body["detail"], str) and body["detail"]
    for fragment in fragments:
        assert fragment in body["detail"], body["detail"]
    return body


def body_of(response: TestResponse) -> Any:
    assert response.mimetype == "application/json", response.get_data(as_text=True)
    return response.get_json()


# -- health and unknown paths -----------------------------------------------------------------


def test_health(client: FlaskClient) -> None:
    response = client.get("/_mock/health")
    assert response.status_code == 200
    assert body_of(response) == {"status": "ok", "service": "seen"}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/_mock/nope", 404),
        ("GET", "/_mock", 404),
        ("GET", "/_mock/", 404),
        ("GET", "/_mock/journal/1", 404),
        ("DELETE", "/_mock/faults/abc", 404),
        ("PUT", "/_mock/health", 405),
        ("DELETE", "/_mock/journal", 405),
        ("GET", "/_mock/reset", 405),
    ],
)
def test_unknown_admin_paths_and_methods_are_problems(
    client: FlaskClient, method: str, path: str, status: int
) -> None:
    assert_problem(client.open(path, method=method), status)


def test_admin_calls_are_not_journaled(client: FlaskClient, runtime: MockRuntime) -> None:
    client.get("/_mock/health")
    client.get("/_mock/nope")
    client.get("/_mock/journal")
    assert len(runtime.journal) == 0


# -- reset ------------------------------------------------------------------------------------


def test_reset_clears_journal_receivers_and_pending_tasks(
    client: FlaskClient, runtime: MockRuntime, backend: SeenBackend
) -> None:
    assert post_receivers(client, RECEIVER).status_code == 201
    assert len(runtime.journal) == 1
    assert len(backend.receivers) == 1
    assert [t.name for t in runtime.scheduler.pending()] == ["seen.render"]
    runs: list[str] = []
    runtime.scheduler.call_later(5, "someone else's", lambda: runs.append("other"), owner="braze")

    response = client.post("/_mock/reset")
    assert response.status_code == 200
    assert body_of(response) == {"status": "reset", "service": "seen"}
    assert len(runtime.journal) == 0
    assert backend.receivers == {}
    assert [t.name for t in runtime.scheduler.pending()] == ["someone else's"]
    runtime.scheduler.run_until_idle()
    assert runs == ["other"], "another mock's tasks on a shared clock survive the reset"
    assert body_of(client.get("/_mock/journal"))["count"] == 0


def test_reset_restores_the_faults_of_the_settings(make_seen_app: Callable[..., Flask]) -> None:
    app = make_seen_app(faults=[{"hop": "seen.receivers", "status": 503, "times": 1}])
    client = app.test_client()
    assert post_receivers(client, RECEIVER).status_code == 503
    assert post_receivers(client, RECEIVER).status_code == 201, "times: 1 is used up"
    assert client.delete("/_mock/faults").status_code == 200
    added = client.post("/_mock/faults", json={"hop": "*", "drop": True})
    assert added.status_code == 201

    assert client.post("/_mock/reset").status_code == 200
    rules = body_of(client.get("/_mock/faults"))["faults"]
    assert [(r["hop"], r["status"], r["times"], r["fired"], r["drop"]) for r in rules] == [
        ("seen.receivers", 503, 1, 0, False)
    ]
    assert post_receivers(client, RECEIVER).status_code == 503, "the settings' rule fires again"


def test_reset_restarts_the_fault_generator(make_seen_app: Callable[..., Flask]) -> None:
    app = make_seen_app(
        faults=[{"hop": "seen.receivers", "status": 503, "probability": 0.5}],
        fault_seed=1234,
    )
    client = app.test_client()

    def statuses() -> list[int]:
        return [post_receivers(client, RECEIVER).status_code for _ in range(24)]

    first = statuses()
    assert set(first) == {201, 503}
    client.post("/_mock/reset")
    assert statuses() == first


# -- journal ----------------------------------------------------------------------------------

TRAFFIC: list[tuple[str, Direction, int | None]] = [
    ("seen.receivers", "inbound", 201),  # 1
    ("seen.receivers", "inbound", 401),  # 2
    ("seen.callback", "outbound", None),  # 3
    ("seen.callback", "outbound", 500),  # 4
    ("seen.callback", "outbound", 200),  # 5
    ("seen.unmatched", "inbound", 404),  # 6
]


@pytest.fixture
def traffic(runtime: MockRuntime) -> MockRuntime:
    for hop, direction, status in TRAFFIC:
        runtime.journal.record(
            service="seen",
            hop=hop,
            direction=direction,
            time=runtime.clock.now(),
            method="POST",
            url=f"https://mock.test/{hop}",
            request_headers={},
            request_body=runtime.journal.body(b"{}"),
            status=status,
            response_body=None if status is None else runtime.journal.body(b"{}"),
            error="timeout" if status is None else None,
        )
    return runtime


@pytest.mark.parametrize(
    ("query", "count", "shown"),
    [
        ("", 6, [1, 2, 3, 4, 5, 6]),
        ("hop=seen.callback", 3, [3, 4, 5]),
        ("hop=seen.*", 6, [1, 2, 3, 4, 5, 6]),
        ("hop=seen.rec*", 2, [1, 2]),
        ("hop=", 6, [1, 2, 3, 4, 5, 6]),
        ("hop=braze.*", 0, []),
        ("status=201", 1, [1]),
        ("status=4xx", 2, [2, 6]),
        ("status=2xx", 2, [1, 5]),
        ("status=none", 1, [3]),
        ("status=error", 1, [3]),
        ("direction=outbound", 3, [3, 4, 5]),
        ("direction=inbound", 3, [1, 2, 6]),
        ("since=0", 6, [1, 2, 3, 4, 5, 6]),
        ("since=4", 2, [5, 6]),
        ("since=6", 0, []),
        ("since=600", 0, []),
        ("limit=2", 6, [5, 6]),
        ("limit=0", 6, []),
        ("limit=100", 6, [1, 2, 3, 4, 5, 6]),
        ("hop=seen.callback&limit=1", 3, [5]),
        ("hop=seen.callback&status=5xx&direction=outbound", 1, [4]),
        ("since=1&limit=2&direction=inbound", 2, [2, 6]),
    ],
)
def test_journal_filters_count_and_limit(
    client: FlaskClient, traffic: MockRuntime, query: str, count: int, shown: list[int]
) -> None:
    response = client.get(f"/_mock/journal?{query}")
    assert response.status_code == 200
    body = body_of(response)
    assert body["count"] == count, "count is every match, before the limit"
    assert [e["id"] for e in body["exchanges"]] == shown
    assert (body["retained"], body["evicted"]) == (6, 0)


def test_journal_shows_exchanges_in_full(client: FlaskClient, traffic: MockRuntime) -> None:
    (shown,) = body_of(client.get("/_mock/journal?status=none"))["exchanges"]
    assert shown == traffic.journal.query(status="none")[0].to_dict()
    assert shown["response"] is None and shown["error"] == "timeout"


def test_journal_reports_retained_and_evicted(make_seen_app: Callable[..., Flask]) -> None:
    app = make_seen_app(journal_cap=3)
    client = app.test_client()
    for _ in range(5):
        client.get("/nowhere")
    body = body_of(client.get("/_mock/journal"))
    assert (body["count"], body["retained"], body["evicted"]) == (3, 3, 2)
    assert [e["id"] for e in body["exchanges"]] == [3, 4, 5]


def test_journal_records_inbound_exchanges_with_verdicts(client: FlaskClient) -> None:
    assert post_receivers(client, RECEIVER).status_code == 201
    assert post_receivers(client, [{"first_name": "A", "email": "bad"}]).status_code == 400
    good, bad = body_of(client.get("/_mock/journal?hop=seen.receivers"))["exchanges"]
    assert (good["direction"], good["response"]["status"]) == ("inbound", 201)
    assert good["request"]["body"]["json"] == RECEIVER
    assert good["schema"]["request"]["valid"] and good["schema"]["response"]["valid"]
    assert bad["response"]["status"] == 400
    assert bad["schema"]["request"]["valid"] is False
    assert [e["pointer"] for e in bad["schema"]["request"]["errors"]] == ["/0/email"]
    assert bad["schema"]["response"] == {
        "schema": "seen/receivers-errors",
        "valid": True,
        "errors": [],
    }


@pytest.mark.parametrize(
    ("query", "fragments"),
    [
        ("status=abc", ["status", "'abc'"]),
        ("status=600", ["status"]),
        ("status=6xx", ["status"]),
        ("status=", ["status"]),
        ("status=%C2%B2", ["status"]),
        ("status=4XX", ["status"]),  # the document's pattern is lower case, so is the check
        ("status=%204xx%20", ["status"]),
        ("status=NONE", ["status"]),
        ("status=0201", ["status"]),
        ("direction=sideways", ["direction"]),
        ("direction=", ["direction"]),
        ("since=-1", ["since", "whole number"]),
        ("since=abc", ["since"]),
        ("since=1.5", ["since"]),
        ("since=", ["since"]),
        ("limit=-1", ["limit"]),
        ("limit=ten", ["limit"]),
        ("limit=1e3", ["limit"]),
        ("colour=red", ["colour"]),
        ("hop=x&sort=id&page=2", ["page, sort"]),
    ],
)
def test_journal_refuses_bad_parameters(
    client: FlaskClient, traffic: MockRuntime, query: str, fragments: list[str]
) -> None:
    assert_problem(client.get(f"/_mock/journal?{query}"), 400, *fragments)


@pytest.mark.parametrize("name", ["since", "limit"])
def test_journal_refuses_digits_that_are_not_ascii(client: FlaskClient, name: str) -> None:
    assert_problem(client.get(f"/_mock/journal?{name}=%C2%B2"), 400, name)


# -- clock ------------------------------------------------------------------------------------


def test_clock_state(client: FlaskClient, runtime: MockRuntime) -> None:
    body = body_of(client.get("/_mock/clock"))
    assert body == {
        "now": runtime.clock.now(),
        "iso": runtime.clock.isoformat(),
        "frozen": True,
        "pending_tasks": 0,
        "next_due": None,
    }
    runtime.scheduler.call_later(90, "later", lambda: None)
    runtime.scheduler.call_later(30, "sooner", lambda: None)
    body = body_of(client.get("/_mock/clock"))
    assert (body["pending_tasks"], body["next_due"]) == (2, runtime.clock.now() + 30)


@pytest.mark.parametrize(
    ("seconds", "ran"), [(0, 1), (9.5, 1), (10, 2), (29.5, 2), (30, 3), (3600, 3)]
)
def test_clock_advance_moves_time_and_runs_due_tasks(
    client: FlaskClient, runtime: MockRuntime, seconds: float, ran: int
) -> None:
    start = runtime.clock.now()
    runs: list[float] = []
    for delay in (0, 10, 30):
        runtime.scheduler.call_later(delay, f"at {delay}", lambda: runs.append(runtime.clock.now()))
    response = client.post("/_mock/clock", json={"advance": seconds})
    assert response.status_code == 200
    body = body_of(response)
    assert body["tasks_run"] == ran
    assert body["now"] == runtime.clock.now() == start + seconds
    assert body["frozen"] is True
    assert body["pending_tasks"] == 3 - ran
    assert runs == [start + d for d in (0, 10, 30)][:ran]


def test_clock_freeze_and_unfreeze(client: FlaskClient, runtime: MockRuntime) -> None:
    body = body_of(client.post("/_mock/clock", json={"freeze": False}))
    assert body["frozen"] is False and not runtime.clock.frozen
    body = body_of(client.post("/_mock/clock", json={"freeze": True}))
    assert body["frozen"] is True and runtime.clock.frozen
    frozen_at = runtime.clock.now()
    body = body_of(client.post("/_mock/clock", json={"freeze": True, "advance": 60}))
    assert body["now"] == frozen_at + 60


def test_clock_unfreezing_keeps_time_continuous(client: FlaskClient, runtime: MockRuntime) -> None:
    client.post("/_mock/clock", json={"advance": 7200})
    virtual = runtime.clock.now()
    body = body_of(client.post("/_mock/clock", json={"freeze": False}))
    assert virtual <= body["now"] < virtual + 1


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"data": "not json", "content_type": "application/json"}, ["not valid JSON"]),
        ({"data": "", "content_type": "application/json"}, ["empty body"]),
        ({"data": "{", "content_type": "application/json"}, ["not valid JSON"]),
        ({"json": [1]}, ["JSON object", "list"]),
        ({"json": 10}, ["JSON object", "int"]),
        ({"json": "advance"}, ["JSON object", "str"]),
        ({"json": None}, []),
        ({"json": {}}, ["advance"]),
        ({"json": {"advance": -1}}, ["advance"]),
        ({"json": {"advance": -0.001}}, ["advance"]),
        ({"json": {"advance": True}}, ["advance"]),
        ({"json": {"advance": "10"}}, ["advance"]),
        ({"json": {"advance": None}}, ["advance"]),
        ({"data": '{"advance": NaN}', "content_type": "application/json"}, ["JSON", "NaN"]),
        (
            {"data": '{"advance": Infinity}', "content_type": "application/json"},
            ["JSON", "Infinity"],
        ),
        ({"json": {"freeze": "yes"}}, ["freeze"]),
        ({"json": {"freeze": 1}}, ["freeze"]),
        ({"json": {"speed": 2}}, ["advance", "freeze"]),
        ({"json": {"advance": 1, "speed": 2}}, ["advance", "freeze"]),
    ],
)
def test_clock_refuses_bad_bodies_and_stays_put(
    client: FlaskClient, runtime: MockRuntime, kwargs: dict[str, Any], fragments: list[str]
) -> None:
    runs: list[int] = []
    runtime.scheduler.call_later(0, "due", lambda: runs.append(1))
    before = runtime.clock.now()
    assert_problem(client.post("/_mock/clock", **kwargs), 400, *fragments)
    assert runtime.clock.now() == before
    assert runtime.clock.frozen
    assert runs == []


def test_a_refused_clock_change_changes_nothing(client: FlaskClient, runtime: MockRuntime) -> None:
    assert_problem(client.post("/_mock/clock", json={"freeze": False, "advance": -1}), 400)
    assert runtime.clock.frozen


def test_an_absurd_advance_is_refused(client: FlaskClient, runtime: MockRuntime) -> None:
    before = runtime.clock.now()
    assert_problem(client.post("/_mock/clock", json={"advance": 1e300}), 400, "advance")
    assert runtime.clock.now() == before
    assert client.get("/_mock/clock").status_code == 200


# -- faults -----------------------------------------------------------------------------------


def test_faults_add_list_remove_and_clear(client: FlaskClient) -> None:
    assert body_of(client.get("/_mock/faults")) == {"faults": [], "next_cursor": None}
    added = client.post("/_mock/faults", json={"hop": "seen.receivers", "status": 503})
    assert added.status_code == 201
    first = body_of(added)
    assert first == {
        "id": 1,
        "hop": "seen.receivers",
        "status": 503,
        "body": None,
        "headers": {},
        "delay": 0.0,
        "drop": False,
        "processed": False,
        "probability": 1.0,
        "times": None,
        "fired": 0,
    }
    second = body_of(client.post("/_mock/faults", json={"hop": "seen.callback", "drop": True}))
    assert second["id"] == 2
    listed = body_of(client.get("/_mock/faults"))["faults"]
    assert [r["id"] for r in listed] == [1, 2]

    removed = client.delete("/_mock/faults/1")
    assert removed.status_code == 204
    assert removed.get_data() == b""
    assert [r["id"] for r in body_of(client.get("/_mock/faults"))["faults"]] == [2]
    assert_problem(client.delete("/_mock/faults/1"), 404, "1")
    assert_problem(client.delete("/_mock/faults/99"), 404, "99")

    assert body_of(client.delete("/_mock/faults")) == {"faults": []}
    assert body_of(client.get("/_mock/faults")) == {"faults": [], "next_cursor": None}


@pytest.mark.parametrize(
    ("kwargs", "fragments"),
    [
        ({"json": {"hop": "seen.receivers"}}, ["status, delay, drop"]),
        ({"json": {"status": 503}}, ["hop"]),
        ({"json": {"hop": "x", "status": 700}}, ["status"]),
        ({"json": {"hop": "x", "status": True}}, ["status"]),
        ({"json": {"hop": "x", "delay": -1}}, ["delay"]),
        ({"json": {"hop": "x", "status": 500, "probability": 2}}, ["probability"]),
        ({"json": {"hop": "x", "status": 500, "times": 0}}, ["times"]),
        ({"json": {"hop": "x", "status": 500, "drop": True}}, ["status and drop"]),
        ({"json": {"hop": "x", "status": 500, "when": "now"}}, ["when"]),
        ({"json": [{"hop": "x", "status": 500}]}, ["JSON object"]),
        ({"data": "hop=x", "content_type": "application/json"}, ["not valid JSON"]),
        ({"data": "", "content_type": "application/json"}, ["empty body"]),
    ],
)
def test_faults_refuses_bad_rules(
    client: FlaskClient, kwargs: dict[str, Any], fragments: list[str]
) -> None:
    assert_problem(client.post("/_mock/faults", **kwargs), 400, *fragments)
    assert body_of(client.get("/_mock/faults")) == {"faults": [], "next_cursor": None}


def test_an_inbound_fault_changes_the_receivers_answer(
    client: FlaskClient, runtime: MockRuntime, backend: SeenBackend
) -> None:
    rule = {
        "hop": "seen.receivers",
        "status": 503,
        "headers": {"Retry-After": "7"},
        "times": 2,
    }
    assert client.post("/_mock/faults", json=rule).status_code == 201
    for _ in range(2):
        response = post_receivers(client, RECEIVER)
        assert response.status_code == 503
        assert response.get_json() == {
            "detail": "Service temporarily unavailable, try again later."
        }
        assert response.headers["Retry-After"] == "7"
    assert backend.receivers == {}, "a faulted request never reaches the service"
    assert post_receivers(client, RECEIVER).status_code == 201, "times: 2 is used up"

    (listed,) = body_of(client.get("/_mock/faults"))["faults"]
    assert listed["fired"] == 2
    exchanges = runtime.journal.query(hop="seen.receivers")
    assert [e.status for e in exchanges] == [503, 503, 201]
    assert [e.fault is not None and e.fault["id"] for e in exchanges] == [1, 1, False]


@pytest.mark.parametrize(
    ("rule", "status", "body"),
    [
        ({"hop": "seen.*", "status": 500}, 500, {"detail": "A server error occurred."}),
        ({"hop": "seen.receivers", "status": 404}, 404, {"detail": "Not found."}),
        (
            {"hop": "seen.receivers", "status": 429, "body": {"detail": "slow"}},
            429,
            {"detail": "slow"},
        ),
        ({"hop": "seen.receivers", "status": 200, "body": []}, 200, []),
        ({"hop": "*", "status": 502}, 502, {"detail": "Bad Gateway."}),
    ],
)
def test_an_inbound_fault_answers_its_status_and_body(
    client: FlaskClient, rule: dict[str, Any], status: int, body: Any
) -> None:
    client.post("/_mock/faults", json=rule)
    response = post_receivers(client, RECEIVER)
    assert response.status_code == status
    assert response.get_json() == body


def test_an_inbound_fault_for_another_hop_changes_nothing(client: FlaskClient) -> None:
    client.post("/_mock/faults", json={"hop": "seen.callback", "status": 500})
    assert post_receivers(client, RECEIVER).status_code == 201


def test_faults_never_touch_the_admin_api(client: FlaskClient) -> None:
    client.post("/_mock/faults", json={"hop": "*", "drop": True})
    assert client.get("/_mock/health").status_code == 200
    assert client.get("/_mock/faults").status_code == 200
    assert client.delete("/_mock/faults").status_code == 200


def test_a_delay_fault_under_a_virtual_clock_answers_normally(
    client: FlaskClient, runtime: MockRuntime
) -> None:
    client.post("/_mock/faults", json={"hop": "seen.receivers", "delay": 30})
    assert post_receivers(client, RECEIVER).status_code == 201
    (exchange,) = runtime.journal.query()
    assert exchange.fault is not None and exchange.fault["delay"] == 30


def test_a_drop_fault_drops_the_connection_and_is_journaled(
    client: FlaskClient, runtime: MockRuntime, backend: SeenBackend
) -> None:
    client.post("/_mock/faults", json={"hop": "seen.receivers", "drop": True, "times": 1})
    with pytest.raises(ConnectionDropped):
        post_receivers(client, RECEIVER)
    assert backend.receivers == {}
    (exchange,) = runtime.journal.query()
    assert exchange.hop == "seen.receivers"
    assert exchange.status is None
    assert exchange.error is not None and "dropped" in exchange.error
    assert exchange.response_body is None
    assert exchange.fault is not None and exchange.fault["drop"] is True
    assert exchange.request_json == RECEIVER

    shown = body_of(client.get("/_mock/journal?status=none"))
    assert shown["count"] == 1
    assert shown["exchanges"][0]["response"] is None
    assert post_receivers(client, RECEIVER).status_code == 201, "times: 1 is used up"
