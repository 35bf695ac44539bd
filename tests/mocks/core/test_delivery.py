"""Outbound delivery: attempts on the clock, the retry policy, faults, and the journal."""

from __future__ import annotations

import http.server
import json
import re
import threading
from typing import Any

import pytest
import requests
import responses

from seen_braze_harness.mocks.core.clock import Clock, Scheduler
from seen_braze_harness.mocks.core.delivery import (
    AttemptOutcome,
    Delivery,
    FixedIntervalRetry,
    OutboundRequest,
    OutboundSender,
    span_of,
)
from seen_braze_harness.mocks.core.faults import FaultSet
from seen_braze_harness.mocks.core.journal import Journal
from tests.mocks.core.conftest import T0

URL = "https://dt.example.test/transformations/t1/secret"
PAYLOAD = {"customer_id": "b1", "landing_page_url": "https://play.seen.io/v/abcde/"}
SEEN_POLICY = FixedIntervalRetry(retries=2, interval=60.0)


def outbound(
    *,
    hop: str = "seen.callback",
    body: Any = PAYLOAD,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
    method: str = "POST",
) -> OutboundRequest:
    return OutboundRequest(
        hop=hop,
        method=method,
        url=URL,
        headers={"Content-Type": "application/json", **(headers or {})},
        body=json.dumps(body).encode(),
        timeout=timeout,
    )


# -- the retry policy -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("retries", "attempt", "status", "error", "delay"),
    [
        (2, 1, 200, None, None),
        (2, 1, 201, None, None),
        (2, 1, 204, None, None),
        (2, 1, 500, None, 60.0),
        (2, 2, 503, None, 60.0),
        (2, 3, 503, None, None),
        (2, 1, 404, None, 60.0),
        (2, 1, 302, None, 60.0),
        (2, 1, 199, None, 60.0),
        (2, 1, None, "timeout", 60.0),
        (2, 2, None, "connection error", 60.0),
        (2, 3, None, "connection error", None),
        (0, 1, 500, None, None),
        (5, 5, 500, None, 60.0),
        (5, 6, 500, None, None),
    ],
)
def test_fixed_interval_retry(
    retries: int, attempt: int, status: int | None, error: str | None, delay: float | None
) -> None:
    policy = FixedIntervalRetry(retries, 60.0)
    assert policy.next_delay(AttemptOutcome(attempt, 0.0, status, error=error)) == delay


@pytest.mark.parametrize(
    ("status", "error", "described"),
    [(201, None, "HTTP 201"), (None, "timeout: no response", "timeout: no response")],
)
def test_an_outcome_describes_itself(status: int | None, error: str | None, described: str) -> None:
    assert AttemptOutcome(1, 0.0, status, error=error).describe() == described


# -- deliveries -------------------------------------------------------------------------------


def test_success_first_time(
    sender: OutboundSender,
    scheduler: Scheduler,
    journal: Journal,
    peer: responses.RequestsMock,
) -> None:
    peer.post(URL, status=201, json={"message": "success"})
    settled: list[Delivery] = []
    delivery = sender.deliver(outbound(), SEEN_POLICY, on_settled=settled.append)
    assert (delivery.state, delivery.attempts) == ("pending", [])
    assert len(peer.calls) == 0, "nothing is sent before the scheduler runs"
    assert scheduler.run_until_idle() == 1
    assert delivery.state == "delivered" and delivery.delivered and delivery.settled
    (attempt,) = delivery.attempts
    assert (attempt.attempt, attempt.time, attempt.status, attempt.error) == (1, T0, 201, None)
    assert json.loads(attempt.body) == {"message": "success"}
    assert settled == [delivery]
    (exchange,) = journal.query()
    assert exchange.id == attempt.exchange_id
    assert (exchange.service, exchange.hop, exchange.direction) == (
        "test",
        "seen.callback",
        "outbound",
    )
    assert (exchange.method, exchange.url, exchange.status, exchange.attempt) == (
        "POST",
        URL,
        201,
        1,
    )
    assert exchange.request_json == PAYLOAD
    assert exchange.response_json == {"message": "success"}
    assert exchange.error is None and exchange.fault is None
    assert exchange.duration is not None and exchange.duration >= 0


def test_fails_twice_then_succeeds_three_attempts_sixty_seconds_apart(
    sender: OutboundSender,
    scheduler: Scheduler,
    journal: Journal,
    peer: responses.RequestsMock,
) -> None:
    peer.post(URL, status=500)
    peer.post(URL, status=503)
    peer.post(URL, status=200)
    states: list[str] = []
    settled: list[str] = []
    delivery = sender.deliver(
        outbound(),
        SEEN_POLICY,
        on_attempt=lambda d: states.append(d.state),
        on_settled=lambda d: settled.append(d.state),
    )
    assert scheduler.advance(0) == 1
    assert [a.status for a in delivery.attempts] == [500]
    assert delivery.state == "retrying"
    assert scheduler.advance(59.999) == 0
    assert len(peer.calls) == 1
    assert scheduler.advance(0.001) == 1
    assert len(peer.calls) == 2
    scheduler.run_until_idle()
    assert [a.status for a in delivery.attempts] == [500, 503, 200]
    assert [a.time for a in delivery.attempts] == [T0, T0 + 60, T0 + 120]
    assert [a.attempt for a in delivery.attempts] == [1, 2, 3]
    assert delivery.state == "delivered"
    assert states == ["retrying", "retrying", "delivered"]
    assert settled == ["delivered"]
    assert [(e.attempt, e.status, e.time) for e in journal.query(hop="seen.callback")] == [
        (1, 500, T0),
        (2, 503, T0 + 60),
        (3, 200, T0 + 120),
    ]
    assert [e.id for e in journal.query()] == [a.exchange_id for a in delivery.attempts]
    assert scheduler.pending() == []


@pytest.mark.parametrize("retries", [0, 1, 2, 5])
def test_always_failing_settles_failed_after_retries_plus_one(
    sender: OutboundSender,
    scheduler: Scheduler,
    journal: Journal,
    peer: responses.RequestsMock,
    retries: int,
) -> None:
    peer.post(URL, status=500)
    settled: list[Delivery] = []
    delivery = sender.deliver(
        outbound(), FixedIntervalRetry(retries, 30.0), on_settled=settled.append
    )
    assert scheduler.run_until_idle() == retries + 1
    assert len(peer.calls) == retries + 1
    assert delivery.state == "failed" and not delivery.delivered
    assert [a.time - T0 for a in delivery.attempts] == [30.0 * n for n in range(retries + 1)]
    assert settled == [delivery]
    assert journal.count(hop="seen.callback", status=500) == retries + 1
    assert scheduler.pending() == []


def test_the_first_attempt_waits_for_delay(
    sender: OutboundSender, scheduler: Scheduler, peer: responses.RequestsMock
) -> None:
    peer.post(URL, status=200)
    delivery = sender.deliver(outbound(), SEEN_POLICY, delay=45.0)
    scheduler.advance(44.9)
    assert delivery.attempts == []
    scheduler.advance(0.1)
    assert [a.time for a in delivery.attempts] == [T0 + 45.0]


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (requests.exceptions.ReadTimeout("read timed out"), "timeout: no response within 10 s"),
        (
            requests.exceptions.ConnectTimeout("connect timed out"),
            "timeout: no response within 10 s",
        ),
        (
            requests.exceptions.ConnectionError(
                "HTTPSConnectionPool(host='dt.example.test', port=443): Max retries exceeded "
                "(Caused by NewConnectionError('<urllib3.connection.HTTPSConnection>: "
                "Failed to establish a new connection: [Errno 111] Connection refused'))"
            ),
            "connection error: Connection refused",
        ),
        (
            requests.exceptions.ConnectionError(
                "('Connection aborted.', RemoteDisconnected('Remote end closed connection "
                "without response'))"
            ),
            "connection error: RemoteDisconnected Remote end closed connection without response",
        ),
        (requests.exceptions.ConnectionError("plain"), "connection error: plain"),
        (
            UnicodeEncodeError("latin-1", "王", 0, 1, "ordinal not in range(256)"),
            "connection error: UnicodeEncodeError: 'latin-1' codec can't encode character "
            "'\\u738b' in position 0: ordinal not in range(256)",
        ),
        (
            ValueError("Invalid header value b'x'"),
            "connection error: ValueError: Invalid header value b'x'",
        ),
        (RuntimeError(), "connection error: RuntimeError"),
    ],
    ids=[
        "read-timeout",
        "connect-timeout",
        "refused",
        "disconnected",
        "plain",
        "unicode-encode",
        "value-error",
        "anything",
    ],
)
def test_timeouts_and_connection_errors_are_retried_and_journaled(
    sender: OutboundSender,
    scheduler: Scheduler,
    journal: Journal,
    peer: responses.RequestsMock,
    failure: Exception,
    error: str,
) -> None:
    peer.post(URL, body=failure)
    peer.post(URL, status=204)
    delivery = sender.deliver(outbound(), SEEN_POLICY)
    scheduler.run_until_idle()
    assert delivery.state == "delivered"
    first, second = delivery.attempts
    assert (first.status, first.error, first.ok) == (None, error, False)
    assert first.describe() == error
    assert (second.status, second.error, second.time) == (204, None, T0 + 60)
    failed, delivered = journal.query()
    assert (failed.status, failed.error, failed.attempt) == (None, error, 1)
    assert failed.response_body is None
    assert failed.to_dict()["response"] is None
    assert (delivered.status, delivered.error, delivered.attempt) == (204, None, 2)
    assert journal.count(status="none") == 1


def test_the_request_arrives_as_given(
    sender: OutboundSender, scheduler: Scheduler, peer: responses.RequestsMock
) -> None:
    raw = json.dumps({"ü": "ñ", "n": [1, 2]}, ensure_ascii=False).encode()
    peer.put(URL, status=200)
    request = OutboundRequest(
        hop="braze.webhook",
        method="PUT",
        url=URL,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": "Basic dXNlcjpwYXNz",
            "X-Trace": "abc",
        },
        body=raw,
        timeout=5.0,
    )
    sender.deliver(request, SEEN_POLICY)
    scheduler.run_until_idle()
    (call,) = peer.calls
    assert call.request.method == "PUT"
    assert call.request.url == URL
    assert call.request.body == raw
    for name, value in request.headers.items():
        assert call.request.headers[name] == value


def test_redirects_are_not_followed(
    sender: OutboundSender, scheduler: Scheduler, peer: responses.RequestsMock
) -> None:
    peer.post(URL, status=302, headers={"Location": "https://elsewhere.test/"})
    delivery = sender.deliver(outbound(), FixedIntervalRetry(0, 60.0))
    scheduler.run_until_idle()
    assert [a.status for a in delivery.attempts] == [302]
    assert delivery.state == "failed"
    assert len(peer.calls) == 1


def test_two_deliveries_keep_their_own_attempts(
    sender: OutboundSender, scheduler: Scheduler, peer: responses.RequestsMock
) -> None:
    other = "https://other.example.test/hook"
    peer.post(URL, status=500)
    peer.post(URL, status=200)
    peer.post(other, status=200)
    first = sender.deliver(outbound(), SEEN_POLICY)
    second = sender.deliver(
        OutboundRequest("braze.webhook", "POST", other, {}, b"{}", 10.0), SEEN_POLICY
    )
    scheduler.run_until_idle()
    assert [a.attempt for a in first.attempts] == [1, 2]
    assert [a.attempt for a in second.attempts] == [1]
    assert first.state == second.state == "delivered"


def test_a_reset_cancels_pending_retries(
    sender: OutboundSender, scheduler: Scheduler, peer: responses.RequestsMock
) -> None:
    peer.post(URL, status=500)
    delivery = sender.deliver(outbound(), SEEN_POLICY)
    scheduler.advance(0)
    assert [t.owner for t in scheduler.pending()] == ["test"], "retries belong to the service"
    scheduler.clear(owner="test")
    scheduler.run_until_idle()
    assert len(delivery.attempts) == 1
    assert delivery.state == "retrying"


# -- outbound faults --------------------------------------------------------------------------


@pytest.fixture
def quiet_peer() -> Any:
    """A peer that must not be called: any request fails the assertion on `calls`."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.mark.parametrize(
    ("rule", "status", "error", "body"),
    [
        ({"status": 503}, 503, None, b""),
        ({"status": 500, "body": {"detail": "boom"}}, 500, None, b'{"detail": "boom"}'),
        ({"status": 500, "body": "plain text"}, 500, None, b"plain text"),
        ({"drop": True}, None, "connection error: connection dropped (fault)", b""),
        ({"delay": 10}, None, "timeout: no response within 10 s (fault delay)", b""),
        ({"delay": 30}, None, "timeout: no response within 10 s (fault delay)", b""),
        ({"delay": 30, "status": 200}, None, "timeout: no response within 10 s (fault delay)", b""),
    ],
    ids=[
        "status",
        "status-json-body",
        "status-text-body",
        "drop",
        "delay-at-timeout",
        "delay-past-timeout",
        "delay-beats-status",
    ],
)
def test_an_outbound_fault_sends_nothing_and_is_journaled(
    sender: OutboundSender,
    scheduler: Scheduler,
    journal: Journal,
    faults: FaultSet,
    quiet_peer: responses.RequestsMock,
    rule: dict[str, Any],
    status: int | None,
    error: str | None,
    body: bytes,
) -> None:
    added = faults.add({"hop": "seen.*", **rule})
    delivery = sender.deliver(outbound(), FixedIntervalRetry(0, 60.0))
    scheduler.run_until_idle()
    assert len(quiet_peer.calls) == 0
    (attempt,) = delivery.attempts
    assert (attempt.status, attempt.error, attempt.body) == (status, error, body)
    (exchange,) = journal.query()
    assert (exchange.status, exchange.error) == (status, error)
    assert exchange.fault is not None
    assert exchange.fault["id"] == added.id
    assert exchange.fault["fired"] == 1
    if status is None:
        assert exchange.response_body is None
    else:
        assert exchange.response_body is not None and exchange.response_body.raw == body


def test_a_fault_status_carries_its_headers(
    sender: OutboundSender,
    scheduler: Scheduler,
    journal: Journal,
    faults: FaultSet,
    quiet_peer: responses.RequestsMock,
) -> None:
    faults.add(
        {
            "hop": "seen.callback",
            "status": 429,
            "headers": {"Retry-After": "30", "Content-Type": "application/json"},
            "body": {"message": "slow down"},
        }
    )
    delivery = sender.deliver(outbound(), FixedIntervalRetry(0, 60.0))
    scheduler.run_until_idle()
    (attempt,) = delivery.attempts
    assert attempt.headers == {"Retry-After": "30", "Content-Type": "application/json"}
    (exchange,) = journal.query()
    assert exchange.response_headers["Retry-After"] == "30"
    assert exchange.response_json == {"message": "slow down"}


def test_a_short_delay_fault_under_a_virtual_clock_still_sends(
    sender: OutboundSender,
    scheduler: Scheduler,
    journal: Journal,
    faults: FaultSet,
    peer: responses.RequestsMock,
) -> None:
    peer.post(URL, status=200)
    faults.add({"hop": "seen.callback", "delay": 9.5})
    delivery = sender.deliver(outbound(), SEEN_POLICY)
    scheduler.run_until_idle()
    assert [a.status for a in delivery.attempts] == [200]
    (exchange,) = journal.query()
    assert exchange.fault is not None and exchange.fault["delay"] == 9.5


def test_faults_with_times_fail_the_first_attempts_then_the_peer_answers(
    sender: OutboundSender,
    scheduler: Scheduler,
    journal: Journal,
    faults: FaultSet,
    peer: responses.RequestsMock,
) -> None:
    peer.post(URL, status=201)
    faults.add({"hop": "seen.callback", "status": 502, "times": 2})
    delivery = sender.deliver(outbound(), SEEN_POLICY)
    scheduler.run_until_idle()
    assert [a.status for a in delivery.attempts] == [502, 502, 201]
    assert delivery.state == "delivered"
    assert len(peer.calls) == 1
    assert [e.fault is not None for e in journal.query()] == [True, True, False]


def test_a_fault_on_another_hop_leaves_this_one_alone(
    sender: OutboundSender,
    scheduler: Scheduler,
    faults: FaultSet,
    peer: responses.RequestsMock,
) -> None:
    peer.post(URL, status=200)
    faults.add({"hop": "braze.*", "drop": True})
    delivery = sender.deliver(outbound(), SEEN_POLICY)
    scheduler.run_until_idle()
    assert delivery.state == "delivered"
    assert faults.rules()[0].fired == 0


def test_a_header_requests_cannot_encode_is_a_journaled_failed_attempt(
    sender: OutboundSender, scheduler: Scheduler, journal: Journal
) -> None:
    """A real socket: http.client refuses a header value outside latin-1 before sending."""
    received: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        request = OutboundRequest("seen.callback", "POST", url, {"X-Name": "王"}, b"{}", 5.0)
        delivery = sender.deliver(request, FixedIntervalRetry(retries=1, interval=60.0))
        scheduler.run_until_idle()
    finally:
        server.shutdown()
        server.server_close()
    assert delivery.state == "failed"
    assert [a.status for a in delivery.attempts] == [None, None]
    assert all("connection error: UnicodeEncodeError" in (a.error or "") for a in delivery.attempts)
    assert [e.attempt for e in journal.query()] == [1, 2]
    assert received == []
    assert list(scheduler.errors) == []


# -- trace context: how the harness joins the two sides of an exchange ------------------------


def test_every_attempt_carries_a_traceparent_of_its_own_as_sent_and_as_journaled(
    sender: OutboundSender,
    scheduler: Scheduler,
    journal: Journal,
    peer: responses.RequestsMock,
) -> None:
    peer.post(URL, status=503)
    delivery = sender.deliver(outbound(), SEEN_POLICY)
    scheduler.run_until_idle()
    assert len(delivery.attempts) == 3
    spans = [a.span for a in delivery.attempts]
    assert len(set(spans)) == 3 and all(len(s) == 16 for s in spans)
    received = [call.request.headers["traceparent"] for call in peer.calls]
    journaled = [e.request_headers["traceparent"] for e in journal.query()]
    assert received == journaled
    assert [span_of({"traceparent": value}) for value in received] == spans
    for value in received:  # W3C Trace Context, version 00, sampled
        assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-01", value), value
    assert "traceparent" not in delivery.request.headers, "the message itself is unchanged"


def test_a_request_that_names_its_own_traceparent_keeps_it_and_has_no_span(
    sender: OutboundSender, scheduler: Scheduler, peer: responses.RequestsMock
) -> None:
    own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    peer.post(URL, status=200)
    delivery = sender.deliver(outbound(headers={"TraceParent": own}), SEEN_POLICY)
    scheduler.run_until_idle()
    assert peer.calls[0].request.headers["traceparent"] == own
    assert delivery.attempts[0].span == ""


@pytest.mark.parametrize(
    ("value", "span"),
    [
        ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "b7ad6b7169203331"),
        (" 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00 ", "b7ad6b7169203331"),
        ("00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01", ""),
        ("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", ""),
        ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01", ""),
        ("", ""),
    ],
)
def test_span_of_reads_only_a_well_formed_version_00_header(value: str, span: str) -> None:
    assert span_of({"Traceparent": value} if value else {}) == span


def test_spans_repeat_after_a_reset_for_a_fixed_seed_and_differ_between_services() -> None:
    from seen_braze_harness.mocks.core.ids import IdMint

    first = OutboundSender(
        service="seen",
        scheduler=Scheduler(Clock(frozen=True)),
        journal=Journal(),
        faults=FaultSet(),
        ids=IdMint("seed", scope="seen-trace"),
    )
    other = IdMint("seed", scope="braze-trace")
    spans = [first._traced(outbound())[1] for _ in range(3)]
    first.ids.reset()
    assert [first._traced(outbound())[1] for _ in range(3)] == spans
    assert other.hex("traceparent", 48)[32:] not in spans
