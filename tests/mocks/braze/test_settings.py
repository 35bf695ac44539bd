"""The Braze mock's settings as declared (mocks.braze.settings)."""

from __future__ import annotations

from typing import get_args, get_type_hints

import pytest

from seen_braze_harness.mocks.braze.liquid.engine.template import MODES
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.settings import SettingsError


def test_the_liquid_error_modes_are_the_engines() -> None:
    """The setting's choices (and so its message) come from its Literal type."""
    assert get_args(get_type_hints(BrazeSettings)["liquid_error_mode"]) == MODES
    with pytest.raises(SettingsError) as raised:
        BrazeSettings.from_dict({"liquid_error_mode": "loose"})
    assert str(raised.value) == "liquid_error_mode: must be one of lax, warn, strict, not 'loose'"


def test_campaigns_are_parsed_only_against_settings_that_passed() -> None:
    campaign = {"url": "https://example.com:8080/hook"}
    with pytest.raises(SettingsError) as raised:
        BrazeSettings.from_dict({"campaigns": [campaign], "webhook_allowed_ports": "80"})
    assert str(raised.value) == "webhook_allowed_ports: must be a list of ports from 1 to 65535"
    with pytest.raises(SettingsError, match=r"^campaigns\[0\]: url: .* uses port 8080"):
        BrazeSettings.from_dict({"campaigns": [campaign]})
    assert BrazeSettings(campaigns=[campaign], webhook_allowed_ports=[8080]).campaigns
