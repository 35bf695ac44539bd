"""Fault rules on `braze.users_track` apply to a Data Transformation's delivery too.

That delivery does not cross HTTP, but it is a /users/track request: a scenario that makes
/users/track fail must see the transformation's delivery fail.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from seen_braze_harness.mocks.braze.models import BrazeBackend
from tests.mocks.braze.test_transformations import CALLBACK, create, path_of, runtime_of


def _run_webhook(app: Flask, rule: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    client = app.test_client()
    backend: BrazeBackend = app.extensions["braze"]
    seeded = backend.profiles.seed({"external_id": "u1"})
    made = create(client, active=True)
    added = client.post("/_mock/faults", json={"hop": "braze.users_track", **rule})
    assert added.status_code == 201
    answer = client.post(path_of(made), json={**CALLBACK, "customer_id": seeded.braze_id})
    assert answer.status_code == 201
    runtime_of(app).scheduler.run_until_idle()
    (entry,) = client.get("/_mock/transformations/logs").json["logs"]
    profile = backend.profiles.get(seeded.braze_id)
    assert profile is not None
    custom: dict[str, Any] = profile.to_dict()["custom_attributes"]
    return entry, custom


def test_a_users_track_fault_applies_to_a_transformations_delivery(app: Flask) -> None:
    entry, custom = _run_webhook(app, {"status": 503})
    assert entry["destination"]["status"] == 503
    assert custom == {}, "refused before processing: nothing written"
    delivery = [e for e in runtime_of(app).journal.query() if e.hop.endswith("delivery")]
    assert delivery[0].fault is not None and delivery[0].status == 503


def test_a_processed_users_track_fault_writes_the_profile_and_loses_the_answer(
    app: Flask,
) -> None:
    entry, custom = _run_webhook(app, {"drop": True, "processed": True})
    assert entry["destination"]["status"] is None
    assert "landing_page_url" in custom, "processed: the links are on the profile"
    (delivery,) = [e for e in runtime_of(app).journal.query() if e.hop.endswith("delivery")]
    assert delivery.status is None
    assert delivery.note is not None and "processed (answered HTTP 201)" in delivery.note
