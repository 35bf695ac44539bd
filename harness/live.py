"""SEEN and Braze as real HTTP servers on loopback, driven through their admin APIs: the
`seen_braze_server` fixture's handle (`LiveMocks`), answering `handles.MocksHandle` as the
in-process sandbox does, with `.seen` and `.braze` of the same shapes."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import requests

from seen_braze_harness.harness.network import WsgiApp
from seen_braze_harness.harness.pair import MockPair
from seen_braze_harness.harness.run.admin import AdminClient, Answer, HttpTimeouts
from seen_braze_harness.harness.scenario import Scenario, load_scenario
from seen_braze_harness.harness.server import MockServer

ADMIN_TIMEOUT = 30.0


class _Admin:
    """One server's admin API for a test: an answer of 400 or more is an AssertionError that
    names the call and gives the body."""

    def __init__(self, service: str, url: str, session: requests.Session) -> None:
        self.client = AdminClient(service, url, HttpTimeouts(session), ADMIN_TIMEOUT)
        self.url = self.client.url

    def __call__(self, method: str, path: str, *, body: Any = None, params: Any = None) -> Any:
        answer: Answer = self.client.request(method, f"/_mock{path}", body=body, params=params)
        if answer.status >= 400:
            text = answer.content.decode("utf-8", "replace")
            raise AssertionError(
                f"{method} {self.url}/_mock{path} answered {answer.status}: {text}"
            )
        return answer.json()

    def every(
        self, path: str, key: str, params: Mapping[str, str] | None = None, **options: Any
    ) -> list[Any]:
        """Every item of an admin listing, its pages' cursors followed to the end."""
        return self.client.items(f"/_mock{path}", key, params=params, **options)


class LiveSeen:
    """The SEEN server: answers `handles.SeenHandle` over its admin API."""

    def __init__(self, admin: _Admin, default_slug: str, token: str) -> None:
        self._admin = admin
        self.url = admin.url
        self.default_slug = default_slug
        self.token = token

    def receivers_url(self, slug: str | None = None) -> str:
        return f"{self.url}/v1/campaigns/{slug or self.default_slug}/receivers/"

    def campaign(self, slug: str | None = None) -> dict[str, Any]:
        found: dict[str, Any] = self._admin("GET", f"/campaigns/{slug or self.default_slug}")
        return found

    def update_campaign(self, slug: str | None = None, **changes: Any) -> dict[str, Any]:
        found: dict[str, Any] = self._admin(
            "PATCH", f"/campaigns/{slug or self.default_slug}", body=changes
        )
        return found

    def receivers(self, campaign: str | None = None) -> list[dict[str, Any]]:
        params = {} if campaign is None else {"campaign": campaign}
        return self._admin.every("/receivers", "receivers", params)


class LiveTransformation:
    """A Data Transformation made on the Braze server (`handles.TransformationHandle`)."""

    def __init__(self, admin: _Admin, made: Mapping[str, Any]) -> None:
        self._admin = admin
        self._made = dict(made)

    @property
    def id(self) -> str:
        return str(self._made["id"])

    @property
    def webhook_url(self) -> str:
        return str(self._made["webhook_url"])

    @property
    def logs(self) -> list[dict[str, Any]]:
        return self._admin.every(
            "/transformations/logs", "logs", {"transformation": self.id}, newest_first=True
        )

    def to_dict(self) -> dict[str, Any]:
        return dict(self._made)


class LiveBraze:
    """The Braze server: answers `handles.BrazeHandle` over its admin API."""

    def __init__(self, admin: _Admin, api_key: str, default_code: str) -> None:
        self._admin = admin
        self.url = admin.url
        self.api_key = api_key
        self.default_code = default_code

    def profile(
        self, braze_id: str | None = None, external_id: str | None = None
    ) -> dict[str, Any]:
        """As `BrazeMock.profile`, over the admin API."""
        if braze_id is None and external_id is None:
            raise TypeError("profile() needs braze_id or external_id")
        params = {
            k: v for k, v in (("braze_id", braze_id), ("external_id", external_id)) if v is not None
        }
        found = self._admin("GET", "/users", params=params)["users"]
        if not found:
            everyone = self._admin.every("/users", "users")
            known = "; ".join(u["braze_id"] for u in everyone) or "none"
            raise AssertionError(f"no Braze profile with {params}; known profiles: {known}")
        return found[0]  # type: ignore[no-any-return]

    def profiles(self) -> list[dict[str, Any]]:
        return self._admin.every("/users/export", "users")

    def seed_profile(self, data: Mapping[str, Any]) -> dict[str, Any]:
        made: dict[str, Any] = self._admin("POST", "/users", body=dict(data))
        return made["users"][0]  # type: ignore[no-any-return]

    def transformation(
        self,
        code: str | None = None,
        *,
        destination: str = "track-users",
        name: str = "SEEN video links",
        active: bool = True,
    ) -> LiveTransformation:
        """A Data Transformation (the scenario's code unless `code` is given); its
        `webhook_url` is on the Braze server."""
        definition = {
            "name": name,
            "code": self.default_code if code is None else code,
            "destination": destination,
            "active": active,
        }
        return LiveTransformation(
            self._admin, self._admin("POST", "/transformations", body=definition)
        )

    def transformation_logs(self, transformation_id: str | None = None) -> list[dict[str, Any]]:
        params = {} if transformation_id is None else {"transformation": transformation_id}
        return self._admin.every("/transformations/logs", "logs", params, newest_first=True)


class LiveMocks:
    """SEEN and Braze as real HTTP servers on loopback, on virtual clocks."""

    def __init__(self, scenario: Scenario | str | Path | None = None) -> None:
        loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        outbound = requests.Session()
        outbound.trust_env = False  # no proxies: callbacks stay on this machine
        self._outbound = outbound
        pair = MockPair.build(
            loaded,
            session=outbound,
            seen_settings={"clock": "virtual"},
            braze_settings={"clock": "virtual"},
        )
        slug: str = loaded.seen_campaign["slug"]
        self._seen = MockServer(pair.seen_app, threads=8).start()
        self._braze = MockServer(pair.braze_app, threads=8).start()
        self.http = requests.Session()
        self.http.trust_env = False
        self._seen_admin = _Admin("seen", self._seen.url, self.http)
        self._braze_admin = _Admin("braze", self._braze.url, self.http)
        self.seen = LiveSeen(self._seen_admin, slug, pair.seen.campaign(slug).token)
        self.braze = LiveBraze(
            self._braze_admin,
            next(iter(pair.braze.settings.api_keys)),
            loaded.transformation["code"],
        )
        self._served: list[MockServer] = []
        self._lock = threading.Lock()

    # -- where things are (the README's shorthands for `.seen` and `.braze`) ------------------
    @property
    def seen_url(self) -> str:
        return self.seen.url

    @property
    def braze_url(self) -> str:
        return self.braze.url

    @property
    def token(self) -> str:
        return self.seen.token

    @property
    def api_key(self) -> str:
        return self.braze.api_key

    @property
    def slug(self) -> str:
        return self.seen.default_slug

    def receivers_url(self, slug: str | None = None) -> str:
        return self.seen.receivers_url(slug)

    def receivers(self, campaign: str | None = None) -> list[dict[str, Any]]:
        return self.seen.receivers(campaign)

    def update_campaign(self, slug: str | None = None, **changes: Any) -> dict[str, Any]:
        return self.seen.update_campaign(slug, **changes)

    def seed_profile(self, data: Mapping[str, Any]) -> dict[str, Any]:
        return self.braze.seed_profile(data)

    def profile(
        self, braze_id: str | None = None, external_id: str | None = None
    ) -> dict[str, Any]:
        return self.braze.profile(braze_id, external_id)

    def transformation(self, code: str | None = None, **options: Any) -> dict[str, Any]:
        """An active Data Transformation as the admin API answers its creation."""
        return self.braze.transformation(code, **options).to_dict()

    # -- the clock, the journal, served apps ----------------------------------------------------
    def serve(self, app: WsgiApp, /) -> str:
        """Serve the integrator's app on a loopback port until the test ends; its base URL."""
        server = MockServer(app, threads=4).start()
        with self._lock:
            self._served.append(server)
        return server.url

    def reset(self) -> None:
        """Both mocks back to the scenario (`POST /_mock/reset`); served apps are stopped."""
        self._seen_admin("POST", "/reset")
        self._braze_admin("POST", "/reset")
        self.stop_served()

    def advance(self, seconds: float) -> None:
        """Move both virtual clocks forward (`POST /_mock/clock`), SEEN's first."""
        for admin in (self._seen_admin, self._braze_admin):
            admin("POST", "/clock", body={"advance": seconds})

    def journal(
        self, hop: str | None = None, status: int | str | None = None, *, service: str | None = None
    ) -> list[dict[str, Any]]:
        """Exchanges of both mocks in time order, as `GET /_mock/journal` shows them."""
        params = {k: str(v) for k, v in (("hop", hop), ("status", status)) if v is not None}
        found: list[dict[str, Any]] = []
        for name, admin in (("seen", self._seen_admin), ("braze", self._braze_admin)):
            if service is None or service == name:
                found.extend(admin.every("/journal", "exchanges", params, newest_first=True))
        return sorted(found, key=lambda e: e["time"])

    def assert_called(
        self, hop: str, times: int | None = None, status: int | str | None = None
    ) -> list[dict[str, Any]]:
        """As `Sandbox.assert_called`, over the admin API."""
        from seen_braze_harness.harness.sandbox.calls import CallView, explain_calls, hop_matches
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

    # -- lifecycle ------------------------------------------------------------------------------
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
