"""The Braze mock's admin listings come in pages: profiles and their export, webhook campaigns,
their messages, the Message Activity Log and Content Blocks; the cursor reaches every item."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.braze.app import create_app
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.track.profiles import Profile
from tests.mocks.braze.test_campaign_sending import URL, Peer, scheduler_of, users
from tests.mocks.core.test_pagination import walk

SMALL = {"admin_page_limit": 2, "admin_page_max": 3}
SPEC = {"url": URL, "body": "[]", "rate_per_minute": 10}


@pytest.fixture
def peer() -> Peer:
    return Peer()


@pytest.fixture
def make(closing_apps: list[Flask], peer: Peer) -> Callable[..., Flask]:
    def made(**settings: Any) -> Flask:
        session = requests.Session()
        session.mount("https://", peer)
        session.mount("http://", peer)
        app = create_app(BrazeSettings(clock="virtual", **settings), session=session)
        closing_apps.append(app)
        return app

    return made


@pytest.fixture
def app(make: Callable[..., Flask]) -> Flask:
    return make(profiles=users(5), **SMALL)


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    return app.test_client()


def problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    detail: str = response.json["detail"]
    return detail


@pytest.mark.parametrize("path", ["/_mock/users", "/_mock/users/export"])
def test_profiles_come_in_pages(admin: FlaskClient, path: str) -> None:
    first = admin.get(path).json
    assert first["count"] == 5 and len(first["users"]) == 2
    assert list(first) == ["count", "users", "evicted", "next_cursor"]
    items, pages = walk(admin, path, "users")
    assert [u["external_id"] for u in items] == [f"u{i}" for i in range(5)] and pages == 3
    items, pages = walk(admin, path, "users", limit="3")
    assert len(items) == 5 and pages == 2
    assert "limit" in problem(admin.get(f"{path}?limit=4"), 400)
    assert "cursor" in problem(admin.get(f"{path}?cursor=zzz"), 400)
    assert "colour" in problem(admin.get(f"{path}?colour=red"), 400)


def test_filters_and_pages_go_together(admin: FlaskClient) -> None:
    found = admin.get("/_mock/users?external_id=u3").json
    assert [u["external_id"] for u in found["users"]] == ["u3"] and found["next_cursor"] is None
    cursor = admin.get("/_mock/users").json["next_cursor"]
    other = admin.get("/_mock/users/export", query_string={"cursor": cursor})
    assert "not a cursor of this listing" in problem(other, 400)


def test_only_the_page_of_profiles_is_turned_into_json(
    admin: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    to_dict = Profile.to_dict

    def counted(profile: Profile) -> dict[str, Any]:
        made.append(profile.braze_id)
        return to_dict(profile)

    monkeypatch.setattr(Profile, "to_dict", counted)
    assert len(admin.get("/_mock/users/export").json["users"]) == 2
    assert len(made) == 2


def test_the_export_of_a_large_store_stays_small(make: Callable[..., Flask]) -> None:
    """Issue 12: exporting 20,000 profiles whole held them all as JSON at once."""
    app = make()
    client = app.test_client()
    for start in range(0, 20_000, 1000):
        batch = [{"external_id": f"u{i}", "first_name": "Ada"} for i in range(start, start + 1000)]
        assert client.post("/_mock/users", json=batch).status_code == 201
    tracemalloc.start()
    try:
        answer = client.get("/_mock/users/export")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert answer.json["count"] == 20_000 and len(answer.json["users"]) == 100
    assert peak < 2_000_000, f"{peak:,} bytes for one page"


def test_a_page_stops_at_the_byte_budget(make: Callable[..., Flask]) -> None:
    profiles = [{"external_id": f"u{i}", "story": "x" * 200} for i in range(4)]
    client = make(profiles=profiles).test_client()
    size = len(json.dumps(client.get("/_mock/users?limit=1").json["users"][0]))
    client = make(profiles=profiles, admin_page_bytes=2 * size + 10).test_client()
    first = client.get("/_mock/users").json
    assert len(first["users"]) == 2 and first["next_cursor"]
    items, pages = walk(client, "/_mock/users", "users")
    assert len(items) == 4 and pages == 2


def test_campaigns_and_content_blocks_come_in_pages(admin: FlaskClient) -> None:
    made = [admin.post("/_mock/campaigns", json={**SPEC, "name": f"C{i}"}).json for i in range(3)]
    first = admin.get("/_mock/campaigns").json
    assert first["count"] == 3 and [c["name"] for c in first["campaigns"]] == ["C0", "C1"]
    admin.delete(f"/_mock/campaigns/{made[0]['id']}")
    rest = admin.get("/_mock/campaigns", query_string={"cursor": first["next_cursor"]}).json
    assert [c["name"] for c in rest["campaigns"]] == ["C2"] and rest["next_cursor"] is None
    for name in ("a", "b", "c"):
        admin.post("/_mock/content_blocks", json={"name": name, "content": name})
    blocks, pages = walk(admin, "/_mock/content_blocks", "content_blocks")
    assert [b["name"] for b in blocks] == ["a", "b", "c"] and pages == 2
    admin.patch("/_mock/content_blocks/a", json={"content": "changed"})
    again, _ = walk(admin, "/_mock/content_blocks", "content_blocks")
    assert [b["name"] for b in again] == ["a", "b", "c"], "an edit keeps a block's place"


def test_messages_come_in_pages_with_every_count(admin: FlaskClient, app: Flask) -> None:
    made = admin.post("/_mock/campaigns", json=SPEC).json
    admin.post(f"/_mock/campaigns/{made['id']}/send")
    admin.post(f"/_mock/campaigns/{made['id']}/send", json={"external_ids": ["u1", "u2"]})
    path = f"/_mock/campaigns/{made['id']}/messages"
    first = admin.get(path).json
    assert (first["count"], first["states"]["scheduled"], len(first["messages"])) == (7, 7, 2)
    items, pages = walk(admin, path, "messages")
    assert [(m["dispatch_id"] == made["id"], m["index"]) for m in items] == [
        (False, i) for i in (0, 1, 2, 3, 4, 0, 1)
    ]
    assert pages == 4
    mine, _ = walk(admin, path, "messages", external_id="u1")
    assert [m["external_id"] for m in mine] == ["u1", "u1"]
    counts = admin.get(path, query_string={"limit": "0"}).json
    assert (counts["count"], counts["messages"], counts["next_cursor"]) == (7, [], None)
    other = admin.post("/_mock/campaigns", json=SPEC).json
    cursor = first["next_cursor"]
    refused = admin.get(f"/_mock/campaigns/{other['id']}/messages", query_string={"cursor": cursor})
    assert "not a cursor of this listing" in problem(refused, 400)
    scheduler_of(app).run_until_idle()


def test_the_activity_log_comes_in_pages(admin: FlaskClient, app: Flask, peer: Peer) -> None:
    peer.default = (400, {}, "bad")
    made = admin.post("/_mock/campaigns", json={**SPEC, "rate_per_minute": None}).json
    admin.post(f"/_mock/campaigns/{made['id']}/send")
    scheduler_of(app).run_until_idle()
    first = admin.get("/_mock/activity-log").json
    assert first["count"] == 5 and len(first["entries"]) == 2
    assert list(first) == [
        "count",
        "entries",
        "suppressed",
        "paused_hosts",
        "host_pauses",
        "rate_limit_windows",
        "next_cursor",
    ]
    entries, pages = walk(admin, "/_mock/activity-log", "entries")
    assert sorted(e["external_id"] for e in entries) == [f"u{i}" for i in range(5)]
    assert pages == 3
    assert "limit" in problem(admin.get("/_mock/activity-log?limit=x"), 400)
