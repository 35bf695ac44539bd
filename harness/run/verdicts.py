"""The run-wide checks on the records: every exchange against its hop's schemas, per-hop
statistics, and whether the mocks themselves stayed healthy and kept everything."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from seen_braze_harness.harness.checks import Tally, UserTrace
from seen_braze_harness.harness.report import FLOW_ORDER
from seen_braze_harness.harness.results import Finding, HopStats
from seen_braze_harness.harness.run.records import JournaledExchange, Records
from seen_braze_harness.mocks.braze import hops as braze_hops
from seen_braze_harness.schemas import SchemaIssue

MAX_VIRTUAL_SECONDS = 80 * 24 * 3600.0
"""A run that still has work after this much virtual time is stuck (72 h abort + retries fit)."""
SERVICES = {"seen": "SEEN", "braze": "Braze"}


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


@dataclass
class Health:
    """How the mocks fared, apart from the integration: what the port saw while waiting."""

    task_errors: list[str] = field(default_factory=list)
    """Work that failed inside a mock, described."""
    pending_in: float | None = None
    """Seconds until the next task when the run stopped with work left (virtual clocks)."""
    timed_out: float | None = None
    """The wall seconds after which the run stopped waiting, when it did."""
    unfired: list[tuple[int, str]] = field(default_factory=list)
    """The scenario's fault rules that never fired: (index, hop)."""


def check_health(health: Health, records: Records, tally: Tally) -> None:
    """A failure for work that failed or never finished, or records a mock did not keep; a
    warning for a fault rule that never fired."""
    problems = len(health.task_errors)
    for text in health.task_errors:
        tally.found(
            Finding(
                check="mocks.healthy",
                severity="failure",
                message=f"task {text}",
                hint="an emulator fault, not yours: please report it with the scenario",
            )
        )
    for message, setting, service in _losses(records):
        problems += 1
        tally.found(_cap_finding(message, setting, service))
    if health.timed_out is not None:
        problems += 1
        tally.found(
            Finding(
                check="mocks.healthy",
                severity="failure",
                message=f"the run stopped waiting after {health.timed_out:g} s with "
                "work still in progress",
                hint=TIMEOUT_HINT,
            )
        )
    elif health.pending_in is not None:
        problems += 1
        tally.found(
            Finding(
                check="mocks.healthy",
                severity="failure",
                message="work was still pending when the run stopped, "
                f"{MAX_VIRTUAL_SECONDS / 86400:g} days of virtual time after it began (next task "
                f"due {health.pending_in / 86400:,.1f} days later)",
                hint=STUCK_HINT,
            )
        )
    for index, hop in health.unfired:
        tally.found(
            Finding(
                check="mocks.healthy",
                severity="warning",
                message=f"fault rule {index} on {hop} never fired: the run did not "
                "test what the scenario meant it to",
                hint="check the rule's hop, probability and times against the run",
            )
        )
    if not problems:
        tally.passed("mocks.healthy")


STUCK_HINT = "a retry loop that never ends: check the faults of the scenario"
TIMEOUT_HINT = (
    "raise --timeout, or serve both mocks with virtual clocks "
    '(clock = "virtual" in [seen.settings] and [braze.settings]) so the run need not wait'
)


def _losses(records: Records) -> list[tuple[str, str, str]]:
    """(message, setting, service) for each kind of record a mock did not keep all of."""
    losses = [
        (
            f"the {SERVICES[service]} mock's journal kept {records.journal_kept.get(service, 0):,} "
            f"exchanges and dropped {evicted:,}: their schemas went unchecked",
            "journal_cap",
            service,
        )
        for service, evicted in records.journal_evicted.items()
        if evicted
    ]
    for evicted, message, setting, service in (
        (
            records.receivers_evicted,
            f"the SEEN mock kept {len(records.receivers):,} receivers and dropped",
            "receivers_cap",
            "seen",
        ),
        (
            records.profiles_evicted,
            f"the Braze mock kept {len(records.profiles):,} profiles and forgot",
            "profiles_cap",
            "braze",
        ),
        (
            records.logs_evicted,
            f"the Braze mock's transformation log kept {len(records.logs):,} runs and dropped",
            "transformation_log_cap",
            "braze",
        ),
    ):
        if evicted:
            losses.append((f"{message} {evicted:,}", setting, service))
    return losses


def _cap_finding(message: str, setting: str, service: str) -> Finding:
    return Finding(
        check="mocks.healthy",
        severity="failure",
        message=f"{message}; the run is bigger than the server keeps",
        service=service,
        hint=f"raise {setting} in the scenario's [{service}.settings] and restart "
        "`seen-braze serve` with it",
    )
