"""The Braze mock's application factory."""

from __future__ import annotations

from flask import Flask, Response

from seen_braze_harness.mocks.braze import errors, hops, routes
from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.views import BACKEND_KEY
from seen_braze_harness.mocks.core.admin import OPENAPI_EXTENSION
from seen_braze_harness.mocks.core.app import mock_app
from seen_braze_harness.mocks.core.clock import Scheduler
from seen_braze_harness.mocks.core.delivery import HttpSession
from seen_braze_harness.mocks.core.http import (
    SERVICE_ERROR_KEY,
    note,
    refuse_admin_framing,
)
from seen_braze_harness.mocks.core.journal import HopSchemas
from seen_braze_harness.mocks.core.routes import install_routes
from seen_braze_harness.mocks.core.runtime import MockRuntime


def create_app(
    settings: BrazeSettings | None = None,
    *,
    scheduler: Scheduler | None = None,
    session: HttpSession | None = None,
    webhook_schemas: HopSchemas | None = None,
) -> Flask:
    """A Braze mock. `scheduler` shares a clock with other mocks; `session` sends outbound calls;
    `webhook_schemas` are those of the API its webhook campaigns call, which the integration
    knows and the mock does not (the harness passes SEEN's receivers)."""
    settings = settings or BrazeSettings()
    runtime = MockRuntime("braze", settings, scheduler=scheduler, session=session)
    hops.HOPS.describe(runtime.journal)
    if webhook_schemas is not None:
        for hop in (hops.WEBHOOK, hops.WEBHOOK_TEST):
            runtime.journal.describe_hop(hop.name, webhook_schemas)
    backend = BrazeBackend(settings, runtime)

    app = mock_app(
        __name__,
        runtime,
        max_body_bytes=settings.max_body_bytes,
        error_body=errors.fault_body,
        http_error=errors.http_error,
    )
    app.extensions[BACKEND_KEY] = backend
    app.extensions[SERVICE_ERROR_KEY] = lambda message: {"message": message}
    app.extensions[OPENAPI_EXTENSION] = routes.DESCRIPTION
    install_routes(app, routes.ROUTES)
    app.before_request(refuse_admin_framing)  # after the admin API's own gate

    @app.errorhandler(errors.BrazeError)
    def braze_error(exc: errors.BrazeError) -> Response:
        note(exc.message)
        return exc.response()

    return app


def backend_of(app: Flask) -> BrazeBackend:
    """The backend of an app `create_app` made (TypeError for any other app)."""
    found = app.extensions.get(BACKEND_KEY)
    if not isinstance(found, BrazeBackend):
        raise TypeError(f"{app.name} is not a Braze mock made by create_app")
    return found
