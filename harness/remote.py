"""The end-to-end run against live mocks: two `seen-braze serve` servers reached over HTTP.

The run takes both servers over: it resets them, configures them from the scenario through
their admin APIs, sends the campaign, waits for the work to finish (virtual clocks advanced in
lockstep, real ones polled), then rebuilds each user's chain from what the admin APIs report
and judges it with the same checks as the in-process run. Every listing it reads answers in
pages (`mocks.core.pagination`); it follows the cursors to the end.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from seen_braze_harness.harness import checks
from seen_braze_harness.harness.admin_token import admin_headers
from seen_braze_harness.harness.audience import Member, build_audience
from seen_braze_harness.harness.checks import Attempt, ReceiverTrace, RunTrace, Tally, UserTrace
from seen_braze_harness.harness.network import BRAZE_HOST, SEEN_HOST
from seen_braze_harness.harness.results import Finding, RunResult
from seen_braze_harness.harness.run import (
    MAX_VIRTUAL_SECONDS,
    ProgressCallback,
    check_context,
    check_schemas,
    hop_stats,
    payload_key,
    peak_rss_bytes,
)
from seen_braze_harness.harness.scenario import Scenario
from seen_braze_harness.mocks.braze import hops as braze_hops
from seen_braze_harness.mocks.core.journal import SchemaVerdict
from seen_braze_harness.mocks.core.pagination import follow
from seen_braze_harness.mocks.seen import hops as seen_hops
from seen_braze_harness.schemas import SchemaIssue

DEFAULT_TIMEOUT = 600.0
"""Wall seconds a run may take before the unfinished users are reported."""

SERVICES = {"seen": "SEEN", "braze": "Braze"}
NO_RESPONSE = 599
"""The status Braze reports for an attempt that got no response."""
UNSETTLED_MESSAGES = ("scheduled", "sending")
UNSETTLED_CALLBACKS = ("pending", "retrying")
TIE_LEAD = 0.001
"""Seconds short of a shared instant both clocks move to before either runs its work there."""
SAME_INSTANT = 1e-6
"""Due times closer than this are one instant (clock arithmetic rounds at about 2e-7 s)."""
PARTS = ("request", "response")
SEED_BATCH = 500
"""Profiles seeded per admin call."""
PAGE_SIZE = 1000
"""Items asked of each page of an admin listing: the most a mock serves by default
(`admin_page_max`); a mock that serves fewer is asked for its default page instead."""


class RemoteError(Exception):
    """A mock that cannot be reached or used; the message names the URL or the admin call."""


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


class MockClient:
    """One mock's admin API, reached through a `requests.Session`."""

    def __init__(self, service: str, url: str, session: requests.Session, timeout: float) -> None:
        self.service = service
        self.name = f"the {SERVICES[service]} mock"
        self.url = url.rstrip("/")
        self.session = session
        self.timeout = timeout
        self.page_size: int | None = PAGE_SIZE

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str | int] | None = None,
        timeout: float | None = None,
    ) -> requests.Response:
        url = f"{self.url}{path}"
        try:
            return self.session.request(
                method,
                url,
                json=body,
                params=params,
                timeout=(min(5.0, self.timeout), timeout or self.timeout),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise RemoteError(
                f"{method} {url}: no answer from {self.name}: {_reason(exc)}"
            ) from None

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str | int] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """The JSON answer of an admin call; RemoteError naming the call for any 4xx/5xx."""
        response = self.request(method, path, body=body, params=params, timeout=timeout)
        return self.answer(method, response)

    @staticmethod
    def answer(method: str, response: requests.Response) -> Any:
        """An admin call's JSON answer; RemoteError naming the call for any 4xx/5xx."""
        if response.status_code >= 400:
            raise RemoteError(
                f"{method} {response.url} answered HTTP {response.status_code}: {_detail(response)}"
            )
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise RemoteError(
                f"{method} {response.url} answered HTTP {response.status_code} without JSON: "
                f"{_detail(response)}"
            ) from None

    def check_health(self, flag: str) -> None:
        """RemoteError unless `GET /_mock/health` says this is the expected mock."""
        url = f"{self.url}/_mock/health"
        try:
            response = self.session.get(url, timeout=(5.0, self.timeout), allow_redirects=False)
        except requests.RequestException as exc:
            raise RemoteError(
                f"{self.name} at {self.url} is unreachable ({_reason(exc)}): start it with "
                f"`seen-braze serve`, or correct {flag}"
            ) from None
        try:
            health = response.json()
        except ValueError:
            health = None
        service = health.get("service") if isinstance(health, dict) else None
        if response.status_code != 200 or service not in SERVICES:
            raise RemoteError(
                f"{self.url} is not {self.name}: GET /_mock/health answered HTTP "
                f"{response.status_code} ({_detail(response)}); correct {flag}"
            )
        if service != self.service:
            raise RemoteError(
                f"{self.url} is the {SERVICES[service]} mock, not {self.name}: "
                "swap --seen-url and --braze-url"
            )

    def listing(
        self,
        path: str,
        key: str,
        *,
        params: Mapping[str, str] | None = None,
        newest_first: bool = False,
    ) -> tuple[dict[str, Any], list[Any]]:
        """Every item of an admin listing, the pages' cursors followed to the end: the first
        page's other fields, and the items oldest first."""
        try:
            return follow(
                lambda query: self._page(path, query),
                key,
                params=params,
                newest_first=newest_first,
            )
        except ValueError as exc:
            raise RemoteError(f"GET {self.url}{path}: {exc}") from None

    def _page(self, path: str, query: Mapping[str, str]) -> Any:
        """One page, of `page_size` items unless the mock serves fewer (then its default)."""
        if self.page_size is not None:
            response = self.request("GET", path, params={"limit": self.page_size, **query})
            answer = _json(response)
            detail = answer.get("detail") if isinstance(answer, dict) else None
            if response.status_code != 400 or not str(detail).startswith("limit:"):
                return self.answer("GET", response)
            self.page_size = None
        return self.call("GET", path, params=query)

    def items(self, path: str, key: str, **options: Any) -> list[Any]:
        """Every item of an admin listing (see `listing`)."""
        return self.listing(path, key, **options)[1]

    def clock(self) -> dict[str, Any]:
        state: dict[str, Any] = self.call("GET", "/_mock/clock")
        return state

    def advance(self, seconds: float, timeout: float) -> dict[str, Any]:
        state: dict[str, Any] = self.call(
            "POST", "/_mock/clock", body={"advance": seconds}, timeout=timeout
        )
        return state


def run_remote(scenario: Scenario, options: RemoteOptions) -> RunResult:
    """Run the scenario on the two live mocks and check every user's chain."""
    with requests.Session() as session:
        session.trust_env = False  # the mocks are named by URL: no proxies, no .netrc
        session.headers.update(admin_headers())
        seen = MockClient("seen", options.seen_url, session, options.request_timeout)
        braze = MockClient("braze", options.braze_url, session, options.request_timeout)
        return RemoteRun(scenario, options, seen, braze).run()


@dataclass
class Records:
    """What the mocks' admin APIs report after the run, indexed for tracing."""

    messages: list[dict[str, Any]]
    receivers: dict[int, dict[str, Any]]
    logs: list[dict[str, Any]]
    profiles: dict[str, dict[str, Any]]
    journals: dict[str, dict[str, Any]]
    exchanges: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    profiles_evicted: int = 0
    """Profiles the Braze mock forgot beyond its cap (its `/_mock/users` says how many)."""

    def __post_init__(self) -> None:
        for service, journal in self.journals.items():
            self.exchanges[service] = {e["id"]: e for e in journal["exchanges"]}

    @property
    def receivers_evicted(self) -> int:
        """Receivers the SEEN mock dropped (their ids count from 1 after a reset)."""
        return min(self.receivers) - 1 if self.receivers else 0

    @property
    def logs_evicted(self) -> int:
        """Log entries the Braze mock dropped (their ids count from 1 after a reset)."""
        return self.logs[0]["id"] - 1 if self.logs else 0


@dataclass
class Gap:
    """Why a user's chain cannot be judged: still running, or its records are gone."""

    check: str
    hop: str
    message: str
    hint: str


class RemoteRun:
    """One run on live mocks: configure, send, wait, gather, check."""

    def __init__(
        self, scenario: Scenario, options: RemoteOptions, seen: MockClient, braze: MockClient
    ) -> None:
        self.scenario = scenario
        self.options = options
        self.seen = seen
        self.braze = braze
        self.started = time.perf_counter()
        self.deadline = self.started + options.timeout
        self.phases: dict[str, float] = {}
        self._mark = self.started
        self.campaign_id = ""
        self.liquid_warnings: list[Any] = []
        self.dispatch_id = ""
        self.total = 0
        self.timed_out = False
        self.faults: list[tuple[int, MockClient, Any, str]] = []
        """The scenario's fault rules as added: (index, mock, rule id, hop)."""
        self.pending: dict[str, int] = {}
        """Tasks each virtual-clock mock still had when the run stopped waiting."""

    def phase(self, name: str) -> None:
        now = time.perf_counter()
        self.phases[name] = now - self._mark
        self._mark = now

    def run(self) -> RunResult:
        scenario, options = self.scenario, self.options
        spec = scenario.audience
        members = build_audience(spec, users=options.users, seed=options.seed)
        self.phase("audience")
        self.seen.check_health("--seen-url")
        self.braze.check_health("--braze-url")
        virtual = self._virtual_clocks()
        result = RunResult(
            scenario=scenario.name,
            source=scenario.source,
            mode="http",
            seed=spec.seed if options.seed is None else options.seed,
            users=len(members),
            probe_users=sum(1 for m in members if m.probe),
        )
        self.seen.call("POST", "/_mock/reset")
        self.braze.call("POST", "/_mock/reset")
        self._add_faults()
        traces = self._seed_audience(members)
        self.phase("seeding")
        start = self.braze.clock()["now"]
        self._configure_and_send(traces)
        if virtual:
            self._advance_in_lockstep()
        else:
            self._poll()
        result.virtual_seconds = self.braze.clock()["now"] - start
        self.phase("campaign")
        records = self._gather()
        self.phase("gathering")
        tally = Tally()
        ctx = check_context(scenario, scenario.seen_settings())
        checks.rate_preflight(ctx, tally)
        checks.liquid_preflight(self.liquid_warnings, tally)
        gaps = _trace(records, traces)
        for trace in traces:
            gap = gaps.get(trace.external_id)
            if gap is None:
                checks.check_user(trace, ctx, tally)
            else:
                tally.found(
                    Finding(
                        check=gap.check,
                        severity="failure",
                        message=gap.message,
                        hop=gap.hop,
                        user=trace.external_id,
                        hint=gap.hint,
                        probe=trace.probe,
                    )
                )
        self.phase("chain checks")
        exchanges = _exchanges(records)
        by_braze_id = {t.braze_id: t for t in traces if t.braze_id}
        check_schemas(exchanges, by_braze_id, tally)
        result.hops = hop_stats(
            exchanges,
            ((entry["error"] is None and entry["skipped"] is None, 0.0) for entry in records.logs),
        )
        self._check_health(records, tally)
        self.phase("schema checks")
        result.checks = list(tally.checks.values())
        result.findings = tally.findings
        result.wall_seconds = time.perf_counter() - self.started
        result.phases = self.phases
        result.peak_rss_bytes = peak_rss_bytes()
        return result

    # -- taking the servers over ---------------------------------------------------------------
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

    def _add_faults(self) -> None:
        for index, (service, rule) in enumerate(self.scenario.faults):
            mock = self.seen if service == "seen" else self.braze
            try:
                added = mock.call("POST", "/_mock/faults", body=rule)
            except RemoteError as exc:
                raise RemoteError(f"{self.scenario.source}: [[faults]] {index}: {exc}") from None
            self.faults.append((index, mock, added.get("id"), str(rule.get("hop", ""))))

    def _unfired_faults(self, tally: Tally) -> None:
        """A scenario fault rule that never fired: the run did not test what it meant to."""
        fired: dict[int, dict[Any, int]] = {}
        for index, mock, rule_id, hop in self.faults:
            counts = fired.setdefault(id(mock), {})
            if not counts:
                for rule in mock.items("/_mock/faults", "faults"):
                    counts[rule.get("id")] = int(rule.get("fired") or 0)
            if counts.get(rule_id, 0) == 0:
                tally.found(
                    Finding(
                        check="mocks.healthy",
                        severity="warning",
                        message=f"fault rule {index} on {hop} never fired: the run did not "
                        "test what the scenario meant it to",
                        hint="check the rule's hop, probability and times against the run",
                    )
                )

    def _seed_audience(self, members: list[Member]) -> list[UserTrace]:
        """Seed the profiles in batches; a refused one is noted and the rest seeded after it."""
        traces = [
            UserTrace(
                external_id=str(m.profile.get("external_id", "")), profile=m.profile, probe=m.probe
            )
            for m in members
        ]
        start, size = 0, SEED_BATCH
        while start < len(traces):
            batch = traces[start : start + size]
            response = self.braze.request(
                "POST", "/_mock/users", body=[dict(t.profile) for t in batch]
            )
            answer = _json(response)
            if response.status_code == 201:
                for trace, user in zip(batch, answer["users"], strict=True):
                    trace.braze_id = user["braze_id"]
                start += len(batch)
                continue
            seeded = answer.get("seeded") if isinstance(answer, dict) else None
            limit = answer.get("limit") if isinstance(answer, dict) else None
            if response.status_code == 400 and isinstance(limit, int) and 0 < limit < size:
                size = limit  # the server seeds fewer profiles at a time: smaller batches
                continue
            if response.status_code != 400 or not isinstance(seeded, int):
                raise RemoteError(
                    f"POST {response.url} answered HTTP {response.status_code}: {_detail(response)}"
                )
            refused = batch[seeded]
            detail = str(answer.get("detail", ""))
            refused.seed_error = re.sub(r"^users\[\d+\]: ", "", detail)
            start += seeded + 1
        if any(t.braze_id is None and t.seed_error is None for t in traces):
            self._note_seeded_ids(traces)
        return traces

    def _note_seeded_ids(self, traces: list[UserTrace]) -> None:
        """The braze_id of profiles seeded by a batch that was cut short by a refused one."""
        users = self.braze.items("/_mock/users", "users")
        by_external_id = {u["external_id"]: u["braze_id"] for u in users if u.get("external_id")}
        for trace in traces:
            if trace.braze_id is None and trace.seed_error is None:
                trace.braze_id = by_external_id.get(trace.external_id)

    def _configure_and_send(self, traces: list[UserTrace]) -> None:
        scenario = self.scenario
        given = scenario.transformation
        created = self.braze.call(
            "POST",
            "/_mock/transformations",
            body={
                "name": given["name"],
                "code": given["code"],
                "destination": given["destination"],
            },
        )
        self.braze.call("POST", f"/_mock/transformations/{created['id']}/activate")
        campaign = scenario.seen_campaign
        callback = campaign.get("callback_url")
        campaign["callback_url"] = (
            _rehost(callback, BRAZE_HOST, self.braze.url) if callback else created["webhook_url"]
        )
        slug = campaign["slug"]
        known = {c["slug"] for c in self.seen.items("/_mock/campaigns", "campaigns")}
        if slug in known:
            changes = {k: v for k, v in campaign.items() if k != "slug"}
            self.seen.call("PATCH", f"/_mock/campaigns/{slug}", body=changes)
        else:
            self.seen.call("POST", "/_mock/campaigns", body=campaign)
        listed = self.braze.items("/_mock/content_blocks", "content_blocks")
        blocks = {block["name"] for block in listed}
        for name, content in scenario.content_blocks.items():
            if name in blocks:
                self.braze.call("PATCH", f"/_mock/content_blocks/{name}", body={"content": content})
            else:
                self.braze.call(
                    "POST", "/_mock/content_blocks", body={"name": name, "content": content}
                )
        webhook = scenario.webhook
        made = self.braze.call(
            "POST",
            "/_mock/campaigns",
            body={
                **webhook,
                "url": _rehost(webhook["url"], SEEN_HOST, self.seen.url),
                "audience": [t.external_id for t in traces if t.braze_id],
            },
        )
        self.campaign_id = made["id"]
        self.liquid_warnings = list(made.get("liquid_warnings", []))
        dispatch = self.braze.call(
            "POST", f"/_mock/campaigns/{self.campaign_id}/send", body=scenario.send or None
        )
        self.dispatch_id = dispatch["dispatch_id"]
        self.total = int(dispatch["message_count"])

    # -- waiting -------------------------------------------------------------------------------
    def _report(self) -> int:
        """Report the settled messages to the progress callback; the unsettled ones."""
        answer = self.braze.call(
            "GET",
            f"/_mock/campaigns/{self.campaign_id}/messages",
            params={"dispatch_id": self.dispatch_id, "limit": 0},
        )
        unsettled = sum(answer["states"][s] for s in UNSETTLED_MESSAGES)
        if self.options.progress is not None:
            self.options.progress(self.total - unsettled, self.total)
        return int(unsettled)

    def _advance_in_lockstep(self) -> None:
        """Move both virtual clocks together from one due task to the next, until neither mock
        has work left.

        A mock with nothing due at the next instant moves first, so what the other sends it
        arrives at the same instant on both clocks. When both have work at that instant, both
        first move to `TIE_LEAD` short of it, then Braze runs its work, then SEEN: what one
        sends the other then arrives `TIE_LEAD` early rather than a whole step early.
        """
        mocks = {"braze": self.braze, "seen": self.seen}
        state = {name: mock.clock() for name, mock in mocks.items()}
        limit = state["braze"]["now"] + MAX_VIRTUAL_SECONDS
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
            if state["braze"]["now"] >= limit or left <= 0:
                self.timed_out = left <= 0
                self.pending = {n: s["pending_tasks"] for n, s in state.items()}
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
            if self.options.progress is not None and time.perf_counter() - shown >= 0.2:
                shown = time.perf_counter()
                self._report()
        self._report()

    def _poll(self) -> None:
        """Look at real-clock mocks until every chain has settled, or the time is up."""
        while True:
            if not self._report() and self._settled():
                return
            if time.perf_counter() >= self.deadline:
                self.timed_out = True
                return
            time.sleep(self.options.poll_interval)

    def _settled(self) -> bool:
        """Every callback settled and every transformation run finished."""
        receivers = self.seen.items("/_mock/receivers", "receivers")
        if any(_receiver_unsettled(r) for r in receivers):
            return False
        return not any(_run_unfinished(e) for e in self._logs())

    def _logs(self) -> list[dict[str, Any]]:
        """Every transformation log entry, oldest first (the logs page from the newest back)."""
        return self.braze.items("/_mock/transformations/logs", "logs", newest_first=True)

    # -- gathering -----------------------------------------------------------------------------
    def _gather(self) -> Records:
        messages = self.braze.items(
            f"/_mock/campaigns/{self.campaign_id}/messages",
            "messages",
            params={"dispatch_id": self.dispatch_id},
        )
        receivers = self.seen.items("/_mock/receivers", "receivers")
        logs = self._logs()
        users_head, users = self.braze.listing("/_mock/users", "users")
        return Records(
            messages=messages,
            receivers={r["id"]: r for r in receivers},
            logs=logs,
            profiles={u["braze_id"]: u for u in users},
            journals={"braze": self._journal(self.braze), "seen": self._journal(self.seen)},
            profiles_evicted=int(users_head.get("evicted") or 0),
        )

    @staticmethod
    def _journal(mock: MockClient) -> dict[str, Any]:
        """A mock's whole journal, as one answer of `/_mock/journal` would give it."""
        head, exchanges = mock.listing("/_mock/journal", "exchanges", newest_first=True)
        return {**head, "exchanges": exchanges}

    def _check_health(self, records: Records, tally: Tally) -> None:
        problems = 0
        for service, journal in records.journals.items():
            if journal["evicted"]:
                problems += 1
                tally.found(
                    _cap_finding(
                        f"the {SERVICES[service]} mock's journal kept {journal['retained']:,} "
                        f"exchanges and dropped {journal['evicted']:,}: their schemas went "
                        "unchecked",
                        "journal_cap",
                        service,
                    )
                )
        if records.receivers_evicted:
            problems += 1
            tally.found(
                _cap_finding(
                    f"the SEEN mock kept {len(records.receivers):,} receivers and dropped "
                    f"{records.receivers_evicted:,}",
                    "receivers_cap",
                    "seen",
                )
            )
        if records.profiles_evicted:
            problems += 1
            tally.found(
                _cap_finding(
                    f"the Braze mock kept {len(records.profiles):,} profiles and forgot "
                    f"{records.profiles_evicted:,}",
                    "profiles_cap",
                    "braze",
                )
            )
        if records.logs_evicted:
            problems += 1
            tally.found(
                _cap_finding(
                    f"the Braze mock's transformation log kept {len(records.logs):,} runs and "
                    f"dropped {records.logs_evicted:,}",
                    "transformation_log_cap",
                    "braze",
                )
            )
        if self.timed_out:
            problems += 1
            tally.found(
                Finding(
                    check="mocks.healthy",
                    severity="failure",
                    message=f"the run stopped waiting after {self.options.timeout:g} s with "
                    "work still in progress",
                    hint=_TIMEOUT_HINT,
                )
            )
        elif any(self.pending.values()):
            problems += 1
            tally.found(
                Finding(
                    check="mocks.healthy",
                    severity="failure",
                    message=f"work was still pending after {MAX_VIRTUAL_SECONDS / 86400:g} days "
                    "of virtual time",
                    hint="a retry loop that never ends: check the faults of the scenario",
                )
            )
        self._unfired_faults(tally)
        if not problems:
            tally.passed("mocks.healthy")


_TIMEOUT_HINT = (
    "raise --timeout, or serve both mocks with virtual clocks "
    '(clock = "virtual" in [seen.settings] and [braze.settings]) so the run need not wait'
)


def _cap_finding(message: str, setting: str, service: str) -> Finding:
    return Finding(
        check="mocks.healthy",
        severity="failure",
        message=f"{message}; the run is bigger than the server keeps",
        service=service,
        hint=f"raise {setting} in the scenario's [{service}.settings] and restart "
        "`seen-braze serve` with it",
    )


# -- tracing ---------------------------------------------------------------------------------


def _trace(records: Records, traces: list[UserTrace]) -> dict[str, Gap]:
    """Fill each user's trace from the records (message → receivers → callback → runs), and
    say which users cannot be judged: still running, or their records are gone."""
    by_external_id = {t.external_id: t for t in traces}
    runs_by_payload: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in records.logs:
        runs_by_payload[payload_key(entry["incoming"]["payload"])].append(entry)
    gaps: dict[str, Gap] = {}
    for message in records.messages:
        trace = by_external_id.get(message["external_id"])
        if trace is None:
            continue
        trace.message_state = message["state"]
        trace.message_error = message["error"]
        request = message["request"]
        trace.rendered_body = None if request is None else request["body"]
        webhooks = records.exchanges["braze"]
        trace.attempts = [_attempt(a, webhooks.get(a["exchange_id"])) for a in message["attempts"]]
        gap = _message_gap(message)
        for summary, attempt in zip(message["attempts"], trace.attempts, strict=True):
            ok = attempt.status is not None and 200 <= attempt.status < 300
            if ok and summary["exchange_id"] not in webhooks:
                gap = gap or _gone(
                    "receiver.unique",
                    braze_hops.WEBHOOK.name,
                    f"Braze's journal no longer holds webhook exchange {summary['exchange_id']}",
                    "journal_cap",
                    "braze",
                )
            created = attempt.json() if ok else None
            for echo in created if isinstance(created, list) else []:
                ident = echo.get("id") if isinstance(echo, dict) else None
                if not isinstance(ident, int):
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
                entries = _entries_of(receiver, runs_by_payload)
                traced = _receiver_trace(receiver, entries, records)
                trace.receivers.append(traced)
                gap = gap or _receiver_gap(receiver, traced, entries, records)
        if gap is not None:
            gaps[trace.external_id] = gap
    for trace in traces:
        if trace.braze_id is not None:
            stored = records.profiles.get(trace.braze_id)
            if stored is not None:
                trace.stored_profile = {**stored, **stored.get("custom_attributes", {})}
    return gaps


def _message_gap(message: Mapping[str, Any]) -> Gap | None:
    if message["state"] not in UNSETTLED_MESSAGES:
        return None
    return Gap(
        "webhook.delivered",
        braze_hops.WEBHOOK.name,
        f"unfinished: Braze's message was still {message['state']} when the run stopped",
        _TIMEOUT_HINT,
    )


def _receiver_gap(
    receiver: Mapping[str, Any],
    traced: ReceiverTrace,
    entries: list[dict[str, Any]],
    records: Records,
) -> Gap | None:
    if _receiver_unsettled(receiver):
        where = (
            "not rendered yet"
            if receiver["state"] == "accepted"
            else f"callback {traced.callback_state}"
        )
        return Gap(
            "callback.delivered",
            seen_hops.CALLBACK.name,
            f"unfinished: SEEN's receiver {receiver['id']} was {where} when the run stopped",
            _TIMEOUT_HINT,
        )
    if traced.callback_state != "delivered":
        return None
    if any(_run_unfinished(e) for e in entries):
        return Gap(
            "transformation.ran",
            braze_hops.TRANSFORMATION.name,
            f"unfinished: the transformation was still running on receiver {receiver['id']}'s "
            "callback when the run stopped",
            _TIMEOUT_HINT,
        )
    if not traced.runs and records.logs_evicted:
        return _gone(
            "transformation.ran",
            braze_hops.TRANSFORMATION.name,
            f"the Braze mock no longer keeps the log of receiver {receiver['id']}'s callback",
            "transformation_log_cap",
            "braze",
        )
    return None


def _entries_of(
    receiver: Mapping[str, Any], runs_by_payload: Mapping[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The transformation's log entries for the receiver's callback."""
    callback = receiver["callback"]
    return [] if callback is None else runs_by_payload.get(payload_key(callback["payload"]), [])


def _gone(check: str, hop: str, message: str, setting: str, service: str) -> Gap:
    return Gap(
        check,
        hop,
        f"cannot be checked: {message}",
        f"the run is bigger than the server keeps: raise {setting} in the scenario's "
        f"[{service}.settings] and restart `seen-braze serve` with it",
    )


def _receiver_unsettled(receiver: Mapping[str, Any]) -> bool:
    callback = receiver.get("callback")
    if receiver["state"] == "accepted":
        return True
    return callback is not None and callback["state"] in UNSETTLED_CALLBACKS


def _run_unfinished(entry: Mapping[str, Any]) -> bool:
    return entry["error"] is None and entry["skipped"] is None and entry["destination"] is None


def _attempt(summary: Mapping[str, Any], exchange: Mapping[str, Any] | None) -> Attempt:
    """One attempt, its answer's body and headers from the journal when it still holds them."""
    if exchange is None:
        status = summary["status"]
        if summary["error"] is not None and status == NO_RESPONSE:
            status = None
        return Attempt(status, b"", summary["error"], summary["exchange_id"], summary["time"])
    response = exchange["response"]
    return Attempt(
        None if response is None else response["status"],
        b"" if response is None else _body_bytes(response["body"]),
        summary["error"],
        summary["exchange_id"],
        summary["time"],
        {} if response is None else dict(response["headers"]),
    )


def _receiver_trace(
    receiver: Mapping[str, Any], entries: list[dict[str, Any]], records: Records
) -> ReceiverTrace:
    callback = receiver["callback"]
    callbacks = records.exchanges["seen"]
    return ReceiverTrace(
        id=receiver["id"],
        state=receiver["state"],
        links=receiver["links"],
        callback_url=None if callback is None else callback["url"],
        callback_state=None if callback is None else callback["state"],
        callback_attempts=[]
        if callback is None
        else [_attempt(a, callbacks.get(a["exchange_id"])) for a in callback["attempts"]],
        runs=[_run_trace(e) for e in entries],
    )


def _run_trace(entry: Mapping[str, Any]) -> RunTrace:
    error = entry["error"]
    delivery = entry["destination"]
    return RunTrace(
        error_kind=None if error is None else error["kind"],
        error=None if error is None else error["message"],
        line=None if error is None else error["line"],
        column=None if error is None else error["column"],
        output=entry["output"],
        skipped=entry["skipped"],
        delivery_status=None if delivery is None else delivery["status"],
        delivery_body=None if delivery is None else delivery["body"],
    )


# -- the journal, as /_mock/journal gives it ----------------------------------------------------


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


def _exchanges(records: Records) -> list[RemoteExchange]:
    """Both journals' exchanges, Braze's first (as the in-process run orders them).

    A hop has schemas when any of its exchanges got a verdict: one whose only schema is for
    a status none of its exchanges answered (the transformation webhook's 2xx) goes unseen.
    """
    found = [
        (service, data, {part: _verdict(data["schema"].get(part)) for part in PARTS})
        for service in ("braze", "seen")
        for data in records.journals[service]["exchanges"]
    ]
    described = {
        (service, data["hop"])
        for service, data, verdicts in found
        if any(v is not None for v in verdicts.values())
    }
    exchanges = []
    for service, data, verdicts in found:
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
                verdicts=verdicts,
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


# -- small helpers -----------------------------------------------------------------------------


def _rehost(url: str, host: str, base: str) -> str:
    """`url` with its scheme and `host` (and any port) replaced by `base`; the path is kept."""
    return re.sub(rf"^https?://{re.escape(host)}(:\d+)?(?=[/?#]|$)", lambda _: base, url)


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _detail(response: requests.Response) -> str:
    """An answer's RFC 7807 detail, or its body, shortened."""
    body = _json(response)
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    text = response.text.strip() or "(empty body)"
    return text if len(text) <= 300 else text[:297] + "..."


def _reason(exc: requests.RequestException) -> str:
    """The root cause in a few words ("Connection refused"), not urllib3's whole chain."""
    text = str(exc) or type(exc).__name__
    found = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if found:
        return found.group(1).rstrip(". ")
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return text if len(text) <= 200 else text[:197] + "..."
