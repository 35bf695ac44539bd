"""Each test runs against both ways of running the mocks, through the one handle protocol
both answer (`harness.handles.MocksHandle`): the in-process sandbox (`seen_braze`) and the
live servers (`seen_braze_server`)."""

from __future__ import annotations

import pytest

from seen_braze_harness.harness.handles import MocksHandle


@pytest.fixture(params=["in-process", "live"])
def mocks(request: pytest.FixtureRequest) -> MocksHandle:
    """SEEN and Braze, in this process or as live servers on loopback."""
    fixture = "seen_braze" if request.param == "in-process" else "seen_braze_server"
    handle: MocksHandle = request.getfixturevalue(fixture)
    return handle
