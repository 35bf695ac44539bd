"""pytest fixtures for integrators' test suites (a `pytest11` plugin, loaded once installed).

- `seen_braze`: the in-process sandbox (`harness.sandbox`), fresh for each test; options with
  `@pytest.mark.seen_braze(scenario=..., clock=..., passthrough=[...])`.
- `seen_mock`, `braze_mock`, `mock_clock`: its SEEN mock, Braze mock and clock.
- `seen_braze_server`: both mocks as live HTTP servers on ephemeral loopback ports, started
  once per session on virtual clocks and reset before each test. Override the session fixture
  `seen_braze_server_scenario` to serve another scenario.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from flask import Flask

    from seen_braze_harness.harness.sandbox import BrazeMock, MockClock, Sandbox, SeenMock
    from seen_braze_harness.harness.scenario import Scenario
    from seen_braze_harness.harness.server import MockServer

# Imports of the mocks are deferred to the fixtures: pytest loads this plugin in every run,
# and most runs never use it.


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "seen_braze(**options): options of the seen_braze fixture's sandbox "
        "(scenario, clock, passthrough, seen_settings, braze_settings)",
    )


class LiveMocks:
    """SEEN and Braze as real HTTP servers on loopback, driven through their admin APIs."""

    def __init__(self, scenario: Scenario | str | Path | None = None) -> None:
        import requests

        from seen_braze_harness.harness.hops import WEBHOOK_SCHEMAS
        from seen_braze_harness.harness.scenario import Scenario, load_scenario
        from seen_braze_harness.harness.server import MockServer
        from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
        from seen_braze_harness.mocks.seen.app import create_app as create_seen_app

        loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        self.slug: str = loaded.seen_campaign["slug"]
        outbound = requests.Session()
        outbound.trust_env = False  # no proxies: callbacks stay on this machine
        self._outbound = outbound
        seen_app = create_seen_app(loaded.seen_settings(clock="virtual"), session=outbound)
        braze_app = create_braze_app(
            loaded.braze_settings(clock="virtual"),
            session=outbound,
            webhook_schemas=WEBHOOK_SCHEMAS,
        )
        self.token: str = seen_app.extensions["seen"].campaign(self.slug).token
        self.api_key: str = next(iter(braze_app.extensions["braze"].settings.api_keys))
        self._seen = MockServer(seen_app, threads=8).start()
        self._braze = MockServer(braze_app, threads=8).start()
        self.http = requests.Session()
        self.http.trust_env = False
        self._served: list[MockServer] = []
        self._lock = threading.Lock()

    # -- where things are --------------------------------------------------------------------
    @property
    def seen_url(self) -> str:
        return self._seen.url

    @property
    def braze_url(self) -> str:
        return self._braze.url

    def receivers_url(self, slug: str | None = None) -> str:
        return f"{self.seen_url}/v1/campaigns/{slug or self.slug}/receivers/"

    def serve(self, app: Flask) -> str:
        """Serve the integrator's app on a loopback port until the test ends; its base URL."""
        from seen_braze_harness.harness.server import MockServer

        server = MockServer(app, threads=4).start()
        with self._lock:
            self._served.append(server)
        return server.url

    # -- admin API ---------------------------------------------------------------------------
    def _admin(self, base: str, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"{base}/_mock{path}", timeout=30, **kwargs)
        if response.status_code >= 400:
            raise AssertionError(
                f"{method} {base}/_mock{path} answered {response.status_code}: {response.text}"
            )
        return response.json() if response.content else None

    def reset(self) -> None:
        """Both mocks back to the scenario (`POST /_mock/reset`); served apps are stopped."""
        self._admin(self.seen_url, "POST", "/reset")
        self._admin(self.braze_url, "POST", "/reset")
        self.stop_served()

    def advance(self, seconds: float) -> None:
        """Move both virtual clocks forward (`POST /_mock/clock`), SEEN's first."""
        for base in (self.seen_url, self.braze_url):
            self._admin(base, "POST", "/clock", json={"advance": seconds})

    def journal(
        self, hop: str | None = None, status: int | str | None = None, *, service: str | None = None
    ) -> list[dict[str, Any]]:
        """Exchanges of both mocks in time order, as `GET /_mock/journal` shows them."""
        params = {k: str(v) for k, v in (("hop", hop), ("status", status)) if v is not None}
        found: list[dict[str, Any]] = []
        for name, base in (("seen", self.seen_url), ("braze", self.braze_url)):
            if service is None or service == name:
                found.extend(self._every(base, "/journal", "exchanges", params, newest_first=True))
        return sorted(found, key=lambda e: e["time"])

    def assert_called(
        self, hop: str, times: int | None = None, status: int | str | None = None
    ) -> list[dict[str, Any]]:
        """As `Sandbox.assert_called`, over the admin API."""
        from seen_braze_harness.harness.sandbox import CallView, explain_calls, hop_matches
        from seen_braze_harness.mocks.core.journal import status_matches

        exchanges = self.journal()
        views = [CallView.from_dict(e) for e in exchanges]
        message = explain_calls(hop, views, times=times, status=status)
        if message is not None:
            raise AssertionError(message)
        return [
            e
            for e, v in zip(exchanges, views, strict=True)
            if hop_matches(v.hop, hop) and status_matches(v.status, status)
        ]

    def update_campaign(self, slug: str | None = None, **changes: Any) -> dict[str, Any]:
        found: dict[str, Any] = self._admin(
            self.seen_url, "PATCH", f"/campaigns/{slug or self.slug}", json=changes
        )
        return found

    def receivers(self, campaign: str | None = None) -> list[dict[str, Any]]:
        params = {} if campaign is None else {"campaign": campaign}
        return self._every(self.seen_url, "/receivers", "receivers", params)

    def _every(
        self,
        base: str,
        path: str,
        key: str,
        params: Mapping[str, str] | None = None,
        *,
        newest_first: bool = False,
    ) -> list[Any]:
        """Every item of an admin listing, its pages' cursors followed to the end (oldest
        first)."""
        from seen_braze_harness.mocks.core.pagination import follow

        def page(query: dict[str, str]) -> Any:
            return self._admin(base, "GET", path, params=query)

        return follow(page, key, params=params, newest_first=newest_first)[1]

    def seed_profile(self, data: Mapping[str, Any]) -> dict[str, Any]:
        made: dict[str, Any] = self._admin(self.braze_url, "POST", "/users", json=dict(data))
        return made["users"][0]  # type: ignore[no-any-return]

    def profile(
        self, braze_id: str | None = None, external_id: str | None = None
    ) -> dict[str, Any]:
        """As `BrazeMock.profile`, over the admin API."""
        if braze_id is None and external_id is None:
            raise TypeError("profile() needs braze_id or external_id")
        params = {
            k: v for k, v in (("braze_id", braze_id), ("external_id", external_id)) if v is not None
        }
        found = self._admin(self.braze_url, "GET", "/users", params=params)["users"]
        if not found:
            everyone = self._every(self.braze_url, "/users", "users")
            known = "; ".join(u["braze_id"] for u in everyone) or "none"
            raise AssertionError(f"no Braze profile with {params}; known profiles: {known}")
        return found[0]  # type: ignore[no-any-return]

    def transformation(
        self,
        code: str | None = None,
        *,
        destination: str = "track-users",
        name: str = "SEEN video links",
    ) -> dict[str, Any]:
        """An active Data Transformation (the embedded one unless `code` is given); its
        `webhook_url` is on the Braze server."""
        if code is None:
            from seen_braze_harness.fixtures import SEEN_TRANSFORMATION, read_text

            code = read_text(SEEN_TRANSFORMATION)
        definition = {"name": name, "code": code, "destination": destination, "active": True}
        made: dict[str, Any] = self._admin(
            self.braze_url, "POST", "/transformations", json=definition
        )
        return made

    # -- lifecycle ---------------------------------------------------------------------------
    def stop_served(self) -> None:
        with self._lock:
            served, self._served = self._served, []
        for server in served:
            server.stop()

    def close(self) -> None:
        self.stop_served()
        self._seen.stop()
        self._braze.stop()
        self.http.close()
        self._outbound.close()


LOOPBACK_PREFIXES = ("http://127.0.0.1:", "http://localhost:")


@pytest.fixture
def seen_braze(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """SEEN and Braze in this process for one test: `requests` calls to their hosts are served
    by fresh mocks, others refused (options: `@pytest.mark.seen_braze(...)`)."""
    from seen_braze_harness.harness.sandbox import seen_braze as make_sandbox

    marker = request.node.get_closest_marker("seen_braze")
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    if "seen_braze_server_session" in request.fixturenames:
        # The live servers in the same test: their admin calls and their callbacks to apps
        # served on loopback must get through the sandbox (loopback only: still no network).
        passthrough = options.get("passthrough", ())
        passthrough = [passthrough] if isinstance(passthrough, str) else list(passthrough)
        options["passthrough"] = [*passthrough, *LOOPBACK_PREFIXES]
    with make_sandbox(**options) as sandbox:
        yield sandbox


@pytest.fixture
def seen_mock(seen_braze: Sandbox) -> SeenMock:
    """The in-process SEEN mock (`seen_braze.seen`)."""
    return seen_braze.seen


@pytest.fixture
def braze_mock(seen_braze: Sandbox) -> BrazeMock:
    """The in-process Braze mock (`seen_braze.braze`)."""
    return seen_braze.braze


@pytest.fixture
def mock_clock(seen_braze: Sandbox) -> MockClock:
    """The clock both in-process mocks share (`seen_braze.clock`)."""
    return seen_braze.clock


@pytest.fixture(scope="session")
def seen_braze_server_scenario() -> Scenario | str | Path | None:
    """The scenario the live servers start from (None: the embedded one); override it."""
    return None


@pytest.fixture(scope="session")
def seen_braze_server_session(
    seen_braze_server_scenario: Scenario | str | Path | None,
) -> Iterator[LiveMocks]:
    """The live servers, started once for the session."""
    live = LiveMocks(seen_braze_server_scenario)
    try:
        yield live
    finally:
        live.close()


@pytest.fixture
def seen_braze_server(seen_braze_server_session: LiveMocks) -> Iterator[LiveMocks]:
    """SEEN and Braze as live HTTP servers (`.seen_url`, `.braze_url`), reset for this test."""
    seen_braze_server_session.reset()
    try:
        yield seen_braze_server_session
    finally:
        seen_braze_server_session.stop_served()


__all__ = [
    "LiveMocks",
    "braze_mock",
    "mock_clock",
    "seen_braze",
    "seen_braze_server",
    "seen_braze_server_scenario",
    "seen_braze_server_session",
    "seen_mock",
]
