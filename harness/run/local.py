"""The run in-process: both mocks in this process on one virtual clock.

The campaign's hours of sending, SEEN's render delay and every retry take as long as the
work itself. The driver configures the mocks through their admin APIs over the in-process
WSGI session; this port runs the shared clock and reads the records from the mocks' objects
(the same records the HTTP port reads from the admin API's JSON).
"""

from __future__ import annotations

import gc
import resource
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import responses

from seen_braze_harness.harness.checks import Attempt, RunTrace
from seen_braze_harness.harness.network import BRAZE_HOST, SEEN_HOST, WsgiSession, intercept
from seen_braze_harness.harness.pair import MockPair
from seen_braze_harness.harness.results import RunResult
from seen_braze_harness.harness.run import verdicts
from seen_braze_harness.harness.run.admin import AdminClient
from seen_braze_harness.harness.run.driver import Audience, Driver, ProgressCallback, Sent
from seen_braze_harness.harness.run.records import (
    CallbackRecord,
    LogRecord,
    MessageRecord,
    ReceiverRecord,
    Records,
    TracedAttempt,
)
from seen_braze_harness.harness.scenario import Scenario
from seen_braze_harness.mocks.braze.track import ProfileStore
from seen_braze_harness.mocks.braze.transformations.definitions import LogEntry
from seen_braze_harness.mocks.core.clock import Clock, Scheduler
from seen_braze_harness.mocks.core.delivery import AttemptOutcome, Delivery, HttpSession, span_of
from seen_braze_harness.mocks.seen import hops as seen_hops

TRANSPORTS = ("wsgi", "responses")
"""How the in-process mocks reach each other: a WSGI session, or the `responses` library."""
ADMIN_TIMEOUT = 3600.0
"""Seconds an in-process admin call may take (a seeding batch, a long listing)."""


@dataclass(frozen=True)
class RunOptions:
    users: int | None = None
    """Faker users, instead of the scenario's `[audience] users`."""
    seed: int | None = None
    transport: str = "wsgi"
    """"wsgi" (a transport adapter onto the apps) or "responses" (the `responses` library)."""
    progress: ProgressCallback | None = None
    """Called with (settled messages, all messages) while the campaign runs."""


def run_scenario(scenario: Scenario, options: RunOptions | None = None) -> RunResult:
    """Run the scenario in-process and check every user's chain."""
    options = options or RunOptions()
    with _fewer_collections():
        audience = Audience.build(scenario, users=options.users, seed=options.seed)
        capacity = len(audience.members)
        with InProcessPort(scenario, capacity=capacity, transport=options.transport) as port:
            result = Driver(scenario, port, audience, options.progress).run()
    result.peak_rss_bytes = peak_rss_bytes()
    return result


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """A run allocates many long-lived records: collecting cycles every 700 allocations (the
    default) spends a tenth of the run walking them for nothing."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


class InProcessPort:
    """Both mocks of the scenario in this process, on one virtual clock, reaching each other
    through the WSGI session (or `responses`, the other transport)."""

    mode = "in-process"
    stuck_hint = verdicts.STUCK_HINT

    def __init__(self, scenario: Scenario, *, capacity: int, transport: str = "wsgi") -> None:
        if transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {', '.join(TRANSPORTS)}, not {transport!r}")
        self.transport = transport
        self._intercepted: responses.RequestsMock | None = None
        self.scheduler = Scheduler(Clock(frozen=True))
        self.wsgi = WsgiSession()
        session: HttpSession = self.wsgi
        if transport == "responses":
            plain = requests.Session()
            plain.trust_env = False  # no proxies or .netrc: nothing leaves the process
            session = plain
        # Enough room for every exchange and receiver of the run: nothing evicted, all checked.
        journal_cap = max(10_000, capacity * 8)
        self.pair = MockPair.build(
            scenario,
            scheduler=self.scheduler,
            session=session,
            seen_settings={"journal_cap": journal_cap, "receivers_cap": max(100_000, capacity * 2)},
            braze_settings={
                "journal_cap": journal_cap,
                "transformation_log_cap": max(1_000, capacity * 2),
            },
        )
        self.wsgi.apps.update(self.pair.apps())
        self.seen = AdminClient("seen", f"https://{SEEN_HOST}", self.wsgi, ADMIN_TIMEOUT)
        self.braze = AdminClient("braze", f"https://{BRAZE_HOST}", self.wsgi, ADMIN_TIMEOUT)

    def __enter__(self) -> InProcessPort:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pair.close()

    def take_over(self) -> None:
        pass

    def now(self) -> float:
        return self.scheduler.clock.now()

    @contextmanager
    def network(self) -> Iterator[None]:
        """While inside, the mocks' outbound calls reach each other (through `responses` when
        that is the transport)."""
        if self.transport != "responses":
            yield
            return
        with intercept(self.pair.apps()) as mock:
            self._intercepted = mock
            try:
                yield
            finally:
                self._intercepted = None

    def _forget_calls(self) -> None:
        """Drop the calls `responses` recorded so far: the journals keep what the checks need,
        and a long run would otherwise hold every request twice."""
        if self._intercepted is not None:
            self._intercepted.calls.reset()

    def wait(self, sent: Sent, progress: ProgressCallback | None) -> verdicts.Health:
        """Run the clock until no work is left, reporting settled messages along the way."""
        scheduler = self.scheduler
        limit = scheduler.clock.now() + verdicts.MAX_VIRTUAL_SECONDS
        chunk = 600.0
        while (due := scheduler.next_due()) is not None and due <= limit:
            # At least up to the next task (a long Retry-After leaves nothing due for a
            # while), never past the limit: what is due after it is reported as pending.
            now = scheduler.clock.now()
            scheduler.run_until_idle(max_seconds=min(limit - now, max(chunk, due - now)))
            self._forget_calls()
            if progress is not None:
                sent.report(self.braze, progress)
        if progress is not None:
            sent.report(self.braze, progress)
        pending = scheduler.next_due()
        return verdicts.Health(
            task_errors=[
                f"{name!r} failed inside the mock: {type(exc).__name__}: {exc}"
                for name, exc in scheduler.errors
            ],
            pending_in=None if pending is None else pending - scheduler.clock.now(),
        )

    def gather(self, sent: Sent) -> Records:
        pair = self.pair
        dispatch = pair.braze.campaigns.dispatch(sent.dispatch_id)
        messages = [] if dispatch is None else dispatch.messages
        logs = list(pair.braze.transformations.logs)
        receivers = dict(pair.seen.receivers)
        braze_journal, seen_journal = pair.braze.runtime.journal, pair.seen.runtime.journal
        answers: dict[str, Any] = {}
        for exchange in seen_journal.query(hop=seen_hops.RECEIVERS.name):
            span = span_of(exchange.request_headers)
            if span and exchange.status is not None and 200 <= exchange.status < 300:
                answers[span] = exchange.response_json
        return Records(
            messages=[
                MessageRecord(
                    external_id=m.external_id,
                    state=m.state,
                    error=m.error,
                    rendered_body=None if m.request is None else m.request.body,
                    attempts=_attempts(m.delivery),
                )
                for m in messages
            ],
            receivers={
                ident: ReceiverRecord(
                    id=r.id,
                    state=r.state,
                    links=None if r.links is None else r.links.to_dict(),
                    callback=None
                    if r.callback is None
                    else CallbackRecord(
                        r.callback.request.url, r.callback.state, _attempts(r.callback)
                    ),
                )
                for ident, r in receivers.items()
            },
            logs=[_log_record(entry) for entry in logs],
            profiles=_StoredProfiles(pair.braze.profiles),
            answers=answers,
            exchanges=[*braze_journal.query(), *seen_journal.query()],
            journal_kept={"braze": len(braze_journal), "seen": len(seen_journal)},
            journal_evicted={"braze": braze_journal.evicted, "seen": seen_journal.evicted},
            profiles_evicted=pair.braze.profiles.evicted,
        )

    def worker_peak_rss(self) -> int | None:
        """The JavaScript workers' peak RSS (Linux's VmHWM), before they are closed."""
        try:
            pids = [worker["pid"] for worker in self.pair.braze.js().stats()]
            peaks = []
            for pid in pids:
                status = Path(f"/proc/{pid}/status").read_text("utf-8")
                peaks.append(int(status.split("VmHWM:")[1].split()[0]) * 1024)
        except (OSError, IndexError, KeyError, ValueError, RuntimeError):
            return None
        return max(peaks, default=None)


def _attempt(a: AttemptOutcome) -> TracedAttempt:
    return TracedAttempt(
        Attempt(a.status, a.body, a.error, a.exchange_id, a.time, a.headers), a.span
    )


def _attempts(delivery: Delivery | None) -> list[TracedAttempt]:
    return [] if delivery is None else [_attempt(a) for a in delivery.attempts]


def _log_record(entry: LogEntry) -> LogRecord:
    result, delivery = entry.result, entry.delivery
    return LogRecord(
        id=entry.id,
        span=span_of(entry.headers),
        run=RunTrace(
            error_kind=entry.error_kind,
            error=entry.error,
            line=None if result is None else result.line,
            column=None if result is None else result.column,
            output=None if result is None else result.output,
            skipped=entry.skipped,
            delivery_status=None if delivery is None else delivery.status,
            delivery_body=None if delivery is None else delivery.body,
        ),
        seconds=0.0 if result is None else result.duration,
        finished=not (entry.error_kind is None and entry.skipped is None and delivery is None),
    )


class _StoredProfiles:
    """The profiles as Braze holds them, custom attributes flattened in, read on demand."""

    def __init__(self, store: ProfileStore) -> None:
        self.store = store

    def get(self, braze_id: str, /) -> Mapping[str, Any] | None:
        stored = self.store.get(braze_id)
        if stored is None:
            return None
        with stored.lock:  # the attributes as kept; the links are plain strings
            return {**stored.standard, **stored.custom}

    def __len__(self) -> int:
        return len(self.store)


def peak_rss_bytes() -> int:
    """This process's peak resident set size."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024
