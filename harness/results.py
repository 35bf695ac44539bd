"""What an end-to-end run found: per-hop figures, per-check totals and each finding explained."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["failure", "warning"]


@dataclass(frozen=True)
class Finding:
    """One thing that would break (failure) or is fragile (warning) in production.

    `hop` is the journal's hop name (`braze.webhook`, `seen.receivers`, `seen.callback`,
    `braze.transformation_webhook`, `braze.transformation`, `braze.transformation_delivery`,
    `braze.profile`); `user` the external id of the user concerned; `pointer` a JSON pointer
    into the message the finding is about; `hint` says how to fix it.
    """

    check: str
    severity: Severity
    message: str
    hop: str | None = None
    user: str | None = None
    pointer: str | None = None
    hint: str | None = None
    exchange_id: int | None = None
    service: str | None = None
    probe: str | None = None
    """The edge case this user was built to probe (e.g. "quote in first name"), if any."""

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


@dataclass
class HopStats:
    """The exchanges of one hop: how many, how they ended, and what they cost in wall time."""

    hop: str
    service: str
    direction: str
    exchanges: int = 0
    succeeded: int = 0
    failed: int = 0
    schema_failures: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckResult:
    """One check over the whole run: how many subjects (users, exchanges) passed and failed."""

    name: str
    description: str
    passed: int = 0
    failed: int = 0
    warned: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RunResult:
    scenario: str
    source: str
    mode: str
    """"in-process" or "http"."""
    seed: int
    users: int
    """Audience members sent, probe users included."""
    probe_users: int
    wall_seconds: float = 0.0
    virtual_seconds: float = 0.0
    """How much time the run covered on the mocks' clock."""
    hops: list[HopStats] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    peak_rss_bytes: int | None = None
    js_worker_peak_rss_bytes: int | None = None
    """The JavaScript worker process's peak resident set size, where the system tells it."""
    phases: dict[str, float] = field(default_factory=dict)
    """Wall seconds of each phase of the run (audience, seeding, campaign, checks)."""

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "failure"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def passed(self, *, strict: bool = False) -> bool:
        """Every check passed; with `strict`, no warnings either."""
        return not self.failures and not (strict and self.warnings)

    def exit_code(self, *, strict: bool = False) -> int:
        return 0 if self.passed(strict=strict) else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "source": self.source,
            "mode": self.mode,
            "seed": self.seed,
            "users": self.users,
            "probe_users": self.probe_users,
            "wall_seconds": self.wall_seconds,
            "virtual_seconds": self.virtual_seconds,
            "peak_rss_bytes": self.peak_rss_bytes,
            "js_worker_peak_rss_bytes": self.js_worker_peak_rss_bytes,
            "phases": dict(self.phases),
            "passed": self.passed(),
            "failures": len(self.failures),
            "warnings": len(self.warnings),
            "hops": [hop.to_dict() for hop in self.hops],
            "checks": [check.to_dict() for check in self.checks],
            "findings": [finding.to_dict() for finding in self.findings],
        }
