"""The SEEN and Braze mocks of one scenario, built in one place.

Every way the harness runs the mocks starts here: the in-process run (`harness.world`), the
sandbox of integrators' tests (`harness.sandbox`), `seen-braze serve` (`harness.cli`) and the
plugin's live servers (`harness.live`). The pair is wired as the integration needs it: the
webhook campaign's messages are checked against SEEN's receivers schemas, and both mocks may
share one scheduler (one clock) and one outbound session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask

from seen_braze_harness.harness.hops import WEBHOOK_SCHEMAS
from seen_braze_harness.harness.network import BRAZE_HOST, SEEN_HOST
from seen_braze_harness.harness.scenario import Scenario
from seen_braze_harness.mocks.braze.app import backend_of as braze_backend_of
from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.core.app import runtime_of
from seen_braze_harness.mocks.core.clock import Scheduler
from seen_braze_harness.mocks.core.delivery import HttpSession
from seen_braze_harness.mocks.core.runtime import MockRuntime
from seen_braze_harness.mocks.seen.app import backend_of as seen_backend_of
from seen_braze_harness.mocks.seen.app import create_app as create_seen_app
from seen_braze_harness.mocks.seen.models import SeenBackend


@dataclass(frozen=True)
class MockPair:
    """Both mocks: their Flask apps, backends and runtimes."""

    seen_app: Flask
    braze_app: Flask
    seen: SeenBackend
    braze: BrazeBackend

    @classmethod
    def build(
        cls,
        scenario: Scenario,
        *,
        scheduler: Scheduler | None = None,
        session: HttpSession | None = None,
        seen_settings: Mapping[str, Any] | None = None,
        braze_settings: Mapping[str, Any] | None = None,
    ) -> MockPair:
        """The scenario's mocks, their settings changed by the given overrides (a
        `ScenarioError` names a bad one)."""
        seen_app = create_seen_app(
            scenario.seen_settings(**dict(seen_settings or {})),
            scheduler=scheduler,
            session=session,
        )
        try:
            braze_app = create_braze_app(
                scenario.braze_settings(**dict(braze_settings or {})),
                scheduler=scheduler,
                session=session,
                webhook_schemas=WEBHOOK_SCHEMAS,
            )
        except BaseException:
            runtime_of(seen_app).close()
            raise
        return cls(seen_app, braze_app, seen_backend_of(seen_app), braze_backend_of(braze_app))

    @property
    def seen_runtime(self) -> MockRuntime:
        return self.seen.runtime

    @property
    def braze_runtime(self) -> MockRuntime:
        return self.braze.runtime

    def apps(self) -> dict[str, Flask]:
        """The apps by the hostname each serves in-process."""
        return {SEEN_HOST: self.seen_app, BRAZE_HOST: self.braze_app}

    def close(self) -> None:
        """Stop both mocks' work: schedulers they own, outbound threads, JavaScript workers."""
        try:
            self.seen_runtime.close()
        finally:
            self.braze_runtime.close()
