"""Rate limiters that are exact at the boundary and under concurrent requests."""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: float
    """Seconds until a call would be allowed again (0 when allowed)."""
    reset_at: float
    """When the window that limits this key next frees a slot (or resets)."""

    @property
    def retry_after_seconds(self) -> int:
        """Whole seconds, rounded up, as a `Retry-After` header carries them."""
        return math.ceil(self.retry_after)


class SlidingWindowLimiter:
    """At most `limit` calls per key in any rolling `window` seconds.

    Works as Django REST Framework's throttles do: a call at time t counts until t + window;
    refused calls do not count; the wait is the time until the oldest counted call leaves.
    """

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._history: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float) -> RateDecision:
        with self._lock:
            history = self._history.setdefault(key, deque())
            if history and now < history[-1]:
                now = history[-1]  # a thread that read the clock earlier but got here later
            while history and history[0] + self.window <= now:
                history.popleft()
            if len(history) >= self.limit:
                wait = history[0] + self.window - now
                return RateDecision(False, self.limit, 0, wait, history[0] + self.window)
            history.append(now)
            reset_at = history[0] + self.window
            return RateDecision(True, self.limit, self.limit - len(history), 0.0, reset_at)

    def used(self, key: str, now: float) -> int:
        with self._lock:
            history = self._history.get(key, ())
            return sum(1 for t in history if t + self.window > now)

    def reset(self) -> None:
        with self._lock:
            self._history.clear()


class FixedWindowLimiter:
    """At most `limit` calls per key in each window aligned to the epoch (e.g. the clock hour)."""

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._counts: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float) -> RateDecision:
        slot = math.floor(now / self.window)
        reset_at = (slot + 1) * self.window
        with self._lock:
            seen_slot, count = self._counts.get(key, (slot, 0))
            if seen_slot != slot:
                count = 0
            if count >= self.limit:
                return RateDecision(False, self.limit, 0, reset_at - now, reset_at)
            count += 1
            self._counts[key] = (slot, count)
            return RateDecision(True, self.limit, self.limit - count, 0.0, reset_at)

    def peek(self, key: str, now: float) -> RateDecision:
        """Where `key` stands in the current window, without counting a call."""
        slot = math.floor(now / self.window)
        reset_at = (slot + 1) * self.window
        with self._lock:
            seen_slot, count = self._counts.get(key, (slot, 0))
        used = count if seen_slot == slot else 0
        left = self.limit - used
        return RateDecision(
            left > 0, self.limit, left, 0.0 if left > 0 else reset_at - now, reset_at
        )

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
