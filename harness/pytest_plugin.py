"""pytest fixtures for integrators' test suites (a `pytest11` plugin, loaded once installed).

- `seen_braze`: the in-process sandbox (`harness.sandbox`), fresh for each test; options with
  `@pytest.mark.seen_braze(scenario=..., clock=..., passthrough=[...])`.
- `seen_mock`, `braze_mock`, `mock_clock`: its SEEN mock, Braze mock and clock.
- `seen_braze_server`: both mocks as live HTTP servers on ephemeral loopback ports, started
  once per session on virtual clocks and reset before each test. Override the session fixture
  `seen_braze_server_scenario` to serve another scenario.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from seen_braze_harness.harness.live import LiveMocks
    from seen_braze_harness.harness.sandbox import BrazeMock, MockClock, Sandbox, SeenMock
    from seen_braze_harness.harness.scenario import Scenario

# Imports of the mocks are deferred to the fixtures: pytest loads this plugin in every run,
# and most runs never use it.


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "seen_braze(**options): options of the seen_braze fixture's sandbox "
        "(scenario, clock, passthrough, seen_settings, braze_settings)",
    )


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
    from seen_braze_harness.harness.live import LiveMocks

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
    "braze_mock",
    "mock_clock",
    "seen_braze",
    "seen_braze_server",
    "seen_braze_server_scenario",
    "seen_braze_server_session",
    "seen_mock",
]
