"""Both mocks in one process on one virtual clock, wired to each other's real hostnames."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
import responses
from flask import Flask

from seen_braze_harness.harness.hops import WEBHOOK_SCHEMAS
from seen_braze_harness.harness.network import BRAZE_HOST, SEEN_HOST, WsgiSession, intercept
from seen_braze_harness.harness.scenario import Scenario
from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.core.clock import Clock, Scheduler
from seen_braze_harness.mocks.core.delivery import HttpSession
from seen_braze_harness.mocks.core.faults import FaultRule, FaultRuleError
from seen_braze_harness.mocks.seen.app import create_app as create_seen_app
from seen_braze_harness.mocks.seen.models import SeenBackend

TRANSPORTS = ("wsgi", "responses")


class World:
    """The SEEN and Braze mocks of one run: `seen`, `braze` (backends), their apps, the
    scheduler they share, and the session each sends its outbound calls with."""

    def __init__(self, scenario: Scenario, *, capacity: int, transport: str = "wsgi") -> None:
        if transport not in TRANSPORTS:
            raise ValueError(f"transport must be one of {', '.join(TRANSPORTS)}, not {transport!r}")
        self.transport = transport
        self._intercepted: responses.RequestsMock | None = None
        self.faults: list[FaultRule] = []
        self.scheduler = Scheduler(Clock(frozen=True))
        self.wsgi = WsgiSession()
        self.session: HttpSession = self.wsgi
        if transport == "responses":
            plain = requests.Session()
            plain.trust_env = False  # no proxies or .netrc: nothing leaves the process
            self.session = plain
        # Enough room for every exchange and receiver of the run: nothing evicted, all checked.
        journal_cap = max(10_000, capacity * 8)
        self.seen_app: Flask = create_seen_app(
            scenario.seen_settings(
                journal_cap=journal_cap, receivers_cap=max(100_000, capacity * 2)
            ),
            scheduler=self.scheduler,
            session=self.session,
        )
        self.braze_app: Flask = create_braze_app(
            scenario.braze_settings(
                journal_cap=journal_cap, transformation_log_cap=max(1_000, capacity * 2)
            ),
            scheduler=self.scheduler,
            session=self.session,
            webhook_schemas=WEBHOOK_SCHEMAS,
        )
        self.wsgi.apps.update({SEEN_HOST: self.seen_app, BRAZE_HOST: self.braze_app})
        self.seen: SeenBackend = self.seen_app.extensions["seen"]
        self.braze: BrazeBackend = self.braze_app.extensions["braze"]

    def add_faults(self, faults: list[tuple[str, dict[str, Any]]]) -> None:
        """The scenario's fault rules, each on the mock it names (kept in `self.faults`)."""
        for index, (service, rule) in enumerate(faults):
            backend = self.seen if service == "seen" else self.braze
            try:
                self.faults.append(backend.runtime.faults.add(FaultRule.from_dict(rule)))
            except FaultRuleError as exc:
                raise ValueError(f"[[faults]] {index}: {exc}") from None

    @contextmanager
    def network(self) -> Iterator[None]:
        """While inside, the mocks' outbound calls reach each other (through `responses` when
        that is the transport)."""
        if self.transport == "responses":
            with intercept({SEEN_HOST: self.seen_app, BRAZE_HOST: self.braze_app}) as mock:
                self._intercepted = mock
                try:
                    yield
                finally:
                    self._intercepted = None
        else:
            yield

    def forget_calls(self) -> None:
        """Drop the calls `responses` recorded so far: the journals keep what the checks need,
        and a long run would otherwise hold every request twice."""
        if self._intercepted is not None:
            self._intercepted.calls.reset()

    def close(self) -> None:
        for app in (self.seen_app, self.braze_app):
            app.extensions["mock"].close()

    def __enter__(self) -> World:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
