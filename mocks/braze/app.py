"""The Braze mock's application factory."""

from __future__ import annotations

import requests
from flask import Flask, Response

from mocks.braze import errors, transformation_views, views
from mocks.braze.models import BrazeBackend
from mocks.braze.settings import BrazeSettings
from mocks.core.app import mock_app
from mocks.core.clock import Scheduler
from mocks.core.http import note
from mocks.core.journal import HopSchemas
from mocks.core.runtime import MockRuntime

USERS_TRACK_SCHEMAS = HopSchemas(
    request="braze/users-track-request",
    responses={
        201: "braze/users-track-response",
        400: "braze/users-track-response",
        "4xx": "braze/error-message",
        "5xx": "braze/error-message",
    },
)


def create_app(
    settings: BrazeSettings | None = None,
    *,
    scheduler: Scheduler | None = None,
    session: requests.Session | None = None,
) -> Flask:
    """A Braze mock. `scheduler` shares a clock with other mocks; `session` sends outbound calls."""
    settings = settings or BrazeSettings()
    runtime = MockRuntime("braze", settings, scheduler=scheduler, session=session)
    runtime.journal.describe_hop("braze.users_track", USERS_TRACK_SCHEMAS)
    runtime.journal.describe_hop("braze.transformation_delivery", USERS_TRACK_SCHEMAS)
    runtime.journal.describe_hop(
        "braze.transformation_webhook", HopSchemas(responses={"2xx": "braze/error-message"})
    )
    backend = BrazeBackend(settings, runtime)

    app = mock_app(
        __name__,
        runtime,
        max_body_bytes=settings.max_body_bytes,
        error_body=errors.fault_body,
        http_error=errors.http_error,
    )
    app.extensions["braze"] = backend
    app.register_blueprint(views.service_blueprint(backend))
    app.register_blueprint(views.admin_blueprint(backend))
    app.register_blueprint(transformation_views.webhook_blueprint(backend))
    app.register_blueprint(transformation_views.admin_blueprint(backend))

    @app.errorhandler(errors.BrazeError)
    def braze_error(exc: errors.BrazeError) -> Response:
        note(exc.message)
        return exc.response()

    return app
