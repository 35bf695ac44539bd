"""The profile store: identifiers, lookups, writes, seeding, exports, concurrency and its cap."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from seen_braze_harness.mocks.braze.track.profiles import (
    ARRAY_CAP_MAX,
    PROFILES_CAP,
    STANDARD_FIELDS,
    Identifier,
    Profile,
    ProfileStore,
)

START = 1_714_557_600.0  # 2024-05-01T10:00:00Z


class FakeClock:
    def __init__(self) -> None:
        self.t = START

    def now(self) -> float:
        return self.t


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(clock: FakeClock) -> ProfileStore:
    return ProfileStore(now=clock.now, seed="test")


def alias(name: str, label: str = "crm") -> dict[str, str]:
    return {"alias_name": name, "alias_label": label}


# -- braze_id --------------------------------------------------------------------------------


def test_braze_ids_look_like_brazes_and_repeat_per_seed(clock: FakeClock) -> None:
    def ids(seed: str) -> list[str]:
        store = ProfileStore(now=clock.now, seed=seed)
        return [store.create(Identifier("external_id", f"u{i}")).braze_id for i in range(5)]

    first = ids("a")
    assert all(re.fullmatch(r"[0-9a-f]{24}", b) for b in first)
    assert len(set(first)) == 5
    assert ids("a") == first
    assert ids("b") != first


def test_reset_forgets_everyone_and_restarts_the_ids(store: ProfileStore) -> None:
    before = store.create(Identifier("external_id", "u1")).braze_id
    store.reset()
    assert len(store) == 0
    assert store.lookup(Identifier("external_id", "u1")) is None
    assert store.create(Identifier("external_id", "u2")).braze_id == before


def test_a_seeded_braze_id_is_never_issued_again(clock: FakeClock) -> None:
    issued = ProfileStore(now=clock.now, seed="s").create(Identifier("external_id", "x")).braze_id
    store = ProfileStore(now=clock.now, seed="s")
    store.seed({"braze_id": issued})
    created = store.create(Identifier("external_id", "x"))
    assert created.braze_id != issued and len(store) == 2


# -- creating and finding users --------------------------------------------------------------


@pytest.mark.parametrize(
    ("ident", "external_id", "aliases", "standard"),
    [
        (Identifier("external_id", "u1"), "u1", [], {}),
        (Identifier("user_alias", alias("a1")), None, [alias("a1")], {}),
        (Identifier("email", "Jo@Example.com"), None, [], {"email": "Jo@Example.com"}),
        (Identifier("phone", "+4712345678"), None, [], {"phone": "+4712345678"}),
    ],
)
def test_create_makes_a_profile_named_by_the_identifier(
    store: ProfileStore,
    ident: Identifier,
    external_id: str | None,
    aliases: list[dict[str, str]],
    standard: dict[str, str],
) -> None:
    profile = store.create(ident)
    assert (profile.external_id, profile.user_aliases, profile.standard) == (
        external_id,
        aliases,
        standard,
    )
    assert profile.created_at == profile.updated_at == START
    assert store.lookup(ident) is profile
    assert store.get(profile.braze_id) is profile


@pytest.mark.parametrize(
    ("ident", "message"),
    [
        (Identifier("braze_id", "0" * 24), "braze_id: assigned by Braze"),
        (Identifier("external_id", ""), "external_id: must be a non-empty string"),
        (Identifier("external_id", 5), "external_id: must be a non-empty string"),
        (Identifier("user_alias", {"alias_name": "a"}), "user_alias: must be"),
        (Identifier("email", " "), "email: must be a non-empty string"),
    ],
)
def test_create_refuses_what_cannot_name_a_new_profile(
    store: ProfileStore, ident: Identifier, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        store.create(ident)
    assert len(store) == 0


def test_external_ids_and_aliases_are_unique(store: ProfileStore) -> None:
    store.create(Identifier("external_id", "u1"))
    store.create(Identifier("user_alias", alias("a1")))
    with pytest.raises(ValueError, match="already taken"):
        store.create(Identifier("external_id", "u1"))
    with pytest.raises(ValueError, match="already taken"):
        store.create(Identifier("user_alias", alias("a1")))
    store.create(Identifier("user_alias", alias("a1", "other-label")))
    assert len(store) == 3


def test_identifier_kinds_are_checked() -> None:
    with pytest.raises(ValueError, match="identifier kind"):
        Identifier("device_id", "x")


@pytest.mark.parametrize(
    "ident",
    [
        Identifier("external_id", "nobody"),
        Identifier("external_id", 5),
        Identifier("braze_id", "f" * 24),
        Identifier("braze_id", None),
        Identifier("user_alias", alias("nobody")),
        Identifier("user_alias", "a1"),
        Identifier("email", "nobody@example.com"),
        Identifier("email", 5),
        Identifier("phone", "+10000000000"),
    ],
)
def test_lookup_finds_no_one_for_unknown_or_malformed_identifiers(
    store: ProfileStore, ident: Identifier
) -> None:
    store.create(Identifier("external_id", "u1"))
    store.create(Identifier("user_alias", alias("a1")))
    assert store.lookup(ident) is None


def test_lookup_by_braze_id_and_alias_is_exact(store: ProfileStore) -> None:
    profile = store.create(Identifier("user_alias", alias("a1")))
    assert store.lookup(Identifier("braze_id", profile.braze_id)) is profile
    assert store.lookup(Identifier("braze_id", profile.braze_id.upper())) is None
    assert store.lookup(Identifier("user_alias", alias("A1"))) is None


def test_email_lookup_ignores_case_and_surrounding_spaces(store: ProfileStore) -> None:
    profile = store.create(Identifier("email", "Jo@Example.com"))
    assert store.lookup(Identifier("email", " jo@example.COM ")) is profile


def test_email_lookup_prefers_the_most_recently_updated_profile(
    store: ProfileStore, clock: FakeClock
) -> None:
    first = store.create(Identifier("email", "jo@example.com"))
    second = store.create(Identifier("email", "jo@example.com"))
    assert store.lookup(Identifier("email", "jo@example.com")) is second
    store.apply_attributes(first, {"first_name": "Jo"})  # same clock time: write order decides
    assert store.lookup(Identifier("email", "jo@example.com")) is first
    clock.t += 10
    store.record_event(second, {"name": "e", "time": "2024-05-01T09:00:00Z"})
    assert store.lookup(Identifier("email", "jo@example.com")) is second


def test_email_lookup_prefers_a_profile_with_an_external_id(store: ProfileStore) -> None:
    identified = store.create(Identifier("external_id", "u1"))
    store.apply_attributes(identified, {"email": "jo@example.com"})
    email_only = store.create(Identifier("email", "jo@example.com"))
    store.apply_attributes(email_only, {"first_name": "Jo"})
    assert store.lookup(Identifier("email", "jo@example.com")) is identified


def test_a_changed_email_or_phone_moves_the_lookup(store: ProfileStore) -> None:
    profile = store.create(Identifier("external_id", "u1"))
    store.apply_attributes(profile, {"email": "old@example.com", "phone": "+47 123 45 678"})
    assert store.lookup(Identifier("email", "old@example.com")) is profile
    store.apply_attributes(profile, {"email": "new@example.com", "phone": None})
    assert store.lookup(Identifier("email", "old@example.com")) is None
    assert store.lookup(Identifier("email", "new@example.com")) is profile
    assert store.lookup(Identifier("phone", "+4712345678")) is None


def test_phone_lookup_matches_on_digits(store: ProfileStore) -> None:
    profile = store.create(Identifier("phone", "+1 (415) 555-2671"))
    assert store.lookup(Identifier("phone", "+14155552671")) is profile
    assert store.lookup(Identifier("phone", "+14155552672")) is None


def test_lookup_or_create_creates_once(store: ProfileStore) -> None:
    profile, created = store.lookup_or_create(Identifier("external_id", "u1"))
    again, created_again = store.lookup_or_create(Identifier("external_id", "u1"))
    assert (created, created_again) == (True, False)
    assert again is profile and len(store) == 1


# -- writing ---------------------------------------------------------------------------------


def test_apply_attributes_stores_and_returns_notes_as_sentences(
    store: ProfileStore, clock: FakeClock
) -> None:
    profile = store.create(Identifier("external_id", "u1"))
    clock.t += 60
    notes = store.apply_attributes(
        profile, {"first_name": "Jon", "country": "Narnia", "landing_page_url": "https://x/v/1"}
    )
    assert notes == ["country: 'Narnia' is not an ISO 3166-1 country; stored as null"]
    assert profile.standard == {"first_name": "Jon"}
    assert profile.custom == {"landing_page_url": "https://x/v/1"}
    assert (profile.created_at, profile.updated_at) == (START, START + 60)


def test_drop_nested_reaches_the_attribute_rules(store: ProfileStore) -> None:
    profile = store.create(Identifier("external_id", "u1"))
    notes = store.apply_attributes(profile, {"s": {"a": 1}}, drop_nested=True)
    assert notes == ["s: nested-object update dropped: another update of this request is invalid"]
    assert profile.custom == {}


def test_array_cap_is_the_stores_setting(clock: FakeClock) -> None:
    store = ProfileStore(now=clock.now, array_cap=2)
    profile = store.create(Identifier("external_id", "u1"))
    assert store.apply_attributes(profile, {"v": ["a", "b", "c"]}) == [
        "v: array capped at 2 values; dropped the oldest 1: 'a'"
    ]
    store.array_cap = 3
    store.apply_attributes(profile, {"v": {"add": ["d"]}})
    assert profile.custom["v"] == ["b", "c", "d"]


@pytest.mark.parametrize("cap", [0, ARRAY_CAP_MAX + 1, True, 2.5])
def test_array_cap_must_be_1_to_500(clock: FakeClock, cap: Any) -> None:
    with pytest.raises(ValueError, match="array_cap"):
        ProfileStore(now=clock.now, array_cap=cap)
    assert ProfileStore(now=clock.now, array_cap=ARRAY_CAP_MAX).array_cap == ARRAY_CAP_MAX


def test_events_and_purchases_are_recorded_on_the_profile(
    store: ProfileStore, clock: FakeClock
) -> None:
    profile = store.create(Identifier("external_id", "u1"))
    clock.t += 5
    assert store.record_event(profile, {"name": "video_ready", "time": "2099-01-01T00:00:00Z"}) == [
        "time: 2099-01-01T00:00:00Z is in the future; recorded as now (2024-05-01T10:00:05.000Z)"
    ]
    assert store.record_purchase(
        profile,
        {"product_id": "p", "currency": "NOK", "price": 9.5, "quantity": 2, "time": "2024-05-01"},
    ) == ["quantity: 2 recorded as 2 purchases of 1"]
    assert [e["name"] for e in profile.events] == ["video_ready"]
    assert profile.events[0]["time"] == datetime(2024, 5, 1, 10, 0, 5, tzinfo=UTC)
    assert [p["product_id"] for p in profile.purchases] == ["p", "p"]
    assert profile.updated_at == START + 5


# -- seeding ---------------------------------------------------------------------------------


def test_seed_creates_a_profile_from_track_attributes(store: ProfileStore) -> None:
    profile = store.seed(
        {
            "braze_id": "5f1e2d3c4b5a697887766554",
            "external_id": "u1",
            "user_aliases": [alias("a1"), alias("a1", "other")],
            "first_name": "Jon",
            "country": "Norway",
            "favourites": ["a", "b"],
            "score": 3,
        }
    )
    assert profile.braze_id == "5f1e2d3c4b5a697887766554"
    assert profile.standard == {"first_name": "Jon", "country": "NO"}
    assert profile.custom == {"favourites": ["a", "b"], "score": 3}
    assert store.lookup(Identifier("user_alias", alias("a1", "other"))) is profile
    assert store.lookup(Identifier("external_id", "u1")) is profile
    assert store.seed({}).braze_id != profile.braze_id


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "a seeded profile must be a JSON object"),
        ({"braze_id": "ABC"}, "braze_id: must be 24 lower-case hex characters"),
        ({"braze_id": "5F1E2D3C4B5A697887766554"}, "braze_id: must be 24 lower-case hex"),
        ({"external_id": ""}, "external_id: must be a non-empty string"),
        ({"user_aliases": alias("a")}, "user_aliases: must be an array"),
        ({"user_aliases": [{"alias_name": "a"}]}, "user_aliases[0]: must be"),
        ({"user_aliases": [alias("a"), alias("a")]}, "user_aliases[1]: "),
        ({"user_alias": alias("a")}, "user_alias: use 'user_aliases'"),
        ({"_update_existing_only": False}, "_update_existing_only: not a profile field"),
        ({"country": "Narnia"}, "country: 'Narnia' is not an ISO 3166-1 country"),
        ({"time_zone": "Mars/Base"}, "time_zone: 'Mars/Base' is not an IANA time zone"),
        ({"push_tokens": []}, "push_tokens: a Braze profile field"),
        ({"s": {"a b": 1}}, "s: nested-object update dropped: s: key 'a b'"),
        ({"when": datetime(2024, 1, 1)}, "when: datetime.datetime(2024, 1, 1, 0, 0) is not a JSON"),
        ({"tags": ("x",)}, "tags: ('x',) is not a JSON value"),
        ({"tags": {"x"}}, "tags: {'x'} is not a JSON value"),
        ({"s": {"n": float("nan")}}, "s.n: nan is not a finite number"),
        ({1: "x"}, "profile: key 1 is not a string"),
    ],
)
def test_seed_refuses_bad_input_naming_the_key(
    store: ProfileStore, data: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        store.seed(data)
    assert len(store) == 0


@pytest.mark.parametrize(
    "data",
    [
        {"braze_id": "5f1e2d3c4b5a697887766554"},
        {"external_id": "u1"},
        {"user_aliases": [alias("a1")]},
    ],
)
def test_seed_refuses_taken_identifiers(store: ProfileStore, data: dict[str, Any]) -> None:
    store.seed(
        {"braze_id": "5f1e2d3c4b5a697887766554", "external_id": "u1", "user_aliases": [alias("a1")]}
    )
    with pytest.raises(ValueError, match="already taken"):
        store.seed(data)
    assert len(store) == 1


# -- reading ---------------------------------------------------------------------------------


def test_query_filters_on_every_given_criterion(store: ProfileStore) -> None:
    a = store.seed({"external_id": "a", "email": "Jo@example.com"})
    b = store.seed({"external_id": "b", "email": "jo@example.com"})
    c = store.seed({"email": "other@example.com"})
    assert store.query() == [a, b, c]
    assert store.query(email="JO@EXAMPLE.COM") == [a, b]
    assert store.query(email="jo@example.com", external_id="b") == [b]
    assert store.query(braze_id=c.braze_id) == [c]
    assert store.query(braze_id=c.braze_id, external_id="a") == []


def test_to_dict_is_the_json_view_of_a_profile(store: ProfileStore, clock: FakeClock) -> None:
    profile = store.seed(
        {
            "braze_id": "5f1e2d3c4b5a697887766554",
            "external_id": "u1",
            "user_aliases": [alias("a1")],
            "email": "jo@example.com",
            "first_name": "Jo",
            "date_of_last_session": "2024-04-30 08:00:00",
            "email_thumbnail_url": "https://motions.seen.io/x/email_thumbnail.jpg",
            "signed_up": "2024-01-02",
            "song": {"d": {"$time": "1980-01-01"}},
        }
    )
    clock.t += 1
    store.record_event(profile, {"name": "e", "time": "2024-05-01T09:00:00Z", "app_id": "a"})
    data = profile.to_dict()
    assert data == {
        "braze_id": "5f1e2d3c4b5a697887766554",
        "external_id": "u1",
        "user_aliases": [alias("a1")],
        "created_at": "2024-05-01T10:00:00.000Z",
        "updated_at": "2024-05-01T10:00:01.000Z",
        "first_name": "Jo",
        "email": "jo@example.com",
        "date_of_last_session": "2024-04-30T08:00:00.000Z",
        "custom_attributes": {
            "email_thumbnail_url": "https://motions.seen.io/x/email_thumbnail.jpg",
            "signed_up": "2024-01-02T00:00:00.000Z",
            "song": {"d": "1980-01-01T00:00:00.000Z"},
        },
        "events": [
            {"name": "e", "time": "2024-05-01T09:00:00.000Z", "properties": {}, "app_id": "a"}
        ],
        "purchases": [],
    }
    assert list(data)[:5] == ["braze_id", "external_id", "user_aliases", "created_at", "updated_at"]
    assert json.loads(json.dumps(data)) == data


def test_standard_fields_are_exported_in_a_fixed_order(store: ProfileStore) -> None:
    profile = store.seed({"time_zone": "UTC", "first_name": "Jo", "country": "NO"})
    keys = [k for k in profile.to_dict() if k in STANDARD_FIELDS]
    assert keys == ["first_name", "country", "time_zone"]


def test_exports_are_copies(store: ProfileStore) -> None:
    profile = store.seed({"tags": ["a"], "song": {"n": 1}})
    data = profile.to_dict()
    data["custom_attributes"]["tags"].append("b")
    data["custom_attributes"]["song"]["n"] = 2
    assert profile.custom == {"tags": ["a"], "song": {"n": 1}}


def test_export_lists_every_profile_oldest_first(store: ProfileStore) -> None:
    store.seed({"external_id": "a"})
    store.seed({"external_id": "b"})
    assert [p["external_id"] for p in store.export()] == ["a", "b"]
    assert len(store) == 2


def test_a_profile_outside_a_store_serialises_too() -> None:
    assert Profile(braze_id="x").to_dict()["custom_attributes"] == {}


# -- concurrency -----------------------------------------------------------------------------


def run_threads(count: int, work: Any) -> None:
    start = threading.Barrier(count)

    def go(n: int) -> None:
        start.wait()
        work(n)

    threads = [threading.Thread(target=go, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_concurrent_increments_lose_nothing(store: ProfileStore) -> None:
    profile = store.create(Identifier("external_id", "u1"))

    def work(_: int) -> None:
        for _ in range(200):
            store.apply_attributes(profile, {"views": {"inc": 1}})

    run_threads(8, work)
    assert profile.custom["views"] == 1600


def test_concurrent_array_adds_lose_nothing(clock: FakeClock) -> None:
    store = ProfileStore(now=clock.now, array_cap=100)
    profile = store.create(Identifier("external_id", "u1"))

    def work(n: int) -> None:
        for i in range(12):
            store.apply_attributes(profile, {"seen": {"add": [f"{n}-{i}"]}})

    run_threads(8, work)
    assert sorted(profile.custom["seen"]) == sorted(f"{n}-{i}" for n in range(8) for i in range(12))


def test_concurrent_writers_and_readers_agree(store: ProfileStore) -> None:
    profile = store.create(Identifier("external_id", "u1"))
    exports: list[dict[str, Any]] = []

    def work(n: int) -> None:
        for i in range(50):
            if n % 2:
                store.record_event(profile, {"name": f"e{n}", "time": "2024-05-01"})
                store.apply_attributes(profile, {f"k{n}-{i}": i})
            else:
                exports.append(profile.to_dict())

    run_threads(8, work)
    assert len(profile.events) == 200
    assert len(profile.custom) == 200
    assert all(json.dumps(e) for e in exports)


def test_concurrent_lookup_or_create_makes_one_profile(store: ProfileStore) -> None:
    found: list[Profile] = []

    def work(_: int) -> None:
        found.append(store.lookup_or_create(Identifier("external_id", "same"))[0])

    run_threads(8, work)
    assert len(store) == 1
    assert all(p is found[0] for p in found)


# -- the cap ---------------------------------------------------------------------------------


def test_the_store_forgets_the_oldest_profiles_beyond_its_cap(clock: FakeClock) -> None:
    store = ProfileStore(now=clock.now, seed="s", cap=3)
    first = store.create(Identifier("external_id", "u0"))
    store.apply_attributes(first, {"email": "ada@example.com", "phone": "+4712345678"})
    second = store.seed({"external_id": "u1", "user_aliases": [alias("a1")]})
    store.create(Identifier("email", "grace@example.com"))
    assert len(store) == 3 and store.evicted == 0
    store.create(Identifier("external_id", "u3"))
    assert len(store) == 3 and store.evicted == 1
    assert store.get(first.braze_id) is None
    for gone in (
        Identifier("external_id", "u0"),
        Identifier("email", "ada@example.com"),
        Identifier("phone", "+4712345678"),
        Identifier("braze_id", first.braze_id),
    ):
        assert store.lookup(gone) is None, gone
    assert store.create(Identifier("external_id", "u0")).external_id == "u0", "the id is free"
    assert store.lookup(Identifier("user_alias", alias("a1"))) is None
    assert [p.external_id for p in store.query()] == [None, "u3", "u0"]
    assert store.take_evictions() == (2, [first.braze_id, second.braze_id])
    assert store.take_evictions() == (0, []), "taken once"


def test_evictions_are_counted_per_thread_and_named_up_to_five(clock: FakeClock) -> None:
    store = ProfileStore(now=clock.now, seed="s", cap=1)
    for i in range(8):
        store.create(Identifier("external_id", f"u{i}"))
    elsewhere: list[tuple[int, list[str]]] = []
    thread = threading.Thread(target=lambda: elsewhere.append(store.take_evictions()))
    thread.start()
    thread.join()
    assert elsewhere == [(0, [])]
    count, named = store.take_evictions()
    assert (count, len(named), store.evicted) == (7, 5, 7)


def test_places_count_up_and_restart_at_reset(store: ProfileStore) -> None:
    for i in range(3):
        store.create(Identifier("external_id", f"u{i}"))
    assert [place for place, _p in store.numbered()] == [1, 2, 3]
    store.reset()
    store.create(Identifier("external_id", "again"))
    assert [place for place, _p in store.numbered()] == [1]
    assert store.evicted == 0


@pytest.mark.parametrize("cap", [0, -1, 1.5, True, "10"])
def test_the_cap_must_be_a_whole_number_of_at_least_1(clock: FakeClock, cap: Any) -> None:
    with pytest.raises(ValueError, match="cap"):
        ProfileStore(now=clock.now, cap=cap)


def test_the_default_cap_holds_a_hundred_thousand_profiles(clock: FakeClock) -> None:
    assert ProfileStore(now=clock.now).cap == PROFILES_CAP == 100_000
