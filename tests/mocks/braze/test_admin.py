"""The Braze part of the admin API: seeding and reading profiles."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.mocks.braze.conftest import track


def problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    detail: str = response.json["detail"]
    return detail


def test_seed_a_list_and_read_it_back(client: FlaskClient) -> None:
    response = client.post(
        "/_mock/users",
        json=[
            {"external_id": "u1", "first_name": "Ada", "email": "ada@example.com", "tier": "gold"},
            {"braze_id": "0123456789abcdef01234567", "email": "grace@example.com"},
        ],
    )
    assert response.status_code == 201
    first, second = response.json["users"]
    assert len(first["braze_id"]) == 24 and int(first["braze_id"], 16) >= 0
    assert first["custom_attributes"] == {"tier": "gold"}
    assert second["braze_id"] == "0123456789abcdef01234567"
    by_id = client.get("/_mock/users?braze_id=0123456789abcdef01234567").json
    assert by_id["count"] == 1 and by_id["users"][0]["email"] == "grace@example.com"
    assert client.get("/_mock/users?external_id=u1").json["users"][0]["first_name"] == "Ada"
    assert client.get("/_mock/users?email=ada@example.com").json["count"] == 1
    assert client.get("/_mock/users").json["count"] == 2
    exported = client.get("/_mock/users/export").json
    assert exported["count"] == 2 and {u["braze_id"] for u in exported["users"]} >= {
        "0123456789abcdef01234567"
    }


def test_seed_one_object(client: FlaskClient) -> None:
    response = client.post("/_mock/users", json={"external_id": "solo"})
    assert response.status_code == 201 and response.json["users"][0]["external_id"] == "solo"


def test_the_answer_holds_only_the_fields_asked_for(client: FlaskClient) -> None:
    users = [{"external_id": "u1", "first_name": "Ada", "tier": "gold"}, {"email": "g@x.io"}]
    brief = client.post("/_mock/users?fields=braze_id,external_id", json=users)
    assert brief.status_code == 201
    first, second = brief.json["users"]
    assert set(first) == {"braze_id", "external_id"} and first["external_id"] == "u1"
    assert second["external_id"] is None and len(second["braze_id"]) == 24
    some = client.post("/_mock/users?fields=custom_attributes,braze_id", json={"tier": "x"})
    assert list(some.json["users"][0]) == ["custom_attributes", "braze_id"]
    assert some.json["users"][0]["custom_attributes"] == {"tier": "x"}
    assert client.get("/_mock/users").json["count"] == 3


@pytest.mark.parametrize("fields", ["braze_id,nickname", "", " , "])
def test_fields_a_profile_does_not_have_are_refused_before_anything_is_seeded(
    client: FlaskClient, fields: str
) -> None:
    detail = problem(client.post(f"/_mock/users?fields={fields}", json={"external_id": "u"}), 400)
    assert detail.startswith("fields: ") and "use a comma-separated list of braze_id" in detail
    assert client.get("/_mock/users").json["count"] == 0


def test_an_unknown_query_parameter_is_refused(client: FlaskClient) -> None:
    detail = problem(client.post("/_mock/users?field=braze_id", json={"external_id": "u"}), 400)
    assert detail == "unknown query parameter(s): field; use fields"


def test_seeded_users_are_found_by_track(client: FlaskClient) -> None:
    seeded = client.post("/_mock/users", json={"external_id": "u1"}).json["users"][0]
    body = {"attributes": [{"braze_id": seeded["braze_id"], "_update_existing_only": True, "x": 1}]}
    assert track(client, body).status_code == 201
    assert client.get("/_mock/users?external_id=u1").json["users"][0]["custom_attributes"] == {
        "x": 1
    }


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ([{"braze_id": "not-hex"}], "braze_id"),
        ([{"external_id": "a"}, {"external_id": "a"}], "users[1]"),
        ([{"external_id": "a", "_update_existing_only": True}], "_update_existing_only"),
        ("a string", "object"),
    ],
)
def test_bad_seeds_are_refused_and_name_the_user(
    client: FlaskClient, body: Any, words: str
) -> None:
    assert words in problem(client.post("/_mock/users", json=body), 400)


def test_unknown_filters_are_refused(client: FlaskClient) -> None:
    assert "colour" in problem(client.get("/_mock/users?colour=red"), 400)


def test_reset_restores_the_settings_profiles(make_braze_app: Any) -> None:
    app = make_braze_app(profiles=[{"external_id": "base"}])
    client = app.test_client()
    track(client, {"attributes": [{"external_id": "extra"}]})
    assert client.get("/_mock/users").json["count"] == 2
    client.post("/_mock/reset")
    users = client.get("/_mock/users").json["users"]
    assert [u["external_id"] for u in users] == ["base"]


def test_users_track_past_the_cap_forgets_the_oldest_and_says_so(app: Any) -> None:
    client = app.test_client()
    app.extensions["braze"].profiles.cap = 2
    first = track(client, {"attributes": [{"external_id": "u1"}, {"external_id": "u2"}]})
    assert first.status_code == 201
    oldest = client.get("/_mock/users?external_id=u1").json["users"][0]["braze_id"]
    answer = track(client, {"attributes": [{"external_id": "u3", "first_name": "Ada"}]})
    assert answer.status_code == 201
    assert answer.json == {"message": "success", "attributes_processed": 1}
    listed = client.get("/_mock/users").json
    assert [u["external_id"] for u in listed["users"]] == ["u2", "u3"]
    assert (listed["count"], listed["evicted"]) == (2, 1)
    note = app.extensions["mock"].journal.query(hop="braze.users_track")[-1].note
    assert note == (
        "profile store full (2 profiles, the emulator's cap): forgot the oldest 1 "
        f"profile(s), braze_id {oldest}"
    )
    updated = track(client, {"attributes": [{"external_id": "u3", "last_name": "Lovelace"}]})
    assert updated.status_code == 201
    assert app.extensions["mock"].journal.query(hop="braze.users_track")[-1].note is None


def test_a_long_users_track_soak_keeps_the_store_at_its_cap(app: Any) -> None:
    client = app.test_client()
    app.extensions["braze"].profiles.cap = 50
    for start in range(0, 750, 75):
        body = {"attributes": [{"external_id": f"u{i}"} for i in range(start, start + 75)]}
        assert track(client, body).status_code == 201
    listed = client.get("/_mock/users").json
    assert (listed["count"], len(listed["users"]), listed["evicted"]) == (50, 50, 700)
    note = app.extensions["mock"].journal.query(hop="braze.users_track")[-1].note
    assert "forgot the oldest 75 profile(s)" in note and "and 70 more" in note
