"""The receiver's own rate limit: the `X-Rate-Limit-*` headers of its error responses, per
campaign and host, and when each next attempt may leave (`ReceiverLimits`)."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

from seen_braze_harness.mocks.braze.dates import format_instant
from seen_braze_harness.mocks.core.delivery import AttemptOutcome
from seen_braze_harness.mocks.core.journal import header

RATE_LIMIT_HEADERS = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")
EPOCH_FROM = 1_000_000_000
"""In `auto` mode an `X-Rate-Limit-Reset` this large or larger is epoch seconds (2001 on)."""


@dataclass
class _ReceiverWindow:
    """What the receiver's last error response said about its rate limit."""

    campaign_id: str
    host: str
    limit: int | None
    remaining: int
    reset_at: float
    length: float


def _count(value: str) -> int | None:
    text = value.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


class ReceiverLimits:
    """The receiver's `X-Rate-Limit-*` headers on error responses, per campaign and host, and
    when each next attempt may leave so that sending slows down to what the receiver takes."""

    def __init__(self, *, reset_form: str, longest: float) -> None:
        self.reset_form = reset_form
        self.longest = longest
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], _ReceiverWindow] = {}
        self.history: list[dict[str, Any]] = []
        """Every window learned: campaign, host, the headers' figures, from and until."""

    def learn(self, campaign_id: str, host: str, outcome: AttemptOutcome) -> dict[str, Any] | None:
        """Read an error response's headers; the window it starts, or None if it says none."""
        if outcome.ok or outcome.status is None:
            return None
        limit_text = header(outcome.headers, "X-Rate-Limit-Limit")
        remaining_text = header(outcome.headers, "X-Rate-Limit-Remaining")
        reset_text = header(outcome.headers, "X-Rate-Limit-Reset").strip()
        if not reset_text:
            return None
        try:
            reset = float(reset_text)
        except ValueError:
            return None
        if not math.isfinite(reset) or reset < 0:
            return None
        now = outcome.time
        as_epoch = self.reset_form == "epoch" or (self.reset_form == "auto" and reset >= EPOCH_FROM)
        reset_at = min(reset if as_epoch else now + reset, now + self.longest)
        if reset_at <= now:
            return None
        limit = _count(limit_text) if limit_text else None
        remaining = (_count(remaining_text) if remaining_text else None) or 0
        window = _ReceiverWindow(
            campaign_id, host, limit, remaining, reset_at, max(1.0, reset_at - now)
        )
        event = {
            "campaign_id": campaign_id,
            "host": host,
            "status": outcome.status,
            "limit": limit,
            "remaining": remaining,
            "from": now,
            "until": reset_at,
            "from_iso": format_instant(now),
            "until_iso": format_instant(reset_at),
            "exchange_id": outcome.exchange_id,
        }
        with self._lock:
            self._windows[(campaign_id, host)] = window
            self.history.append(event)
        return event

    def acquire(self, campaign_id: str, host: str, now: float) -> float | None:
        """None: an attempt may leave now (and is counted); else the time to try again."""
        with self._lock:
            window = self._windows.get((campaign_id, host))
            if window is None:
                return None
            if now >= window.reset_at:
                if window.limit is None:
                    del self._windows[(campaign_id, host)]
                    return None
                passed = math.floor((now - window.reset_at) / window.length) + 1
                window.reset_at += passed * window.length
                window.remaining = window.limit
            if window.remaining > 0:
                window.remaining -= 1
                return None
            return window.reset_at

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(event) for event in self.history]

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()
            self.history.clear()
