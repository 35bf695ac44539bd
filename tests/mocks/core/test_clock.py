"""The clock and the scheduler: virtual time that only moves on request, tasks in time order."""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from seen_braze_harness.mocks.core.clock import Clock, Scheduler
from tests.mocks.core.conftest import T0

WAIT = 5.0
"""Longest a test waits on the real-clock thread before calling it a failure."""


def _tick() -> None:
    """Spin until the wall clock has visibly moved, so a clock that follows it must move too."""
    start = time.time()
    while time.time() == start:
        pass


# -- Clock ------------------------------------------------------------------------------------


def test_frozen_clock_reads_its_start_exactly_and_stands_still(clock: Clock) -> None:
    assert clock.frozen
    assert clock.now() == T0
    _tick()
    assert clock.now() == T0


def test_frozen_clock_without_start_is_near_the_wall_clock() -> None:
    before = time.time()
    clock = Clock(frozen=True)
    after = time.time()
    assert before <= clock.now() <= after
    _tick()
    assert clock.now() <= after


def test_running_clock_follows_the_wall_clock() -> None:
    clock = Clock(start=T0)
    first = clock.now()
    assert not clock.frozen
    assert first == pytest.approx(T0, abs=1.0)
    _tick()
    assert clock.now() > first


def test_freeze_then_unfreeze_keeps_time_continuous() -> None:
    clock = Clock(start=T0)
    clock.freeze()
    assert clock.frozen
    frozen_at = clock.now()
    assert frozen_at == pytest.approx(T0, abs=1.0)
    _tick()
    assert clock.now() == frozen_at, "a frozen clock does not follow the wall clock"
    clock.unfreeze()
    assert not clock.frozen
    resumed = clock.now()
    assert frozen_at <= resumed < frozen_at + 0.5, "unfreezing resumes where time stood"
    _tick()
    assert clock.now() > resumed


def test_unfreezing_a_virtual_clock_resumes_from_virtual_time(clock: Clock) -> None:
    Scheduler(clock).advance(3600)
    clock.unfreeze()
    assert T0 + 3600 <= clock.now() < T0 + 3600 + 0.5


@pytest.mark.parametrize("twice", ["freeze", "unfreeze"])
def test_freeze_and_unfreeze_are_idempotent(twice: str) -> None:
    clock = Clock(frozen=twice == "freeze", start=T0)
    before = clock.now()
    getattr(clock, twice)()
    getattr(clock, twice)()
    assert clock.frozen is (twice == "freeze")
    assert clock.now() == pytest.approx(before, abs=0.5)


@pytest.mark.parametrize(
    ("instant", "iso"),
    [
        (0.0, "1970-01-01T00:00:00.000+00:00"),
        (1_700_000_000.25, "2023-11-14T22:13:20.250+00:00"),
    ],
)
def test_isoformat_is_utc_with_milliseconds(instant: float, iso: str) -> None:
    clock = Clock(frozen=True, start=instant)
    assert clock.isoformat() == iso
    assert Clock().isoformat(instant) == iso


# -- Scheduler: advancing virtual time --------------------------------------------------------


def test_advance_runs_due_tasks_in_time_order_each_at_its_own_time(
    clock: Clock, scheduler: Scheduler
) -> None:
    seen: list[tuple[str, float]] = []
    for delay, name in [(30, "c"), (10, "a"), (20, "b"), (200, "late")]:
        scheduler.call_later(delay, name, lambda n=name: seen.append((n, clock.now())))
    assert scheduler.advance(100) == 3
    assert seen == [("a", T0 + 10), ("b", T0 + 20), ("c", T0 + 30)]
    assert clock.now() == T0 + 100
    assert [t.name for t in scheduler.pending()] == ["late"]


@pytest.mark.parametrize(
    ("advance", "ran"),
    [(9.999, 0), (10.0, 1), (10.001, 1)],
    ids=["just-before", "exactly-due", "just-after"],
)
def test_a_task_runs_when_the_clock_reaches_its_due_time(
    scheduler: Scheduler, advance: float, ran: int
) -> None:
    runs: list[int] = []
    scheduler.call_later(10, "t", lambda: runs.append(1))
    assert scheduler.advance(advance) == ran
    assert len(runs) == ran


def test_advance_by_zero_runs_tasks_due_now(clock: Clock, scheduler: Scheduler) -> None:
    runs: list[float] = []
    scheduler.call_later(0, "now", lambda: runs.append(clock.now()))
    assert runs == []
    assert scheduler.advance(0) == 1
    assert runs == [T0]


def test_tasks_scheduled_by_tasks_run_when_due_within_the_advance(
    clock: Clock, scheduler: Scheduler
) -> None:
    seen: list[tuple[int, float]] = []

    def step(n: int) -> None:
        seen.append((n, clock.now()))
        scheduler.call_later(25, f"step {n + 1}", lambda: step(n + 1))

    scheduler.call_later(25, "step 1", lambda: step(1))
    assert scheduler.advance(100) == 4
    assert seen == [(1, T0 + 25), (2, T0 + 50), (3, T0 + 75), (4, T0 + 100)]
    (left,) = scheduler.pending()
    assert (left.name, left.due) == ("step 5", T0 + 125)


def test_ties_run_in_scheduling_order(scheduler: Scheduler) -> None:
    order: list[str] = []
    due = scheduler.clock.now() + 5
    for name in ["first", "second", "third", "fourth"]:
        scheduler.call_at(due, name, lambda n=name: order.append(n))
    scheduler.call_at(due - 1, "earlier", lambda: order.append("earlier"))
    scheduler.advance(5)
    assert order == ["earlier", "first", "second", "third", "fourth"]


def test_a_task_overdue_when_scheduled_runs_without_moving_the_clock_back(
    clock: Clock, scheduler: Scheduler
) -> None:
    seen: list[float] = []
    scheduler.call_at(T0 - 50, "overdue", lambda: seen.append(clock.now()))
    assert scheduler.run_due() == 1
    assert seen == [T0]
    assert clock.now() == T0


def test_call_later_with_a_negative_delay_means_now(scheduler: Scheduler) -> None:
    task = scheduler.call_later(-10, "t", lambda: None)
    assert task.due == T0


def test_run_due_runs_only_what_is_due_and_leaves_the_clock(
    clock: Clock, scheduler: Scheduler
) -> None:
    runs: list[str] = []
    scheduler.call_later(0, "now", lambda: runs.append("now"))
    scheduler.call_later(1, "later", lambda: runs.append("later"))
    assert scheduler.run_due() == 1
    assert runs == ["now"]
    assert clock.now() == T0


@pytest.mark.parametrize("seconds", [-1.0, -1e-9, -math.inf, math.nan, math.inf])
def test_advance_refuses_backwards_or_non_finite_moves(
    clock: Clock, scheduler: Scheduler, seconds: float
) -> None:
    runs: list[int] = []
    scheduler.call_later(0, "due now", lambda: runs.append(1))
    with pytest.raises(ValueError):
        scheduler.advance(seconds)
    assert clock.now() == T0
    assert runs == [], "a refused advance runs nothing"


def test_the_clock_never_goes_backwards_through_the_scheduler(
    clock: Clock, scheduler: Scheduler
) -> None:
    scheduler.advance(100)
    clock._move_to(T0)  # what a task due in the past would ask for
    assert clock.now() == T0 + 100


def test_advance_moves_a_running_clock_forward_too() -> None:
    clock = Clock(start=T0)
    scheduler = Scheduler(clock)
    seen: list[float] = []
    scheduler.call_later(3600, "hour", lambda: seen.append(clock.now()))
    assert scheduler.advance(7200) == 1
    assert len(seen) == 1 and seen[0] >= T0 + 3600
    assert clock.now() >= T0 + 7200


# -- Scheduler: run_until_idle ----------------------------------------------------------------


def test_run_until_idle_jumps_from_task_to_task_until_none_is_left(
    clock: Clock, scheduler: Scheduler
) -> None:
    seen: list[float] = []

    def retry(left: int) -> None:
        seen.append(clock.now() - T0)
        if left:
            scheduler.call_later(60, "retry", lambda: retry(left - 1))

    scheduler.call_later(30, "first", lambda: retry(2))
    assert scheduler.run_until_idle() == 3
    assert seen == [30, 90, 150]
    assert clock.now() == T0 + 150, "the clock stops at the last task, not at the horizon"
    assert scheduler.pending() == []
    assert scheduler.next_due() is None
    assert scheduler.run_until_idle() == 0


def test_run_until_idle_stops_at_max_seconds(clock: Clock, scheduler: Scheduler) -> None:
    runs: list[float] = []

    def forever() -> None:
        runs.append(clock.now())
        scheduler.call_later(10, "forever", forever)

    scheduler.call_later(10, "forever", forever)
    assert scheduler.run_until_idle(max_seconds=100) == 10
    assert runs[-1] == T0 + 100
    assert scheduler.next_due() == T0 + 110


# -- Scheduler: cancelling --------------------------------------------------------------------


def test_a_cancelled_task_does_not_run_and_is_not_pending(scheduler: Scheduler) -> None:
    runs: list[str] = []
    keep = scheduler.call_later(20, "keep", lambda: runs.append("keep"))
    drop = scheduler.call_later(10, "drop", lambda: runs.append("drop"))
    drop.cancel()
    assert scheduler.pending() == [keep]
    assert scheduler.next_due() == T0 + 20
    assert scheduler.run_until_idle() == 1
    assert runs == ["keep"]


@pytest.mark.parametrize(
    ("owner", "left"),
    [
        ("seen", ["braze 1", "nobody"]),
        ("braze", ["seen 1", "seen 2", "nobody"]),
        ("", ["seen 1", "braze 1", "seen 2"]),
        ("other", ["seen 1", "braze 1", "seen 2", "nobody"]),
        (None, []),
    ],
)
def test_clear_cancels_only_the_owners_tasks(
    scheduler: Scheduler, owner: str | None, left: list[str]
) -> None:
    runs: list[str] = []
    for delay, name, by in [
        (1, "seen 1", "seen"),
        (2, "braze 1", "braze"),
        (3, "seen 2", "seen"),
        (4, "nobody", ""),
    ]:
        scheduler.call_later(delay, name, lambda n=name: runs.append(n), owner=by)
    scheduler.clear(owner=owner)
    assert [t.name for t in scheduler.pending()] == left
    scheduler.run_until_idle()
    assert runs == left


# -- Scheduler: failures ----------------------------------------------------------------------


def test_a_failing_task_is_recorded_and_the_others_still_run(scheduler: Scheduler) -> None:
    runs: list[str] = []
    boom = RuntimeError("boom")

    def fail() -> None:
        raise boom

    scheduler.call_later(1, "before", lambda: runs.append("before"))
    scheduler.call_later(2, "failing", fail)
    scheduler.call_later(3, "after", lambda: runs.append("after"))
    assert scheduler.advance(10) == 3
    assert runs == ["before", "after"]
    assert list(scheduler.errors) == [("failing", boom)]


def test_errors_keep_only_the_latest_hundred(scheduler: Scheduler) -> None:
    def fail(n: int) -> None:
        raise ValueError(n)

    for n in range(150):
        scheduler.call_later(n, f"task {n}", lambda n=n: fail(n))
    scheduler.run_until_idle()
    assert len(scheduler.errors) == 100
    assert scheduler.errors[0][0] == "task 50"
    assert scheduler.errors[-1][0] == "task 149"


# -- Scheduler: executor and the real-time thread ---------------------------------------------


def test_on_the_real_time_thread_a_slow_task_does_not_hold_up_the_next() -> None:
    second_ran = threading.Event()
    first_saw_second = threading.Event()

    def slow_first() -> None:
        if second_ran.wait(WAIT):
            first_saw_second.set()

    with ThreadPoolExecutor(2, thread_name_prefix="pool") as pool:
        scheduler = Scheduler(Clock(start=T0), executor=pool)
        scheduler.call_later(0, "slow", slow_first)
        scheduler.call_later(0, "quick", second_ran.set)
        scheduler.start()
        try:
            assert first_saw_second.wait(WAIT), "the quick task waited behind the slow one"
        finally:
            scheduler.stop()


@pytest.mark.parametrize("how", ["run_due", "advance", "run_until_idle"])
def test_advancing_runs_tasks_in_the_callers_thread_even_with_an_executor(
    clock: Clock, how: str
) -> None:
    where: list[threading.Thread] = []
    with ThreadPoolExecutor(2) as pool:
        scheduler = Scheduler(clock, executor=pool)
        for name in ("a", "b"):
            scheduler.call_later(0, name, lambda: where.append(threading.current_thread()))
        ran = scheduler.advance(0) if how == "advance" else getattr(scheduler, how)()
        assert ran == 2
        assert where == [threading.current_thread()] * 2, "done when the call returns"


def test_the_real_time_thread_runs_a_task_when_it_falls_due() -> None:
    clock = Clock(start=T0)
    scheduler = Scheduler(clock)
    ran = threading.Event()
    where: list[threading.Thread] = []

    def task() -> None:
        where.append(threading.current_thread())
        ran.set()

    scheduler.start()
    try:
        scheduler.call_later(0.05, "soon", task)
        assert ran.wait(WAIT), "the thread never ran the due task"
        assert where[0] is not threading.current_thread()
        assert where[0].name == "mock-scheduler"
    finally:
        scheduler.stop()
    assert not where[0].is_alive(), "stop() ends the thread"


def test_the_real_time_thread_follows_a_clock_moved_by_advance() -> None:
    clock = Clock(start=T0)
    scheduler = Scheduler(clock)
    ran = threading.Event()
    where: list[str] = []

    def task() -> None:
        where.append(threading.current_thread().name)
        ran.set()

    scheduler.start()
    try:
        scheduler.call_later(3600, "in an hour", task)
        assert scheduler.advance(3599.7) == 0, "not yet due: advance leaves it to the thread"
        scheduler.wake()
        assert not ran.is_set()
        assert ran.wait(WAIT), "the thread never ran the task the clock had moved up to"
        assert where == ["mock-scheduler"]
        assert clock.now() >= T0 + 3600
    finally:
        scheduler.stop()


def test_the_real_time_thread_leaves_a_frozen_clock_alone() -> None:
    clock = Clock(frozen=True, start=T0)
    scheduler = Scheduler(clock)
    ran = threading.Event()
    scheduler.start()
    try:
        scheduler.call_later(0.01, "soon", ran.set)
        assert not ran.wait(0.2), "a frozen clock does not move, so nothing falls due"
        clock.unfreeze()
        scheduler.wake()
        assert ran.wait(WAIT)
    finally:
        scheduler.stop()


def test_stop_ends_the_thread_and_start_again_resumes() -> None:
    clock = Clock(start=T0)
    scheduler = Scheduler(clock)
    threads: list[threading.Thread] = []
    first, second = threading.Event(), threading.Event()
    scheduler.start()
    scheduler.start()  # a second start is a no-op, not a second thread
    scheduler.call_later(
        0, "first", lambda: (threads.append(threading.current_thread()), first.set())
    )
    assert first.wait(WAIT)
    scheduler.stop()
    assert not threads[0].is_alive()
    assert [t for t in threading.enumerate() if t is threads[0]] == []

    scheduler.call_later(0, "second", lambda: second.set())
    scheduler.start()
    try:
        assert second.wait(WAIT)
    finally:
        scheduler.stop()
