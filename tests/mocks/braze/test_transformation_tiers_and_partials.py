"""Issue #11's Data Transformation rules: partial outputs are delivered; the tier limits.

Braze's Data Transformation overview: "Active transformations: up to 5 per company (free),
up to 55 (Pro)"; "300,000 incoming requests per month (free), 10,300,000 (Pro)". The output
of a transformation is sent to its destination like any request of that endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.braze.settings import BrazeSettings
from tests.mocks.braze.test_transformations import CALLBACK, create, path_of, runtime_of

PARTIAL = (
    "return {attributes: ["
    "{braze_id: payload.customer_id, _update_existing_only: true, "
    "landing_page_url: payload.landing_page_url},"
    "{braze_id: payload.customer_id, email: 'not-an-email'}]}"
)


def test_partial_output_applies_the_good_object_and_logs_the_bad_one_in_errors(
    app: Flask, client: FlaskClient
) -> None:
    profile = app.extensions["braze"].profiles.seed({"external_id": "u1"})
    made = create(client, code=PARTIAL, active=True)
    client.post(path_of(made), json={**CALLBACK, "customer_id": profile.braze_id})
    runtime_of(app).scheduler.run_until_idle()
    (entry,) = client.get("/_mock/transformations/logs").json["logs"]
    assert entry["error"] is None, "a partial output is not refused before delivery"
    assert entry["destination"] == {
        "endpoint": "POST /users/track",
        "status": 201,
        "body": {
            "message": "success",
            "attributes_processed": 1,
            "errors": [{"type": "EMAIL_BAD_FORMAT", "input_array": "attributes", "index": 1}],
        },
    }
    stored = app.extensions["braze"].profiles.query(external_id="u1")[0].to_dict()
    assert stored["custom_attributes"] == {"landing_page_url": CALLBACK["landing_page_url"]}
    assert "email" not in stored
    counters = client.get(f"/_mock/transformations/{made['id']}").json["counters"]
    assert counters == {"incoming_requests": 1, "deliveries": 1}
    (delivery,) = runtime_of(app).journal.query(hop="braze.transformation_delivery")
    assert delivery.status == 201 and "rejected" in (delivery.note or "")


def test_partial_output_is_still_not_acceptable_in_validate(client: FlaskClient) -> None:
    made = create(client, code=PARTIAL)
    shown = client.post(
        f"/_mock/transformations/{made['id']}/validate",
        json={"payload": {**CALLBACK, "customer_id": "b1"}},
    ).json
    assert shown["acceptable"] is False
    assert [e["pointer"] for e in shown["errors"]] == ["/attributes/1"]


def test_an_output_with_every_object_bad_is_still_refused_before_delivery(
    app: Flask, client: FlaskClient
) -> None:
    made = create(
        client, code="return {attributes: [{email: 'x'}, {first_name: 'none'}]}", active=True
    )
    client.post(path_of(made), json=CALLBACK)
    runtime_of(app).scheduler.run_until_idle()
    (entry,) = client.get("/_mock/transformations/logs").json["logs"]
    assert entry["error"]["kind"] == "invalid_output" and entry["destination"] is None


def test_tier_limits_default_to_the_free_tier() -> None:
    settings = BrazeSettings()
    assert (settings.transform_active_limit, settings.transform_monthly_limit) == (5, 300_000)
    pro = BrazeSettings(transform_active_limit=55, transform_monthly_limit=10_300_000)
    assert pro.transform_monthly_limit == 10_300_000


def test_active_transformations_per_company_are_limited_by_the_tier(
    make_braze_app: Callable[..., Flask],
) -> None:
    client = make_braze_app(transform_active_limit=2).test_client()
    first, second = create(client, active=True), create(client, active=True)
    refused = client.post(
        "/_mock/transformations",
        json={"name": "third", "code": "return {}", "destination": "track-users", "active": True},
    )
    assert refused.status_code == 409
    assert "2 active transformations" in refused.json["detail"]
    inactive = create(client)
    activate = client.post(f"/_mock/transformations/{inactive['id']}/activate")
    assert activate.status_code == 409
    assert (
        client.put(f"/_mock/transformations/{inactive['id']}", json={"active": True}).status_code
        == 409
    )
    assert client.post(f"/_mock/transformations/{first['id']}/activate").status_code == 200
    client.post(f"/_mock/transformations/{second['id']}/deactivate")
    assert client.post(f"/_mock/transformations/{inactive['id']}/activate").status_code == 200


def test_monthly_incoming_requests_are_limited_by_the_tier(
    make_braze_app: Callable[..., Flask],
) -> None:
    app = make_braze_app(transform_monthly_limit=2)
    client = app.test_client()
    made = create(client)
    scheduler = runtime_of(app).scheduler
    now = datetime.fromtimestamp(runtime_of(app).clock.now(), UTC)
    next_month = datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=UTC)
    scheduler.advance(next_month.timestamp() - runtime_of(app).clock.now())
    assert [client.post(path_of(made), json={}).status_code for _ in range(3)] == [201, 201, 429]
    refused = client.post(path_of(made), json={})
    assert refused.json["message"].startswith("Monthly limit reached: 2 incoming")
    counters = client.get(f"/_mock/transformations/{made['id']}").json["counters"]
    assert counters["incoming_requests"] == 2, "refused requests are not counted"
    scheduler.advance(32 * 86400)
    assert client.post(path_of(made), json={}).status_code == 201, "a new month, a new quota"


@pytest.mark.parametrize("name", ["transform_active_limit", "transform_monthly_limit"])
def test_tier_limit_settings_must_be_whole_numbers(name: str) -> None:
    from seen_braze_harness.mocks.core.settings import SettingsError

    with pytest.raises(SettingsError, match=name):
        BrazeSettings(**{name: 0})
