"""Fixtures for the Braze mock's tests: an app on a virtual clock, and a /users/track caller."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from seen_braze_harness.mocks.braze.app import create_app
from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.braze.settings import DEFAULT_API_KEY, BrazeSettings

READ_ONLY_KEY = "0a0a0a0a-read-only-key"
NOW = "2026-11-27T12:00:00Z"


@pytest.fixture
def make_braze_app(closing_apps: list[Flask]) -> Callable[..., Flask]:
    """Build Braze mocks on a virtual clock with a users.track key and a read-only one."""

    def make(**overrides: Any) -> Flask:
        values: dict[str, Any] = {
            "clock": "virtual",
            "api_keys": {DEFAULT_API_KEY: ["users.track"], READ_ONLY_KEY: ["catalogs.get"]},
        }
        values.update(overrides)
        app = create_app(BrazeSettings(**values))
        closing_apps.append(app)
        return app

    return make


@pytest.fixture
def app(make_braze_app: Callable[..., Flask]) -> Flask:
    return make_braze_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def backend(app: Flask) -> BrazeBackend:
    backend: BrazeBackend = app.extensions["braze"]
    return backend


def track(
    client: FlaskClient,
    body: Any = None,
    *,
    key: str | None = DEFAULT_API_KEY,
    data: str | bytes | None = None,
    content_type: str = "application/json",
    method: str = "POST",
    path: str = "/users/track",
    authorization: str | None = None,
) -> TestResponse:
    headers = {}
    if authorization is not None:
        headers["Authorization"] = authorization
    elif key is not None:
        headers["Authorization"] = f"Bearer {key}"
    raw = data if data is not None else (None if body is None else json.dumps(body))
    return client.open(path, method=method, data=raw, content_type=content_type, headers=headers)


def attrs(**fields: Any) -> dict[str, Any]:
    return {"attributes": [{"external_id": "u1", **fields}]}
