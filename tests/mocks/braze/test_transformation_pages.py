"""The Data Transformation listings come in pages: transformations, their logs (newest back),
catalogs and the Send messages destination's messages."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.mocks.core.test_pagination import walk

CODE = "return {attributes: [{external_id: payload.id, seen: true}]};"


def test_transformations_catalogs_and_messages_come_in_pages(
    make_braze_app: Callable[..., Flask],
) -> None:
    client = make_braze_app(admin_page_limit=2).test_client()
    for i in range(3):
        made = client.post(
            "/_mock/transformations",
            json={"name": f"T{i}", "code": CODE, "destination": "track-users"},
        )
        assert made.status_code == 201, made.get_json()
        client.post("/_mock/catalogs", json={"name": f"c{i}"})
    first = client.get("/_mock/transformations").get_json()
    assert first["count"] == 3 and len(first["transformations"]) == 2 and first["next_cursor"]
    items, pages = walk(client, "/_mock/transformations", "transformations")
    assert [t["name"] for t in items] == ["T0", "T1", "T2"] and pages == 2
    catalogs, _ = walk(client, "/_mock/catalogs", "catalogs")
    assert [c["name"] for c in catalogs] == ["c0", "c1", "c2"]
    assert client.get("/_mock/messages").get_json() == {
        "count": 0,
        "messages": [],
        "next_cursor": None,
    }


def test_the_logs_page_from_the_newest_back(make_braze_app: Callable[..., Flask]) -> None:
    app = make_braze_app(admin_page_limit=2)
    client = app.test_client()
    made = client.post(
        "/_mock/transformations",
        json={"name": "T", "code": CODE, "destination": "track-users", "active": True},
    ).get_json()
    path = made["webhook_url"].split("://", 1)[1].split("/", 1)[1]
    for i in range(5):
        assert client.post(f"/{path}", json={"id": f"u{i}"}).status_code == 201
    app.extensions["mock"].scheduler.run_until_idle()
    first = client.get("/_mock/transformations/logs").get_json()
    assert [e["id"] for e in first["logs"]] == [4, 5] and first["count"] == 5
    logs, pages = walk(client, "/_mock/transformations/logs", "logs", newest_first=True)
    assert [e["id"] for e in logs] == [1, 2, 3, 4, 5] and pages == 3
    assert client.get("/_mock/transformations/logs?limit=x").status_code == 400


def test_the_logs_listing_is_not_a_transformation(make_braze_app: Callable[..., Flask]) -> None:
    """`/_mock/transformations/logs` answers GET only: the id route (ids are 24 hex digits)
    does not take `logs`, so OPTIONS and a 405 list what the document lists (schemathesis, F7)."""
    client = make_braze_app().test_client()
    options = client.options("/_mock/transformations/logs")
    assert (options.status_code, options.headers["Allow"]) == (204, "GET, HEAD, OPTIONS")
    for method in ("PUT", "DELETE"):
        refused = client.open("/_mock/transformations/logs", method=method, json={})
        assert (refused.status_code, refused.headers["Allow"]) == (405, "GET, HEAD, OPTIONS")
    made = client.post(
        "/_mock/transformations", json={"name": "T", "code": CODE, "destination": "track-users"}
    ).get_json()
    one = f"/_mock/transformations/{made['id']}"
    assert client.options(one).headers["Allow"] == "GET, PUT, DELETE, HEAD, OPTIONS"
    assert client.get(one).status_code == 200
    assert client.get("/_mock/transformations/not-an-id").status_code == 404
