"""The mocks as a test holds them in-process: SEEN, Braze, a Data Transformation made in the
sandbox, and the one clock both mocks read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seen_braze_harness.harness.network import BRAZE_HOST, SEEN_HOST
from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.braze.transformations import Transformation, TransformationError
from seen_braze_harness.mocks.core.clock import Scheduler
from seen_braze_harness.mocks.seen.models import SeenBackend


class MockClock:
    """The one clock both mocks read; in virtual time it only moves when told to."""

    def __init__(self, scheduler: Scheduler) -> None:
        self.scheduler = scheduler

    def now(self) -> float:
        return self.scheduler.clock.now()

    def advance(self, seconds: float) -> int:
        """Move forward `seconds`, running every task due on the way; how many ran."""
        return self.scheduler.advance(seconds)

    def run_until_idle(self, *, max_seconds: float = 7 * 24 * 3600.0) -> int:
        """Jump from one due task to the next until none is left; how many ran."""
        return self.scheduler.run_until_idle(max_seconds=max_seconds)

    def pending(self) -> list[str]:
        """Names of the tasks still waiting (a render, a callback retry, ...)."""
        return [task.name for task in self.scheduler.pending()]

    @property
    def errors(self) -> list[tuple[str, BaseException]]:
        """Tasks that raised inside the mocks, by name."""
        return list(self.scheduler.errors)


class SeenMock:
    """The SEEN mock as a test sees it: campaigns, receivers, and its raw backend."""

    url = f"https://{SEEN_HOST}"

    def __init__(self, backend: SeenBackend, default_slug: str) -> None:
        self.backend = backend
        self.default_slug = default_slug

    @property
    def token(self) -> str:
        """The default campaign's API token (`Authorization: Token <token>`)."""
        return self.backend.campaign(self.default_slug).token

    def receivers_url(self, slug: str | None = None) -> str:
        return f"{self.url}/v1/campaigns/{slug or self.default_slug}/receivers/"

    def campaign(self, slug: str | None = None) -> dict[str, Any]:
        """A campaign as the admin API shows it (the scenario's one by default)."""
        found = self.backend.campaigns.get(slug or self.default_slug)
        if found is None:
            known = ", ".join(sorted(self.backend.campaigns)) or "none"
            raise AssertionError(f"no SEEN campaign {slug!r}; known campaigns: {known}")
        return found.to_dict()

    def update_campaign(self, slug: str | None = None, **changes: Any) -> dict[str, Any]:
        """Change a campaign, e.g. `update_campaign(callback_url=...)`."""
        return self.backend.update_campaign(slug or self.default_slug, changes).to_dict()

    def receivers(self, campaign: str | None = None) -> list[dict[str, Any]]:
        """Every receiver (of one campaign), oldest first, as the admin API shows them."""
        return [r.to_dict() for r in self.backend.query_receivers(campaign=campaign)]


class DataTransformation:
    """A Braze Data Transformation made in the sandbox: its webhook URL and its logs."""

    def __init__(self, braze: BrazeMock, transformation: Transformation) -> None:
        self._braze = braze
        self.transformation = transformation

    @property
    def id(self) -> str:
        return self.transformation.id

    @property
    def webhook_url(self) -> str:
        """The webhook URL on the Braze REST host, as Braze's dashboard shows it."""
        return f"{self._braze.url}{self.transformation.webhook_path}"

    @property
    def logs(self) -> list[dict[str, Any]]:
        """This transformation's runs, oldest first, as the Logs tab lists them."""
        return self._braze.transformation_logs(self.id)

    def to_dict(self) -> dict[str, Any]:
        return self.transformation.to_dict(self._braze.url)


class BrazeMock:
    """The Braze mock as a test sees it: profiles, transformations, and its raw backend."""

    url = f"https://{BRAZE_HOST}"

    def __init__(self, backend: BrazeBackend, default_code: str) -> None:
        self.backend = backend
        self.default_code = default_code

    @property
    def api_key(self) -> str:
        """A REST API key with every permission (`Authorization: Bearer <key>`)."""
        return next(iter(self.backend.settings.api_keys))

    def profile(
        self, braze_id: str | None = None, external_id: str | None = None
    ) -> dict[str, Any]:
        """The profile with this braze_id or external_id, as the admin API shows it."""
        if braze_id is None and external_id is None:
            raise TypeError("profile() needs braze_id or external_id")
        found = self.backend.profiles.query(braze_id=braze_id, external_id=external_id)
        if not found:
            wanted = f"braze_id {braze_id!r}" if braze_id is not None else ""
            if external_id is not None:
                wanted += (" and " if wanted else "") + f"external_id {external_id!r}"
            everyone = self.backend.profiles.query()
            known = [
                p.braze_id + (f" (external_id {p.external_id!r})" if p.external_id else "")
                for p in everyone[:20]
            ]
            more = f" and {len(everyone) - 20} more" if len(everyone) > 20 else ""
            listed = "; ".join(known) + more if known else "none (seed some with seed_profile)"
            raise AssertionError(f"no Braze profile with {wanted}; known profiles: {listed}")
        return found[0].to_dict()

    def profiles(self) -> list[dict[str, Any]]:
        return self.backend.profiles.export()

    def seed_profile(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Add a profile as `POST /_mock/users` does; ValueError names a bad key."""
        return self.backend.profiles.seed(data).to_dict()

    def transformation(
        self,
        code: str | None = None,
        *,
        destination: str = "track-users",
        name: str = "SEEN video links",
        active: bool = True,
    ) -> DataTransformation:
        """A new Data Transformation (the scenario's code unless `code` is given)."""
        try:
            made = self.backend.transformations.create(
                {
                    "name": name,
                    "code": self.default_code if code is None else code,
                    "destination": destination,
                    "active": active,
                }
            )
        except TransformationError as exc:
            raise ValueError(str(exc)) from None
        return DataTransformation(self, made)

    def transformation_logs(self, transformation_id: str | None = None) -> list[dict[str, Any]]:
        """Every transformation run (of one transformation), oldest first."""
        return [
            entry.to_dict()
            for entry in list(self.backend.transformations.logs)
            if transformation_id is None or entry.transformation_id == transformation_id
        ]
