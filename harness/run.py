"""The end-to-end run: the scenario's audience through Braze, SEEN, the transformation and back.

In-process, both mocks share one virtual clock: the campaign's hours of sending, SEEN's render
delay and every retry take as long as the work itself. Afterwards each user's chain is traced
from the mocks' own records and checked (`harness.checks`).
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from seen_braze_harness.harness import checks
from seen_braze_harness.harness.audience import Member, build_audience
from seen_braze_harness.harness.checks import (
    Attempt,
    Context,
    ReceiverTrace,
    RunTrace,
    Tally,
    UserTrace,
)
from seen_braze_harness.harness.network import BRAZE_HOST
from seen_braze_harness.harness.render import explain_json_break
from seen_braze_harness.harness.report import FLOW_ORDER
from seen_braze_harness.harness.results import Finding, HopStats, RunResult
from seen_braze_harness.harness.scenario import Scenario, ScenarioError
from seen_braze_harness.harness.world import World
from seen_braze_harness.mocks.braze import hops as braze_hops
from seen_braze_harness.mocks.core.journal import SchemaVerdict
from seen_braze_harness.mocks.seen import hops as seen_hops
from seen_braze_harness.mocks.seen.settings import SeenSettings
from seen_braze_harness.schemas import SchemaIssue

MAX_VIRTUAL_SECONDS = 80 * 24 * 3600.0
"""A run that still has work after this much virtual time is stuck (72 h abort + retries fit)."""

ProgressCallback = Callable[[int, int], None]


class JournaledExchange(Protocol):
    """What the schema checks and hop stats read of a journaled exchange: a mock's own
    `Exchange`, or one rebuilt from `/_mock/journal`."""

    @property
    def id(self) -> int: ...
    @property
    def service(self) -> str: ...
    @property
    def hop(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def status(self) -> int | None: ...
    @property
    def duration(self) -> float | None: ...
    @property
    def schemas(self) -> object | None:
        """None when the hop has no schemas."""

    @property
    def request_json(self) -> Any: ...
    @property
    def valid(self) -> bool: ...
    def verdict(self) -> Mapping[str, SchemaVerdict | None]: ...


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
    with _fewer_collections():
        return _run(scenario, options)


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


def _run(scenario: Scenario, options: RunOptions | None) -> RunResult:
    options = options or RunOptions()
    started = time.perf_counter()
    phases: dict[str, float] = {}
    mark = started

    def phase(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        phases[name] = now - mark
        mark = now

    spec = scenario.audience
    members = build_audience(spec, users=options.users, seed=options.seed)
    phase("audience")
    seed = spec.seed if options.seed is None else options.seed
    webhook = scenario.webhook
    transformation = scenario.transformation
    result = RunResult(
        scenario=scenario.name,
        source=scenario.source,
        mode="in-process",
        seed=seed,
        users=len(members),
        probe_users=sum(1 for m in members if m.probe),
    )
    tally = Tally()
    with World(scenario, capacity=len(members), transport=options.transport) as world:
        try:
            world.add_faults(scenario.faults)
        except ValueError as exc:
            raise ScenarioError(f"{scenario.source}: {exc}") from None
        traces = _seed_audience(world, members)
        phase("seeding")
        start = world.scheduler.clock.now()
        created = world.braze.transformations.create(
            {
                "name": transformation["name"],
                "code": transformation["code"],
                "destination": transformation["destination"],
            }
        )
        world.braze.transformations.update(created.id, {"active": True})
        slug = scenario.seen_campaign["slug"]
        callback_url = scenario.seen_campaign.get("callback_url") or (
            f"https://{BRAZE_HOST}{created.webhook_path}"
        )
        world.seen.update_campaign(slug, {"callback_url": callback_url})
        with world.network():
            campaign = world.braze.campaigns.create(
                {**webhook, "audience": [t.external_id for t in traces if t.braze_id]}
            )
            liquid_warnings = campaign.spec.liquid_warnings
            dispatch = world.braze.campaigns.send(campaign.id, properties=scenario.send)
            _run_until_idle(world, dispatch.messages, options.progress)
        result.virtual_seconds = world.scheduler.clock.now() - start
        phase("campaign")
        _trace(world, traces, dispatch.messages)
        ctx = check_context(scenario, world.seen.settings)
        checks.rate_preflight(ctx, tally)
        checks.liquid_preflight(liquid_warnings, tally)
        for trace in traces:
            checks.check_user(trace, ctx, tally)
        phase("chain checks")
        by_braze_id = {t.braze_id: t for t in traces if t.braze_id}
        exchanges = [
            *world.braze.runtime.journal.query(),
            *world.seen.runtime.journal.query(),
        ]
        check_schemas(exchanges, by_braze_id, tally)
        result.hops = hop_stats(
            exchanges,
            (
                (
                    entry.error_kind is None and entry.skipped is None,
                    0.0 if entry.result is None else entry.result.duration,
                )
                for entry in world.braze.transformations.logs
            ),
        )
        _check_health(world, tally)
        result.js_worker_peak_rss_bytes = _worker_peak_rss(world)
        phase("schema checks")
    result.checks = list(tally.checks.values())
    result.findings = tally.findings
    result.wall_seconds = time.perf_counter() - started
    result.phases = phases
    result.peak_rss_bytes = peak_rss_bytes()
    return result


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


def _seed_audience(world: World, members: list[Member]) -> list[UserTrace]:
    traces = []
    for member in members:
        profile = member.profile
        trace = UserTrace(
            external_id=str(profile.get("external_id", "")), profile=profile, probe=member.probe
        )
        try:
            trace.braze_id = world.braze.profiles.seed(profile).braze_id
        except ValueError as exc:
            trace.seed_error = str(exc)
        traces.append(trace)
    return traces


def _run_until_idle(world: World, messages: list[Any], progress: ProgressCallback | None) -> None:
    """Run the clock until no work is left, reporting settled messages along the way."""
    scheduler = world.scheduler
    total = len(messages)
    limit = scheduler.clock.now() + MAX_VIRTUAL_SECONDS
    chunk = 600.0
    while (due := scheduler.next_due()) is not None and due <= limit:
        # At least up to the next task (a long Retry-After leaves nothing due for a while),
        # never past the limit: what is due after it is reported as pending.
        now = scheduler.clock.now()
        scheduler.run_until_idle(max_seconds=min(limit - now, max(chunk, due - now)))
        world.forget_calls()
        if progress is not None:
            progress(_settled(messages), total)
    if progress is not None:
        progress(_settled(messages), total)


def _settled(messages: list[Any]) -> int:
    return sum(1 for m in messages if m.state not in ("scheduled", "sending"))


def _attempts(delivery: Any) -> list[Attempt]:
    if delivery is None:
        return []
    return [
        Attempt(a.status, a.body, a.error, a.exchange_id, a.time, a.headers)
        for a in delivery.attempts
    ]


def _trace(world: World, traces: list[UserTrace], messages: list[Any]) -> None:
    """Fill each user's trace from the mocks' records: message → receivers → callback → runs."""
    by_external_id = {t.external_id: t for t in traces}
    runs_by_payload: dict[str, list[Any]] = defaultdict(list)
    for entry in world.braze.transformations.logs:
        runs_by_payload[payload_key(entry.payload)].append(entry)
    receivers = world.seen.receivers
    answered = _seen_answers(world)
    sent = {e.id: e for e in world.braze.runtime.journal.query(hop=braze_hops.WEBHOOK.name)}
    for message in messages:
        trace = by_external_id.get(message.external_id)
        if trace is None:
            continue
        trace.message_state = message.state
        trace.message_error = message.error
        trace.rendered_body = None if message.request is None else message.request.body
        trace.attempts = _attempts(message.delivery)
        for attempt in trace.attempts:
            # What SEEN answered, even when the answer never reached Braze (a timeout): a
            # receiver created by an attempt Braze then retried is a duplicate to report.
            exchange = sent.get(attempt.exchange_id)
            key = None if exchange is None else (exchange.time, exchange.request_body.raw)
            created = answered.get(key) if key is not None else None
            if created is None and attempt.status and 200 <= attempt.status < 300:
                created = attempt.json()
            for echo in created if isinstance(created, list) else []:
                ident = echo.get("id") if isinstance(echo, dict) else None
                receiver = receivers.get(ident) if isinstance(ident, int) else None
                if receiver is not None:
                    trace.receivers.append(_receiver_trace(receiver, runs_by_payload))
    for trace in traces:
        if trace.braze_id is not None:
            stored = world.braze.profiles.get(trace.braze_id)
            if stored is not None:
                with stored.lock:  # the attributes as kept; the links are plain strings
                    trace.stored_profile = {**stored.standard, **stored.custom}


def _seen_answers(world: World) -> dict[tuple[float, bytes], Any]:
    """SEEN's 2xx answers to the receivers API by (time, request body): the key the same
    request has in Braze's journal, which records it as sent."""
    answers: dict[tuple[float, bytes], Any] = {}
    for exchange in world.seen.runtime.journal.query(hop=seen_hops.RECEIVERS.name):
        if exchange.status is not None and 200 <= exchange.status < 300:
            answers[(exchange.time, exchange.request_body.raw)] = exchange.response_json
    return answers


def _receiver_trace(receiver: Any, runs_by_payload: Mapping[str, list[Any]]) -> ReceiverTrace:
    delivery = receiver.callback
    runs = runs_by_payload.get(payload_key(receiver.callback_payload), [])
    return ReceiverTrace(
        id=receiver.id,
        state=receiver.state,
        links=None if receiver.links is None else receiver.links.to_dict(),
        callback_url=None if delivery is None else delivery.request.url,
        callback_state=None if delivery is None else delivery.state,
        callback_attempts=_attempts(delivery),
        runs=[_run_trace(entry) for entry in runs],
    )


def _run_trace(entry: Any) -> RunTrace:
    result = entry.result
    delivery = entry.delivery
    return RunTrace(
        error_kind=entry.error_kind,
        error=entry.error,
        line=None if result is None else result.line,
        column=None if result is None else result.column,
        output=None if result is None else result.output,
        skipped=entry.skipped,
        delivery_status=None if delivery is None else delivery.status,
        delivery_body=None if delivery is None else delivery.body,
    )


def payload_key(payload: Any) -> str:
    """A callback payload as a key: the transformation run that got it carries the same."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def _user_of(exchange: JournaledExchange, by_braze_id: Mapping[str, UserTrace]) -> UserTrace | None:
    """The user an exchange is about, from the identifiers its request carries."""
    body = exchange.request_json
    candidates: Iterable[Any] = ()
    if isinstance(body, list) and body and isinstance(body[0], dict):
        candidates = (body[0].get("customer_id"),)
    elif isinstance(body, dict):
        attributes = body.get("attributes")
        first = attributes[0] if isinstance(attributes, list) and attributes else {}
        candidates = (
            body.get("customer_id"),
            first.get("braze_id") if isinstance(first, dict) else None,
        )
    for candidate in candidates:
        if isinstance(candidate, str) and candidate in by_braze_id:
            return by_braze_id[candidate]
    return None


def off_schema(exchange: JournaledExchange) -> list[tuple[str, str, SchemaIssue]]:
    """(part, schema, issue) for each way an exchange breaks its hop's schemas.

    A refused request is already explained by the chain checks; its request is judged only
    when the service took it (an off-schema message that got through is the silent kind).
    """
    if exchange.schemas is None:
        return []
    verdict = exchange.verdict()
    found: list[tuple[str, str, SchemaIssue]] = []
    request = verdict["request"]
    accepted = exchange.status is not None and 200 <= exchange.status < 300
    if request is not None and not request.valid and accepted:
        found.extend(("request", request.schema, issue) for issue in request.errors)
    response = verdict["response"]
    if response is not None and not response.valid:
        found.extend(("response", response.schema, issue) for issue in response.errors)
    return found


def check_schemas(
    exchanges: Iterable[JournaledExchange], by_braze_id: Mapping[str, UserTrace], tally: Tally
) -> None:
    """Every exchange's request and response against its hop's schemas (see `off_schema`)."""
    for exchange in exchanges:
        if exchange.schemas is None:
            continue
        issues = off_schema(exchange)
        if not issues:
            tally.passed("schemas")
            continue
        user = _user_of(exchange, by_braze_id)
        for part, schema, issue in issues[:5]:
            tally.found(
                Finding(
                    check="schemas",
                    severity="warning" if user is not None and user.probe else "failure",
                    message=f"the {part} breaks {schema}: {issue.message}",
                    hop=exchange.hop,
                    user=None if user is None else user.external_id,
                    pointer=issue.pointer or "/",
                    hint=f"JSON Schema rule `{issue.rule}` (schemas/{schema}.json)",
                    exchange_id=exchange.id,
                    service=exchange.service,
                    probe=None if user is None else user.probe,
                )
            )


def hop_stats(
    exchanges: Iterable[JournaledExchange], runs: Iterable[tuple[bool, float]]
) -> list[HopStats]:
    """Per-hop counts and time; `runs` are the transformation's runs as (succeeded, seconds)."""
    stats: dict[tuple[str, str], HopStats] = {}
    for exchange in exchanges:
        key = (exchange.service, exchange.hop)
        hop = stats.get(key)
        if hop is None:
            hop = stats[key] = HopStats(exchange.hop, exchange.service, exchange.direction)
        hop.exchanges += 1
        if exchange.status is not None and 200 <= exchange.status < 300:
            hop.succeeded += 1
        else:
            hop.failed += 1
        if off_schema(exchange):
            hop.schema_failures += 1
        hop.seconds += exchange.duration or 0.0
    ran = HopStats(braze_hops.TRANSFORMATION.name, "braze", "internal")
    for succeeded, seconds in runs:
        ran.exchanges += 1
        if succeeded:
            ran.succeeded += 1
        else:
            ran.failed += 1
        ran.seconds += seconds
    if ran.exchanges:
        stats[("braze", ran.hop)] = ran
    order = {hop: index for index, hop in enumerate(FLOW_ORDER)}
    return sorted(stats.values(), key=lambda h: (order.get(h.hop, len(order)), h.hop))


def _check_health(world: World, tally: Tally) -> None:
    problems = list(world.scheduler.errors)
    for name, exc in problems:
        tally.found(
            Finding(
                check="mocks.healthy",
                severity="failure",
                message=f"task {name!r} failed inside the mock: {type(exc).__name__}: {exc}",
                hint="an emulator fault, not yours: please report it with the scenario",
            )
        )
    pending = world.scheduler.next_due()
    if pending is not None:
        tally.found(
            Finding(
                check="mocks.healthy",
                severity="failure",
                message="work was still pending when the run stopped, "
                f"{MAX_VIRTUAL_SECONDS / 86400:g} days of virtual time after it began (next task "
                f"due {(pending - world.scheduler.clock.now()) / 86400:,.1f} days later)",
                hint="a retry loop that never ends: check the faults of the scenario",
            )
        )
    for index, rule in enumerate(world.faults):
        if rule.fired == 0:
            tally.found(
                Finding(
                    check="mocks.healthy",
                    severity="warning",
                    message=f"fault rule {index} on {rule.hop} never fired: the run did not "
                    "test what the scenario meant it to",
                    hint="check the rule's hop, probability and times against the run",
                )
            )
    if not problems and pending is None:
        tally.passed("mocks.healthy")


def _worker_peak_rss(world: World) -> int | None:
    """The JavaScript worker's peak RSS (Linux's VmHWM), before the worker is closed."""
    try:
        pids = [worker["pid"] for worker in world.braze.js().stats()]
        peaks = []
        for pid in pids:
            status = Path(f"/proc/{pid}/status").read_text("utf-8")
            peaks.append(int(status.split("VmHWM:")[1].split()[0]) * 1024)
    except (OSError, IndexError, KeyError, ValueError, RuntimeError):
        return None
    return max(peaks, default=None)


def peak_rss_bytes() -> int:
    """This process's peak resident set size."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024
