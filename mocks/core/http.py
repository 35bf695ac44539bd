"""HTTP plumbing shared by the mocks: inbound journaling and faults, body limits, problem+json,
message framing, and the `Allow` header of 405 and OPTIONS answers."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from seen_braze_harness.mocks.core.faults import FaultRule
from seen_braze_harness.mocks.core.runtime import MockRuntime

DROP_CONNECTION_KEY = "mocks.drop_connection"
DELAY_KEY = "mocks.delay"
"""Seconds a delay fault holds the answer back, for an in-process caller on a virtual clock
(which cannot wait): a caller whose timeout is shorter sees a timeout, after the mock acted."""
"""WSGI environ key of a callable a server offers to close the connection without a response."""

ADMIN_PREFIX = "/_mock"

SERVICE_ERROR_KEY = "mock_service_error"
"""Where a mock's app keeps `message -> body`: an error the gate itself answers (a request it
cannot frame), in the service's own shape (`{"detail": ...}` for SEEN, `{"message": ...}` for
Braze). Without it the gate falls back to the fault body for the status."""
ROUTE_METHODS_KEY = "mock_route_methods"
"""Where a mock's app keeps, per endpoint, the methods its view answers when the route takes
more only to refuse them in the service's shape (SEEN's and Braze's own endpoints route every
method and answer most with 405): what `Allow` then lists."""
ROUTE_HOPS_KEY = "mock_route_hops"
"""Where a mock's app keeps the hop each endpoint serves (its route table's `hop`s); the
journal and fault rules know exchanges by it."""
METHOD_ORDER = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")
"""The order `Allow` lists methods in: Django REST Framework's (SEEN's `POST, OPTIONS`)."""
FRAMING_RULE = "message-framing"
FRAMING_DETAIL = (
    "the request has both Content-Length and Transfer-Encoding, so its length is ambiguous "
    "(RFC 9112, section 6.1): send one of them"
)


class ConnectionDropped(Exception):
    """The mock closed the connection without answering (a `drop` fault)."""


class BodyTooLarge(Exception):
    def __init__(self, size: int | None, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(f"request body over {limit} bytes")


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None, *, mimetype: str = ""
) -> Response:
    """A compact JSON response whose status line carries the standard reason phrase."""
    text = _ENCODER.encode(body)
    return Response(
        text, status=status_line(status), headers=headers, mimetype=mimetype or "application/json"
    )


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@functools.cache
def status_line(status: int) -> str:
    """`201 Created`, not werkzeug's `201 CREATED`: what Django and most servers send."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def problem(status: int, detail: str, *, title: str | None = None, **extra: Any) -> Response:
    """An RFC 7807 error, the shape of every error the emulator's own admin API gives."""
    body = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    return json_response(body, status, mimetype="application/problem+json")


class DroppedResponse(Response):
    """Closes the connection through the server's hook, or raises where there is no server."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        drop = environ.get(DROP_CONNECTION_KEY)
        if drop is None:
            raise ConnectionDropped("the mock dropped the connection (fault)")
        drop()
        return []


def request_body() -> bytes:
    """The inbound body as read once by the gate; BodyTooLarge when over the service's limit."""
    state: InboundExchange = request.environ[STATE_KEY]
    if state.too_large:
        raise BodyTooLarge(request.content_length, state.limit)
    return state.body


class InboundGate:
    """Reads each inbound body within a size limit, applies fault rules, journals the exchange.

    `error_body(status)` gives a body in the real service's shape for a fault's status.
    """

    def __init__(
        self,
        app: Flask,
        runtime: MockRuntime,
        *,
        max_body_bytes: int,
        error_body: Callable[[int], Any],
    ) -> None:
        self.app = app
        # `//users/track` is no route (**assumed**: what the services' front servers do with
        # it is not documented); werkzeug's merging answered it with an HTML-bodied redirect
        app.url_map.merge_slashes = False
        self.runtime = runtime
        self.max_body_bytes = max_body_bytes
        self.error_body = error_body
        app.before_request(self._before)
        app.after_request(self._after)
        # after_request hooks run last registered first: `Allow` is set before the journal
        # records the answer
        app.after_request(allow_methods)
        app.register_error_handler(ConnectionDropped, lambda _exc: DroppedResponse())

    def _before(self) -> Response | None:
        req = request._get_current_object()  # type: ignore[attr-defined]
        environ = req.environ
        if is_admin_path(environ.get("PATH_INFO", "")):
            return None  # `refuse_admin_framing`, after the admin API's own gate
        hops: dict[str, str] = self.app.extensions.get(ROUTE_HOPS_KEY, {})
        name = hops.get(req.endpoint or "") or f"{self.runtime.service}.unmatched"
        state = InboundExchange(name, time.perf_counter(), self.runtime.clock.now())
        environ[STATE_KEY] = state
        if conflicting_framing(environ):
            # refused before the body is read or a fault rule drawn: the service never saw it
            state.note = f"refused: {FRAMING_DETAIL}"
            return framing_refusal(self.error_body)
        limit = state.limit = self.max_body_bytes
        declared = req.content_length
        if declared is not None and declared > limit:
            state.too_large = True
        else:
            state.body = req.stream.read(limit + 1)
            state.too_large = len(state.body) > limit
        fault = state.fault = self.runtime.faults.draw(name)
        if fault is None or fault.processed:  # a processed fault acts on the answer: _after
            return None
        if fault.delay:
            if self.runtime.clock.frozen:  # no waiting on a virtual clock: the caller is told
                environ[DELAY_KEY] = fault.delay
            else:
                time.sleep(fault.delay)
        if fault.drop:
            raise ConnectionDropped("the mock dropped the connection (fault)")
        if fault.status is not None:
            body = self.error_body(fault.status) if fault.body is None else fault.body
            return json_response(body, fault.status, dict(fault.headers))
        return None

    def _after(self, response: Response) -> Response:
        environ = request.environ
        state: InboundExchange | None = environ.get(STATE_KEY)
        if state is None:
            return response
        fault = state.fault
        lost, wire = None, response
        if fault is not None and fault.processed:
            # The service's journal keeps the answer it made; `error` says what the caller
            # got instead, so the work done is still traceable to the request.
            lost, wire = self._after_processing(fault, response, state)
        journal = self.runtime.journal
        dropped = lost is None and isinstance(response, DroppedResponse)
        journal.record(
            service=self.runtime.service,
            hop=state.hop,
            direction="inbound",
            time=state.time,
            method=environ["REQUEST_METHOD"],
            url=_raw_url(environ),
            request_headers=_environ_headers(environ),
            request_body=journal.body(state.body, environ.get("CONTENT_TYPE", "")),
            status=None if dropped else response.status_code,
            response_headers={} if dropped else dict(response.headers),
            response_body=None
            if dropped
            else journal.body(response.get_data(), response.content_type or ""),
            error="connection dropped (fault)" if dropped else lost,
            fault=None if state.fault is None else state.fault.to_dict(),
            note=state.note,
            duration=time.perf_counter() - state.started,
        )
        return wire

    def _after_processing(
        self, fault: FaultRule, response: Response, state: InboundExchange
    ) -> tuple[str | None, Response]:
        """What the caller gets instead of the answer the service made (lost, replaced or
        late), and why, for the journal's `error` (a late answer is only noted)."""
        if fault.delay:
            if self.runtime.clock.frozen:
                request.environ[DELAY_KEY] = fault.delay
            else:
                time.sleep(fault.delay)
        if fault.drop:
            return "processed, then the connection was dropped (fault)", DroppedResponse()
        if fault.status is not None:
            body = self.error_body(fault.status) if fault.body is None else fault.body
            return (
                f"processed, then answered HTTP {fault.status} instead (fault)",
                json_response(body, fault.status, dict(fault.headers)),
            )
        said = f"processed, then the answer was held {fault.delay:g} s (fault)"
        state.note = said if state.note is None else f"{state.note}; {said}"
        return None, response


@dataclass(slots=True)
class InboundExchange:
    """What the gate knows of the exchange in flight, kept in the WSGI environ."""

    hop: str
    started: float
    time: float
    body: bytes = b""
    too_large: bool = False
    limit: int = 0
    fault: FaultRule | None = None
    note: str | None = None


STATE_KEY = "mocks.inbound"


@functools.cache
def _header_name(key: str) -> str:
    return key[5:].replace("_", "-").title()


def _environ_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request headers straight from the environ (cheaper than werkzeug's view of them)."""
    headers = {_header_name(k): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        headers["Content-Length"] = environ["CONTENT_LENGTH"]
    return headers


def _raw_url(environ: dict[str, Any]) -> str:
    """The URL as it arrived, without werkzeug's decoding and re-encoding (journaling is hot)."""
    query = environ.get("QUERY_STRING")
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return f"{environ['wsgi.url_scheme']}://{host}{path}{'?' + query if query else ''}"


def note(text: str) -> None:
    """Attach a remark to the exchange being journaled (why a request was refused or skipped)."""
    state: InboundExchange | None = request.environ.get(STATE_KEY)
    if state is not None:
        state.note = text


def is_admin_path(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def conflicting_framing(environ: dict[str, Any]) -> bool:
    """Whether the request carries both Content-Length and Transfer-Encoding.

    RFC 9112 (section 6.1) lets a server refuse such a request, and makes it close the
    connection afterwards either way: a front end that framed the body by the other header
    would read the rest as a request of its own (request smuggling). A server that frames by
    Transfer-Encoding and removes the header hides the conflict from the application; the one
    `seen-braze serve` runs shows it (harness/server.py).
    """
    return bool(environ.get("CONTENT_LENGTH", "").strip()) and "HTTP_TRANSFER_ENCODING" in environ


def framing_refusal(error_body: Callable[[int], Any] | None = None) -> Response:
    """The 400 for a request with both Content-Length and Transfer-Encoding, in the service's
    shape (a problem on the admin API). The server closes the connection after it (an
    application may not send `Connection`, PEP 3333): harness/server.py does."""
    if is_admin_path(request.environ.get("PATH_INFO", "")):
        return problem(400, FRAMING_DETAIL, rule=FRAMING_RULE)
    service_error = current_app.extensions.get(SERVICE_ERROR_KEY)
    if service_error is not None:
        body = service_error(FRAMING_DETAIL[0].upper() + FRAMING_DETAIL[1:] + ".")
    else:
        body = error_body(400) if error_body is not None else {"message": FRAMING_DETAIL}
    return json_response(body, 400)


def refuse_admin_framing() -> Response | None:
    """A `before_request` hook: an admin request with both Content-Length and
    Transfer-Encoding is a 400 problem. Registered after the admin API's own gate, so that its
    answers (421, 403, 401, 415) come first, as for any other admin request."""
    if is_admin_path(request.environ.get("PATH_INFO", "")) and conflicting_framing(request.environ):
        return framing_refusal()
    return None


def declare_methods(app: Flask, endpoint: str, *methods: str) -> None:
    """Record that `endpoint`'s view answers only `methods` (the others it refuses, 405)."""
    app.extensions.setdefault(ROUTE_METHODS_KEY, {})[endpoint] = frozenset(
        method.upper() for method in methods
    )


def route_methods(app: Flask, path: str) -> list[str] | None:
    """The methods some route answers at `path`, in `METHOD_ORDER`; None when no route has it.

    Flask's own answer (`Map.allowed_methods`) lists every method a rule is registered for,
    including those a view takes only to refuse; `declare_methods` says which those are.
    """
    declared: dict[str, frozenset[str]] = app.extensions.get(ROUTE_METHODS_KEY, {})
    adapter = app.url_map.bind("localhost", path_info=path)
    candidates = {m for rule in app.url_map.iter_rules() for m in rule.methods or ()}
    found = False
    accepted: set[str] = set()
    for method in candidates:
        try:
            rule, _args = adapter.match(method=method, return_rule=True)
        except HTTPException as exc:  # NotFound, MethodNotAllowed, RequestRedirect
            found = found or exc.code == 405
            continue
        found = True
        assert isinstance(rule, Rule)
        allowed = declared.get(rule.endpoint)
        if allowed is None or method in allowed:
            accepted.add(method)
    if not found:
        return None
    return sorted(accepted, key=lambda m: (*METHOD_ORDER, m).index(m))


def allow_methods(response: Response) -> Response:
    """An `after_request` hook: a 405 says in `Allow` which methods its route answers (RFC 9110,
    section 15.5.6), and Flask's automatic OPTIONS answer becomes a 204 whose `Allow` lists
    exactly those. An `Allow` a view or a fault rule set is kept."""
    status = response.status_code
    automatic_options = (
        request.method == "OPTIONS"
        and 200 <= status < 300
        and getattr(request.url_rule, "provide_automatic_options", False)
    )
    if status != 405 and not automatic_options:
        return response
    methods = route_methods(current_app, request.path)
    if automatic_options:
        answer = Response(status=status_line(204))
        answer.headers.remove("Content-Type")
        answer.headers["Allow"] = ", ".join(methods or ())
        return answer
    if "Allow" not in response.headers:
        response.headers["Allow"] = ", ".join(methods or ())
    return response
