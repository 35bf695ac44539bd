"""The Flask app every mock starts from: inbound gate, admin API, errors in the service's shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from seen_braze_harness.mocks.core.admin import install_admin
from seen_braze_harness.mocks.core.http import InboundGate
from seen_braze_harness.mocks.core.runtime import MockRuntime


def mock_app(
    import_name: str,
    runtime: MockRuntime,
    *,
    max_body_bytes: int,
    error_body: Callable[[int], Any],
    http_error: Callable[[HTTPException], Response],
) -> Flask:
    """A Flask app wired to `runtime`, serving the admin API; the service installs its route table
    (`mocks.core.routes`) and error handlers."""
    app = Flask(import_name, static_folder=None)  # no /static route: nothing to serve
    app.extensions["mock"] = runtime
    app.extensions["mock_service_http_error"] = http_error
    InboundGate(app, runtime, max_body_bytes=max_body_bytes, error_body=error_body)
    install_admin(app)
    return app


def runtime_of(app: Flask) -> MockRuntime:
    """The runtime of an app `mock_app` made (TypeError for any other app)."""
    found = app.extensions.get("mock")
    if not isinstance(found, MockRuntime):
        raise TypeError(f"{app.name} is not a mock made by mock_app")
    return found
