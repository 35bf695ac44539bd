"""Faults that act after the request was processed: the answer lost, late or replaced.

This is the failure behind duplicates in production: the peer did the work, the sender never
saw the success, and its retry does the work again.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import responses

from mocks.core.clock import Scheduler
from mocks.core.delivery import FixedIntervalRetry, OutboundRequest, OutboundSender
from mocks.core.faults import FaultRule, FaultRuleError, FaultSet
from mocks.core.journal import Journal

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
