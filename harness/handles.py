"""What a test holds of the mocks, whichever way they run: one protocol that the in-process
sandbox (`harness.sandbox.Sandbox`) and the live servers (`harness.live.LiveMocks`) both
answer, with the same shapes, so one test body can run against either.

```python
def test_a_callback_lands(mocks: MocksHandle) -> None:
    ada = mocks.braze.seed_profile({"external_id": "ada"})
    mocks.seen.update_campaign(callback_url=mocks.braze.transformation().webhook_url)
    ...
    mocks.advance(30)
    mocks.assert_called(braze_hops.USERS_TRACK.name, times=1)
```
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from seen_braze_harness.harness.network import WsgiApp

if TYPE_CHECKING:
    from seen_braze_harness.harness.live import LiveMocks
    from seen_braze_harness.harness.sandbox import Sandbox


class TransformationHandle(Protocol):
    """A Data Transformation made for the test."""

    @property
    def id(self) -> str: ...
    @property
    def webhook_url(self) -> str:
        """Where its webhook is, on the Braze host the test reaches."""

    @property
    def logs(self) -> list[dict[str, Any]]:
        """Its runs, oldest first, as the admin API lists them."""

    def to_dict(self) -> dict[str, Any]: ...


class SeenHandle(Protocol):
    """The SEEN mock: where it is, the scenario's campaign, its receivers."""

    @property
    def url(self) -> str: ...
    @property
    def default_slug(self) -> str: ...
    @property
    def token(self) -> str:
        """The default campaign's API token (`Authorization: Token <token>`)."""

    def receivers_url(self, slug: str | None = None) -> str: ...
    def campaign(self, slug: str | None = None) -> dict[str, Any]: ...
    def update_campaign(self, slug: str | None = None, **changes: Any) -> dict[str, Any]: ...
    def receivers(self, campaign: str | None = None) -> list[dict[str, Any]]: ...


class BrazeHandle(Protocol):
    """The Braze mock: where it is, a key, profiles, transformations."""

    @property
    def url(self) -> str: ...
    @property
    def api_key(self) -> str:
        """A REST API key with every permission (`Authorization: Bearer <key>`)."""

    def profile(
        self, braze_id: str | None = None, external_id: str | None = None
    ) -> dict[str, Any]: ...
    def profiles(self) -> list[dict[str, Any]]: ...
    def seed_profile(self, data: Mapping[str, Any]) -> dict[str, Any]: ...
    def transformation(
        self,
        code: str | None = None,
        *,
        destination: str = "track-users",
        name: str = "SEEN video links",
        active: bool = True,
    ) -> TransformationHandle: ...
    def transformation_logs(self, transformation_id: str | None = None) -> list[dict[str, Any]]: ...


class MocksHandle(Protocol):
    """Both mocks, their clock, the journal's assertions, and apps served beside them."""

    @property
    def seen(self) -> SeenHandle: ...
    @property
    def braze(self) -> BrazeHandle: ...
    def advance(self, seconds: float) -> object:
        """Move the mocks' (virtual) clock forward, running what falls due."""

    def serve(self, app: WsgiApp, /) -> str:
        """Serve the integrator's app beside the mocks until the test ends; its base URL."""

    def assert_called(
        self, hop: str, times: int | None = None, status: int | str | None = None
    ) -> Sequence[object]:
        """The exchanges on `hop` (with `status`): at least one, or exactly `times`."""

    def reset(self) -> None: ...


if TYPE_CHECKING:  # mypy holds both handles to the protocol

    def _both_answer(sandbox: Sandbox, live: LiveMocks) -> tuple[MocksHandle, MocksHandle]:
        return sandbox, live
