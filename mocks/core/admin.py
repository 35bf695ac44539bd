"""The `/_mock` admin API every mock serves: health, reset, journal (also as HAR), clock, faults
and the mock's OpenAPI document.

Every admin request body is bounded (`admin_body_bytes`: a larger one is refused with a 413
before it is read whole), and every listing answers in pages (`mocks.core.pagination`)."""

from __future__ import annotations

import hmac
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.wsgi import get_input_stream

from seen_braze_harness.mocks.core.faults import FaultRule, FaultRuleError
from seen_braze_harness.mocks.core.har import entry as har_entry
from seen_braze_harness.mocks.core.har import har_document
from seen_braze_harness.mocks.core.http import ADMIN_PREFIX, is_admin_path, json_response, problem
from seen_braze_harness.mocks.core.journal import Exchange, valid_status_filter
from seen_braze_harness.mocks.core.jsonbody import parse_json
from seen_braze_harness.mocks.core.openapi import (
    PAGE_LIMIT,
    PAGE_MAX,
    ApiDescription,
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
from seen_braze_harness.mocks.core.runtime import MockRuntime

OPENAPI_EXTENSION = "mock_openapi"
"""Where a mock's app keeps its `ApiDescription`, for `/_mock/openapi.json`."""
MAX_ADVANCE = 10 * 366 * 24 * 3600
"""The furthest one clock advance may go: far past any rule's horizon, well inside datetime."""
MAX_JSON_DEPTH = 100
"""Deepest nesting an admin request body may have: far more than any campaign, profile or
fault rule needs, far less than would exhaust the stack of whatever reads it."""
ADMIN_BODY_BYTES = 4 * 1024 * 1024
"""The admin body limit of a mock whose settings name none (`admin_body_bytes`)."""


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
"""Admin methods that change state: their body, if any, must be declared JSON."""
JSON_CONTENT_RULE = (
    "admin writes (POST, PUT, PATCH, DELETE under /_mock) must send "
    "Content-Type: application/json (a write without a body may send none); a web page "
    "can send a form or text/plain across origins without asking, but not JSON"
)


ADMIN_ACCESS = "mock_admin_access"
"""Where a served mock's app keeps its `AdminAccess` (absent in-process: no Host check)."""
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
"""Host names the admin API answers to on any server, besides the address it is bound to."""


@dataclass(frozen=True)
class AdminAccess:
    """Who may use a served mock's admin API: the Host names it answers to (None: any),
    whether a browser's Origin must be the mock's own, and the token it needs (None: none)."""

    hosts: frozenset[str] | None = None
    same_origin: bool = False
    token: str | None = None

    @classmethod
    def served(
        cls, address: str, allow_hosts: Iterable[str] = (), token: str | None = None
    ) -> AdminAccess:
        """The loopback names, the bound `address` and `allow_hosts` (`*`: any Host)."""
        allowed = [host_name(name) for name in allow_hosts]
        names = frozenset({*LOOPBACK_NAMES, host_name(address), *allowed})
        return cls(hosts=None if "*" in names else names, same_origin=True, token=token or None)

    def authorized(self, environ: dict[str, Any]) -> bool:
        """Whether the request carries the token, as `Authorization: Bearer` or `X-Admin-Token`
        (compared in constant time), or none is needed."""
        if self.token is None:
            return True
        expected = self.token.encode("utf-8", "surrogateescape")
        offered: list[str] = []
        scheme, _, value = environ.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
        if scheme.lower() == "bearer":
            offered.append(value.strip())
        if "HTTP_X_ADMIN_TOKEN" in environ:
            offered.append(environ["HTTP_X_ADMIN_TOKEN"].strip())
        return any(
            hmac.compare_digest(text.encode("latin-1", "replace"), expected) for text in offered
        )

    def refusal(self, environ: dict[str, Any]) -> Response | None:
        """A 421 problem for a Host not served, a 403 for a cross-origin browser request, a 401
        for a missing or wrong token."""
        host = environ.get("HTTP_HOST")
        if self.hosts is not None and host is not None and host_name(host) not in self.hosts:
            return problem(
                421,
                f"the admin API answers only to the names it was started with "
                f"({', '.join(sorted(self.hosts))}), not Host: {host[:100]}; add a name with "
                "`seen-braze serve --allow-host NAME`",
                rule="allowed-host",
            )
        origin = environ.get("HTTP_ORIGIN")
        if self.same_origin and origin is not None:
            own = f"{environ.get('wsgi.url_scheme', 'http')}://{host or ''}".lower()
            if origin.strip().lower().rstrip("/") != own:
                return problem(
                    403,
                    f"the admin API refuses requests a web page sends from another origin "
                    f"(Origin: {origin[:100]})",
                    rule="same-origin",
                )
        if not self.authorized(environ):
            refused = problem(
                401,
                "the admin API needs its token: send Authorization: Bearer TOKEN or "
                "X-Admin-Token: TOKEN (the token `seen-braze serve` was given with --admin-token "
                "or SEEN_BRAZE_ADMIN_TOKEN)",
                rule="admin-token",
            )
            refused.headers["WWW-Authenticate"] = 'Bearer realm="seen-braze admin"'
            return refused
        return None


def host_name(authority: str) -> str:
    """The name in a Host header or `host[:port]`: lower case, no port, brackets or final dot."""
    text = authority.strip().lower()
    if text.startswith("["):
        end = text.find("]")
        text = text[1:end] if end > 0 else text
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    return text.rstrip(".")


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


def admin_blueprint(runtime: MockRuntime) -> Blueprint:
    bp = Blueprint("mock_admin", __name__, url_prefix=ADMIN_PREFIX)

    @bp.get("/health")
    def health() -> Response:
        return json_response({"status": "ok", "service": runtime.service})

    @bp.post("/reset")
    def reset() -> Response:
        runtime.reset()
        return json_response({"status": "reset", "service": runtime.service})

    @bp.get("/journal")
    def journal() -> Response:
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

    @bp.get("/journal.har")
    def journal_har() -> Response:
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

    @bp.get("/openapi.json")
    def openapi() -> Response:
        description: ApiDescription | None = current_app.extensions.get(OPENAPI_EXTENSION)
        if description is None:
            description = ApiDescription(
                service=runtime.service,
                title=f"{runtime.service} mock",
                description="The mock's admin API.",
                operations=(),
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

    @bp.get("/clock")
    def clock() -> Response:
        return json_response(_clock_state(runtime))

    @bp.post("/clock")
    def set_clock() -> Response:
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

    @bp.get("/faults")
    def faults() -> Response:
        args = query_args(*PAGE_ARGS)
        rules = runtime.faults.rules()
        page = take(page_query("faults", args), [(r.id, r) for r in rules], FaultRule.to_dict)
        return page_response({}, "faults", page)

    @bp.post("/faults")
    def add_fault() -> Response:
        try:
            rule = runtime.faults.add(json_object())
        except FaultRuleError as exc:
            raise AdminError(400, str(exc)) from None
        return json_response(rule.to_dict(), 201)

    @bp.delete("/faults")
    def clear_faults() -> Response:
        runtime.faults.clear()
        return json_response({"faults": []})

    @bp.delete("/faults/<int:rule_id>")
    def remove_fault(rule_id: int) -> Response:
        if not runtime.faults.remove(rule_id):
            raise AdminError(404, f"no fault rule with id {rule_id}")
        return Response(status=204)

    return bp


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


def _has_body(environ: dict[str, Any]) -> bool:
    length = environ.get("CONTENT_LENGTH") or ""
    if length.strip() not in ("", "0"):
        return True
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def check_admin_request() -> Response | None:
    """The admin API's own gate, before any view: on a served mock the Host must be one it
    was started with (421) and a browser's Origin its own (403); a write's body must be
    declared JSON (415) and at most `admin_body_bytes` long (413, refused before it is read
    whole: by its Content-Length, or as soon as a chunked body passes the limit)."""
    environ = request.environ
    if not is_admin_path(environ.get("PATH_INFO", "")):
        return None
    access: AdminAccess | None = current_app.extensions.get(ADMIN_ACCESS)
    if access is not None:
        refused = access.refusal(environ)
        if refused is not None:
            return refused
    if environ.get("REQUEST_METHOD", "") in WRITE_METHODS:
        declared = environ.get("CONTENT_TYPE", "")
        mimetype = declared.split(";", 1)[0].strip().lower()
        if mimetype != "application/json" and (declared.strip() or _has_body(environ)):
            shown = declared.strip() or "none"
            return problem(
                415,
                f"{JSON_CONTENT_RULE}; got Content-Type: {shown[:100]}",
                rule="json-content-type",
            )
    return _body_refusal(environ)


def _body_refusal(environ: dict[str, Any]) -> Response | None:
    """A 413 problem for an admin body over `admin_body_bytes`. A write's body is read here,
    at most one byte past the limit, and handed on to the view from memory."""
    runtime = current_app.extensions.get("mock")
    limit = getattr(getattr(runtime, "settings", None), "admin_body_bytes", ADMIN_BODY_BYTES)
    declared = request.content_length
    if declared is not None and declared > limit:
        return _too_large(limit, f"this one declares {declared:,} (Content-Length)")
    if environ.get("REQUEST_METHOD", "") not in WRITE_METHODS:
        return None
    stream = get_input_stream(environ, max_content_length=limit + 1)
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        return _too_large(limit, "this one is longer")
    environ["wsgi.input"] = io.BytesIO(b"".join(chunks))
    return None


def _too_large(limit: int, size: str) -> Response:
    return problem(
        413,
        f"the admin API takes request bodies of at most {limit:,} bytes (the "
        f"admin_body_bytes setting); {size}",
        rule="admin-body-bytes",
        limit=limit,
    )


def install_admin(app: Flask, runtime: MockRuntime) -> None:
    """Register the admin API and make every error under `/_mock` an RFC 7807 problem."""
    app.register_blueprint(admin_blueprint(runtime))
    app.before_request(check_admin_request)

    @app.errorhandler(AdminError)
    def admin_error(exc: AdminError) -> Response:
        return problem(exc.status, exc.detail, **exc.extra)

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
