"""One face for both ways of running the mocks, so each test runs against both: the
in-process sandbox (`seen_braze`) and the live servers (`seen_braze_server`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pytest
from flask import Flask

from seen_braze_harness.harness.sandbox import Sandbox

SERVICE_HOST = "my-service.example"


class Mocks(Protocol):
    """What the integrator's tests need of the mocks, whichever way they run."""

    @property
    def seen_url(self) -> str: ...
    @property
    def braze_url(self) -> str: ...
    @property
    def token(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def slug(self) -> str: ...
    def serve(self, app: Flask) -> str: ...
    def advance(self, seconds: float) -> None: ...
    def seed_profile(self, data: Mapping[str, Any]) -> dict[str, Any]: ...
    def profile(self, braze_id: str) -> dict[str, Any]: ...
    def receivers(self) -> list[dict[str, Any]]: ...
    def update_campaign(self, **changes: Any) -> dict[str, Any]: ...
    def transformation(self) -> str: ...
    def assert_called(
        self, hop: str, times: int | None = None, status: int | str | None = None
    ) -> list[Any]: ...


class InProcess:
    """The sandbox: the services' real hostnames, one virtual clock."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sb = sandbox
        self.seen_url = sandbox.seen.url
        self.braze_url = sandbox.braze.url
        self.token = sandbox.seen.token
        self.api_key = sandbox.braze.api_key
        self.slug = sandbox.seen.default_slug

    def serve(self, app: Flask) -> str:
        return self.sb.serve(SERVICE_HOST, app)

    def advance(self, seconds: float) -> None:
        self.sb.clock.advance(seconds)

    def seed_profile(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return self.sb.braze.seed_profile(data)

    def profile(self, braze_id: str) -> dict[str, Any]:
        return self.sb.braze.profile(braze_id=braze_id)

    def receivers(self) -> list[dict[str, Any]]:
        return self.sb.seen.receivers()

    def update_campaign(self, **changes: Any) -> dict[str, Any]:
        return self.sb.seen.update_campaign(**changes)

    def transformation(self) -> str:
        return self.sb.braze.transformation().webhook_url

    def assert_called(
        self, hop: str, times: int | None = None, status: int | str | None = None
    ) -> list[Any]:
        return self.sb.assert_called(hop, times=times, status=status)


class Live:
    """The live servers: loopback URLs, virtual clocks moved through the admin API."""

    def __init__(self, server: Any) -> None:
        self.server = server
        self.seen_url = server.seen_url
        self.braze_url = server.braze_url
        self.token = server.token
        self.api_key = server.api_key
        self.slug = server.slug

    def serve(self, app: Flask) -> str:
        url: str = self.server.serve(app)
        return url

    def advance(self, seconds: float) -> None:
        self.server.advance(seconds)

    def seed_profile(self, data: Mapping[str, Any]) -> dict[str, Any]:
        made: dict[str, Any] = self.server.seed_profile(data)
        return made

    def profile(self, braze_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.server.profile(braze_id=braze_id)
        return found

    def receivers(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.server.receivers()
        return found

    def update_campaign(self, **changes: Any) -> dict[str, Any]:
        updated: dict[str, Any] = self.server.update_campaign(**changes)
        return updated

    def transformation(self) -> str:
        url: str = self.server.transformation()["webhook_url"]
        return url

    def assert_called(
        self, hop: str, times: int | None = None, status: int | str | None = None
    ) -> list[Any]:
        found: list[Any] = self.server.assert_called(hop, times=times, status=status)
        return found


@pytest.fixture(params=["in-process", "live"])
def mocks(request: pytest.FixtureRequest) -> Mocks:
    """SEEN and Braze, in this process or as live servers on loopback."""
    if request.param == "in-process":
        return InProcess(request.getfixturevalue("seen_braze"))
    return Live(request.getfixturevalue("seen_braze_server"))
