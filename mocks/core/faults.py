"""Fault rules: make a hop answer a status, answer late, or drop the connection, on purpose.

A rule acts before the exchange by default: the request is not processed (an inbound mock does
not apply it; an outbound call is not sent). With `processed` it acts after: the request is
processed in full (the receiver created, the profile written, the callback delivered) and then
its answer is lost (`drop`), held (`delay`) or replaced (`status`). That is the failure behind
duplicate deliveries in production: the sender saw no success and retried work that was done.
"""

from __future__ import annotations

import copy
import fnmatch
import math
import random
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from seen_braze_harness.mocks.core.jsonbody import NOT_BLANK

HOP_PATTERN = NOT_BLANK
"""A fault rule's hop holds something besides white space (searched, as JSON Schema does)."""

_FIELDS = {
    "hop",
    "status",
    "body",
    "headers",
    "delay",
    "drop",
    "processed",
    "probability",
    "times",
}


class FaultRuleError(ValueError):
    """A fault rule that cannot be used; the message names the key and the problem."""


@dataclass
class FaultRule:
    """What to do to exchanges on matching hops.

    `hop` is a hop name or a glob (`seen.*`). A rule fires with `probability` (drawn from the
    fault set's seeded generator) and at most `times` times when that is set. `processed`
    makes it act once the request has been processed, on the answer only.
    """

    hop: str
    status: int | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    processed: bool = False
    probability: float = 1.0
    times: int | None = None
    id: int = 0
    fired: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.hop, str) or not re.search(HOP_PATTERN, self.hop):
            raise FaultRuleError("hop: must be a non-empty hop name or glob, e.g. 'seen.callback'")
        if self.status is not None and (
            isinstance(self.status, bool)
            or not isinstance(self.status, int)
            or not 100 <= self.status <= 599
        ):
            raise FaultRuleError(
                f"status: must be an HTTP status from 100 to 599, not {self.status!r}"
            )
        if (
            isinstance(self.delay, bool)
            or not isinstance(self.delay, int | float)
            or not math.isfinite(self.delay)
            or not 0 <= self.delay <= 3600
        ):
            raise FaultRuleError(f"delay: must be seconds from 0 to 3600, not {self.delay!r}")
        if not isinstance(self.drop, bool):
            raise FaultRuleError(f"drop: must be true or false, not {self.drop!r}")
        if not isinstance(self.processed, bool):
            raise FaultRuleError(f"processed: must be true or false, not {self.processed!r}")
        if (
            isinstance(self.probability, bool)
            or not isinstance(self.probability, int | float)
            or not 0 <= self.probability <= 1
        ):
            raise FaultRuleError(
                f"probability: must be a number from 0 to 1, not {self.probability!r}"
            )
        if self.times is not None and (
            isinstance(self.times, bool) or not isinstance(self.times, int) or self.times < 1
        ):
            raise FaultRuleError(f"times: must be a whole number of at least 1, not {self.times!r}")
        if not isinstance(self.headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.headers.items()
        ):
            raise FaultRuleError("headers: must be an object of string names to string values")
        if self.status is None and not self.drop and not self.delay:
            raise FaultRuleError("a fault needs at least one of: status, delay, drop")
        if self.drop and self.status is not None:
            raise FaultRuleError(
                "status and drop exclude each other: a dropped connection has no status"
            )

    @classmethod
    def from_dict(cls, data: Any) -> FaultRule:
        if not isinstance(data, Mapping):
            raise FaultRuleError("a fault rule must be a JSON object")
        unknown = sorted(set(data) - _FIELDS)
        if unknown:
            raise FaultRuleError(
                f"unknown key(s): {', '.join(unknown)}; allowed: {', '.join(sorted(_FIELDS))}"
            )
        if "hop" not in data:
            raise FaultRuleError("hop: required")
        given = {k: data[k] for k in _FIELDS if k in data}
        for key in ("status", "times"):  # JSON's integers include 503.0, as JSON Schema's do
            value = given.get(key)
            if isinstance(value, float) and value.is_integer():
                given[key] = int(value)
        return cls(**given)

    def matches(self, hop: str) -> bool:
        return self.hop == hop or fnmatch.fnmatchcase(hop, self.hop)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.fired >= self.times

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "hop": self.hop,
            "status": self.status,
            "body": self.body,
            "headers": self.headers,
            "delay": self.delay,
            "drop": self.drop,
            "processed": self.processed,
            "probability": self.probability,
            "times": self.times,
            "fired": self.fired,
        }


class FaultSet:
    """The active fault rules of one mock, drawn against one seeded generator."""

    def __init__(self, rules: Iterable[FaultRule | Mapping[str, Any]] = (), seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._rng = random.Random(seed)
        self._rules: list[FaultRule] = []
        self._next_id = 1
        for rule in rules:
            self.add(rule)

    def add(self, rule: FaultRule | Mapping[str, Any]) -> FaultRule:
        made = rule if isinstance(rule, FaultRule) else FaultRule.from_dict(rule)
        made = FaultRule(**copy.deepcopy({**made.to_dict(), "id": 0, "fired": 0}))
        with self._lock:
            made.id = self._next_id
            self._next_id += 1
            self._rules.append(made)
        return made

    def remove(self, rule_id: int) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) < before

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._rng = random.Random(self._seed)

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def draw(self, hop: str) -> FaultRule | None:
        """The first rule for `hop` that fires this time, counting its firing; else None."""
        with self._lock:
            for rule in self._rules:
                if rule.exhausted or not rule.matches(hop):
                    continue
                if rule.probability >= 1 or self._rng.random() < rule.probability:
                    rule.fired += 1
                    return rule
            return None
