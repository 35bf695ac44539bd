"""What the checks read and what they write: the traces a run left of each user, what the
checks know of the integration under test (`Context`), and the per-check counts (`Tally`)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from seen_braze_harness.harness.results import CheckResult, Finding

CHECKS: tuple[tuple[str, str], ...] = (
    ("audience", "every audience profile is accepted into Braze"),
    ("webhook.rendered", "Braze renders the webhook template for each user"),
    ("webhook.delivered", "Braze's webhook reaches SEEN and SEEN accepts it"),
    (
        "seen.rate_limit",
        "the campaign stays within SEEN's rate limit, or 429s are retried to success",
    ),
    ("receiver.unique", "each user gets exactly one SEEN receiver"),
    ("callback.delivered", "SEEN's callback for each receiver is delivered exactly once"),
    ("transformation.ran", "the Data Transformation runs once per callback, without error"),
    ("track.accepted", "/users/track accepts the transformation's output"),
    ("profile.links", "each profile carries exactly the links SEEN generated"),
    ("schemas", "every exchange matches its JSON Schema"),
    ("mocks.healthy", "the mocks finished every task without an internal error"),
)


@dataclass
class Attempt:
    """One try of an outbound call as the sender recorded it."""

    status: int | None
    body: bytes
    error: str | None
    exchange_id: int
    time: float
    headers: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        return f"HTTP {self.status}" if self.status is not None else str(self.error)

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class UserTrace:
    """Everything the run left behind for one audience member, in chain order."""

    external_id: str
    profile: Mapping[str, Any]
    """The member's profile as the audience defined it (flat /users/track attribute form)."""
    probe: str | None = None
    braze_id: str | None = None
    seed_error: str | None = None
    message_state: str | None = None
    message_error: str | None = None
    rendered_body: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    receivers: list[ReceiverTrace] = field(default_factory=list)
    stored_profile: Mapping[str, Any] | None = None
    """The profile as Braze holds it after the run (custom attributes flattened in)."""


@dataclass
class RunTrace:
    """What one transformation run did with one callback."""

    error_kind: str | None
    error: str | None
    line: int | None
    column: int | None
    output: Any
    skipped: str | None
    delivery_status: int | None
    delivery_body: Any


@dataclass
class ReceiverTrace:
    id: int
    state: str
    links: Mapping[str, str] | None
    callback_url: str | None
    callback_state: str | None
    callback_attempts: list[Attempt] = field(default_factory=list)
    runs: list[RunTrace] = field(default_factory=list)


@dataclass
class Context:
    """What the checks need to know about the integration under test."""

    webhook_template: str
    webhook_url: str
    rate_per_minute: int
    seen_rate_limit: int
    seen_rate_window: float
    seen_token: str
    explain_json: Callable[[str, Mapping[str, Any], str], Any] | None = None


class Tally:
    """Per-check counts and the findings, in the order they were found."""

    def __init__(self) -> None:
        self.checks = {name: CheckResult(name, description) for name, description in CHECKS}
        self.findings: list[Finding] = []

    def passed(self, check: str, count: int = 1) -> None:
        self.checks[check].passed += count

    def found(self, finding: Finding) -> None:
        result = self.checks[finding.check]
        if finding.severity == "failure":
            result.failed += 1
        else:
            result.warned += 1
        self.findings.append(finding)
