"""Braze's webhook retries: which statuses are retried, the status Braze reports for an
attempt (599: no response), and the backoff, with the longer window an endpoint that cannot
be reached is retried in (`WebhookRetry`)."""

from __future__ import annotations

from dataclasses import dataclass

from seen_braze_harness.mocks.core.delivery import AttemptOutcome
from seen_braze_harness.mocks.core.delivery import retry_after as retry_after_header

NO_RESPONSE = 599


def retryable(status: int) -> bool:
    """408, 429 and 5xx (with Braze's 598 and 599) are retried; 2xx, 3xx, other 4xx are not."""
    return status in (408, 429) or 500 <= status <= 599


def reported_status(outcome: AttemptOutcome) -> int:
    """The status Braze reports: a missing response (connection failure, timeout) is 599."""
    return NO_RESPONSE if outcome.status is None else outcome.status


@dataclass(frozen=True)
class WebhookRetry:
    """Braze's webhook retries: up to `retries` more attempts with exponential backoff;
    `Retry-After` (seconds or HTTP-date) is honoured for 408, 429 and 5xx instead, up to
    `retry_after_max` seconds (**assumed**: Braze retries "within about 30 minutes").

    An attempt that got no response (the endpoint could not be reached) is retried over the
    longer `unreachable_window` Braze documents, each wait at most `unreachable_max_wait`."""

    retries: int = 5
    base: float = 60.0
    factor: float = 2.0
    retry_after_max: float = 1800.0
    unreachable_window: float = 24 * 3600.0
    unreachable_max_wait: float = 4 * 3600.0

    def backoff(self, attempt: int) -> float:
        """Seconds after failed attempt number `attempt` (1 = the first send)."""
        return float(self.base * self.factor ** (attempt - 1))

    def next_delay(
        self, outcome: AttemptOutcome, *, first_attempt_at: float | None = None
    ) -> float | None:
        """Seconds until the next attempt, or None when `outcome` settles the message.

        `first_attempt_at` is when the message's first attempt went (default: this one's
        time), the start of the window an unreachable endpoint is retried in.
        """
        status = reported_status(outcome)
        if 200 <= status < 300 or not retryable(status):
            return None
        if outcome.status is None:
            wait = min(self.backoff(outcome.attempt), self.unreachable_max_wait)
            start = outcome.time if first_attempt_at is None else first_attempt_at
            return wait if outcome.time + wait <= start + self.unreachable_window else None
        if outcome.attempt > self.retries:
            return None
        asked = retry_after_header(outcome.headers, outcome.time)
        if asked is None:
            return self.backoff(outcome.attempt)
        return min(asked, self.retry_after_max)


def unreachable(outcome: AttemptOutcome) -> bool:
    """No response at all: a refused or dropped connection, a timeout, a client failure."""
    return outcome.status is None
