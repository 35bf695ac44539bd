"""Issue #12: a transformation's code or payload over the runtime's limits is refused where the
limit is crossed, naming it, never accepted and then logged as nulls."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.braze.transformations.jsruntime import RunLimits, RuntimeUnavailable
from tests.mocks.braze.test_transformations import create, path_of, runtime_of

CODE_CHARS = RunLimits().code_chars
PAYLOAD_BYTES = RunLimits().payload_bytes


def test_code_over_the_code_limit_is_refused_by_create_and_update(client: FlaskClient) -> None:
    code = "//" + "x" * CODE_CHARS
    body = {"name": "big", "code": code, "destination": "track-users"}
    refused = client.post("/_mock/transformations", json=body)
    assert refused.status_code == 400
    assert f"over the limit of {CODE_CHARS:,} (code_chars)" in refused.json["detail"]
    made = create(client, code="return {}")
    updated = client.put(f"/_mock/transformations/{made['id']}", json={"code": code})
    assert updated.status_code == 400 and "code_chars" in updated.json["detail"]
    assert client.get(f"/_mock/transformations/{made['id']}").json["code"] == "return {}"
    at_limit = create(client, code="/" * CODE_CHARS)
    assert at_limit["code"] == "/" * CODE_CHARS


def test_a_payload_over_the_run_limit_is_said_in_the_log_entry_and_validate(
    make_braze_app: Any,
) -> None:
    app: Flask = make_braze_app(max_body_bytes=2 * PAYLOAD_BYTES)
    client = app.test_client()
    made = create(client, code="return {attributes: [{external_id: 'u1'}]}", active=True)
    payload = {"x": "y" * PAYLOAD_BYTES}
    assert client.post(path_of(made), json=payload).status_code == 201
    runtime_of(app).scheduler.run_until_idle()
    entry = client.get("/_mock/transformations/logs").json["logs"][-1]
    assert entry["error"]["kind"] == "input_too_large"
    assert f"exceed the {PAYLOAD_BYTES} allowed" in entry["error"]["message"]
    assert entry["destination"] is None
    validate = client.post(f"/_mock/transformations/{made['id']}/validate", json={})
    assert validate.status_code == 413 and "allowed" in validate.json["detail"]
    assert client.get("/_mock/users").json["count"] == 0


def test_a_runtime_that_cannot_start_is_said_in_the_log_entry_and_validate(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cannot_start(_slot: Any) -> None:
        raise RuntimeUnavailable("the JavaScript worker keeps exiting")

    made = create(client, code="return {}", active=True)
    monkeypatch.setattr(
        "seen_braze_harness.mocks.braze.transformations.jsruntime.slot.Slot._ready_process",
        cannot_start,
    )
    assert client.post(path_of(made), json={}).status_code == 201
    runtime_of(app).scheduler.run_until_idle()
    entry = client.get("/_mock/transformations/logs").json["logs"][-1]
    assert entry["error"]["kind"] == "unavailable"
    assert entry["error"]["message"] == "the code did not run: the JavaScript worker keeps exiting"
    validate = client.post(f"/_mock/transformations/{made['id']}/validate", json={})
    assert validate.status_code == 503 and "did not run" in validate.json["detail"]
