"""The end-to-end run, once for both modes: take the mocks over, configure them from the
scenario, send the campaign, wait until idle, gather the records, trace and check each user.

Everything the run does to the mocks goes through their admin APIs (`run.admin`); a `Port`
adds what differs between serving the mocks in this process and reaching them over HTTP:
how the clocks are moved, how the records are read, and what is known about the mocks'
own health.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from seen_braze_harness.harness import checks
from seen_braze_harness.harness.audience import Member, build_audience
from seen_braze_harness.harness.checks import Context, Tally, UserTrace
from seen_braze_harness.harness.network import BRAZE_HOST, SEEN_HOST
from seen_braze_harness.harness.render import explain_json_break
from seen_braze_harness.harness.results import Finding, RunResult
from seen_braze_harness.harness.run import tracer, verdicts
from seen_braze_harness.harness.run.admin import AdminClient, AdminRefused, RemoteError, rehost
from seen_braze_harness.harness.run.records import Records
from seen_braze_harness.harness.scenario import Scenario, ScenarioError
from seen_braze_harness.mocks.seen.settings import SeenSettings

ProgressCallback = Callable[[int, int], None]
SEED_BATCH = 500
"""Profiles seeded per admin call."""
UNSETTLED_MESSAGES = ("scheduled", "sending")


@dataclass
class Sent:
    """The campaign the run sent: what the port needs to wait for it and gather it."""

    campaign_id: str
    dispatch_id: str
    total: int
    start: float
    """The virtual (or real) clock's reading before the run configured anything."""
    liquid_warnings: list[Any] = field(default_factory=list)
    fault_ids: list[tuple[int, str, Any, str]] = field(default_factory=list)
    """The scenario's fault rules as added: (index, service, rule id, hop)."""

    def report(self, braze: AdminClient, progress: ProgressCallback | None) -> int:
        """Give the progress callback the settled messages; the unsettled ones."""
        answer = braze.call(
            "GET",
            f"/_mock/campaigns/{self.campaign_id}/messages",
            params={"dispatch_id": self.dispatch_id, "limit": 0},
        )
        unsettled = int(sum(answer["states"][s] for s in UNSETTLED_MESSAGES))
        if progress is not None:
            progress(self.total - unsettled, self.total)
        return unsettled


class Port(Protocol):
    """The mocks as one run reaches them."""

    mode: str
    """"in-process" or "http", as the report names it."""
    seen: AdminClient
    braze: AdminClient
    stuck_hint: str
    """What to do about a chain still running when the run stopped."""

    def take_over(self) -> None:
        """Make sure both mocks are there and usable (RemoteError when not)."""

    def now(self) -> float:
        """The mocks' clock."""

    def network(self) -> AbstractContextManager[object]:
        """While inside, the mocks reach each other."""

    def wait(self, sent: Sent, progress: ProgressCallback | None) -> verdicts.Health:
        """Run or wait until neither mock has work left (or the run must stop)."""

    def gather(self, sent: Sent) -> Records:
        """The records the run left, for the tracer and the checks."""

    def worker_peak_rss(self) -> int | None:
        """The JavaScript workers' peak RSS, when this process can see it."""


def check_context(scenario: Scenario, seen: SeenSettings) -> Context:
    """What the chain checks know of the integration: the scenario's webhook, SEEN's limits."""
    webhook = scenario.webhook
    return Context(
        webhook_template=webhook["body"] if isinstance(webhook["body"], str) else "",
        webhook_url=webhook["url"],
        rate_per_minute=int(webhook["rate_per_minute"]),
        seen_rate_limit=seen.rate_limit,
        seen_rate_window=seen.rate_window,
        seen_token=str(scenario.seen_campaign.get("token", "")),
        explain_json=explain_json_break,
    )


class Phases:
    """Wall seconds of each phase of a run, from its start."""

    def __init__(self) -> None:
        self.started = self._mark = time.perf_counter()
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = now - self._mark
        self._mark = now


@dataclass
class Audience:
    """The run's audience, built before the mocks are (their caps are sized for it)."""

    members: list[Member]
    seed: int
    phases: Phases

    @classmethod
    def build(cls, scenario: Scenario, *, users: int | None, seed: int | None) -> Audience:
        phases = Phases()
        spec = scenario.audience
        members = build_audience(spec, users=users, seed=seed)
        phases("audience")
        return cls(members, spec.seed if seed is None else seed, phases)


class Driver:
    """One run of `scenario` for `audience` on the mocks behind `port`."""

    def __init__(
        self,
        scenario: Scenario,
        port: Port,
        audience: Audience,
        progress: ProgressCallback | None,
    ) -> None:
        self.scenario = scenario
        self.port = port
        self.audience = audience
        self.progress = progress
        self.phase = audience.phases

    def run(self) -> RunResult:
        scenario, port = self.scenario, self.port
        members = self.audience.members
        port.take_over()
        result = RunResult(
            scenario=scenario.name,
            source=scenario.source,
            mode=port.mode,
            seed=self.audience.seed,
            users=len(members),
            probe_users=sum(1 for m in members if m.probe),
        )
        port.seen.call("POST", "/_mock/reset")
        port.braze.call("POST", "/_mock/reset")
        fault_ids = self._add_faults()
        traces = self._seed_audience(members)
        self.phase("seeding")
        start = port.now()
        with port.network():
            sent = self._configure_and_send(traces, start)
            sent.fault_ids = fault_ids
            health = port.wait(sent, self.progress)
        result.virtual_seconds = port.now() - start
        self.phase("campaign")
        records = port.gather(sent)
        self.phase("gathering")
        tally = Tally()
        ctx = check_context(scenario, scenario.seen_settings())
        checks.rate_preflight(ctx, tally)
        checks.liquid_preflight(sent.liquid_warnings, tally)
        gaps = tracer.trace(records, traces, hint=port.stuck_hint)
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
        by_braze_id = {t.braze_id: t for t in traces if t.braze_id}
        verdicts.check_schemas(records.exchanges, by_braze_id, tally)
        result.hops = verdicts.hop_stats(
            records.exchanges, ((entry.succeeded, entry.seconds) for entry in records.logs)
        )
        health.unfired = self._unfired(sent)
        verdicts.check_health(health, records, tally)
        result.js_worker_peak_rss_bytes = port.worker_peak_rss()
        self.phase("schema checks")
        result.checks = list(tally.checks.values())
        result.findings = tally.findings
        result.wall_seconds = time.perf_counter() - self.phase.started
        result.phases = self.phase.seconds
        return result

    # -- configuring -----------------------------------------------------------------------
    def _mock(self, service: str) -> AdminClient:
        return self.port.seen if service == "seen" else self.port.braze

    def _add_faults(self) -> list[tuple[int, str, Any, str]]:
        added = []
        for index, (service, rule) in enumerate(self.scenario.faults):
            try:
                answer = self._mock(service).call("POST", "/_mock/faults", body=rule)
            except AdminRefused as exc:
                if exc.status != 400:
                    raise
                raise ScenarioError(
                    f"{self.scenario.source}: [[faults]] {index}: {exc.detail}"
                ) from None
            added.append((index, service, answer.get("id"), str(rule.get("hop", ""))))
        return added

    def _unfired(self, sent: Sent) -> list[tuple[int, str]]:
        """The scenario's fault rules that never fired: the run did not test what it meant to."""
        fired: dict[str, dict[Any, int]] = {}
        unfired = []
        for index, service, rule_id, hop in sent.fault_ids:
            counts = fired.get(service)
            if counts is None:
                rules = self._mock(service).items("/_mock/faults", "faults")
                counts = fired[service] = {r.get("id"): int(r.get("fired") or 0) for r in rules}
            if counts.get(rule_id, 0) == 0:
                unfired.append((index, hop))
        return unfired

    def _seed_audience(self, members: list[Member]) -> list[UserTrace]:
        """Seed the profiles in batches; a refused one is noted and the rest seeded after it."""
        braze = self.port.braze
        traces = [
            UserTrace(
                external_id=str(m.profile.get("external_id", "")), profile=m.profile, probe=m.probe
            )
            for m in members
        ]
        start, size = 0, SEED_BATCH
        while start < len(traces):
            batch = traces[start : start + size]
            answer = braze.request(
                "POST",
                "/_mock/users",
                body=[dict(t.profile) for t in batch],
                params={"fields": "braze_id"},
            )
            body = answer.json()
            if answer.status == 201:
                for trace, user in zip(batch, body["users"], strict=True):
                    trace.braze_id = user["braze_id"]
                start += len(batch)
                continue
            seeded = body.get("seeded") if isinstance(body, dict) else None
            limit = body.get("limit") if isinstance(body, dict) else None
            if answer.status == 400 and isinstance(limit, int) and 0 < limit < size:
                size = limit  # the server seeds fewer profiles at a time: smaller batches
                continue
            if answer.status != 400 or not isinstance(seeded, int):
                raise RemoteError(
                    f"POST {answer.url} answered HTTP {answer.status}: {answer.detail()}"
                )
            refused = batch[seeded]
            refused.seed_error = re.sub(r"^users\[\d+\]: ", "", answer.detail())
            start += seeded + 1
        if any(t.braze_id is None and t.seed_error is None for t in traces):
            self._note_seeded_ids(traces)
        return traces

    def _note_seeded_ids(self, traces: list[UserTrace]) -> None:
        """The braze_id of profiles seeded by a batch that was cut short by a refused one."""
        users = self.port.braze.items("/_mock/users", "users")
        by_external_id = {u["external_id"]: u["braze_id"] for u in users if u.get("external_id")}
        for trace in traces:
            if trace.braze_id is None and trace.seed_error is None:
                trace.braze_id = by_external_id.get(trace.external_id)

    def _configure_and_send(self, traces: list[UserTrace], start: float) -> Sent:
        scenario, seen, braze = self.scenario, self.port.seen, self.port.braze
        given = scenario.transformation
        created = braze.call(
            "POST",
            "/_mock/transformations",
            body={
                "name": given["name"],
                "code": given["code"],
                "destination": given["destination"],
            },
        )
        braze.call("POST", f"/_mock/transformations/{created['id']}/activate")
        campaign = scenario.seen_campaign
        callback = campaign.get("callback_url")
        campaign["callback_url"] = (
            rehost(callback, BRAZE_HOST, braze.url) if callback else created["webhook_url"]
        )
        slug = campaign["slug"]
        known = {c["slug"] for c in seen.items("/_mock/campaigns", "campaigns")}
        if slug in known:
            changes = {k: v for k, v in campaign.items() if k != "slug"}
            seen.call("PATCH", f"/_mock/campaigns/{slug}", body=changes)
        else:
            seen.call("POST", "/_mock/campaigns", body=campaign)
        listed = braze.items("/_mock/content_blocks", "content_blocks")
        blocks = {block["name"] for block in listed}
        for name, content in scenario.content_blocks.items():
            if name in blocks:
                braze.call("PATCH", f"/_mock/content_blocks/{name}", body={"content": content})
            else:
                braze.call("POST", "/_mock/content_blocks", body={"name": name, "content": content})
        webhook = scenario.webhook
        made = braze.call(
            "POST",
            "/_mock/campaigns",
            body={
                **webhook,
                "url": rehost(webhook["url"], SEEN_HOST, seen.url),
                "audience": [t.external_id for t in traces if t.braze_id],
            },
        )
        dispatch = braze.call(
            "POST", f"/_mock/campaigns/{made['id']}/send", body=scenario.send or None
        )
        return Sent(
            campaign_id=made["id"],
            dispatch_id=dispatch["dispatch_id"],
            total=int(dispatch["message_count"]),
            start=start,
            liquid_warnings=list(made.get("liquid_warnings", [])),
        )
