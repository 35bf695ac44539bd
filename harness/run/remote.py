"""The run against live mocks: two `seen-braze serve` servers reached over HTTP.

The run takes both servers over: it resets them, configures them from the scenario through
their admin APIs, sends the campaign, waits for the work to finish (virtual clocks advanced in
lockstep, real ones polled), then reads each user's records from the admin APIs and judges
them with the same checks as the in-process run. Every listing it reads answers in pages
(`mocks.core.pagination`); it follows the cursors to the end.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import requests

from seen_braze_harness.harness.admin_token import admin_headers
from seen_braze_harness.harness.checks import Attempt, RunTrace
from seen_braze_harness.harness.results import RunResult
from seen_braze_harness.harness.run import tracer, verdicts
from seen_braze_harness.harness.run.admin import AdminClient, HttpTimeouts, RemoteError
from seen_braze_harness.harness.run.driver import Audience, Driver, ProgressCallback, Sent
from seen_braze_harness.harness.run.local import peak_rss_bytes
from seen_braze_harness.harness.run.records import (
    CallbackRecord,
    LogRecord,
    MessageRecord,
    ReceiverRecord,
    Records,
    TracedAttempt,
)
from seen_braze_harness.harness.scenario import Scenario
from seen_braze_harness.mocks.core.delivery import span_of
from seen_braze_harness.mocks.core.journal import SchemaVerdict
from seen_braze_harness.mocks.seen import hops as seen_hops
from seen_braze_harness.schemas import SchemaIssue

DEFAULT_TIMEOUT = 600.0
"""Wall seconds a run may take before the unfinished users are reported."""
NO_RESPONSE = 599
"""The status Braze reports for an attempt that got no response."""
TIE_LEAD = 0.001
"""Seconds short of a shared instant both clocks move to before either runs its work there."""
SAME_INSTANT = 1e-6
"""Due times closer than this are one instant (clock arithmetic rounds at about 2e-7 s)."""
PARTS = ("request", "response")


@dataclass(frozen=True)
class RemoteOptions:
    seen_url: str
    braze_url: str
    users: int | None = None
    """Faker users, instead of the scenario's `[audience] users`."""
    seed: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    """Wall seconds before the run stops waiting and reports the unfinished users."""
    progress: ProgressCallback | None = None
    """Called with (settled messages, all messages) while the campaign runs."""
    poll_interval: float = 0.5
    """Seconds between two looks at real-clock mocks."""
    request_timeout: float = 30.0
    """Seconds one admin call may take (a clock advance gets what is left of `timeout`)."""


def run_remote(scenario: Scenario, options: RemoteOptions) -> RunResult:
    """Run the scenario on the two live mocks and check every user's chain."""
    audience = Audience.build(scenario, users=options.users, seed=options.seed)
    with requests.Session() as session:
        session.trust_env = False  # the mocks are named by URL: no proxies, no .netrc
        http = HttpTimeouts(session)
        headers = admin_headers()
        seen = AdminClient("seen", options.seen_url, http, options.request_timeout, headers)
        braze = AdminClient("braze", options.braze_url, http, options.request_timeout, headers)
        port = HttpPort(seen, braze, options, deadline=audience.phases.started + options.timeout)
        result = Driver(scenario, port, audience, options.progress).run()
    result.peak_rss_bytes = peak_rss_bytes()
    return result


class HttpPort:
    """Two served mocks, each on its own clock."""

    mode = "http"
    stuck_hint = verdicts.TIMEOUT_HINT

    def __init__(
        self, seen: AdminClient, braze: AdminClient, options: RemoteOptions, *, deadline: float
    ) -> None:
        self.seen = seen
        self.braze = braze
        self.options = options
        self.deadline = deadline
        self.virtual = False

    def take_over(self) -> None:
        self.seen.check_health("--seen-url")
        self.braze.check_health("--braze-url")
        self.virtual = self._virtual_clocks()

    def _virtual_clocks(self) -> bool:
        """True when both mocks run virtual clocks; RemoteError when only one does."""
        seen, braze = self.seen.clock()["frozen"], self.braze.clock()["frozen"]
        if seen != braze:
            virtual, real = (self.seen, self.braze) if seen else (self.braze, self.seen)
            raise RemoteError(
                f"{virtual.name} ({virtual.url}) runs a virtual clock and {real.name} "
                f"({real.url}) a real one: serve both with the same `clock` setting "
                '(clock = "virtual" in [seen.settings] and [braze.settings], or neither)'
            )
        return bool(seen)

    def now(self) -> float:
        return float(self.braze.clock()["now"])

    def network(self) -> AbstractContextManager[object]:
        return nullcontext()

    def worker_peak_rss(self) -> int | None:
        return None

    # -- waiting ---------------------------------------------------------------------------
    def wait(self, sent: Sent, progress: ProgressCallback | None) -> verdicts.Health:
        if self.virtual:
            return self._advance_in_lockstep(sent, progress)
        return self._poll(sent, progress)

    def _advance_in_lockstep(
        self, sent: Sent, progress: ProgressCallback | None
    ) -> verdicts.Health:
        """Move both virtual clocks together from one due task to the next, until neither mock
        has work left.

        A mock with nothing due at the next instant moves first, so what the other sends it
        arrives at the same instant on both clocks. When both have work at that instant, both
        first move to `TIE_LEAD` short of it, then Braze runs its work, then SEEN: what one
        sends the other then arrives `TIE_LEAD` early rather than a whole step early.
        """
        mocks = {"braze": self.braze, "seen": self.seen}
        state = {name: mock.clock() for name, mock in mocks.items()}
        limit = state["braze"]["now"] + verdicts.MAX_VIRTUAL_SECONDS
        health = verdicts.Health()
        shown = 0.0
        while True:
            waits = {
                name: max(0.0, s["next_due"] - s["now"])
                for name, s in state.items()
                if s["pending_tasks"]
            }
            if not waits:
                break
            left = self.deadline - time.perf_counter()
            if left <= 0:
                health.timed_out = self.options.timeout
                break
            if state["braze"]["now"] >= limit:
                health.pending_in = min(waits.values())
                break
            step = min(waits.values())
            due = [name for name in mocks if name in waits and waits[name] <= step + SAME_INSTANT]
            lead = step - TIE_LEAD if len(due) > 1 and step > TIE_LEAD else 0.0
            if lead:  # both have work at the next instant: bring both just short of it first
                for name, mock in mocks.items():
                    state[name] = mock.advance(lead, timeout=max(left, 1.0))
            rest = step - lead
            moved = [name for name in mocks if name not in due and rest > 0] + due
            for name in moved:
                state[name] = mocks[name].advance(rest, timeout=max(left, 1.0))
            for name in mocks:  # the mock that moved last may have given the others work
                if name != moved[-1]:
                    state[name] = mocks[name].clock()
            if progress is not None and time.perf_counter() - shown >= 0.2:
                shown = time.perf_counter()
                sent.report(self.braze, progress)
        sent.report(self.braze, progress)
        return health

    def _poll(self, sent: Sent, progress: ProgressCallback | None) -> verdicts.Health:
        """Look at real-clock mocks until every chain has settled, or the time is up."""
        while True:
            if not sent.report(self.braze, progress) and self._settled():
                return verdicts.Health()
            if time.perf_counter() >= self.deadline:
                return verdicts.Health(timed_out=self.options.timeout)
            time.sleep(self.options.poll_interval)

    def _settled(self) -> bool:
        """Every callback settled and every transformation run finished."""
        receivers = self.seen.items("/_mock/receivers", "receivers")
        if any(tracer.receiver_unsettled(_receiver(r)) for r in receivers):
            return False
        return all(_log_record(e).finished for e in self._logs())

    def _logs(self) -> list[dict[str, Any]]:
        """Every transformation log entry, oldest first (the logs page from the newest back)."""
        return self.braze.items("/_mock/transformations/logs", "logs", newest_first=True)

    # -- gathering -------------------------------------------------------------------------
    def gather(self, sent: Sent) -> Records:
        messages = self.braze.items(
            f"/_mock/campaigns/{sent.campaign_id}/messages",
            "messages",
            params={"dispatch_id": sent.dispatch_id},
        )
        receivers = {r["id"]: r for r in self.seen.items("/_mock/receivers", "receivers")}
        logs = [_log_record(e) for e in self._logs()]
        users_head, users = self.braze.listing("/_mock/users", "users")
        journals = {"braze": self._journal(self.braze), "seen": self._journal(self.seen)}
        by_id = {
            service: {e["id"]: e for e in journal["exchanges"]}
            for service, journal in journals.items()
        }
        answers: dict[str, Any] = {}
        for data in journals["seen"]["exchanges"]:
            response = data["response"]
            if data["hop"] != seen_hops.RECEIVERS.name or response is None:
                continue
            span = span_of(data["request"]["headers"])
            if span and 200 <= response["status"] < 300:
                answers[span] = response["body"].get("json") if response["body"] else None
        return Records(
            messages=[_message(m, by_id["braze"]) for m in messages],
            receivers={ident: _receiver(data, by_id["seen"]) for ident, data in receivers.items()},
            logs=logs,
            profiles={u["braze_id"]: {**u, **u.get("custom_attributes", {})} for u in users},
            answers=answers,
            exchanges=list(_exchanges(journals)),
            journal_kept={s: int(j["retained"]) for s, j in journals.items()},
            journal_evicted={s: int(j["evicted"]) for s, j in journals.items()},
            profiles_evicted=int(users_head.get("evicted") or 0),
        )

    @staticmethod
    def _journal(mock: AdminClient) -> dict[str, Any]:
        """A mock's whole journal, as one answer of `/_mock/journal` would give it."""
        head, exchanges = mock.listing("/_mock/journal", "exchanges", newest_first=True)
        return {**head, "exchanges": exchanges}


# -- records from the admin API's JSON ---------------------------------------------------------


def _traced(
    summary: Mapping[str, Any], journal: Mapping[int, Mapping[str, Any]] | None
) -> TracedAttempt:
    """One attempt, its answer's body and headers from the journal when it still holds them."""
    exchange = None if journal is None else journal.get(summary["exchange_id"])
    span = str(summary.get("span") or "")
    if exchange is None:
        status = summary["status"]
        if summary["error"] is not None and status == NO_RESPONSE:
            status = None
        attempt = Attempt(status, b"", summary["error"], summary["exchange_id"], summary["time"])
        return TracedAttempt(attempt, span, journaled=journal is None)
    response = exchange["response"]
    attempt = Attempt(
        None if response is None else response["status"],
        b"" if response is None else _body_bytes(response["body"]),
        summary["error"],
        summary["exchange_id"],
        summary["time"],
        {} if response is None else dict(response["headers"]),
    )
    return TracedAttempt(attempt, span)


def _message(data: Mapping[str, Any], journal: Mapping[int, Mapping[str, Any]]) -> MessageRecord:
    request = data["request"]
    return MessageRecord(
        external_id=data["external_id"],
        state=data["state"],
        error=data["error"],
        rendered_body=None if request is None else request["body"],
        attempts=[_traced(a, journal) for a in data["attempts"]],
    )


def _receiver(
    data: Mapping[str, Any], journal: Mapping[int, Mapping[str, Any]] | None = None
) -> ReceiverRecord:
    callback = data.get("callback")
    return ReceiverRecord(
        id=data["id"],
        state=data["state"],
        links=data["links"],
        callback=None
        if callback is None
        else CallbackRecord(
            callback["url"],
            callback["state"],
            [_traced(a, journal or {}) for a in callback["attempts"]],
        ),
    )


def _log_record(data: Mapping[str, Any]) -> LogRecord:
    error = data["error"]
    delivery = data["destination"]
    return LogRecord(
        id=data["id"],
        span=span_of(data["incoming"]["headers"]),
        run=RunTrace(
            error_kind=None if error is None else error["kind"],
            error=None if error is None else error["message"],
            line=None if error is None else error["line"],
            column=None if error is None else error["column"],
            output=data["output"],
            skipped=data["skipped"],
            delivery_status=None if delivery is None else delivery["status"],
            delivery_body=None if delivery is None else delivery["body"],
        ),
        seconds=(data.get("duration_ms") or 0.0) / 1000,
        finished=not (error is None and data["skipped"] is None and delivery is None),
    )


@dataclass(frozen=True)
class RemoteExchange:
    """A journaled exchange rebuilt from `/_mock/journal`, for the schema checks and hop stats."""

    id: int
    service: str
    hop: str
    direction: str
    status: int | None
    duration: float | None
    request_json: Any
    verdicts: dict[str, SchemaVerdict | None]
    described: bool
    """The hop has schemas (the journal shows it only through the verdicts of its exchanges)."""

    @property
    def schemas(self) -> object | None:
        return True if self.described else None

    @property
    def valid(self) -> bool:
        return all(v is None or v.valid for v in self.verdicts.values())

    def verdict(self) -> dict[str, SchemaVerdict | None]:
        return self.verdicts


def _exchanges(journals: Mapping[str, Mapping[str, Any]]) -> list[RemoteExchange]:
    """Both journals' exchanges, Braze's first (as the in-process run orders them).

    A hop has schemas when any of its exchanges got a verdict: one whose only schema is for
    a status none of its exchanges answered (the transformation webhook's 2xx) goes unseen.
    """
    found = [
        (service, data, {part: _verdict(data["schema"].get(part)) for part in PARTS})
        for service in ("braze", "seen")
        for data in journals[service]["exchanges"]
    ]
    described = {
        (service, data["hop"])
        for service, data, given in found
        if any(v is not None for v in given.values())
    }
    exchanges = []
    for service, data, given in found:
        response = data["response"]
        exchanges.append(
            RemoteExchange(
                id=data["id"],
                service=service,
                hop=data["hop"],
                direction=data["direction"],
                status=None if response is None else response["status"],
                duration=data.get("duration"),
                request_json=data["request"]["body"].get("json"),
                verdicts=given,
                described=(service, data["hop"]) in described,
            )
        )
    return exchanges


def _verdict(data: Mapping[str, Any] | None) -> SchemaVerdict | None:
    if data is None:
        return None
    issues = tuple(SchemaIssue(i["pointer"], i["message"], i["rule"]) for i in data["errors"])
    return SchemaVerdict(data["schema"], bool(data["valid"]), issues)


def _body_bytes(body: Mapping[str, Any] | None) -> bytes:
    """A journaled body back as bytes: its JSON re-encoded, or its text."""
    if body is None:
        return b""
    if "json" in body:
        return json.dumps(body["json"]).encode()
    return str(body.get("text", "")).encode()
