"""Scenario files: the embedded default, and clear errors for broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import read_text
from harness.scenario import ScenarioError, load_scenario
from mocks.seen.models import Campaign


def test_default_scenario_is_the_documented_integration() -> None:
    scenario = load_scenario()
    campaign = Campaign.from_dict(scenario.seen_campaign)
    assert campaign.slug == "onboarding"
    assert len(campaign.token) == 40 and campaign.token == campaign.token.lower()
    webhook = scenario.data["braze"]["webhook"]
    assert webhook["rate_per_minute"] == 10
    assert webhook["body"] == (
        '[{"first_name":"{{${first_name}}}","last_name":"{{${last_name}}}",'
        '"email":"{{${email_address}}}","customer_id":"{{${braze_id}}}"}]'
    )
    assert webhook["headers"]["Authorization"] == f"Token {campaign.token}"
    assert webhook["url"].endswith(f"/v1/campaigns/{campaign.slug}/receivers/")
    transformation = scenario.data["braze"]["transformation"]
    assert transformation["destination"] == "track-users"
    assert "_update_existing_only: true" in read_text(transformation["code_file"])
    settings = scenario.seen_settings()
    assert settings.rate_limit == 1000 and settings.campaigns == [scenario.seen_campaign]


def test_overrides_win(tmp_path: Path) -> None:
    settings = load_scenario().seen_settings(render_seconds=5.0)
    assert settings.render_seconds == 5.0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("this is = = not toml", "not valid TOML"),
        ("[scenario]\nname = 'x'\n", "[seen.campaign] is required"),
        ("[seen.campaign]\nslug = 'has space'\n", "slug"),
        ("[seen.campaign]\nslug = 'ok'\n[seen.settings]\nrate_limt = 5\n", "rate_limt"),
        ("[seen.campaign]\nslug = 'ok'\n[seen.settings]\nrate_limit = 0\n", "rate_limit"),
    ],
)
def test_broken_scenarios_name_the_file_and_the_key(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path).seen_settings()
    assert str(path) in str(caught.value) and words in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "nope.toml")
