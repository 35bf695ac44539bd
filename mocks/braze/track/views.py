"""`POST /users/track` over HTTP, and the admin API's profiles (`/_mock/users`).

The admin API's profile listings answer in pages (`mocks.core.pagination`), the export too, so
that a large store never makes one large answer; one `POST /_mock/users` seeds at most
`SEED_BATCH_LIMIT` profiles.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from seen_braze_harness.mocks.braze import errors
from seen_braze_harness.mocks.braze.track.profiles import PROFILE_FIELDS, Profile, ProfileStore
from seen_braze_harness.mocks.braze.views import current
from seen_braze_harness.mocks.core.admin import AdminError, json_body, query_args
from seen_braze_harness.mocks.core.http import BodyTooLarge, json_response, note, request_body
from seen_braze_harness.mocks.core.jsonbody import parse_json
from seen_braze_harness.mocks.core.pagination import (
    PAGE_ARGS,
    PageQuery,
    page_query,
    page_response,
    take,
)

SEED_BATCH_LIMIT = 1000
"""*Assumed* (emulator only). Most profiles one `POST /_mock/users` seeds; a longer list is
refused whole with a 400 problem (the setting `seed_batch_limit`, when the settings have it)."""


def users_track() -> Response:
    backend = current()
    try:
        raw = request_body()
        backend.authenticate(request.environ.get("HTTP_AUTHORIZATION"), "users.track")
    except BodyTooLarge as exc:
        size = "" if exc.size is None else f" ({exc.size} bytes)"
        raise errors.PayloadTooLarge(
            f"Request body{size} exceeds the limit of {exc.limit} bytes",
            headers=backend.current_rate_headers(),
        ) from None
    except errors.BrazeError as exc:
        exc.headers = {**backend.current_rate_headers(), **exc.headers}
        raise
    decision = backend.throttle()
    headers = backend.rate_headers(decision)
    try:
        if request.method != "POST":
            raise errors.MethodNotAllowed(request.method)
        if request.mimetype != "application/json":
            raise errors.UnsupportedMediaType()
        body = _parse(raw, backend.settings.max_json_depth)
        outcome = backend.track(body)
    except errors.BrazeError as exc:
        exc.headers = {**headers, **exc.headers}
        raise
    evicted = backend.profiles.eviction_note()
    notes = [*outcome.notes, *([] if evicted is None else [evicted])]
    if notes:
        note("; ".join(notes))
    return json_response(outcome.body, outcome.status, headers)


def _parse(raw: bytes, max_depth: int) -> Any:
    try:
        return parse_json(raw.decode("utf-8"), max_depth=max_depth)
    except ValueError as exc:  # UnicodeDecodeError and JsonBodyError alike
        note(f"unparseable body: {exc}")
        raise errors.BadRequest(errors.BAD_JSON) from None


def seed_users() -> Response:
    backend = current()
    fields = _answer_fields(query_args("fields").get("fields"))
    data = json_body()
    users = data if isinstance(data, list) else [data]
    limit = getattr(backend.settings, "seed_batch_limit", SEED_BATCH_LIMIT)
    if len(users) > limit:
        raise AdminError(
            400,
            f"{len(users):,} profiles in one request; at most {limit:,} are seeded at a "
            "time: send them in batches",
            seeded=0,
            limit=limit,
        )
    seeded = []
    try:
        for index, user in enumerate(users):
            try:
                seeded.append(backend.profiles.seed(user))
            except ValueError as exc:
                raise AdminError(400, f"users[{index}]: {exc}", seeded=len(seeded)) from None
    finally:  # the admin API journals nothing; the listings' `evicted` counts them
        backend.profiles.take_evictions()
    return json_response({"users": [p.to_dict(fields) for p in seeded]}, 201)


def users() -> Response:
    backend = current()
    args = query_args("braze_id", "external_id", "email", *PAGE_ARGS)
    query = page_query("braze.users", args)
    found = backend.profiles.query(
        braze_id=args.get("braze_id"),
        external_id=args.get("external_id"),
        email=args.get("email"),
    )
    return profile_page(backend.profiles, query, found)


def export() -> Response:
    backend = current()
    args = query_args(*PAGE_ARGS)
    query = page_query("braze.users.export", args)
    return profile_page(backend.profiles, query, None)


def profile_page(profiles: ProfileStore, query: PageQuery, found: list[Profile] | None) -> Response:
    """A page of profiles (`found`, or every one): only the page's are turned into JSON."""
    numbered = profiles.numbered(found)
    page = take(query, numbered, Profile.to_dict)
    return page_response({"count": len(numbered)}, "users", page, {"evicted": profiles.evicted})


def _answer_fields(given: str | None) -> tuple[str, ...] | None:
    """The profile keys `?fields=` asks the answer to hold (None: the whole profile)."""
    if given is None:
        return None
    names = tuple(dict.fromkeys(name.strip() for name in given.split(",") if name.strip()))
    unknown = [name for name in names if name not in PROFILE_FIELDS]
    if unknown or not names:
        raise AdminError(
            400,
            f"fields: {', '.join(unknown) or '(none given)'} is not a profile key; "
            f"use a comma-separated list of {', '.join(PROFILE_FIELDS)}",
        )
    return names
