"""The audience: seeded Faker users from several locales, explicit profiles, the edge-case probe."""

from __future__ import annotations

import json
import re
from collections import Counter

import pycountry
import pytest
from faker.decode import unidecode

from seen_braze_harness.harness.audience import (
    DEFAULT_LOCALES,
    PROBES,
    AudienceSpec,
    Member,
    build_audience,
)
from seen_braze_harness.mocks.braze.dates import time_zone_name
from seen_braze_harness.mocks.braze.track import ProfileStore, language_code
from seen_braze_harness.mocks.seen.settings import SeenSettings
from seen_braze_harness.mocks.seen.validation import E164, EMAIL, validate_batch

PROBE_LABELS = {
    "apostrophe",
    "quote-first-name",
    "backslash",
    "newline-in-name",
    "tab-in-name",
    "emoji",
    "japanese",
    "arabic",
    "combining-diacritics",
    "long-name-over-limit",
    "long-name-at-limit",
    "missing-last-name",
    "missing-email",
    "missing-first-name",
    "uppercase-plus-email",
    "ampersand-angle-brackets",
}
FIELDS = {
    "external_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "dob",
    "home_city",
    "country",
    "language",
    "gender",
    "time_zone",
}


@pytest.fixture(scope="module")
def audience() -> list[Member]:
    return build_audience(AudienceSpec(users=300))


def ordinary(members: list[Member]) -> list[Member]:
    return [m for m in members if m.probe is None]


def documented_body(member: Member) -> list[dict[str, str]]:
    """What the documented webhook body sends for a member, correctly encoded."""
    profile = member.profile
    return [
        {
            "first_name": profile.get("first_name", ""),
            "last_name": profile.get("last_name", ""),
            "email": profile.get("email", ""),
            "customer_id": member.external_id,
        }
    ]


def test_same_seed_same_audience_byte_for_byte() -> None:
    first = build_audience(AudienceSpec(users=200, seed=5))
    again = build_audience(AudienceSpec(users=200, seed=5))
    dump = json.dumps([(m.profile, m.probe) for m in first], ensure_ascii=False)
    assert dump == json.dumps([(m.profile, m.probe) for m in again], ensure_ascii=False)


def test_another_seed_another_audience() -> None:
    one = build_audience(AudienceSpec(users=50, seed=1, probe=False))
    two = build_audience(AudienceSpec(users=50, seed=2, probe=False))
    assert [m.profile for m in one] != [m.profile for m in two]
    overridden = build_audience(AudienceSpec(users=50, seed=1, probe=False), seed=2)
    assert [m.profile for m in overridden] == [m.profile for m in two]


def test_size_and_order_explicit_then_users_then_probe() -> None:
    spec = AudienceSpec(users=10, profiles=[{"external_id": "user-00001", "first_name": "Ada"}])
    members = build_audience(spec)
    assert len(members) == 1 + 10 + len(PROBES)
    assert members[0] == Member(profile={"external_id": "user-00001", "first_name": "Ada"})
    assert all(m.probe is None for m in members[1:11])
    assert [m.probe for m in members[11:]] == [p.label for p in PROBES]
    assert members[1].external_id == "user-00002"  # explicit ids are never reused
    assert len(build_audience(spec, users=0)) == 1 + len(PROBES)
    assert len(build_audience(AudienceSpec(users=7, probe=False))) == 7


def test_external_ids_and_emails_are_unique(audience: list[Member]) -> None:
    ids = [m.external_id for m in audience]
    assert len(set(ids)) == len(ids)
    emails = [m.profile["email"] for m in ordinary(audience)]
    assert len(set(emails)) == len(emails)


def test_every_default_locale_is_present(audience: list[Member]) -> None:
    countries = Counter(m.profile["country"] for m in ordinary(audience))
    assert set(countries) == {"US", "GB", "DE", "FR", "ES", "IT", "BR", "JP", "PL", "NL"}
    assert len(DEFAULT_LOCALES) == 10
    languages = {m.profile["language"] for m in ordinary(audience)}
    assert languages == {"en", "de", "fr", "es", "it", "pt", "ja", "pl", "nl"}


def test_ordinary_users_are_complete_and_consistent(audience: list[Member]) -> None:
    for member in ordinary(audience):
        profile = member.profile
        assert set(profile) == FIELDS, profile
        assert E164.match(profile["phone"]), profile
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", profile["dob"])
        assert "1939-01-01" < profile["dob"] < "2007-01-02"
        assert profile["gender"] in ("M", "F", "O", "P")
        assert time_zone_name(profile["time_zone"]) is not None
        assert pycountry.countries.get(alpha_2=profile["country"]) is not None
        assert language_code(profile["language"]) == profile["language"]
        assert EMAIL.match(profile["email"]) and profile["email"] == profile["email"].lower()
        assert profile["email"].rsplit("@", 1)[1].split(".")[-2] == "example"
        if profile["country"] != "JP":  # Japanese names are mailed in their romanized form
            initial = re.sub(r"[^a-z0-9]", "", unidecode(profile["first_name"]).lower())[:1]
            assert profile["email"].startswith(initial), profile
    zones = {m.profile["time_zone"] for m in ordinary(audience) if m.profile["country"] == "DE"}
    assert zones == {"Europe/Berlin"}
    phones = {m.profile["phone"][:3] for m in ordinary(audience) if m.profile["country"] == "GB"}
    assert phones == {"+44"}


def test_other_faker_locales_work_too() -> None:
    spec = AudienceSpec(users=60, locales=("ru_RU", "zh_CN", "ar_SA", "de_CH"), probe=False)
    members = build_audience(spec)
    assert {m.profile["country"] for m in members} == {"RU", "CN", "SA", "CH"}
    assert all(EMAIL.match(m.profile["email"]) for m in members)


def test_an_unknown_locale_is_refused() -> None:
    with pytest.raises(ValueError, match="xx_XX"):
        build_audience(AudienceSpec(users=1, locales=("xx_XX",)))


def test_braze_keeps_every_member_as_it_is(audience: list[Member]) -> None:
    store = ProfileStore(now=lambda: 0.0)
    for member in audience:
        stored = store.seed(member.profile)
        if member.probe != "long-name-over-limit":  # Braze truncates it to 255 characters
            for key, value in member.profile.items():
                if key != "external_id":
                    assert stored.standard[key] == value, (key, member)
    assert len(store) == len(audience)


def test_seen_accepts_every_user_the_documented_body_sends(audience: list[Member]) -> None:
    settings = SeenSettings()
    outcome = {}
    for member in audience:
        _accepted, errors = validate_batch(documented_body(member), settings)
        outcome[member.probe] = errors is None
        if member.probe is None:
            assert errors is None, (member, errors)
    expected = {p.label: p.seen_accepts for p in PROBES}
    assert {k: v for k, v in outcome.items() if k is not None} == expected
    assert expected["long-name-over-limit"] is False and expected["missing-first-name"] is False


def test_every_probe_is_labelled_and_present(audience: list[Member]) -> None:
    probes = {m.probe: m for m in audience if m.probe is not None}
    assert set(probes) == PROBE_LABELS == {p.label for p in PROBES}
    for label, member in probes.items():
        assert member.external_id == f"probe-{label}"
    limit = SeenSettings().max_field_length
    assert len(probes["long-name-at-limit"].profile["last_name"]) == limit
    assert len(probes["long-name-over-limit"].profile["last_name"]) == limit + 1
    assert '"' in probes["quote-first-name"].profile["first_name"]
    assert "\\" in probes["backslash"].profile["last_name"]
    assert "\n" in probes["newline-in-name"].profile["first_name"]
    assert "\t" in probes["tab-in-name"].profile["first_name"]
    assert "'" in probes["apostrophe"].profile["last_name"]
    assert "last_name" not in probes["missing-last-name"].profile
    assert "email" not in probes["missing-email"].profile
    assert "first_name" not in probes["missing-first-name"].profile
    email = probes["uppercase-plus-email"].profile["email"]
    assert "+" in email and email != email.lower()
    names = probes["ampersand-angle-brackets"].profile
    assert "&" in names["first_name"] and "<" in names["last_name"]


def test_ten_thousand_users_have_distinct_ids_and_emails() -> None:
    members = build_audience(AudienceSpec(users=10_000))
    assert len(members) == 10_000 + len(PROBES)
    assert len({m.profile["external_id"] for m in members}) == len(members)
    emails = [m.profile["email"] for m in members if "email" in m.profile]
    assert len(set(emails)) == len(emails)
