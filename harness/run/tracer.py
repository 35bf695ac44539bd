"""Each user's chain, from the records a run left: message → receivers → callback → runs.

One tracer for both modes. The sides of an exchange are joined by span id (see
`run.records`): Braze's attempt to SEEN's answer, SEEN's callback attempts to the
transformation runs they started. A user whose chain is still running, or whose records a
mock no longer keeps, gets a `Gap` instead of a verdict.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from seen_braze_harness.harness.checks import ReceiverTrace, UserTrace
from seen_braze_harness.harness.run.records import (
    LogRecord,
    MessageRecord,
    ReceiverRecord,
    Records,
)
from seen_braze_harness.harness.run.verdicts import TIMEOUT_HINT
from seen_braze_harness.mocks.braze import hops as braze_hops
from seen_braze_harness.mocks.seen import hops as seen_hops

UNSETTLED_MESSAGES = ("scheduled", "sending")
UNSETTLED_CALLBACKS = ("pending", "retrying")


@dataclass
class Gap:
    """Why a user's chain cannot be judged: still running, or its records are gone."""

    check: str
    hop: str
    message: str
    hint: str


def trace(records: Records, traces: list[UserTrace], *, hint: str = TIMEOUT_HINT) -> dict[str, Gap]:
    """Fill each user's trace from the records, and say which users cannot be judged (`hint`
    says what to do about a chain still running when the run stopped)."""
    by_external_id = {t.external_id: t for t in traces}
    runs_by_span: dict[str, list[LogRecord]] = defaultdict(list)
    for entry in records.logs:
        if entry.span:
            runs_by_span[entry.span].append(entry)
    gaps: dict[str, Gap] = {}
    for message in records.messages:
        user = None if message.external_id is None else by_external_id.get(message.external_id)
        if user is None:
            continue
        gap = _trace_message(message, user, records, runs_by_span, hint)
        if gap is not None:
            gaps[user.external_id] = gap
    for user in traces:
        if user.braze_id is not None:
            user.stored_profile = records.profiles.get(user.braze_id)
    return gaps


def _trace_message(
    message: MessageRecord,
    user: UserTrace,
    records: Records,
    runs_by_span: dict[str, list[LogRecord]],
    hint: str,
) -> Gap | None:
    user.message_state = message.state
    user.message_error = message.error
    user.rendered_body = message.rendered_body
    user.attempts = [traced.attempt for traced in message.attempts]
    gap = _message_gap(message, hint)
    for traced in message.attempts:
        attempt = traced.attempt
        ok = attempt.status is not None and 200 <= attempt.status < 300
        if ok and not traced.journaled:
            gap = gap or _gone(
                "receiver.unique",
                braze_hops.WEBHOOK.name,
                f"Braze's journal no longer holds webhook exchange {attempt.exchange_id}",
                "journal_cap",
                "braze",
            )
        # What SEEN answered, even when the answer never reached Braze (a timeout): a
        # receiver created by an attempt Braze then retried is a duplicate to report.
        created = records.answers.get(traced.span) if traced.span else None
        if created is None and ok:
            created = attempt.json()
        for echo in created if isinstance(created, list) else []:
            ident = echo.get("id") if isinstance(echo, dict) else None
            if not isinstance(ident, int) or isinstance(ident, bool):
                continue
            receiver = records.receivers.get(ident)
            if receiver is None:
                gap = gap or _gone(
                    "receiver.unique",
                    seen_hops.RECEIVERS.name,
                    f"the SEEN mock no longer keeps receiver {ident}",
                    "receivers_cap",
                    "seen",
                )
                continue
            entries = _runs_of(receiver, runs_by_span)
            traced_receiver = _receiver_trace(receiver, entries)
            user.receivers.append(traced_receiver)
            gap = gap or _receiver_gap(receiver, traced_receiver, entries, records, hint)
    return gap


def _runs_of(receiver: ReceiverRecord, runs_by_span: dict[str, list[LogRecord]]) -> list[LogRecord]:
    """The transformation runs the receiver's callback attempts started, in log order."""
    callback = receiver.callback
    if callback is None:
        return []
    found = [e for a in callback.attempts if a.span for e in runs_by_span.get(a.span, ())]
    return sorted(found, key=lambda e: e.id)


def _receiver_trace(receiver: ReceiverRecord, entries: list[LogRecord]) -> ReceiverTrace:
    callback = receiver.callback
    return ReceiverTrace(
        id=receiver.id,
        state=receiver.state,
        links=receiver.links,
        callback_url=None if callback is None else callback.url,
        callback_state=None if callback is None else callback.state,
        callback_attempts=[] if callback is None else [a.attempt for a in callback.attempts],
        runs=[e.run for e in entries],
    )


def _message_gap(message: MessageRecord, hint: str) -> Gap | None:
    if message.state not in UNSETTLED_MESSAGES:
        return None
    return Gap(
        "webhook.delivered",
        braze_hops.WEBHOOK.name,
        f"unfinished: Braze's message was still {message.state} when the run stopped",
        hint,
    )


def receiver_unsettled(receiver: ReceiverRecord) -> bool:
    """Not rendered yet, or its callback still on its way."""
    if receiver.state == "accepted":
        return True
    return receiver.callback is not None and receiver.callback.state in UNSETTLED_CALLBACKS


def _receiver_gap(
    receiver: ReceiverRecord,
    traced: ReceiverTrace,
    entries: list[LogRecord],
    records: Records,
    hint: str,
) -> Gap | None:
    if receiver_unsettled(receiver):
        where = (
            "not rendered yet"
            if receiver.state == "accepted"
            else f"callback {traced.callback_state}"
        )
        return Gap(
            "callback.delivered",
            seen_hops.CALLBACK.name,
            f"unfinished: SEEN's receiver {receiver.id} was {where} when the run stopped",
            hint,
        )
    if traced.callback_state != "delivered":
        return None
    if any(not e.finished for e in entries):
        return Gap(
            "transformation.ran",
            braze_hops.TRANSFORMATION.name,
            f"unfinished: the transformation was still running on receiver {receiver.id}'s "
            "callback when the run stopped",
            hint,
        )
    if not traced.runs and records.logs_evicted:
        return _gone(
            "transformation.ran",
            braze_hops.TRANSFORMATION.name,
            f"the Braze mock no longer keeps the log of receiver {receiver.id}'s callback",
            "transformation_log_cap",
            "braze",
        )
    return None


def _gone(check: str, hop: str, message: str, setting: str, service: str) -> Gap:
    return Gap(
        check,
        hop,
        f"cannot be checked: {message}",
        f"the run is bigger than the server keeps: raise {setting} in the scenario's "
        f"[{service}.settings] and restart `seen-braze serve` with it",
    )
