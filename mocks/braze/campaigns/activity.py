"""The Message Activity Log: failures, aborts and render errors, kept for a retention period
and capped per campaign, error type and clock hour; its error types, and the `since` its
listing takes."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from seen_braze_harness.mocks.braze.dates import format_instant

SINCE_PATTERN = (
    r"-?[0-9]{1,15}(\.[0-9]{1,9})?"
    r"|[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?"
)
"""The activity log's `since`: clock seconds, or an ISO 8601 date or time (UTC when it names no
offset). Checked with `fullmatch`; the OpenAPI document anchors it. A date the pattern lets
through but the calendar has not (30 February, year 0) is refused too."""
LIQUID_ERROR = "Liquid error"
ABORTED = "Aborted message"
INVALID_WEBHOOK = "Invalid webhook"


class ActivityLog:
    """Failures, aborts and render errors, kept `retention` seconds; at most `per_hour`
    entries of one error type per campaign per clock hour (the rest are only counted)."""

    def __init__(self, *, retention: float, per_hour: int, body_cap: int) -> None:
        self.retention = retention
        self.per_hour = per_hour
        self.body_cap = body_cap
        self._lock = threading.Lock()
        self._entries: deque[tuple[int, dict[str, Any]]] = deque()
        """Each entry with its number, counted from 1 since the last clear (for listing)."""
        self._numbered = 0
        self._kept: dict[tuple[str, str, int], int] = {}
        self._suppressed: dict[tuple[str, str, int], int] = {}

    def add(self, entry: dict[str, Any], now: float) -> bool:
        """Keep `entry` (its `clock` is its time) unless its hour's cap is reached."""
        body = entry.get("response_body")
        if isinstance(body, str) and len(body) > self.body_cap:
            entry["response_body"] = body[: self.body_cap]
            entry["response_body_truncated"] = True
        key = (entry["campaign_id"], entry["error_type"], int(entry["clock"] // 3600))
        with self._lock:
            self._prune(now)
            if self._kept.get(key, 0) >= self.per_hour:
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return False
            self._kept[key] = self._kept.get(key, 0) + 1
            self._numbered += 1
            self._entries.append((self._numbered, entry))
            return True

    def entries(
        self, now: float, *, campaign_id: str | None = None, since: float | None = None
    ) -> list[dict[str, Any]]:
        return [
            entry for _number, entry in self.numbered(now, campaign_id=campaign_id, since=since)
        ]

    def numbered(
        self, now: float, *, campaign_id: str | None = None, since: float | None = None
    ) -> list[tuple[int, dict[str, Any]]]:
        """The entries still retained, oldest first, each with its number."""
        with self._lock:
            self._prune(now)
            return [
                (number, dict(e))
                for number, e in self._entries
                if (campaign_id is None or e["campaign_id"] == campaign_id)
                and (since is None or e["clock"] >= since)
            ]

    def suppressed(self, now: float, *, campaign_id: str | None = None) -> list[dict[str, Any]]:
        """How many entries each capped hour left out."""
        with self._lock:
            self._prune(now)
            return [
                {
                    "campaign_id": cid,
                    "error_type": kind,
                    "hour": format_instant(hour * 3600.0),
                    "suppressed": count,
                }
                for (cid, kind, hour), count in sorted(self._suppressed.items())
                if campaign_id is None or cid == campaign_id
            ]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._numbered = 0
            self._kept.clear()
            self._suppressed.clear()

    def _prune(self, now: float) -> None:
        cutoff = now - self.retention
        while self._entries and self._entries[0][1]["clock"] < cutoff:
            self._entries.popleft()
        for counts in (self._kept, self._suppressed):
            for key in [k for k in counts if (k[2] + 1) * 3600 < cutoff]:
                del counts[key]
