"""A path with doubled slashes is no route: a 404 in the service's shape, not werkzeug's
redirect with an HTML body (found by the admin API's property test, issue #12)."""

from __future__ import annotations

from flask import Flask

from tests.conftest import TOKEN


def test_an_admin_path_with_a_double_slash_is_a_404_problem(seen_app: Flask) -> None:
    response = seen_app.test_client().get("/_mock//health")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 404
    assert "Location" not in response.headers


def test_an_emulated_path_with_a_double_slash_is_seen_s_404_and_journaled(
    seen_app: Flask,
) -> None:
    response = seen_app.test_client().post(
        "/v1//campaigns/onboarding/receivers/",
        json=[{"first_name": "Ada"}],
        headers={"Authorization": f"Token {TOKEN}"},
    )
    assert response.status_code == 404
    assert response.get_json() == {"detail": "Not found."}
    assert not seen_app.extensions["seen"].receivers
    (exchange,) = seen_app.extensions["mock"].journal.query()
    assert exchange.hop == "seen.unmatched" and exchange.status == 404
