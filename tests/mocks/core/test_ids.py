"""Ids the mocks mint come from a seed drawn at every start, unless `id_seed` fixes it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.track.profiles import Identifier, ProfileStore
from seen_braze_harness.mocks.core.ids import IdMint, start_seed
from seen_braze_harness.mocks.core.settings import SettingsError
from seen_braze_harness.mocks.seen.settings import SeenSettings

CAMPAIGN = {"url": "https://api.seen.io/v1/campaigns/onboarding/receivers/", "body": "[]"}


def test_a_mint_without_a_seed_draws_256_random_bits() -> None:
    drawn = {start_seed(None) for _ in range(20)}
    assert len(drawn) == 20
    assert all(re.fullmatch(r"[0-9a-f]{64}", seed) for seed in drawn)
    assert start_seed("replay") == "replay"


def test_ids_of_each_kind_count_on_their_own_and_restart_at_reset() -> None:
    mint = IdMint("fixed", scope="s")
    first = [mint.hex("a"), mint.hex("b"), mint.hex("a")]
    assert len(set(first)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in first)
    mint.reset()
    assert [mint.hex("a"), mint.hex("b"), mint.hex("a")] == first
    assert IdMint("fixed", scope="other").hex("a") != first[0]


def test_a_random_seed_is_kept_across_resets() -> None:
    mint = IdMint(None)
    before = mint.uuid4("campaign")
    mint.reset()
    assert mint.uuid4("campaign") == before
    assert IdMint(None).uuid4("campaign") != before


def test_the_forms_of_an_id() -> None:
    mint = IdMint("x")
    assert uuid.UUID(mint.uuid4("c")).version == 4
    assert len(mint.hex("h", 40)) == 40
    secret = mint.token("secret", 24)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", secret)
    for bad in (0, 65):
        with pytest.raises(ValueError, match="length"):
            mint.hex("h", bad)
    with pytest.raises(ValueError, match="nbytes"):
        mint.token("t", 33)


@pytest.mark.parametrize("value", [1, b"x", ["a"]])
def test_id_seed_must_be_a_string(value: Any) -> None:
    with pytest.raises(SettingsError, match="id_seed"):
        SeenSettings(id_seed=value)


def braze_ids(make: Callable[..., Flask], **settings: Any) -> list[str]:
    """The first two campaigns' ids and the first dispatch id of a fresh Braze mock."""
    client = make(**settings).test_client()
    first = client.post("/_mock/campaigns", json=CAMPAIGN).get_json()["id"]
    second = client.post("/_mock/campaigns", json=CAMPAIGN).get_json()["id"]
    dispatch = client.post(f"/_mock/campaigns/{first}/send").get_json()["dispatch_id"]
    return [first, second, dispatch]


@pytest.fixture
def make_braze(closing_apps: list[Flask]) -> Callable[..., Flask]:
    def make(**settings: Any) -> Flask:
        app = create_braze_app(BrazeSettings(clock="virtual", **settings))
        closing_apps.append(app)
        return app

    return make


def test_two_fresh_braze_mocks_mint_different_ids(make_braze: Callable[..., Flask]) -> None:
    one, two = braze_ids(make_braze), braze_ids(make_braze)
    assert not set(one) & set(two)
    assert uuid.UUID(one[0]).version == 4 and re.fullmatch(r"[0-9a-f]{24}", one[2])


def test_a_fixed_id_seed_mints_the_same_braze_ids(make_braze: Callable[..., Flask]) -> None:
    assert braze_ids(make_braze, id_seed="replay") == braze_ids(make_braze, id_seed="replay")
    assert braze_ids(make_braze, id_seed="replay") != braze_ids(make_braze, id_seed="other")


def test_the_same_calls_after_a_reset_mint_the_same_ids(make_braze: Callable[..., Flask]) -> None:
    app = make_braze()
    client = app.test_client()
    before = client.post("/_mock/campaigns", json=CAMPAIGN).get_json()["id"]
    client.post("/_mock/reset")
    assert client.post("/_mock/campaigns", json=CAMPAIGN).get_json()["id"] == before


def seen_tokens(make_seen_app: Callable[..., Flask], **settings: Any) -> list[str]:
    """Tokens a fresh SEEN mock generates: a settings campaign's and an added one's."""
    app = make_seen_app(campaigns=[{"slug": "given"}], **settings)
    client = app.test_client()
    added = client.post("/_mock/campaigns", json={"slug": "added"}).get_json()["token"]
    return [app.extensions["seen"].campaigns["given"].token, added]


def test_two_fresh_seen_mocks_generate_different_tokens(
    make_seen_app: Callable[..., Flask],
) -> None:
    one, two = seen_tokens(make_seen_app), seen_tokens(make_seen_app)
    assert not set(one) & set(two)
    assert all(re.fullmatch(r"[0-9a-f]{40}", token) for token in one)


def test_a_fixed_id_seed_generates_the_same_seen_tokens(
    make_seen_app: Callable[..., Flask],
) -> None:
    fixed = seen_tokens(make_seen_app, id_seed="replay")
    assert seen_tokens(make_seen_app, id_seed="replay") == fixed


def test_a_settings_campaign_keeps_its_generated_token_across_resets(
    make_seen_app: Callable[..., Flask],
) -> None:
    app = make_seen_app(campaigns=[{"slug": "given"}])
    token = app.extensions["seen"].campaigns["given"].token
    app.test_client().post("/_mock/reset")
    assert app.extensions["seen"].campaigns["given"].token == token


def test_a_profile_store_given_no_id_seed_draws_one() -> None:
    def first_id(id_seed: str | None) -> str:
        store = ProfileStore(now=lambda: 0.0, seed="s", id_seed=id_seed)
        return store.create(Identifier("external_id", "u")).braze_id

    assert first_id(None) != first_id(None)
    assert first_id("replay") == first_id("replay") != first_id("")
