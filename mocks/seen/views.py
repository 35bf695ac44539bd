"""SEEN's HTTP surface: the receivers endpoint and the SEEN part of the admin API."""

from __future__ import annotations

from typing import Any

from flask import Response, request

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
from seen_braze_harness.mocks.core.routes import current_backend
from seen_braze_harness.mocks.seen import errors
from seen_braze_harness.mocks.seen.models import (
    Campaign,
    Receiver,
    SeenBackend,
    valid_slug,
)

BACKEND_KEY = "seen"
"""Where a SEEN mock's app keeps its backend."""
RECEIVER_STATES = ("accepted", "rendered", "callback_delivered", "callback_failed")


def current() -> SeenBackend:
    """The backend of the SEEN mock serving the request."""
    return current_backend(BACKEND_KEY, SeenBackend)


def receivers(slug: str) -> Response:
    backend = current()
    if not valid_slug(slug):  # SEEN's URL pattern does not match: Django's 404, before
        raise errors.NotFound()  # authentication, for every method (OPTIONS included)
    try:
        raw = request_body()
    except BodyTooLarge as exc:
        raise errors.PayloadTooLarge(exc.size, exc.limit) from None
    token = backend.authenticate(request.environ.get("HTTP_AUTHORIZATION"))
    backend.authorize(token, slug)
    backend.throttle(token)
    if request.method == "OPTIONS":
        return json_response(
            {
                "name": "Receiver List",
                "description": "",
                "renders": ["application/json"],
                "parses": ["application/json"],
            },
            headers={"Allow": errors.ALLOW, "Vary": "Accept"},
        )
    if request.method != "POST":
        raise errors.MethodNotAllowed(request.method)
    campaign = backend.campaign(slug)
    if request.mimetype != "application/json":
        raise errors.UnsupportedMediaType(request.content_type or "")
    charset = request.mimetype_params.get("charset", "utf-8")
    if not raw:
        data: Any = {}
    else:
        try:
            data = parse_json(raw.decode(charset))
        except (ValueError, LookupError) as exc:
            raise errors.ParseError(str(exc)) from None
    created = backend.create_receivers(campaign, data)
    note(f"created receiver(s) {', '.join(str(r.id) for r in created)}")
    return json_response(
        [r.echo() for r in created], 201, {"Allow": errors.ALLOW, "Vary": "Accept"}
    )


def list_campaigns() -> Response:
    backend = current()
    args = query_args(*PAGE_ARGS)
    listed = numbered(list(backend.campaigns.values()))  # never deleted but by a reset
    page = take(page_query("seen.campaigns", args), listed, Campaign.to_dict)
    return page_response({}, "campaigns", page)


def add_campaign() -> Response:
    backend = current()
    campaign = backend.add_campaign(json_object())
    return json_response(campaign.to_dict(), 201)


def campaign(slug: str) -> Response:
    backend = current()
    found = backend.campaigns.get(slug)
    if found is None:
        raise AdminError(404, f"no campaign {slug!r}")
    return json_response(found.to_dict())


def update_campaign(slug: str) -> Response:
    backend = current()
    updated = backend.update_campaign(slug, json_object())
    return json_response(updated.to_dict())


def list_receivers() -> Response:
    backend = current()
    args = query_args("campaign", "customer_id", "state", *PAGE_ARGS)
    state = args.get("state")
    if state is not None and state not in RECEIVER_STATES:
        raise AdminError(400, f"state: must be one of {', '.join(RECEIVER_STATES)}")
    query = page_query("seen.receivers", args)
    found = backend.query_receivers(
        campaign=args.get("campaign"),
        customer_id=args.get("customer_id"),
        state=state,
    )
    page = take(query, Keyed(found, _receiver_id), Receiver.to_dict)
    return page_response({"count": len(found)}, "receivers", page, {"evicted": backend.evicted})


def receiver(receiver_id: int) -> Response:
    backend = current()
    found = backend.receivers.get(receiver_id)
    if found is None:
        raise AdminError(404, f"no receiver {receiver_id}")
    return json_response(found.to_dict())


def _receiver_id(receiver: Receiver) -> int:
    return receiver.id
