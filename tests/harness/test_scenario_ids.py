"""A scenario fixes the ids the mocks mint with `id_seed`, for an exact replay; without it,
every start draws its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from seen_braze_harness.harness.scenario import Scenario, ScenarioError, load_scenario
from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.seen.app import create_app as create_seen_app

FIXED = """
[seen.campaign]
slug = "onboarding"

[seen.settings]
clock = "virtual"
id_seed = "replay-7"

[braze.settings]
clock = "virtual"
id_seed = "replay-7"
"""


def minted(scenario: Scenario) -> tuple[str, str, str]:
    """The SEEN campaign's generated token, and a campaign id and dispatch id Braze mints."""
    seen = create_seen_app(scenario.seen_settings())
    braze = create_braze_app(scenario.braze_settings())
    try:
        token = seen.extensions["seen"].campaigns["onboarding"].token
        client = braze.test_client()
        made = client.post("/_mock/campaigns", json={**scenario.webhook, "audience": []}).json
        dispatch = client.post(f"/_mock/campaigns/{made['id']}/send").json["dispatch_id"]
        return token, made["id"], dispatch
    finally:
        seen.extensions["mock"].close()
        braze.extensions["mock"].close()


def test_a_scenario_with_id_seed_mints_the_same_ids_every_run(tmp_path: Path) -> None:
    path = tmp_path / "fixed.toml"
    path.write_text(FIXED, "utf-8")
    assert minted(load_scenario(str(path))) == minted(load_scenario(str(path)))


def test_without_id_seed_every_start_mints_its_own(tmp_path: Path) -> None:
    path = tmp_path / "random.toml"
    path.write_text(FIXED.replace('id_seed = "replay-7"\n', ""), "utf-8")
    first, second = minted(load_scenario(str(path))), minted(load_scenario(str(path)))
    assert not set(first) & set(second)


def test_a_bad_id_seed_is_a_scenario_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(FIXED.replace('id_seed = "replay-7"', "id_seed = 7", 1), "utf-8")
    with pytest.raises(ScenarioError, match="id_seed: must be a string"):
        load_scenario(str(path))
