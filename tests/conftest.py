"""Fixtures shared by the whole suite: a SEEN mock on a virtual clock, and its test client."""

from __future__ import annotations

import importlib
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from seen_braze_harness.mocks.core.runtime import MockRuntime
from seen_braze_harness.mocks.seen.app import create_app
from seen_braze_harness.mocks.seen.models import SeenBackend
from seen_braze_harness.mocks.seen.settings import SeenSettings

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("mocks", "harness", "schemas", "fixtures")


def pytest_configure(config: pytest.Config) -> None:
    """The suite tests the checkout: an installed copy that differs from it would pass or fail
    for code that is not here, so it stops the run and says how to reinstall."""
    stale = stale_files()
    if stale:
        shown = ", ".join(stale[:5]) + (f" and {len(stale) - 5} more" if len(stale) > 5 else "")
        raise pytest.UsageError(
            f"the installed seen_braze_harness differs from this checkout ({shown}): run "
            "`.venv/bin/pip install '.[test]'` again, or install it editable with "
            "`.venv/bin/pip install -e '.[test]' --config-settings editable_mode=strict` "
            "(again after adding a file)"
        )


def stale_files() -> list[str]:
    """Files of the four folders that the imported seen_braze_harness lacks or holds otherwise."""
    stale = []
    for folder in FOLDERS:
        installed = Path(importlib.import_module(f"seen_braze_harness.{folder}").__file__ or "")
        if installed.parent.resolve() == ROOT / folder:
            continue  # an editable install that reads the checkout itself
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            copy = installed.parent / path.relative_to(ROOT / folder)
            if not copy.is_file() or copy.read_bytes() != path.read_bytes():
                stale.append(f"{folder}/{path.relative_to(ROOT / folder)}")
    return stale


TOKEN = "0123456789abcdef0123456789abcdef01234567"
OTHER_TOKEN = "fedcba9876543210fedcba9876543210fedcba98"
CALLBACK_URL = "https://dt.example.test/transformations/t1/secret"


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never leave the machine: resolving any host but loopback fails at once."""
    real = socket.getaddrinfo

    def loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in LOOPBACK:
            raise socket.gaierror(socket.EAI_NONAME, f"tests do not reach the network ({host})")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", loopback_only)


def seen_settings(**overrides: Any) -> SeenSettings:
    """Virtual clock, campaign `onboarding` (token TOKEN, callbacks to CALLBACK_URL)."""
    values: dict[str, Any] = {
        "clock": "virtual",
        "campaigns": [{"slug": "onboarding", "token": TOKEN, "callback_url": CALLBACK_URL}],
    }
    values.update(overrides)
    return SeenSettings(**values)


@pytest.fixture
def closing_apps() -> Iterator[list[Flask]]:
    """Mock apps a test made; each is closed (scheduler, workers) after the test."""
    made: list[Flask] = []
    yield made
    for app in made:
        app.extensions["mock"].close()


@pytest.fixture
def make_seen_app(closing_apps: list[Flask]) -> Callable[..., Flask]:
    """Build SEEN mocks with `seen_settings(**overrides)`; each is closed after the test."""

    def make(**overrides: Any) -> Flask:
        app = create_app(seen_settings(**overrides))
        closing_apps.append(app)
        return app

    return make


@pytest.fixture
def seen_app(make_seen_app: Callable[..., Flask]) -> Flask:
    return make_seen_app()


@pytest.fixture
def client(seen_app: Flask) -> FlaskClient:
    return seen_app.test_client()


@pytest.fixture
def runtime(seen_app: Flask) -> MockRuntime:
    runtime: MockRuntime = seen_app.extensions["mock"]
    return runtime


@pytest.fixture
def backend(seen_app: Flask) -> SeenBackend:
    backend: SeenBackend = seen_app.extensions["seen"]
    return backend


def post_receivers(
    client: FlaskClient,
    body: Any = None,
    *,
    slug: str = "onboarding",
    token: str | None = TOKEN,
    data: str | bytes | None = None,
    content_type: str = "application/json",
    method: str = "POST",
    headers: dict[str, str] | None = None,
    trailing_slash: bool = True,
) -> TestResponse:
    """A receivers call as Braze's webhook makes it; `data` sends raw bytes instead of `body`."""
    sent_headers = dict(headers or {})
    if token is not None:
        sent_headers.setdefault("Authorization", f"Token {token}")
    raw = data if data is not None else (None if body is None else _json(body))
    path = f"/v1/campaigns/{slug}/receivers" + ("/" if trailing_slash else "")
    return client.open(
        path, method=method, data=raw, content_type=content_type, headers=sent_headers
    )


def _json(body: Any) -> str:
    return json.dumps(body)
