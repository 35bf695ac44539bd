"""Rate limiters: exact at the window's edge, refused calls free, exact under many threads."""

from __future__ import annotations

import threading

import pytest

from seen_braze_harness.mocks.core.ratelimit import (
    FixedWindowLimiter,
    RateDecision,
    SlidingWindowLimiter,
)

Limiter = SlidingWindowLimiter | FixedWindowLimiter

# Start times that are awkward in binary floating point: (t + w) - w is not t for some of them.
STARTS = [0.0, 0.1, 0.2, 1_000_000.0, 1_700_000_000.123, 1_700_003_599.9]


@pytest.mark.parametrize("cls", [SlidingWindowLimiter, FixedWindowLimiter])
@pytest.mark.parametrize(("limit", "window"), [(0, 60), (-1, 60), (1, 0), (1, -1)])
def test_a_limit_needs_a_positive_limit_and_window(
    cls: type[Limiter], limit: int, window: float
) -> None:
    with pytest.raises(ValueError):
        cls(limit, window)


@pytest.mark.parametrize(
    ("retry_after", "seconds"), [(0.0, 0), (0.001, 1), (1.0, 1), (7.2, 8), (3599.999, 3600)]
)
def test_retry_after_seconds_round_up(retry_after: float, seconds: int) -> None:
    decision = RateDecision(False, 1, 0, retry_after, 0.0)
    assert decision.retry_after_seconds == seconds


# -- sliding window ---------------------------------------------------------------------------


@pytest.mark.parametrize("t0", STARTS)
def test_sliding_window_is_exact_at_the_boundary(t0: float) -> None:
    limiter = SlidingWindowLimiter(3, 10.0)
    decisions = [limiter.hit("k", t0 + offset) for offset in (0, 1, 2)]
    assert [(d.allowed, d.remaining, d.retry_after) for d in decisions] == [
        (True, 2, 0.0),
        (True, 1, 0.0),
        (True, 0, 0.0),
    ]
    assert all(d.limit == 3 and d.reset_at == t0 + 10.0 for d in decisions)

    refused = limiter.hit("k", t0 + 4)
    assert not refused.allowed
    assert refused.remaining == 0
    assert refused.reset_at == t0 + 10.0, "the oldest call leaves at t0 + window"
    assert refused.retry_after == pytest.approx(6.0)
    assert refused.retry_after_seconds == 6

    just_before = limiter.hit("k", (t0 + 10.0) - 1e-6)
    assert not just_before.allowed
    assert just_before.retry_after == pytest.approx(1e-6, abs=1e-6)

    again = limiter.hit("k", refused.reset_at)
    assert again.allowed, "at exactly reset_at the oldest call has left the window"
    assert again.remaining == 0
    assert again.reset_at == t0 + 1 + 10.0, "now the call at t0 + 1 is the oldest"

    assert not limiter.hit("k", t0 + 10.5).allowed
    assert limiter.hit("k", t0 + 11.0).allowed


@pytest.mark.parametrize("t0", STARTS)
@pytest.mark.parametrize("window", [1.0, 0.1, 3600.0])
def test_coming_back_at_reset_at_is_allowed(t0: float, window: float) -> None:
    limiter = SlidingWindowLimiter(1, window)
    assert limiter.hit("k", t0).allowed
    refused = limiter.hit("k", t0)
    assert not refused.allowed
    assert refused.retry_after > 0, "refused means there is something to wait for"
    assert limiter.hit("k", refused.reset_at).allowed


@pytest.mark.parametrize("t0", STARTS)
def test_used_counts_the_calls_inside_the_window(t0: float) -> None:
    limiter = SlidingWindowLimiter(5, 10.0)
    for offset in (0, 2, 4):
        limiter.hit("k", t0 + offset)
    assert limiter.used("k", t0 + 4) == 3
    assert limiter.used("k", t0 + 10) == 2, "the call at t0 has left at exactly t0 + window"
    assert limiter.used("k", t0 + 14) == 0
    assert limiter.used("other", t0) == 0


def test_refused_calls_do_not_count() -> None:
    limiter = SlidingWindowLimiter(1, 10.0)
    assert limiter.hit("k", 100.0).allowed
    for second in range(1, 10):
        decision = limiter.hit("k", 100.0 + second)
        assert not decision.allowed
        assert decision.retry_after == pytest.approx(10 - second)
    assert limiter.used("k", 109.0) == 1
    assert limiter.hit("k", 110.0).allowed, "refused calls did not push the window on"


def test_keys_are_independent() -> None:
    limiter = SlidingWindowLimiter(2, 60.0)
    assert [limiter.hit("a", 0.0).allowed for _ in range(3)] == [True, True, False]
    assert [limiter.hit("b", 0.0).allowed for _ in range(3)] == [True, True, False]
    assert limiter.hit("c", 0.0).remaining == 1


def test_reset_forgets_every_key() -> None:
    limiter = SlidingWindowLimiter(1, 60.0)
    limiter.hit("a", 0.0)
    limiter.hit("b", 0.0)
    limiter.reset()
    assert limiter.hit("a", 1.0).allowed
    assert limiter.hit("b", 1.0).allowed


def test_a_thousand_per_hour_as_the_receivers_api_counts() -> None:
    limiter = SlidingWindowLimiter(1000, 3600.0)
    t0 = 1_700_000_000.0
    allowed = [limiter.hit("token", t0 + n * 0.5).allowed for n in range(1000)]
    assert all(allowed)
    refused = limiter.hit("token", t0 + 600)
    assert not refused.allowed
    assert refused.retry_after == pytest.approx(3000.0)
    assert refused.retry_after_seconds == 3000
    assert limiter.hit("token", t0 + 3600).allowed
    assert not limiter.hit("token", t0 + 3600).allowed, "the slot freed at t0+3600 is taken"
    assert limiter.hit("token", t0 + 3600.5).allowed


# -- fixed window -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "reset_at"),
    [
        (0.0, 3600.0),
        (10.0, 3600.0),
        (3599.999, 3600.0),
        (3600.0, 7200.0),
        (1_700_000_000.0, 1_700_002_800.0),
        (1_700_002_799.5, 1_700_002_800.0),
    ],
)
def test_fixed_window_resets_at_the_clock_hour(now: float, reset_at: float) -> None:
    limiter = FixedWindowLimiter(2, 3600.0)
    first, second, third = (limiter.hit("k", now) for _ in range(3))
    assert (first.allowed, first.remaining, first.reset_at) == (True, 1, reset_at)
    assert (second.allowed, second.remaining) == (True, 0)
    assert (third.allowed, third.remaining, third.reset_at) == (False, 0, reset_at)
    assert third.retry_after == pytest.approx(reset_at - now)
    assert not limiter.hit("k", reset_at - 0.001).allowed
    fresh = limiter.hit("k", reset_at)
    assert (fresh.allowed, fresh.remaining, fresh.reset_at) == (True, 1, reset_at + 3600.0)


def test_fixed_window_keys_are_independent_and_reset_clears() -> None:
    limiter = FixedWindowLimiter(1, 60.0)
    assert limiter.hit("a", 0.0).allowed
    assert not limiter.hit("a", 1.0).allowed
    assert limiter.hit("b", 1.0).allowed
    limiter.reset()
    assert limiter.hit("a", 2.0).allowed


def test_fixed_window_refused_calls_do_not_count() -> None:
    limiter = FixedWindowLimiter(1, 60.0)
    assert limiter.hit("k", 0.0).allowed
    for second in range(1, 60):
        assert not limiter.hit("k", float(second)).allowed
    assert limiter.hit("k", 60.0).allowed
    assert not limiter.hit("k", 60.0).allowed


# -- many threads -----------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [SlidingWindowLimiter, FixedWindowLimiter])
def test_concurrent_hits_allow_exactly_the_limit(cls: type[Limiter]) -> None:
    limiter = cls(1000, 3600.0)
    threads, each = 8, 500
    start = threading.Barrier(threads)
    allowed = [0] * threads
    refused = [0] * threads

    def work(n: int) -> None:
        start.wait()
        for i in range(each):
            if limiter.hit("token", 7200.0 + i * 1e-3).allowed:
                allowed[n] += 1
            else:
                refused[n] += 1

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sum(allowed) == 1000
    assert sum(refused) == threads * each - 1000
    if isinstance(limiter, SlidingWindowLimiter):
        assert limiter.used("token", 7200.5) == 1000
