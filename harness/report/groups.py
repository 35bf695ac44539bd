"""Findings grouped by root cause, and hops in flow order: what every report shows alike.

A run of 10,000 users can yield thousands of identical findings, so every report groups them:
findings with the same check, hop, JSON pointer and hint form one group, shown once with a
count and a few examples.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from seen_braze_harness.harness.hops import FLOW
from seen_braze_harness.harness.results import Finding, HopStats

FLOW_ORDER = tuple(hop.name for hop in FLOW)
"""Hops in the order a user's data flows through them; other hops follow in run order."""


@dataclass
class FindingGroup:
    """Findings that share check, hop, pointer and hint: one root cause, many users."""

    check: str
    hop: str | None
    pointer: str | None
    hint: str | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def message(self) -> str:
        """The first finding's message (examples show the others where they differ)."""
        return self.findings[0].message

    @property
    def probes(self) -> list[str]:
        """The distinct edge-case probe labels of the group, in order of appearance."""
        return list(dict.fromkeys(f.probe for f in self.findings if f.probe))

    @property
    def users(self) -> int:
        return len({f.user for f in self.findings if f.user is not None})


def group_findings(findings: Iterable[Finding]) -> list[FindingGroup]:
    """Group by (check, hop, pointer, hint); largest group first, ties in order of appearance."""
    groups: dict[tuple[str, str | None, str | None, str | None], FindingGroup] = {}
    for finding in findings:
        key = (finding.check, finding.hop, finding.pointer, finding.hint)
        group = groups.get(key)
        if group is None:
            group = groups[key] = FindingGroup(*key)
        group.findings.append(finding)
    return sorted(groups.values(), key=lambda g: -g.count)


def ordered_hops(hops: list[HopStats]) -> list[HopStats]:
    rank = {hop: index for index, hop in enumerate(FLOW_ORDER)}
    return sorted(hops, key=lambda h: rank.get(h.hop, len(FLOW_ORDER)))
