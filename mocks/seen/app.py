"""The SEEN mock's application factory."""

from __future__ import annotations

from flask import Flask, Response

from seen_braze_harness.mocks.core.admin import OPENAPI_EXTENSION
from seen_braze_harness.mocks.core.app import mock_app
from seen_braze_harness.mocks.core.clock import Scheduler
from seen_braze_harness.mocks.core.delivery import HttpSession
from seen_braze_harness.mocks.core.http import (
    SERVICE_ERROR_KEY,
    note,
    refuse_admin_framing,
)
from seen_braze_harness.mocks.core.routes import install_routes
from seen_braze_harness.mocks.core.runtime import MockRuntime
from seen_braze_harness.mocks.seen import errors, hops, routes, views
from seen_braze_harness.mocks.seen.models import SeenBackend
from seen_braze_harness.mocks.seen.settings import SeenSettings


def create_app(
    settings: SeenSettings | None = None,
    *,
    scheduler: Scheduler | None = None,
    session: HttpSession | None = None,
) -> Flask:
    """A SEEN mock. `scheduler` shares a clock with other mocks; `session` sends callbacks."""
    settings = settings or SeenSettings()
    runtime = MockRuntime("seen", settings, scheduler=scheduler, session=session)
    hops.HOPS.describe(runtime.journal)
    backend = SeenBackend(settings, runtime)

    app = mock_app(
        __name__,
        runtime,
        max_body_bytes=settings.max_body_bytes,
        error_body=errors.fault_body,
        http_error=errors.http_error,
    )
    app.extensions[views.BACKEND_KEY] = backend
    app.extensions[SERVICE_ERROR_KEY] = lambda message: {"detail": message}
    app.extensions[OPENAPI_EXTENSION] = routes.DESCRIPTION
    install_routes(app, routes.ROUTES)
    app.before_request(refuse_admin_framing)  # after the admin API's own gate

    @app.errorhandler(errors.SeenError)
    def seen_error(exc: errors.SeenError) -> Response:
        if exc.note:
            note(exc.note)
        return exc.response()

    return app


def backend_of(app: Flask) -> SeenBackend:
    """The backend of an app `create_app` made (TypeError for any other app)."""
    found = app.extensions.get(views.BACKEND_KEY)
    if not isinstance(found, SeenBackend):
        raise TypeError(f"{app.name} is not a SEEN mock made by create_app")
    return found
