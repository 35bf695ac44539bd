"""Host pauses: Braze pauses a host that fails too often in a minute (`HostPauses`), and
answers `HOST_PAUSED` (598) itself for that host until the pause ends."""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from seen_braze_harness.mocks.braze.dates import format_instant

PAUSE_STATUSES = frozenset({408, 429, 502, 503, 504, 529})
"""Statuses that count towards pausing a host (Braze's list)."""
HOST_PAUSED = 598


class HostPauses:
    """Braze pauses a host that fails more than `threshold` times in a minute."""

    def __init__(self, *, threshold: int, seconds: float) -> None:
        self.threshold = threshold
        self.seconds = seconds
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}
        self._paused_until: dict[str, float] = {}
        self.history: list[dict[str, Any]] = []
        """Every pause so far: host, start and end (clock seconds and ISO 8601)."""

    def paused(self, host: str, now: float) -> float | None:
        """When the pause of `host` ends, if it is paused now."""
        with self._lock:
            until = self._paused_until.get(host)
            if until is None or now >= until:
                self._paused_until.pop(host, None)
                return None
            return until

    def count(self, host: str, status: int, now: float) -> float | None:
        """Count one answer; returns when the pause ends if this failure started one."""
        if status not in PAUSE_STATUSES:
            return None
        with self._lock:
            times = self._failures.setdefault(host, deque())
            times.append(now)
            while times and times[0] <= now - 60.0:
                times.popleft()
            if len(times) <= self.threshold:
                return None
            times.clear()
            until = now + self.seconds
            self._paused_until[host] = until
            self.history.append(
                {
                    "host": host,
                    "from": now,
                    "until": until,
                    "from_iso": format_instant(now),
                    "until_iso": format_instant(until),
                }
            )
            return until

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(event) for event in self.history]

    def snapshot(self, now: float) -> dict[str, float]:
        with self._lock:
            return {h: t for h, t in self._paused_until.items() if t > now}

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
            self._paused_until.clear()
            self.history.clear()
