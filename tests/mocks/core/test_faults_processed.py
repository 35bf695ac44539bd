"""Faults that act after the request was processed: the answer lost, late or replaced.

This is the failure behind duplicates in production: the peer did the work, the sender never
saw the success, and its retry does the work again.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses
from flask import Flask

from seen_braze_harness.mocks.core.clock import Scheduler
from seen_braze_harness.mocks.core.delivery import (
    FixedIntervalRetry,
    OutboundRequest,
    OutboundSender,
)
from seen_braze_harness.mocks.core.faults import FaultRule, FaultRuleError, FaultSet
from seen_braze_harness.mocks.core.journal import Journal
from tests.conftest import TOKEN

URL = "https://dt.example.test/transformations/t1/secret"


def outbound(timeout: float = 10.0) -> OutboundRequest:
    return OutboundRequest(
        hop="seen.callback",
        method="POST",
        url=URL,
        headers={"Content-Type": "application/json"},
        body=json.dumps({"customer_id": "b1"}).encode(),
        timeout=timeout,
    )


def test_processed_must_be_a_boolean_and_is_shown() -> None:
    with pytest.raises(FaultRuleError, match="processed: must be true or false"):
        FaultRule.from_dict({"hop": "x", "drop": True, "processed": "yes"})
    with pytest.raises(FaultRuleError, match="status, delay, drop"):
        FaultRule.from_dict({"hop": "x", "processed": True})
    rule = FaultRule.from_dict({"hop": "x", "drop": True, "processed": True})
    assert rule.to_dict()["processed"] is True
    assert FaultRule.from_dict({"hop": "x", "drop": True}).to_dict()["processed"] is False


@pytest.mark.parametrize(
    ("rule", "status", "error", "note"),
    [
        (
            {"drop": True},
            None,
            "connection error: connection dropped after the request (fault)",
            "answered HTTP 200; the answer was lost",
        ),
        (
            {"delay": 10},
            None,
            "timeout: no response within 10 s (fault delay after the request)",
            "answered HTTP 200; the answer came too late",
        ),
        ({"status": 504}, 504, None, "answered HTTP 200; it was replaced by HTTP 504"),
        ({"delay": 3}, 200, None, "answered HTTP 200; it came 3 s late"),
    ],
)
def test_an_outbound_processed_fault_sends_the_request_then_loses_the_answer(
    sender: OutboundSender,
    scheduler: Scheduler,
    journal: Journal,
    faults: FaultSet,
    peer: responses.RequestsMock,
    rule: dict[str, Any],
    status: int | None,
    error: str | None,
    note: str,
) -> None:
    peer.post(URL, status=200, json={"ok": True})
    faults.add({"hop": "seen.callback", "processed": True, "times": 1, **rule})
    delivery = sender.deliver(outbound(), FixedIntervalRetry(retries=1, interval=60.0))
    scheduler.run_until_idle()
    first = delivery.attempts[0]
    assert (first.status, first.error) == (status, error)
    exchange = journal.query()[0]
    assert (exchange.status, exchange.error) == (status, error)
    assert exchange.note is not None and note in exchange.note
    assert exchange.fault is not None and exchange.fault["processed"] is True
    if status is None or status >= 300:
        # The peer did the work once; the sender, seeing no success, sends it again.
        assert len(peer.calls) == 2
        assert [a.status for a in delivery.attempts] == [status, 200]
    else:
        assert len(peer.calls) == 1


# -- an inbound hop: the mock does the work, then the answer is lost or replaced --------------


@pytest.mark.parametrize(
    ("rule", "seen_status", "error"),
    [
        ({"drop": True}, None, "processed, then the connection was dropped (fault)"),
        ({"status": 502}, 502, "processed, then answered HTTP 502 instead (fault)"),
        ({"delay": 120}, 201, None),
    ],
)
def test_an_inbound_processed_fault_keeps_the_work_and_journals_the_answer_made(
    seen_app: Flask,
    rule: dict[str, Any],
    seen_status: int | None,
    error: str | None,
) -> None:
    from seen_braze_harness.mocks.core.http import ConnectionDropped
    from seen_braze_harness.mocks.core.runtime import MockRuntime

    client = seen_app.test_client()
    added = client.post("/_mock/faults", json={"hop": "seen.receivers", "processed": True, **rule})
    assert added.status_code == 201
    url = "/v1/campaigns/onboarding/receivers/"
    headers = {"Authorization": f"Token {TOKEN}"}
    if seen_status is None:
        with pytest.raises(ConnectionDropped):
            client.post(url, json=[{"first_name": "Ada"}], headers=headers)
    else:
        answer = client.post(url, json=[{"first_name": "Ada"}], headers=headers)
        assert answer.status_code == seen_status
    runtime: MockRuntime = seen_app.extensions["mock"]
    (exchange,) = runtime.journal.query(hop="seen.receivers")
    assert exchange.status == 201, "the journal keeps the answer the mock made"
    assert exchange.error == error
    if error is None:
        assert exchange.note is not None and "the answer was held 120 s" in exchange.note
    receivers = client.get("/_mock/receivers").json["receivers"]
    assert [r["fields"]["first_name"] for r in receivers] == ["Ada"], "the work was done"
