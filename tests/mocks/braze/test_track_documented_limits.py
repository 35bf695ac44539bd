"""Issue #11's /users/track rules, each named after what Braze documents.

Sources (braze-inc/braze-docs): the `/users/track` page (rate-limit headers, error table), the
purchase object page (reserved property names), custom attribute data types (arrays: 500
elements, 100 KB) and nested custom attributes (arrays of objects: `$add` before `$remove`).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.track.arrays import ARRAY_MAX_BYTES
from seen_braze_harness.mocks.braze.track.attributes import apply_attributes
from seen_braze_harness.mocks.core.settings import SettingsError
from tests.mocks.braze.conftest import NOW, attrs, track

RESERVED = ("time", "product_id", "quantity", "event_name", "price", "currency")


def purchase(**properties: object) -> dict[str, object]:
    return {
        "external_id": "u1",
        "product_id": "p",
        "currency": "EUR",
        "price": 1,
        "time": NOW,
        "properties": properties,
    }


def test_arrays_hold_up_to_500_elements_when_the_cap_is_set_to_500(
    make_braze_app: Callable[..., Flask],
) -> None:
    app = make_braze_app(array_cap=500)
    client = app.test_client()
    values = [f"v{i}" for i in range(501)]
    assert track(client, attrs(tags=values)).status_code == 201
    (profile,) = app.extensions["braze"].profiles.query(external_id="u1")
    assert profile.to_dict()["custom_attributes"]["tags"] == values[1:], "the oldest goes"
    with pytest.raises(SettingsError, match="1 to 500"):
        BrazeSettings(array_cap=501)


def test_an_array_over_100_kb_is_not_stored() -> None:
    custom: dict[str, object] = {"tags": ["kept"]}
    big = ["x" * 250 + f"{i:05}" for i in range(500)]  # about 130 KB of JSON
    notes = apply_attributes({}, custom, {"tags": big}, array_cap=500)
    assert custom == {"tags": ["kept"]}
    assert [str(n) for n in notes] == [
        f"tags: array is {_json_size(big)} bytes, over 100 KB; not stored"
    ]
    small = big[: ARRAY_MAX_BYTES // 300]
    assert apply_attributes({}, custom, {"tags": small}, array_cap=500) == []
    assert custom["tags"] == small


def test_an_array_edit_that_grows_over_100_kb_is_not_stored() -> None:
    custom: dict[str, object] = {"tags": ["x" * 240 + f"{i:05}" for i in range(300)]}
    before = list(custom["tags"])  # type: ignore[call-overload]
    more = ["y" * 240 + f"{i:05}" for i in range(200)]
    notes = apply_attributes({}, custom, {"tags": {"add": more}}, array_cap=500)
    assert custom["tags"] == before
    assert len(notes) == 1 and "over 100 KB; not stored" in str(notes[0])


def _json_size(value: object) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


@pytest.mark.parametrize("name", RESERVED)
def test_purchase_property_with_a_reserved_name_is_refused_with_invalid_properties_field(
    client: FlaskClient, backend: BrazeBackend, name: str
) -> None:
    body = {"purchases": [purchase(brand="ok"), purchase(**{name: "x"})]}
    response = track(client, body)
    assert response.status_code == 201
    assert response.json["errors"] == [
        {"type": "Invalid 'properties' field", "input_array": "purchases", "index": 1}
    ]
    (profile,) = backend.profiles.query(external_id="u1")
    assert [p["properties"] for p in profile.to_dict()["purchases"]] == [{"brand": "ok"}]


def test_event_properties_may_use_the_purchase_only_reserved_names(client: FlaskClient) -> None:
    event = {"external_id": "u1", "name": "e", "time": NOW, "properties": {"price": 1}}
    assert "errors" not in track(client, {"events": [event]}).json


@pytest.mark.parametrize(
    "ops",
    [
        ["$remove", "$add"],
        ["$add", "$remove"],
    ],
)
def test_add_runs_before_remove_in_arrays_of_objects_whatever_the_key_order(
    client: FlaskClient, backend: BrazeBackend, ops: list[str]
) -> None:
    track(client, attrs(pets=[{"id": 1, "name": "Rex"}]))
    spec = {
        "$add": [{"id": 2, "name": "Tom"}, {"id": 3, "name": "Kit"}],
        "$remove": [{"$identifier_key": "id", "$identifier_value": 2}],
    }
    ordered = {op: spec[op] for op in ops}
    assert track(client, attrs(pets=ordered)).status_code == 201
    (profile,) = backend.profiles.query(external_id="u1")
    assert profile.to_dict()["custom_attributes"]["pets"] == [
        {"id": 1, "name": "Rex"},
        {"id": 3, "name": "Kit"},
    ]


def test_a_429_carries_x_ratelimit_retry_after_instead_of_the_other_rate_headers(
    make_braze_app: Callable[..., Flask],
) -> None:
    app = make_braze_app(rate_limit=1, rate_window=60.0)
    client = app.test_client()
    ok = track(client, attrs())
    names = {name for name, _ in ok.headers}
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= names
    refused = track(client, attrs())
    assert refused.status_code == 429
    rate = sorted(name for name, _ in refused.headers if name.lower().startswith("x-ratelimit"))
    assert rate == ["X-Ratelimit-Retry-After"]
    assert int(refused.headers["X-Ratelimit-Retry-After"]) > 0


@pytest.mark.parametrize("style", ["enum", "sentence"])
def test_email_subscription_info_gives_invalid_attribute_email_subscription_info(
    make_braze_app: Callable[..., Flask], style: str
) -> None:
    client = make_braze_app(error_style=style).test_client()
    body = {
        "attributes": [
            {"external_id": "good", "email_subscribe": "opted_in"},
            {"external_id": "u1", "email_subscription_info": {"state": "subscribed"}},
        ]
    }
    (error,) = track(client, body).json["errors"]
    expected = (
        "INVALID_ATTRIBUTE_EMAIL_SUBSCRIPTION_INFO"
        if style == "enum"
        else "'email_subscription_info' is not a valid attribute"
    )
    assert error == {"type": expected, "input_array": "attributes", "index": 1}
