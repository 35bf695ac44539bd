"""Readable assertions, in-process or over HTTP: an expected call that the journal lacks is
explained by the exchanges closest to it, an instance that fails its schema issue by issue."""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from seen_braze_harness import schemas
from seen_braze_harness.harness.hops import JOURNALED
from seen_braze_harness.mocks.core.journal import Exchange, StatusFilter, status_matches

KNOWN_HOPS = JOURNALED
"""The hop names the mocks journal (besides `<service>.unmatched` for unknown paths)."""


@dataclass(frozen=True)
class CallView:
    """One journaled exchange as an assertion failure shows it (in-process or over HTTP)."""

    service: str
    hop: str
    method: str
    url: str
    status: int | None
    time: float
    error: str | None = None

    @classmethod
    def of(cls, exchange: Exchange) -> CallView:
        return cls(
            exchange.service,
            exchange.hop,
            exchange.method,
            exchange.url,
            exchange.status,
            exchange.time,
            exchange.error,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CallView:
        """From the admin API's JSON form of an exchange (`GET /_mock/journal`)."""
        answer = data.get("response") or {}
        return cls(
            data["service"],
            data["hop"],
            data["request"]["method"],
            data["request"]["url"],
            answer.get("status"),
            data["time"],
            data.get("error"),
        )

    def describe(self, origin: float) -> str:
        outcome = str(self.status) if self.status is not None else f"no answer ({self.error})"
        return (
            f"[{self.service}] {self.hop} {self.method} {self.url} -> {outcome} "
            f"(t+{self.time - origin:g}s)"
        )


def hop_matches(hop: str, wanted: str) -> bool:
    return hop == wanted or fnmatch.fnmatchcase(hop, wanted)


def explain_calls(
    hop: str,
    calls: Sequence[CallView],
    *,
    times: int | None = None,
    status: StatusFilter = None,
    origin: float | None = None,
    shown: int = 5,
) -> str | None:
    """None when `calls` hold what is expected; otherwise a message listing the closest
    exchanges: the same hop with other statuses, similar hop names, and the last few."""
    matched = [c for c in calls if hop_matches(c.hop, hop) and status_matches(c.status, status)]
    if (times is None and matched) or len(matched) == times:
        return None
    start = origin if origin is not None else (calls[0].time if calls else 0.0)
    wanted = f"hop {hop!r}" + ("" if status is None else f" with status {status}")
    expected = "at least one call" if times is None else f"{times} call(s)"
    lines = [f"expected {expected} to {wanted}, found {len(matched)}"]
    if matched and times is not None:
        lines.append("  matching exchanges:")
        lines.extend(f"    {c.describe(start)}" for c in matched[-shown:])
    same_hop = [c for c in calls if hop_matches(c.hop, hop) and c not in matched]
    if same_hop:
        lines.append("  same hop, other statuses:")
        lines.extend(f"    {c.describe(start)}" for c in same_hop[-shown:])
    recorded = sorted({c.hop for c in calls})
    names = sorted(set(recorded) | set(KNOWN_HOPS))
    glob = any(ch in hop for ch in "*?[")
    close = [] if glob else difflib.get_close_matches(hop, names, n=3, cutoff=0.6)
    close = [n for n in close if n != hop]
    if close:
        lines.append("  similar hop names:")
        for name in close:
            count = sum(1 for c in calls if c.hop == name)
            statuses = sorted({str(c.status) for c in calls if c.hop == name})
            seen_as = f"{count} exchange(s), status {', '.join(statuses)}" if count else "none"
            lines.append(f"    {name}: {seen_as}")
    if calls:
        lines.append(f"  last {min(shown, len(calls))} of {len(calls)} exchange(s):")
        lines.extend(f"    {c.describe(start)}" for c in calls[-shown:])
    else:
        lines.append(
            "  no exchanges were recorded: did the code under test run while the mocks were "
            "active, and was the clock advanced past the render delay?"
        )
    lines.append(f"  hops recorded: {', '.join(recorded) or 'none'}")
    return "\n".join(lines)


def schema_failure(name: str, instance: Any) -> str | None:
    """None when `instance` matches schema `name`; otherwise each issue's pointer, message
    and rule, one a line."""
    issues = schemas.check(name, instance)
    if not issues:
        return None
    lines = [f"does not match schema {name!r} ({len(issues)} issue(s)):"]
    lines.extend(
        f"  {issue.pointer or '/'}: {issue.message} (rule: {issue.rule})" for issue in issues
    )
    return "\n".join(lines)
