"""The one builder of the SEEN + Braze pair, and the typed ways to reach a mock's parts."""

from __future__ import annotations

import pytest
from flask import Flask

from seen_braze_harness.harness.hops import WEBHOOK_SCHEMAS
from seen_braze_harness.harness.network import BRAZE_HOST, SEEN_HOST
from seen_braze_harness.harness.pair import MockPair
from seen_braze_harness.harness.scenario import ScenarioError, load_scenario
from seen_braze_harness.mocks.braze.app import backend_of as braze_backend_of
from seen_braze_harness.mocks.braze.hops import WEBHOOK
from seen_braze_harness.mocks.core.app import runtime_of
from seen_braze_harness.mocks.core.clock import Clock, Scheduler
from seen_braze_harness.mocks.core.runtime import MockRuntime
from seen_braze_harness.mocks.seen.app import backend_of as seen_backend_of


def test_the_pair_is_the_scenarios_with_overrides_one_clock_and_the_webhooks_schemas() -> None:
    scheduler = Scheduler(Clock(frozen=True))
    pair = MockPair.build(
        load_scenario(None),
        scheduler=scheduler,
        seen_settings={"render_seconds": 5},
        braze_settings={"journal_cap": 77},
    )
    try:
        assert pair.seen.settings.render_seconds == 5
        assert pair.braze.settings.journal_cap == 77
        assert pair.seen_runtime.scheduler is pair.braze_runtime.scheduler is scheduler
        assert pair.apps() == {SEEN_HOST: pair.seen_app, BRAZE_HOST: pair.braze_app}
        assert seen_backend_of(pair.seen_app) is pair.seen
        assert braze_backend_of(pair.braze_app) is pair.braze
        assert runtime_of(pair.seen_app) is pair.seen_runtime
        assert pair.braze_runtime.journal.hop_schemas(WEBHOOK.name) is WEBHOOK_SCHEMAS
    finally:
        pair.close()


def test_a_bad_braze_override_names_the_key_and_leaves_no_seen_mock_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed: list[str] = []
    close = MockRuntime.close

    def recording(self: MockRuntime) -> None:
        closed.append(self.service)
        close(self)

    monkeypatch.setattr(MockRuntime, "close", recording)
    with pytest.raises(ScenarioError, match=r"\[braze.settings\]: journal_cap"):
        MockPair.build(load_scenario(None), braze_settings={"journal_cap": 0})
    assert closed == ["seen"]


def test_an_app_that_is_not_the_mock_asked_for_is_a_type_error() -> None:
    pair = MockPair.build(load_scenario(None))
    try:
        with pytest.raises(TypeError, match="not a SEEN mock"):
            seen_backend_of(pair.braze_app)
        with pytest.raises(TypeError, match="not a Braze mock"):
            braze_backend_of(pair.seen_app)
        with pytest.raises(TypeError, match="not a mock"):
            runtime_of(Flask("plain"))
    finally:
        pair.close()
