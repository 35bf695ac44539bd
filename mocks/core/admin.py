"""The `/_mock` admin API every mock serves: health, reset, journal (also as HAR), clock, faults
and the mock's OpenAPI document.

Its routes are data (`ADMIN_ROUTES`, documented in `admin_openapi.py`), served before the
service's own. Every admin request passes `admin_gate.py` first (Host, Origin, token, a JSON
body of at most `admin_body_bytes`), and every listing answers in pages
(`mocks.core.pagination`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from seen_braze_harness.mocks.core import admin_openapi as docs
from seen_braze_harness.mocks.core.admin_gate import check_admin_request
from seen_braze_harness.mocks.core.errors import ADMIN_STATUSES, admin_status
from seen_braze_harness.mocks.core.faults import FaultRule, FaultRuleError
from seen_braze_harness.mocks.core.har import entry as har_entry
from seen_braze_harness.mocks.core.har import har_document
from seen_braze_harness.mocks.core.http import is_admin_path, json_response, problem
from seen_braze_harness.mocks.core.journal import Exchange, valid_status_filter
from seen_braze_harness.mocks.core.jsonbody import parse_json
from seen_braze_harness.mocks.core.openapi import (
    PAGE_LIMIT,
    PAGE_MAX,
    ApiDescription,
    Operation,
    build_document,
    package_version,
)
from seen_braze_harness.mocks.core.pagination import (
    PAGE_ARGS,
    Keyed,
    PageError,
    page_query,
    page_response,
    raw_json_response,
    take,
)
from seen_braze_harness.mocks.core.routes import (
    Route,
    current_runtime,
    group,
    install_routes,
    operations_of,
)
from seen_braze_harness.mocks.core.runtime import MockRuntime

OPENAPI_EXTENSION = "mock_openapi"
"""Where a mock's app keeps its `ApiDescription`, for `/_mock/openapi.json`."""
MAX_ADVANCE = 10 * 366 * 24 * 3600
"""The furthest one clock advance may go: far past any rule's horizon, well inside datetime."""
MAX_JSON_DEPTH = 100
"""Deepest nesting an admin request body may have: far more than any campaign, profile or
fault rule needs, far less than would exhaust the stack of whatever reads it."""


class AdminError(Exception):
    """A bad admin request; becomes an RFC 7807 problem."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


def query_args(*allowed: str) -> MultiDict[str, str]:
    """The admin request's query arguments, refusing any not in `allowed` (400 problem)."""
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        raise AdminError(
            400, f"unknown query parameter(s): {', '.join(unknown)}; use {', '.join(allowed)}"
        )
    return request.args


def json_body() -> Any:
    """The admin request's body as strict JSON (whatever the content type says): UTF-8, no
    NaN or Infinity, no lone surrogates, at most `MAX_JSON_DEPTH` levels deep."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise AdminError(400, "expected JSON in the request body, got an empty body")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AdminError(400, f"the request body is not UTF-8: {exc}") from None
    try:
        return parse_json(text.removeprefix("\ufeff"), max_depth=MAX_JSON_DEPTH)
    except ValueError as exc:  # JsonBodyError
        raise AdminError(400, f"the request body is not valid JSON: {exc}") from None


def json_object() -> dict[str, Any]:
    """The admin request's body, which must be a JSON object."""
    data = json_body()
    if not isinstance(data, dict):
        raise AdminError(400, f"expected a JSON object, got {type(data).__name__}")
    return data


def health() -> Response:
    runtime = current_runtime()
    return json_response({"status": "ok", "service": runtime.service})


def reset() -> Response:
    runtime = current_runtime()
    runtime.reset()
    return json_response({"status": "reset", "service": runtime.service})


def journal() -> Response:
    runtime = current_runtime()
    found = journal_query(runtime)
    page = take(
        page_query("journal", request.args, newest_first=True),
        Keyed(found, _exchange_id),
        Exchange.to_dict,
    )
    head = {
        "count": len(found),
        "retained": len(runtime.journal),
        "evicted": runtime.journal.evicted,
    }
    return page_response(head, "exchanges", page)


def journal_har() -> Response:
    runtime = current_runtime()
    found = journal_query(runtime)
    page = take(
        page_query("journal.har", request.args, newest_first=True),
        Keyed(found, _exchange_id),
        har_entry,
    )
    return raw_json_response(
        har_document(
            page.items,
            creator_version=package_version(),
            paged=True,
            next_cursor=page.next_cursor,
        )
    )


def openapi() -> Response:
    runtime = current_runtime()
    description: ApiDescription | None = current_app.extensions.get(OPENAPI_EXTENSION)
    if description is None:
        description = describe(
            runtime.service, f"{runtime.service} mock", "The mock's admin API.", ()
        )
    settings = runtime.settings
    return json_response(
        build_document(
            description,
            request.host_url,
            page_limit=getattr(settings, "admin_page_limit", PAGE_LIMIT),
            page_max=getattr(settings, "admin_page_max", PAGE_MAX),
        )
    )


def clock() -> Response:
    runtime = current_runtime()
    return json_response(_clock_state(runtime))


def set_clock() -> Response:
    runtime = current_runtime()
    data = json_object()
    unknown = sorted(set(data) - {"advance", "freeze"})
    if unknown or not data:
        raise AdminError(400, 'send {"advance": seconds} and/or {"freeze": true|false}')
    freeze = data.get("freeze")
    if "freeze" in data and not isinstance(freeze, bool):
        raise AdminError(400, "freeze: must be true or false")
    seconds = data.get("advance", 0)
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not 0 <= seconds <= MAX_ADVANCE
    ):
        raise AdminError(
            400, f"advance: must be a number of seconds from 0 to {MAX_ADVANCE} (10 years)"
        )
    if freeze is True:
        runtime.clock.freeze()
    elif freeze is False:
        runtime.clock.unfreeze()
    ran = runtime.scheduler.advance(float(seconds)) if "advance" in data else 0
    runtime.scheduler.wake()
    return json_response({**_clock_state(runtime), "tasks_run": ran})


def faults() -> Response:
    runtime = current_runtime()
    args = query_args(*PAGE_ARGS)
    rules = runtime.faults.rules()
    page = take(page_query("faults", args), [(r.id, r) for r in rules], FaultRule.to_dict)
    return page_response({}, "faults", page)


def add_fault() -> Response:
    runtime = current_runtime()
    try:
        rule = runtime.faults.add(json_object())
    except FaultRuleError as exc:
        raise AdminError(400, str(exc)) from None
    return json_response(rule.to_dict(), 201)


def clear_faults() -> Response:
    runtime = current_runtime()
    runtime.faults.clear()
    return json_response({"faults": []})


def remove_fault(rule_id: int) -> Response:
    runtime = current_runtime()
    if not runtime.faults.remove(rule_id):
        raise AdminError(404, f"no fault rule with id {rule_id}")
    return Response(status=204)


ADMIN_ROUTES: tuple[Route, ...] = group(
    "mock_admin",
    Route("/_mock/health", health, {"get": docs.GET_HEALTH}),
    Route("/_mock/reset", reset, {"post": docs.RESET}),
    Route("/_mock/journal", journal, {"get": docs.GET_JOURNAL}),
    Route("/_mock/journal.har", journal_har, {"get": docs.GET_JOURNAL_HAR}),
    Route("/_mock/openapi.json", openapi, {"get": docs.GET_OPEN_API}),
    Route("/_mock/clock", clock, {"get": docs.GET_CLOCK}),
    Route("/_mock/clock", set_clock, {"post": docs.SET_CLOCK}),
    Route("/_mock/faults", faults, {"get": docs.GET_FAULTS}),
    Route("/_mock/faults", add_fault, {"post": docs.ADD_FAULT}),
    Route("/_mock/faults", clear_faults, {"delete": docs.CLEAR_FAULTS}),
    Route("/_mock/faults/<int:rule_id>", remove_fault, {"delete": docs.REMOVE_FAULT}),
)
"""The admin API every mock serves, before the service's own admin routes."""


def describe(
    service: str,
    title: str,
    description: str,
    routes: tuple[Route, ...],
    *,
    components: Mapping[str, Mapping[str, Any]] | None = None,
    tags: Mapping[str, str] | None = None,
    security_schemes: Mapping[str, Mapping[str, Any]] | None = None,
    webhooks: Mapping[str, Operation] | None = None,
) -> ApiDescription:
    """A mock's OpenAPI description: the operations of its route table, then the admin API's;
    the admin API's shapes before the service's own, its tag after the service's tags."""
    return ApiDescription(
        service=service,
        title=title,
        description=description,
        operations=operations_of(routes, ADMIN_ROUTES),
        security_schemes=security_schemes or {},
        components={**docs.ADMIN_COMPONENTS, **(components or {})},
        webhooks=webhooks or {},
        tags={**(tags or {}), "admin": docs.ADMIN_TAG},
    )


def journal_query(runtime: MockRuntime) -> list[Exchange]:
    """The exchanges the request's filters (hop, status, direction, since) find; the page
    shown of them is the last `limit` (before the `cursor`)."""
    args = query_args("hop", "status", "direction", "since", *PAGE_ARGS)
    status = args.get("status")
    if status is not None and not valid_status_filter(status):
        raise AdminError(400, f"status: {status!r} is not a status (201), a class (4xx) or 'none'")
    direction = args.get("direction")
    if direction not in (None, "inbound", "outbound"):
        raise AdminError(400, "direction: must be 'inbound' or 'outbound'")
    since = _whole(args, "since")
    return runtime.journal.query(
        hop=args.get("hop") or None,
        status=status,
        direction=direction,  # type: ignore[arg-type]
        since=since,
    )


def _exchange_id(exchange: Exchange) -> int:
    return exchange.id


def _whole(args: Any, name: str) -> int | None:
    raw = args.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise AdminError(400, f"{name}: must be a whole number, not {raw!r}")
    return int(raw)


def _clock_state(runtime: MockRuntime) -> dict[str, Any]:
    pending = runtime.scheduler.pending()
    return {
        "now": runtime.clock.now(),
        "iso": runtime.clock.isoformat(),
        "frozen": runtime.clock.frozen,
        "pending_tasks": len(pending),
        "next_due": pending[0].due if pending else None,
    }


def install_admin(app: Flask) -> None:
    """Add the admin API's routes and gate, and make every error under `/_mock` an RFC 7807
    problem: a domain error of a kind `mocks.core.errors` knows, with that kind's status."""
    install_routes(app, ADMIN_ROUTES)
    app.before_request(check_admin_request)

    @app.errorhandler(AdminError)
    def admin_error(exc: AdminError) -> Response:
        return problem(exc.status, exc.detail, **exc.extra)

    def domain_error(exc: Exception) -> Response:
        status = admin_status(exc)
        if status is None or not is_admin_path(request.path):
            raise exc  # as any other unexpected error: a 500 in the service's shape
        return problem(status, str(exc))

    for kind, _status in ADMIN_STATUSES:
        app.register_error_handler(kind, domain_error)

    @app.errorhandler(PageError)
    def page_error(exc: PageError) -> Response:
        return problem(400, str(exc))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        if is_admin_path(request.path):
            return problem(exc.code or 500, exc.description or "")
        handler = app.extensions.get("mock_service_http_error")
        if handler is None:
            return problem(exc.code or 500, exc.description or "")
        response: Response = handler(exc)
        return response
