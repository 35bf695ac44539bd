"""Scenario files (TOML): the integration under test, as the integrator configured it."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from mocks.braze.settings import BrazeSettings
from mocks.core.settings import SettingsError
from mocks.seen.models import Campaign, CampaignError
from mocks.seen.settings import SeenSettings

DEFAULT_SCENARIO = "default.toml"


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names the file, the key and the problem."""


@dataclass
class Scenario:
    name: str
    source: str
    data: dict[str, Any] = field(repr=False)

    @property
    def seen_campaign(self) -> dict[str, Any]:
        campaign: dict[str, Any] = self.data.get("seen", {}).get("campaign", {})
        return dict(campaign)

    def seen_settings(self, **overrides: Any) -> SeenSettings:
        """The SEEN mock's settings: the scenario's, with its campaign, then `overrides`."""
        seen = self.data.get("seen", {})
        values = {**seen.get("settings", {}), **overrides}
        values.setdefault("campaigns", [self.seen_campaign])
        try:
            settings = SeenSettings.from_dict(values)
            for campaign in settings.campaigns:
                Campaign.from_dict(campaign)
        except (SettingsError, CampaignError) as exc:
            raise ScenarioError(f"{self.source}: [seen]: {exc}") from None
        return settings

    def braze_settings(self, **overrides: Any) -> BrazeSettings:
        """The Braze mock's settings: the scenario's `[braze.settings]`, then `overrides`."""
        values = {**self.data.get("braze", {}).get("settings", {}), **overrides}
        try:
            return BrazeSettings.from_dict(values)
        except SettingsError as exc:
            raise ScenarioError(f"{self.source}: [braze.settings]: {exc}") from None


def load_scenario(path: str | Path | None = None) -> Scenario:
    """The scenario at `path`, or the embedded default scenario."""
    if path is None:
        text = resources.files("fixtures").joinpath(DEFAULT_SCENARIO).read_text("utf-8")
        source = f"<embedded {DEFAULT_SCENARIO}>"
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ScenarioError(f"{path}: cannot read: {exc.strerror or exc}") from None
        source = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from None
    seen = data.get("seen")
    if not isinstance(seen, dict) or not isinstance(seen.get("campaign"), dict):
        raise ScenarioError(f"{source}: [seen.campaign] is required (slug, token, ...)")
    name = data.get("scenario", {}).get("name", source)
    return Scenario(name=str(name), source=source, data=data)
