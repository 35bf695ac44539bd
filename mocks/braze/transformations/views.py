"""Data Transformation over HTTP: the webhook ingress, and its admin API (emulator only)."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from seen_braze_harness.mocks.braze import errors
from seen_braze_harness.mocks.braze.transformations.definitions import (
    LogEntry,
    Transformation,
)
from seen_braze_harness.mocks.braze.transformations.jsruntime import (
    InputTooLarge,
    RuntimeBusy,
    RuntimeUnavailable,
)
from seen_braze_harness.mocks.braze.views import current
from seen_braze_harness.mocks.core.admin import AdminError, json_object, query_args
from seen_braze_harness.mocks.core.http import BodyTooLarge, json_response, note, request_body
from seen_braze_harness.mocks.core.jsonbody import parse_json
from seen_braze_harness.mocks.core.pagination import (
    PAGE_ARGS,
    Keyed,
    numbered,
    page_query,
    page_response,
    take,
)


def webhook(transformation_id: str, secret: str) -> Response:
    backend = current()
    store = backend.transformations
    try:
        raw = request_body()
    except BodyTooLarge as exc:
        raise errors.PayloadTooLarge(
            f"Webhook body exceeds the limit of {exc.limit} bytes"
        ) from None
    transformation = store.find(transformation_id, secret)
    if transformation is None:
        raise errors.NotFound("No Data Transformation has this webhook URL")
    if request.method != "POST":
        raise errors.MethodNotAllowed(request.method)
    decision = backend.webhook_limiter.hit("workspace", backend.runtime.clock.now())
    if not decision.allowed:
        raise errors.TooManyRequests(
            f"Rate limit exceeded: {backend.settings.transform_rate_limit:,} webhook requests "
            "per minute per workspace",
            headers={"Retry-After": str(decision.retry_after_seconds)},
        )
    busy = store.busy()
    if busy is not None:  # before the month's quota: a refused webhook is not counted
        raise _overloaded(busy)
    if not store.take_monthly_request(backend.runtime.clock.now()):
        limit = backend.settings.transform_monthly_limit
        raise errors.TooManyRequests(
            f"Monthly limit reached: {limit:,} incoming Data Transformation requests this "
            "month for the company's tier",
        )
    try:
        payload = parse_json(raw.decode("utf-8"), max_depth=backend.settings.max_json_depth)
    except ValueError as exc:
        note(f"not JSON: {exc}")
        raise errors.BadRequest(
            "Webhook body must be JSON (non-JSON webhooks are not supported)"
        ) from None
    try:
        store.receive(transformation, _request_headers(), payload, origin=_origin())
    except RuntimeBusy as exc:
        raise _overloaded(exc) from None
    note(f"transformation {transformation.id} ({transformation.name}): run scheduled")
    return json_response({"message": "success"}, 201)


def _overloaded(busy: RuntimeBusy) -> errors.TooManyRequests:
    """Too many runs waiting: 429 with Retry-After, in the webhook's error shape (**assumed**:
    Braze documents only its rate limit's 429; an overload is answered the same way, so that
    a sender retries later)."""
    return errors.TooManyRequests(
        f"Too many Data Transformation runs waiting: {busy} (transform_queue); retry after "
        f"{busy.retry_after} s",
        headers={"Retry-After": str(busy.retry_after)},
    )


def _origin() -> str:
    """The scheme and host the request came to, from the WSGI environment as it is (what
    `request.host_url` gives, without its parsing and quoting: this is every webhook's)."""
    environ = request.environ
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"


def _request_headers() -> list[tuple[str, str]]:
    """The headers as they arrived, plus the request's own (the transformation sees them)."""
    return list(request.headers.items())


def _base_url() -> str:
    return request.host_url.rstrip("/")


def _found(transformation_id: str) -> Transformation:
    store = current().transformations
    transformation = store.transformations.get(transformation_id)
    if transformation is None:
        raise AdminError(404, f"no transformation {transformation_id!r}")
    return transformation


def create() -> Response:
    store = current().transformations
    transformation = store.create(json_object())
    return json_response(transformation.to_dict(_base_url()), 201)


def listed() -> Response:
    store = current().transformations
    args = query_args(*PAGE_ARGS)
    items = list(store.transformations.values())
    base = _base_url()
    page = take(
        page_query("braze.transformations", args),
        numbered(items),  # with a `place` on Transformation: Keyed(items, place_of)
        lambda t: t.to_dict(base),
    )
    return page_response({"count": len(items)}, "transformations", page)


def one(transformation_id: str) -> Response:
    return json_response(_found(transformation_id).to_dict(_base_url()))


def update(transformation_id: str) -> Response:
    store = current().transformations
    _found(transformation_id)
    transformation = store.update(transformation_id, json_object())
    return json_response(transformation.to_dict(_base_url()))


def delete(transformation_id: str) -> Response:
    store = current().transformations
    if not store.delete(transformation_id):
        raise AdminError(404, f"no transformation {transformation_id!r}")
    return Response(status=204)


def activate(transformation_id: str) -> Response:
    store = current().transformations
    _found(transformation_id)
    transformation = store.update(transformation_id, {"active": True})
    return json_response(transformation.to_dict(_base_url()))


def deactivate(transformation_id: str) -> Response:
    store = current().transformations
    _found(transformation_id)
    return json_response(store.update(transformation_id, {"active": False}).to_dict(_base_url()))


def validate(transformation_id: str) -> Response:
    store = current().transformations
    transformation = _found(transformation_id)
    given: dict[str, Any] = json_object() if request.get_data(cache=True).strip() else {}
    unknown = sorted(set(given) - {"payload", "headers"})
    if unknown:
        raise AdminError(400, f"unknown key(s): {', '.join(unknown)}; use payload, headers")
    headers = given.get("headers")
    if headers is not None and (
        not isinstance(headers, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    ):
        raise AdminError(400, "headers: must be an object of strings")
    try:
        validation = store.validate(transformation, given.get("payload"), headers)
    except LookupError as exc:
        raise AdminError(409, str(exc)) from None
    except InputTooLarge as exc:
        raise AdminError(413, str(exc)) from None
    except RuntimeUnavailable as exc:
        raise AdminError(503, f"the code did not run: {exc}") from None
    return json_response(validation.to_dict())


def logs() -> Response:
    store = current().transformations
    args = query_args("transformation", *PAGE_ARGS)
    query = page_query("braze.transformations.logs", args, newest_first=True)
    wanted = args.get("transformation")
    entries = [e for e in list(store.logs) if wanted is None or e.transformation_id == wanted]
    page = take(query, Keyed(entries, _log_id), LogEntry.to_dict)
    return page_response({"count": len(entries)}, "logs", page)


def create_catalog() -> Response:
    backend = current()
    data = json_object()
    unknown = sorted(set(data) - {"name", "fields"})
    if unknown:
        raise AdminError(400, f"unknown key(s): {', '.join(unknown)}; use name, fields")
    catalog = backend.catalogs.create(data.get("name"), data.get("fields"))
    return json_response(catalog.to_dict(), 201)


def catalogs() -> Response:
    backend = current()
    args = query_args(*PAGE_ARGS)
    items = list(backend.catalogs.catalogs.values())  # never deleted but by a reset
    page = take(page_query("braze.catalogs", args), numbered(items), lambda c: c.to_dict())
    return page_response({"count": len(items)}, "catalogs", page)


def messages() -> Response:
    backend = current()
    args = query_args(*PAGE_ARGS)
    sent = list(backend.messages.sent)  # only ever added to
    page = take(
        page_query("braze.messages", args),
        numbered(sent),
        lambda m: {"dispatch_id": m.dispatch_id, "time": m.time, "request": m.request},
    )
    return page_response({"count": len(sent)}, "messages", page)


def _log_id(entry: LogEntry) -> int:
    return entry.id
