"""Issue #12: a purchase's currency that is not a string, and a webhook URL that is not ASCII,
are refused the way Braze refuses them, never with a 500 or a traceback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.mocks.braze.conftest import track
from tests.mocks.braze.test_transformations import create, path_of, runtime_of
from tests.servekit import seen_braze_command

GOOD_PURCHASE = {
    "external_id": "u1",
    "product_id": "p",
    "currency": "USD",
    "price": 1,
    "time": "2026-11-27T12:00:00Z",
}


def deliver(app: Flask, client: FlaskClient, code: str) -> dict[str, Any]:
    """Create an active transformation of `code`, post it a webhook, run it: its log entry."""
    made = create(client, code=code, active=True)
    assert client.post(path_of(made), json={"n": 1}).status_code == 201
    runtime_of(app).scheduler.run_until_idle()
    logs = client.get(f"/_mock/transformations/logs?transformation={made['id']}")
    assert logs.status_code == 200
    entry: dict[str, Any] = logs.json["logs"][-1]
    validate = client.post(f"/_mock/transformations/{made['id']}/validate", json={})
    assert validate.status_code == 200, validate.data
    entry["validate"] = validate.json
    return entry


def transform_cli(tmp_path: Path, code: str, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "code.js").write_text(code)
    (tmp_path / "payload.json").write_text("{}")
    return subprocess.run(
        seen_braze_command("transform", "code.js", "--payload", "payload.json", *args),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


# -- purchases[].currency that is not a string --------------------------------------------------


@pytest.mark.parametrize("currency", [{"code": "USD"}, ["USD"], {}, []])
def test_a_currency_that_is_an_object_or_array_is_refused_for_that_object(
    client: FlaskClient, currency: Any
) -> None:
    bad = {**GOOD_PURCHASE, "currency": currency}
    alone = track(client, {"purchases": [bad]})
    assert alone.status_code == 400
    assert alone.json["errors"][0]["index"] == 0
    assert "'currency' must be an ISO 4217 currency" in json.dumps(alone.json)
    partial = track(client, {"purchases": [GOOD_PURCHASE, bad]})
    assert partial.status_code == 201
    assert [e["index"] for e in partial.json["errors"]] == [1]


def test_a_transformation_returning_an_object_currency_is_invalid_output(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    code = (
        "return {purchases: [{external_id: 'u1', product_id: 'p', currency: {c: 'USD'}, "
        "price: 1, time: '2026-11-27T12:00:00Z'}]}"
    )
    entry = deliver(app, client, code)
    assert entry["error"]["kind"] == "invalid_output"
    assert "/purchases/0: 'currency' must be an ISO 4217 currency" in entry["error"]["message"]
    assert entry["validate"]["errors"] == [
        {"pointer": "/purchases/0", "message": "'currency' must be an ISO 4217 currency"}
    ]
    done = transform_cli(tmp_path, code, "--json")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads(done.stdout)["errors"][0]["pointer"] == "/purchases/0"


# -- the webhook URL's secret ----------------------------------------------------------------------


@pytest.mark.parametrize("secret", ["é", "%C3%A9", "%F0%9F%98%80", "%FF", "%ED%A0%BD"])
def test_a_webhook_secret_that_is_not_ascii_is_an_unknown_url(
    client: FlaskClient, secret: str
) -> None:
    made = create(client)
    unknown = client.post("/transformations/nope/nope", json={})
    for path in (f"/transformations/{made['id']}/{secret}", f"/transformations/{secret}/{secret}"):
        response = client.post(path, json={})
        assert response.status_code == 404
        assert response.json == unknown.json and set(response.json) == {"message"}
