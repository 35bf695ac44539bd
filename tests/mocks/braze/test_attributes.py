"""Storage rules of a `/users/track` attributes object: one test (or table) per rule.

Each case states what is stored and the exact notes, the sentences the journal shows for
values Braze would silently not store or store differently.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from seen_braze_harness.mocks.braze.track.attributes import apply_attributes
from seen_braze_harness.mocks.braze.track.nested import NESTED_MAX_BYTES, nested_problem
from seen_braze_harness.mocks.braze.track.standard import country_code, language_code
from seen_braze_harness.mocks.braze.track.values import Note

Fields = dict[str, Any]


def apply(
    attributes: dict[str, Any],
    *,
    standard: Fields | None = None,
    custom: Fields | None = None,
    cap: int = 25,
    drop_nested: bool = False,
) -> tuple[Fields, Fields, list[str]]:
    """Apply to copies of the given fields; the stored fields and the notes as strings."""
    stored_standard = copy.deepcopy(standard or {})
    stored_custom = copy.deepcopy(custom or {})
    notes = apply_attributes(
        stored_standard, stored_custom, attributes, array_cap=cap, drop_nested=drop_nested
    )
    return stored_standard, stored_custom, [str(note) for note in notes]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- standard fields -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["first_name", "last_name", "home_city", "email", "phone"])
def test_standard_strings_are_stored_as_sent(name: str) -> None:
    assert apply({name: " Jon "}) == ({name: " Jon "}, {}, [])


@pytest.mark.parametrize(
    ("length", "stored", "notes"),
    [
        (255, 255, []),
        (256, 255, ["first_name: 256 characters; truncated to 255"]),
        (1000, 255, ["first_name: 1000 characters; truncated to 255"]),
    ],
)
def test_standard_strings_beyond_255_characters_are_truncated(
    length: int, stored: int, notes: list[str]
) -> None:
    assert apply({"first_name": "x" * length}) == ({"first_name": "x" * stored}, {}, notes)


def test_standard_string_fields_keep_only_strings() -> None:
    assert apply({"first_name": 5}, standard={"first_name": "Jon"}) == (
        {"first_name": "Jon"},
        {},
        ["first_name: 5 is not a string; not set"],
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("first_name", "Jon"),
        ("country", "NO"),
        ("gender", "F"),
        ("dob", "1980-12-21"),
        ("time_zone", "Europe/Oslo"),
        ("date_of_last_session", utc(2024, 1, 1)),
        ("subscription_groups", []),
    ],
)
def test_null_unsets_a_standard_field(name: str, value: Any) -> None:
    assert apply({name: None}, standard={name: value, "last_name": "Doe"}) == (
        {"last_name": "Doe"},
        {},
        [],
    )
    assert apply({name: None}) == ({}, {}, [])


@pytest.mark.parametrize(
    ("sent", "stored", "notes"),
    [
        ("AU", "AU", []),
        ("au", "AU", ["country: 'au' stored as 'AU'"]),
        ("AUS", "AU", ["country: 'AUS' stored as 'AU'"]),
        ("036", "AU", ["country: '036' stored as 'AU'"]),
        ("Australia", "AU", ["country: 'Australia' stored as 'AU'"]),
        ("United Kingdom", "GB", ["country: 'United Kingdom' stored as 'GB'"]),
        ("UK", "GB", ["country: 'UK' stored as 'GB'"]),
        ("Russia", "RU", ["country: 'Russia' stored as 'RU'"]),
        ("Viet Nam", "VN", ["country: 'Viet Nam' stored as 'VN'"]),
        ("Atlantis", None, ["country: 'Atlantis' is not an ISO 3166-1 country; stored as null"]),
        ("", None, ["country: '' is not an ISO 3166-1 country; stored as null"]),
        (36, None, ["country: 36 is not an ISO 3166-1 country; stored as null"]),
    ],
)
def test_country_maps_to_iso_alpha_2_else_null(
    sent: Any, stored: str | None, notes: list[str]
) -> None:
    standard, _, got = apply({"country": sent}, standard={"country": "FR"})
    assert standard.get("country") == stored
    assert got == notes


@pytest.mark.parametrize(
    ("sent", "stored", "notes"),
    [
        ("en", "en", []),
        ("nb", "nb", []),
        ("fil", "fil", []),  # on Braze's accepted list, not ISO 639-1
        ("EN", "en", ["language: 'EN' stored as 'en'"]),
        ("xx", "fr", ["language: 'xx' is not an ISO 639-1 language; not set"]),
        ("eng", "fr", ["language: 'eng' is not an ISO 639-1 language; not set"]),
        ("en-US", "fr", ["language: 'en-US' is not an ISO 639-1 language; not set"]),
        (7, "fr", ["language: 7 is not an ISO 639-1 language; not set"]),
    ],
)
def test_language_is_iso_639_1_else_not_set(sent: Any, stored: str, notes: list[str]) -> None:
    assert apply({"language": sent}, standard={"language": "fr"}) == (
        {"language": stored},
        {},
        notes,
    )


@pytest.mark.parametrize(
    ("sent", "stored", "notes"),
    [
        ("M", "M", []),
        ("P", "P", []),
        ("f", "F", ["gender: 'f' stored as 'F'"]),
        ("male", "M", ["gender: 'male' stored as 'M'"]),
        ("Prefer_Not_To_Say", "P", ["gender: 'Prefer_Not_To_Say' stored as 'P'"]),
        ("u", None, ["gender: 'u' (unknown) stored as null"]),
        ("X", "O", ["gender: 'X' is not M, F, O, N or P; not set"]),
        ("", "O", ["gender: '' is not M, F, O, N or P; not set"]),
        (1, "O", ["gender: 1 is not M, F, O, N or P; not set"]),
    ],
)
def test_gender_is_one_of_m_f_o_n_p(sent: Any, stored: str | None, notes: list[str]) -> None:
    standard, _, got = apply({"gender": sent}, standard={"gender": "O"})
    assert standard.get("gender") == stored
    assert got == notes


@pytest.mark.parametrize(
    ("sent", "stored", "notes"),
    [
        ("1980-12-21", "1980-12-21", []),
        ("2000-02-29", "2000-02-29", []),
        ("1980-02-30", "1970-01-01", ["dob: '1980-02-30' is not a YYYY-MM-DD date; not set"]),
        ("21/12/1980", "1970-01-01", ["dob: '21/12/1980' is not a YYYY-MM-DD date; not set"]),
        (
            "1980-12-21T00:00:00Z",
            "1970-01-01",
            ["dob: '1980-12-21T00:00:00Z' is not a YYYY-MM-DD date; not set"],
        ),
    ],
)
def test_dob_is_yyyy_mm_dd(sent: str, stored: str, notes: list[str]) -> None:
    assert apply({"dob": sent}, standard={"dob": "1970-01-01"}) == ({"dob": stored}, {}, notes)


@pytest.mark.parametrize(
    ("sent", "stored", "notes"),
    [
        ("Europe/Oslo", "Europe/Oslo", []),
        ("Eastern Time (US & Canada)", "Eastern Time (US & Canada)", []),
        (
            "Europe/Atlantis",
            "UTC",
            ["time_zone: 'Europe/Atlantis' is not an IANA time zone; not set"],
        ),
        ("europe/oslo", "UTC", ["time_zone: 'europe/oslo' is not an IANA time zone; not set"]),
    ],
)
def test_time_zone_is_iana_and_invalid_is_not_set(sent: str, stored: str, notes: list[str]) -> None:
    assert apply({"time_zone": sent}, standard={"time_zone": "UTC"}) == (
        {"time_zone": stored},
        {},
        notes,
    )


@pytest.mark.parametrize("name", ["email_subscribe", "push_subscribe"])
def test_subscription_states_are_stored(name: str) -> None:
    assert apply({name: "opted_in"}) == ({name: "opted_in"}, {}, [])
    assert apply({name: "maybe"}, standard={name: "subscribed"}) == (
        {name: "subscribed"},
        {},
        [f"{name}: 'maybe' is not a subscription state; not set"],
    )


def test_subscription_groups_merge_by_group_id() -> None:
    a, b = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
    standard = {
        "subscription_groups": [{"subscription_group_id": a, "subscription_state": "subscribed"}]
    }
    sent = [
        {"subscription_group_id": a, "subscription_state": "unsubscribed"},
        {"subscription_group_id": b, "subscription_state": "subscribed"},
    ]
    assert apply({"subscription_groups": sent}, standard=standard) == (
        {"subscription_groups": sent},
        {},
        [],
    )
    assert apply({"subscription_groups": [{"subscription_group_id": a}]}, standard=standard) == (
        standard,
        {},
        ["subscription_groups: not an array of group states; not set"],
    )


def test_current_location_keeps_longitude_and_latitude() -> None:
    sent = {"longitude": -73.991443, "latitude": 40.753824, "altitude": 3}
    assert apply({"current_location": sent}) == (
        {"current_location": {"longitude": -73.991443, "latitude": 40.753824}},
        {},
        [],
    )
    assert apply({"current_location": {"longitude": "x", "latitude": 1}}) == (
        {},
        {},
        [
            "current_location: {'longitude': 'x', 'latitude': 1} "
            "is not {longitude, latitude}; not set"
        ],
    )


@pytest.mark.parametrize("name", ["email_open_tracking_disabled", "email_click_tracking_disabled"])
def test_tracking_flags_are_booleans(name: str) -> None:
    assert apply({name: True}) == ({name: True}, {}, [])
    assert apply({name: "true"}, standard={name: False}) == (
        {name: False},
        {},
        [f"{name}: 'true' is not true or false; not set"],
    )


@pytest.mark.parametrize(
    "name", ["date_of_first_session", "date_of_last_session", "marked_email_as_spam_at"]
)
def test_standard_date_fields_are_parsed_as_braze_dates(name: str) -> None:
    assert apply({name: "2024-05-01 10:20:00"}) == ({name: utc(2024, 5, 1, 10, 20)}, {}, [])
    assert apply({name: "soon"}) == ({}, {}, [f"{name}: 'soon' is not a Braze date; not set"])


@pytest.mark.parametrize(
    ("name", "note"),
    [
        ("push_tokens", "push_tokens: a Braze profile field this emulator does not keep"),
        ("facebook", "facebook: a Braze profile field this emulator does not keep"),
        ("bio", "bio: Braze no longer processes 'bio'; ignored"),
    ],
)
def test_profile_fields_not_emulated_are_not_stored_as_custom_attributes(
    name: str, note: str
) -> None:
    assert apply({name: "x"}) == ({}, {}, [note])


def test_standard_names_are_case_sensitive() -> None:
    assert apply({"First_Name": "Jon"}) == ({}, {"First_Name": "Jon"}, [])


# -- custom attributes: scalars --------------------------------------------------------------


@pytest.mark.parametrize("value", ["gold", "", 42, -1.5, 0, True, False, 10**20])
def test_custom_scalars_are_stored_as_given(value: Any) -> None:
    _, custom, notes = apply({"v": value})
    assert custom == {"v": value} and type(custom["v"]) is type(value)
    assert notes == []


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_not_stored(value: float) -> None:
    assert apply({"v": value}, custom={"v": 1}) == (
        {},
        {"v": 1},
        [f"v: {value!r} is not a finite number; not set"],
    )


def test_null_removes_a_custom_attribute() -> None:
    assert apply({"v": None}, custom={"v": "x", "w": 1}) == ({}, {"w": 1}, [])
    assert apply({"v": None}) == ({}, {}, [])


@pytest.mark.parametrize(
    ("length", "notes"),
    [(255, []), (256, ["v: 256 characters; truncated to 255"])],
)
def test_custom_strings_beyond_255_characters_are_truncated(length: int, notes: list[str]) -> None:
    assert apply({"v": "y" * length}) == ({}, {"v": "y" * min(length, 255)}, notes)


def test_custom_attribute_names_beyond_255_characters_are_truncated() -> None:
    name = "k" * 300
    assert apply({name: 1}) == (
        {},
        {"k" * 255: 1},
        ["kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...: name truncated to 255 characters"],
    )


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2024-05-01", utc(2024, 5, 1)),
        ("2024-05-01T10:20:00Z", utc(2024, 5, 1, 10, 20)),
        ("2024-05-01T12:20:00:000+0200", utc(2024, 5, 1, 10, 20)),
        ("2024-05-01 10:20:00", utc(2024, 5, 1, 10, 20)),
        ("05/01/2024", utc(2024, 5, 1)),
        ("3000-12-31", utc(3000, 12, 31)),
        ("2099-01-01", utc(2099, 1, 1)),  # attributes in the future stay in the future
        ("20240501", "20240501"),
        ("May 1st", "May 1st"),
    ],
)
def test_recognised_date_strings_are_stored_as_dates(sent: str, stored: Any) -> None:
    assert apply({"v": sent}) == ({}, {"v": stored}, [])


@pytest.mark.parametrize("sent", ["3001-01-01", "9999-12-31T00:00:00Z"])
def test_dates_after_year_3000_are_kept_as_strings(sent: str) -> None:
    year = sent[:4]
    assert apply({"v": sent}) == (
        {},
        {"v": sent},
        [f"v: year {year} is after 3000; stored as a string"],
    )


def test_a_top_level_time_object_sets_a_date() -> None:
    assert apply({"v": {"$time": "2024-05-01"}}) == ({}, {"v": utc(2024, 5, 1)}, [])
    assert apply({"v": {"$time": "soon"}}, custom={"v": 1}) == (
        {},
        {"v": 1},
        ["v: $time 'soon' is not a Braze date; not set"],
    )


# -- custom attributes: inc ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "step", "result", "notes"),
    [
        (None, 3, 3, []),
        (5, -2, 3, []),
        (5, 0, 5, []),
        (1.5, 1, 2.5, []),
        (5, 1.5, 5, ["n: inc 1.5 is not a whole number; not changed"]),
        (5, "1", 5, ["n: inc '1' is not a whole number; not changed"]),
        (5, True, 5, ["n: inc True is not a whole number; not changed"]),
        ("abc", 1, "abc", ["n: stored value 'abc' is not a number; inc not applied"]),
        (True, 1, True, ["n: stored value True is not a number; inc not applied"]),
        (["a"], 1, ["a"], ["n: stored value ['a'] is not a number; inc not applied"]),
    ],
)
def test_inc_increments_a_number_starting_at_0(
    stored: Any, step: Any, result: Any, notes: list[str]
) -> None:
    custom = {} if stored is None else {"n": stored}
    assert apply({"n": {"inc": step}}, custom=custom) == ({}, {"n": result}, notes)


def test_inc_on_a_stored_date_is_not_applied() -> None:
    assert apply({"n": {"inc": 1}}, custom={"n": utc(2024, 5, 1)})[2] == [
        "n: stored value '2024-05-01T00:00:00.000Z' is not a number; inc not applied"
    ]


# -- custom attributes: arrays ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "stored", "notes"),
    [
        (["a", "b"], ["a", "b"], []),
        ([], [], []),
        (["a", "a", "b"], ["a", "b"], ["v: duplicate values dropped: 'a'"]),
        (
            ["hotdog", "hotdog", "hotdog", "pizza"],
            ["hotdog", "pizza"],
            ["v: duplicate values dropped: 'hotdog'"],
        ),
        (["a", "b", "a"], ["a", "b"], ["v: duplicate values dropped: 'a'"]),
        ([1, True, 1.0, False, 0], [1, True, False, 0], ["v: duplicate values dropped: 1.0"]),
        (["2024-05-01"], ["2024-05-01"], []),  # array values stay strings
    ],
)
def test_arrays_keep_unique_values_only(
    sent: list[Any], stored: list[Any], notes: list[str]
) -> None:
    assert apply({"v": sent}, custom={"v": ["old"]}) == ({}, {"v": stored}, notes)


def test_array_values_that_are_not_scalars_are_dropped() -> None:
    assert apply({"v": ["a", None, ["x"], 2]}) == (
        {},
        {"v": ["a", 2]},
        [
            "v: array value None is not a string, number or boolean; dropped",
            "v: array value ['x'] is not a string, number or boolean; dropped",
        ],
    )


def test_array_strings_beyond_255_characters_are_truncated() -> None:
    assert apply({"v": ["z" * 300]}) == (
        {},
        {"v": ["z" * 255]},
        ["v: 300 characters; truncated to 255"],
    )


@pytest.mark.parametrize(
    ("count", "cap", "stored", "notes"),
    [
        (25, 25, [str(i) for i in range(25)], []),
        (
            27,
            25,
            [str(i) for i in range(2, 27)],
            ["v: array capped at 25 values; dropped the oldest 2: '0', '1'"],
        ),
        (
            10,
            3,
            ["7", "8", "9"],
            ["v: array capped at 3 values; dropped the oldest 7: '0', '1', '2', '3', '4', ..."],
        ),
        (100, 100, [str(i) for i in range(100)], []),
    ],
)
def test_arrays_are_capped_dropping_the_oldest(
    count: int, cap: int, stored: list[str], notes: list[str]
) -> None:
    assert apply({"v": [str(i) for i in range(count)]}, cap=cap) == ({}, {"v": stored}, notes)


@pytest.mark.parametrize(
    ("stored", "edit", "result"),
    [
        (["a", "b", "c"], {"add": ["d"]}, ["a", "b", "c", "d"]),
        (["a", "b", "c"], {"add": ["a"]}, ["b", "c", "a"]),  # present: moved to the end
        (["a", "b", "c"], {"remove": ["b"]}, ["a", "c"]),
        (["a", "b", "c"], {"remove": ["x"]}, ["a", "b", "c"]),
        (["a", "b"], {"add": ["c"], "remove": ["a"]}, ["b", "c"]),
        (["a", "b"], {"add": ["c"], "remove": ["c"]}, ["a", "b"]),  # add, then remove
        (None, {"add": ["a", "a"]}, ["a"]),
        (None, {"remove": ["a"]}, []),
        ([1, True], {"remove": [True]}, [1]),
    ],
)
def test_add_and_remove_edit_arrays(stored: Any, edit: dict[str, Any], result: list[Any]) -> None:
    custom = {} if stored is None else {"v": stored}
    assert apply({"v": edit}, custom=custom) == ({}, {"v": result}, [])


def test_add_beyond_the_cap_drops_the_oldest() -> None:
    assert apply({"v": {"add": ["d"]}}, custom={"v": ["a", "b", "c"]}, cap=3) == (
        {},
        {"v": ["b", "c", "d"]},
        ["v: array capped at 3 values; dropped the oldest 1: 'a'"],
    )


def test_add_on_a_stored_non_array_starts_from_an_empty_array() -> None:
    assert apply({"v": {"add": ["a"]}}, custom={"v": "x"}) == (
        {},
        {"v": ["a"]},
        ["v: stored value 'x' is not an array; started from []"],
    )


def test_add_or_remove_needs_an_array() -> None:
    assert apply({"v": {"add": "a"}}, custom={"v": ["b"]}) == (
        {},
        {"v": ["b"]},
        ["v: add needs an array, not 'a'; not changed"],
    )


# -- custom attributes: nested objects -------------------------------------------------------

SONG = {
    "song_name": "Solea",
    "artist_name": "Miles Davis",
    "album_name": "Sketches of Spain",
    "genre": "Jazz",
    "play_analytics": {"count": 1000, "top_10_listeners": True},
}


def test_an_object_replaces_the_stored_object_without_merge_objects() -> None:
    assert apply(
        {"most_played_song": {"year_released": 1960}}, custom={"most_played_song": SONG}
    ) == (
        {},
        {"most_played_song": {"year_released": 1960}},
        [],
    )


def test_merge_objects_deep_merges_into_the_stored_object() -> None:
    update = {"year_released": 1960, "play_analytics": {"count": 1001}}
    expected = {
        **SONG,
        "year_released": 1960,
        "play_analytics": {"count": 1001, "top_10_listeners": True},
    }
    assert apply(
        {"_merge_objects": True, "most_played_song": update}, custom={"most_played_song": SONG}
    ) == ({}, {"most_played_song": expected}, [])
    # onto nothing (or a non-object) it simply stores the object
    assert apply({"_merge_objects": True, "s": update}, custom={"s": 5}) == ({}, {"s": update}, [])


def test_merge_objects_must_be_true_to_merge() -> None:
    assert apply({"_merge_objects": "yes", "s": {"b": 2}}, custom={"s": {"a": 1}}) == (
        {},
        {"s": {"b": 2}},
        ["_merge_objects: 'yes' is not true or false; taken as false"],
    )


def test_null_inside_an_object_drops_the_nested_update() -> None:
    """Braze's /users/track FAQ: null values make a nested attribute invalid."""
    custom, notes = apply({"_merge_objects": True, "s": {"a": None}}, custom={"s": {"a": 1}})[1:]
    assert custom == {"s": {"a": 1}}
    assert any("null is not a valid nested value" in str(note) for note in notes)


def test_dates_inside_objects_are_time_objects() -> None:
    sent = {
        "birthday": {"$time": "1980-01-01"},
        "note": "2024-05-01",
        "list": [{"$time": "2020-05-28"}],
    }
    assert apply({"important_dates": sent}) == (
        {},
        {
            "important_dates": {
                "birthday": utc(1980, 1, 1),
                "note": "2024-05-01",  # a plain string inside an object stays a string
                "list": [utc(2020, 5, 28)],
            }
        },
        [],
    )


def test_time_objects_after_year_3000_are_not_stored() -> None:
    sent = {
        "a": {"$time": "3001-01-01"},
        "b": {"$time": "2001-01-01"},
        "c": [{"$time": "3500-01-01"}],
    }
    assert apply({"d": sent}) == (
        {},
        {"d": {"b": utc(2001, 1, 1), "c": []}},
        ["d.a: $time year is after 3000; not stored", "d.c: $time year is after 3000; not stored"],
    )


def test_strings_inside_objects_beyond_255_characters_are_truncated() -> None:
    assert apply({"s": {"t": "q" * 256}}) == (
        {},
        {"s": {"t": "q" * 255}},
        ["s.t: 256 characters; truncated to 255"],
    )


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ({"first name": 1}, "bad: key 'first name' contains a space, '.' or '$'"),
        ({"a.b": 1}, "bad: key 'a.b' contains a space, '.' or '$'"),
        (
            {"$price": 1},
            "bad.$price: not an operator ($add, $update or $remove), or a key with '$'",
        ),
        ({"a": {"b\tc": 1}}, "bad.a: key 'b\\tc' contains a space, '.' or '$'"),
        (
            {"k" * 256: 1},
            f"bad: key '{'k' * 56}... is longer than 255 characters",
        ),
        ({"a": {"$time": "soon"}}, "bad.a: $time 'soon' is not a Braze date"),
        ({"a": {"$time": None}}, "bad.a: $time None is not a Braze date"),
        ({"a": [1, {"$time": "x", "y": 1}]}, "bad.a[1]: key '$time' contains a space, '.' or '$'"),
        ({"a": float("nan")}, "bad.a: nan is not a finite number"),
        ({"a": "x" * (NESTED_MAX_BYTES - 5)}, f"bad is larger than {NESTED_MAX_BYTES // 1024} KB"),
    ],
)
def test_any_invalid_nested_value_drops_every_nested_update(bad: Any, problem: str) -> None:
    sent = {"good": {"a": 1}, "pets": [{"id": 1}], "bad": bad, "plain": "kept", "tags": ["t"]}
    stored = {"good": {"old": True}, "plain": "old"}
    assert apply(sent, custom=stored) == (
        {},
        {"good": {"old": True}, "plain": "kept", "tags": ["t"]},
        [
            f"good: nested-object update dropped: {problem}",
            f"pets: nested-object update dropped: {problem}",
            f"bad: nested-object update dropped: {problem}",
        ],
    )
    assert nested_problem(sent) == problem


def test_valid_nested_values_have_no_problem() -> None:
    assert nested_problem({"s": SONG, "pets": [{"id": 1}], "p": {"$add": [{"id": 2}]}}) is None
    assert nested_problem({"first_name": "x", "tags": ["a"], "n": {"inc": 1}}) is None


def test_drop_nested_drops_valid_nested_updates_for_the_request() -> None:
    assert apply({"s": {"a": 1}, "t": "x"}, drop_nested=True) == (
        {},
        {"t": "x"},
        ["s: nested-object update dropped: another update of this request is invalid"],
    )


def test_a_merged_object_over_100_kb_is_not_stored() -> None:
    half = "x" * 200
    stored = {"s": {f"k{i}": half for i in range(300)}}
    update = {f"m{i}": half for i in range(300)}
    _, custom, notes = apply({"_merge_objects": True, "s": update}, custom=stored)
    assert custom == stored
    assert (
        len(notes) == 1
        and notes[0].startswith("s: result is ")
        and notes[0].endswith("bytes, over 100 KB; not stored")
    )


# -- custom attributes: arrays of objects ----------------------------------------------------

PETS = [
    {"id": 1, "type": "dog", "breed": "beagle", "name": "Gus"},
    {"id": 2, "type": "cat", "breed": "calico", "name": "Gerald"},
]


def test_an_array_of_objects_replaces_the_stored_value_without_a_cap() -> None:
    many = [{"id": i} for i in range(30)]
    assert apply({"pets": many}, custom={"pets": PETS}, cap=25) == ({}, {"pets": many}, [])


def test_add_appends_objects() -> None:
    new = [{"id": 3, "type": "dog", "breed": "corgi", "name": "Doug"}]
    assert apply({"pets": {"$add": new}}, custom={"pets": PETS}) == ({}, {"pets": PETS + new}, [])
    assert apply({"pets": {"$add": new}}) == ({}, {"pets": new}, [])
    assert apply({"pets": {"$add": new}}, custom={"pets": "x"}) == (
        {},
        {"pets": new},
        ["pets: stored 'x' is not an array of objects; started from []"],
    )


def test_update_with_merge_objects_deep_merges_every_match() -> None:
    pets = [*PETS, {"id": 4, "type": "fish", "breed": "salmon", "name": "Larry"}]
    sent = {
        "_merge_objects": True,
        "pets": {
            "$update": [
                {
                    "$identifier_key": "id",
                    "$identifier_value": 4,
                    "$new_object": {"breed": "goldfish"},
                },
                {
                    "$identifier_key": "type",
                    "$identifier_value": "dog",
                    "$new_object": {"good": True},
                },
            ]
        },
    }
    assert apply(sent, custom={"pets": pets}) == (
        {},
        {
            "pets": [
                {**PETS[0], "good": True},
                PETS[1],
                {"id": 4, "type": "fish", "breed": "goldfish", "name": "Larry"},
            ]
        },
        [],
    )


def test_update_without_merge_objects_overwrites_the_match() -> None:
    sent = {
        "pets": {
            "$update": [
                {
                    "$identifier_key": "id",
                    "$identifier_value": 2,
                    "$new_object": {"name": "Annette"},
                }
            ]
        }
    }
    assert apply(sent, custom={"pets": PETS}) == (
        {},
        {"pets": [PETS[0], {"name": "Annette"}]},
        ["pets: $update id = 2: without _merge_objects the object was overwritten, not merged"],
    )


@pytest.mark.parametrize("op", ["$update", "$remove"])
def test_an_operation_matching_no_object_changes_nothing(op: str) -> None:
    spec: dict[str, Any] = {"$identifier_key": "id", "$identifier_value": True}
    if op == "$update":
        spec["$new_object"] = {"x": 1}
    sent = {"_merge_objects": True, "pets": {op: [spec]}}
    assert apply(sent, custom={"pets": [{"id": 1}]}) == (
        {},
        {"pets": [{"id": 1}]},
        [f"pets: {op} id = True matched no object"],  # true is not 1
    )


def test_remove_deletes_every_matching_object() -> None:
    sent = {
        "pets": {
            "$remove": [
                {"$identifier_key": "id", "$identifier_value": 2},
                {"$identifier_key": "type", "$identifier_value": "dog"},
            ]
        }
    }
    extra = {"id": 5, "type": "dog", "name": "Rex"}
    assert apply(sent, custom={"pets": [*PETS, extra]}) == ({}, {"pets": []}, [])


def test_operators_run_in_the_order_sent() -> None:
    sent = {
        "pets": {
            "$add": [{"id": 9}],
            "$remove": [{"$identifier_key": "id", "$identifier_value": 9}],
        }
    }
    assert apply(sent, custom={"pets": [{"id": 1}]}) == ({}, {"pets": [{"id": 1}]}, [])


@pytest.mark.parametrize(
    ("ops", "problem"),
    [
        (
            {"$set": [{"id": 1}]},
            "pets.$set: not an operator ($add, $update or $remove), or a key with '$'",
        ),
        ({"$add": {"id": 1}}, "pets.$add: needs an array"),
        ({"$add": [1]}, "pets.$add[0]: 1 is not an object, in an array of objects"),
        (
            {"$remove": [{"$identifier_key": "id"}]},
            "pets.$remove[0]: needs exactly $identifier_key, $identifier_value",
        ),
        (
            {"$update": [{"$identifier_key": "id", "$identifier_value": 1}]},
            "pets.$update[0]: needs exactly $identifier_key, $identifier_value, $new_object",
        ),
        (
            {"$update": [{"$identifier_key": "id", "$identifier_value": 1, "$new_object": 5}]},
            "pets.$update[0]: $new_object must be an object",
        ),
        (
            {"$remove": [{"$identifier_key": 1, "$identifier_value": 1}]},
            "pets.$remove[0]: $identifier_key must be a string",
        ),
        (
            {"$remove": [{"$identifier_key": "id", "$identifier_value": [1]}]},
            "pets.$remove[0]: $identifier_value must be a string, number or boolean",
        ),
        (
            {
                "$update": [
                    {"$identifier_key": "id", "$identifier_value": 1, "$new_object": {"a b": 1}}
                ]
            },
            "pets.$update[0].$new_object: key 'a b' contains a space, '.' or '$'",
        ),
    ],
)
def test_malformed_object_operations_are_invalid_nested_values(
    ops: dict[str, Any], problem: str
) -> None:
    assert apply({"pets": ops}, custom={"pets": PETS}) == (
        {},
        {"pets": PETS},
        [f"pets: nested-object update dropped: {problem}"],
    )


def test_mixed_arrays_of_objects_and_values_are_invalid() -> None:
    assert apply({"pets": [{"id": 1}, "cat"]}) == (
        {},
        {},
        [
            "pets: nested-object update dropped: "
            "pets[1]: 'cat' is not an object, in an array of objects"
        ],
    )


def test_an_array_of_objects_over_100_kb_is_invalid() -> None:
    big = [{"t": "x" * 250} for _ in range(420)]
    assert apply({"pets": big}) == (
        {},
        {},
        ["pets: nested-object update dropped: pets is larger than 100 KB"],
    )


def test_stored_nested_values_are_independent_of_the_request() -> None:
    sent = {"s": {"a": {"b": [1]}}, "pets": [{"id": 1}], "tags": ["x"]}
    _, custom, _ = apply(sent)
    sent["s"]["a"]["b"].append(2)
    sent["pets"][0]["id"] = 7
    sent["tags"].append("y")
    assert custom == {"s": {"a": {"b": [1]}}, "pets": [{"id": 1}], "tags": ["x"]}


# -- helpers used by validation --------------------------------------------------------------


def test_country_and_language_helpers() -> None:
    assert country_code(" Norway ") == "NO"
    assert country_code("Holland") == "NL"
    assert country_code("Narnia") is None
    assert language_code("NB") == "nb"
    assert language_code("haw") == "haw"
    assert language_code("english") is None


def test_notes_say_whether_the_value_was_dropped() -> None:
    notes = apply_attributes({}, {}, {"country": "Narnia", "gender": "male"}, array_cap=25)
    assert notes == [
        Note("country", "'Narnia' is not an ISO 3166-1 country; stored as null", dropped=True),
        Note("gender", "'male' stored as 'M'", dropped=False),
    ]
