"""What every mock owns (runtime) and the knobs every mock shares (settings)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from seen_braze_harness.mocks.core.clock import Clock, Scheduler
from seen_braze_harness.mocks.core.runtime import MockRuntime
from seen_braze_harness.mocks.core.settings import CoreSettings, SettingsError

WAIT = 5.0


# -- settings ---------------------------------------------------------------------------------


def test_default_settings() -> None:
    settings = CoreSettings()
    assert (settings.clock, settings.journal_cap, settings.journal_body_cap) == (
        "real",
        10_000,
        65_536,
    )
    assert (settings.faults, settings.fault_seed, settings.outbound_workers) == ([], 0, 8)


@pytest.mark.parametrize(
    ("values", "names"),
    [
        ({"clock": "fast"}, "clock"),
        ({"journal_cap": 0}, "journal_cap"),
        ({"journal_cap": True}, "journal_cap"),
        ({"journal_cap": 1.5}, "journal_cap"),
        ({"journal_body_cap": -1}, "journal_body_cap"),
        ({"outbound_workers": 0}, "outbound_workers"),
        ({"outbound_workers": "8"}, "outbound_workers"),
    ],
)
def test_settings_refuse_bad_values_naming_the_key(values: dict[str, Any], names: str) -> None:
    with pytest.raises(SettingsError, match=names):
        CoreSettings(**values)
    with pytest.raises(SettingsError, match=names):
        CoreSettings.from_dict(values)


def test_from_dict_refuses_unknown_keys_and_lists_the_known() -> None:
    with pytest.raises(SettingsError) as raised:
        CoreSettings.from_dict({"clock": "virtual", "speed": 2, "colour": "red"})
    message = str(raised.value)
    assert "colour, speed" in message
    assert "journal_cap" in message


def test_from_dict_and_replace() -> None:
    settings = CoreSettings.from_dict({"clock": "virtual", "journal_cap": 5})
    assert (settings.clock, settings.journal_cap) == ("virtual", 5)
    changed = settings.replace(journal_cap=7)
    assert (changed.journal_cap, settings.journal_cap) == (7, 5)
    with pytest.raises(SettingsError, match="journal_cap"):
        settings.replace(journal_cap=0)


# -- runtime ----------------------------------------------------------------------------------


def test_a_virtual_runtime_is_frozen_and_starts_no_thread() -> None:
    before = set(threading.enumerate())
    runtime = MockRuntime("svc", CoreSettings(clock="virtual", journal_cap=4, journal_body_cap=8))
    try:
        assert runtime.clock.frozen
        assert set(threading.enumerate()) == before
        assert (runtime.journal.cap, runtime.journal.body_cap) == (4, 8)
        assert runtime.sender.service == "svc"
        assert runtime.sender.scheduler is runtime.scheduler
    finally:
        runtime.close()


def test_a_real_runtime_runs_tasks_in_the_background_until_closed() -> None:
    runtime = MockRuntime("svc", CoreSettings(clock="real", outbound_workers=2))
    ran = threading.Event()
    where: list[threading.Thread] = []

    def task() -> None:
        where.append(threading.current_thread())
        ran.set()

    try:
        assert not runtime.clock.frozen
        runtime.scheduler.call_later(0.01, "soon", task, owner="svc")
        assert ran.wait(WAIT)
        assert where[0].name.startswith("svc-outbound"), "tasks run on the outbound workers"
    finally:
        runtime.close()
    again = threading.Event()
    runtime.scheduler.call_later(0, "after close", again.set)
    assert not again.wait(0.2), "a closed runtime runs nothing"


def test_a_shared_scheduler_is_used_and_not_stopped_by_close() -> None:
    scheduler = Scheduler(Clock(frozen=True, start=0.0))
    first = MockRuntime("a", CoreSettings(clock="real"), scheduler=scheduler)
    second = MockRuntime("b", CoreSettings(clock="real"), scheduler=scheduler)
    assert first.clock is second.clock is scheduler.clock
    runs: list[str] = []
    scheduler.call_later(5, "b's", lambda: runs.append("b"), owner="b")
    scheduler.call_later(5, "a's", lambda: runs.append("a"), owner="a")
    first.reset()
    first.close()
    scheduler.run_until_idle()
    assert runs == ["b"], "a reset clears only the mock's own tasks"


def test_reset_restores_settings_faults_and_runs_hooks() -> None:
    settings = CoreSettings(clock="virtual", faults=[{"hop": "svc.x", "status": 500, "times": 1}])
    runtime = MockRuntime("svc", settings)
    hooks: list[str] = []
    runtime.on_reset(lambda: hooks.append("one"))
    runtime.on_reset(lambda: hooks.append("two"))
    assert runtime.faults.draw("svc.x") is not None
    runtime.faults.add({"hop": "*", "drop": True})
    runtime.journal.record(
        service="svc",
        hop="svc.x",
        direction="inbound",
        time=0.0,
        method="GET",
        url="/",
        request_headers={},
        request_body=runtime.journal.body(b""),
    )
    runtime.reset()
    assert hooks == ["one", "two"]
    assert len(runtime.journal) == 0
    (rule,) = runtime.faults.rules()
    assert (rule.hop, rule.status, rule.fired) == ("svc.x", 500, 0)
    assert settings.faults == [{"hop": "svc.x", "status": 500, "times": 1}]
    runtime.close()
