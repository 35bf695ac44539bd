"""Webhook campaigns over HTTP (emulator only): define, send, Test, messages, activity log,
and the Content Blocks their templates include. Every listing answers in pages
(`mocks.core.pagination`)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Response, request

from seen_braze_harness.mocks.braze.campaigns.activity import SINCE_PATTERN
from seen_braze_harness.mocks.braze.campaigns.content_blocks import (
    ContentBlock,
)
from seen_braze_harness.mocks.braze.campaigns.messages import STATES, WebhookMessage
from seen_braze_harness.mocks.braze.campaigns.properties import PROPERTY_KEYS
from seen_braze_harness.mocks.braze.campaigns.spec import WebhookCampaign
from seen_braze_harness.mocks.braze.views import current
from seen_braze_harness.mocks.core.admin import AdminError, json_object, query_args
from seen_braze_harness.mocks.core.http import json_response
from seen_braze_harness.mocks.core.pagination import (
    PAGE_ARGS,
    numbered,
    page_query,
    page_response,
    take,
)

_SEND_KEYS = ("external_ids", "recipients", *PROPERTY_KEYS)
_TEST_USER_KEYS = ("external_id", "braze_id", "email", "user")
_TEST_KEYS = (*_TEST_USER_KEYS, *PROPERTY_KEYS)


def _optional_object() -> dict[str, Any]:
    return json_object() if request.get_data(cache=True).strip() else {}


def create() -> Response:
    store = current().campaigns
    campaign = store.create(json_object())
    return json_response(campaign.to_dict(), 201)


def listed() -> Response:
    store = current().campaigns
    args = query_args(*PAGE_ARGS)
    campaigns = store.list()
    page = take(
        page_query("braze.campaigns", args),
        [(c.place, c) for c in campaigns],
        WebhookCampaign.to_dict,
    )
    return page_response({"count": len(campaigns)}, "campaigns", page)


def one(campaign_id: str) -> Response:
    store = current().campaigns
    query_args()
    campaign = store.get(campaign_id)
    dispatches = store.dispatches(campaign_id)
    return json_response({**campaign.to_dict(), "dispatches": [d.to_dict() for d in dispatches]})


def delete(campaign_id: str) -> Response:
    store = current().campaigns
    store.delete(campaign_id)
    return Response(status=204)


def send(campaign_id: str) -> Response:
    store = current().campaigns
    given = _optional_object()
    unknown = sorted(set(given) - set(_SEND_KEYS))
    if unknown:
        raise AdminError(
            400, f"unknown key(s): {', '.join(unknown)}; allowed: {', '.join(_SEND_KEYS)}"
        )
    external_ids = given.get("external_ids")
    if "external_ids" in given and not isinstance(external_ids, list):
        raise AdminError(400, "external_ids: must be a list of external ids (strings)")
    if "recipients" in given and not isinstance(given["recipients"], list):
        raise AdminError(400, "recipients: must be a list of recipient objects")
    dispatch = store.send(
        campaign_id,
        external_ids=external_ids,
        properties={k: v for k, v in given.items() if k in PROPERTY_KEYS},
        recipients=given.get("recipients"),
    )
    return json_response(dispatch.to_dict(), 202)


def messages(campaign_id: str) -> Response:
    store = current().campaigns
    args = query_args("dispatch_id", "state", "external_id", *PAGE_ARGS)
    state = args.get("state")
    if state is not None and state not in STATES:
        raise AdminError(400, f"state: must be one of {', '.join(STATES)}, not {state!r}")
    query = page_query(f"braze.messages:{campaign_id}", args)
    every = numbered(store.messages(campaign_id))  # messages are only ever added
    dispatch_id = args.get("dispatch_id")
    external_id = args.get("external_id")
    found = [
        (place, m)
        for place, m in every
        if (dispatch_id is None or m.dispatch_id == dispatch_id)
        and (state is None or m.state == state)
        and (external_id is None or m.external_id == external_id)
    ]
    counts = dict.fromkeys(STATES, 0)
    for _place, message in found:
        counts[message.state] += 1
    page = take(query, found, WebhookMessage.to_dict)
    return page_response({"count": len(found), "states": counts}, "messages", page)


def test(campaign_id: str) -> Response:
    store = current().campaigns
    given = _optional_object()
    unknown = sorted(set(given) - set(_TEST_KEYS))
    if unknown:
        raise AdminError(
            400,
            f"unknown key(s): {', '.join(unknown)}; choose the user with one of "
            f"{', '.join(_TEST_USER_KEYS)} and add any of {', '.join(PROPERTY_KEYS)}",
        )
    user = given.get("user")
    if "user" in given and not isinstance(user, dict):
        raise AdminError(400, "user: must be an object of attributes in /users/track form")
    result = store.test_send(
        campaign_id,
        external_id=given.get("external_id"),
        braze_id=given.get("braze_id"),
        email=given.get("email"),
        user=user,
        properties={k: v for k, v in given.items() if k in PROPERTY_KEYS},
    )
    return json_response(result.to_dict())


def activity_log() -> Response:
    store = current().campaigns
    args = query_args("campaign_id", "since", *PAGE_ARGS)
    campaign_id = args.get("campaign_id")
    since = _instant(args.get("since"))
    query = page_query("braze.activity-log", args)
    entries = store.numbered_activity_log(campaign_id=campaign_id, since=since)
    page = take(query, entries, dict)
    return page_response(
        {"count": len(entries)},
        "entries",
        page,
        {
            "suppressed": store.activity_log_suppressed(campaign_id=campaign_id),
            "paused_hosts": store.paused_hosts(),
            "host_pauses": store.host_pauses(),
            "rate_limit_windows": store.rate_limit_windows(campaign_id=campaign_id),
        },
    )


def create_block() -> Response:
    store = current().campaigns
    block = store.create_content_block(json_object())
    return json_response(block.to_dict(), 201)


def list_blocks() -> Response:
    store = current().campaigns
    args = query_args(*PAGE_ARGS)
    blocks = store.content_blocks()
    page = take(
        page_query("braze.content_blocks", args),
        [(b.place, b) for b in blocks],
        ContentBlock.to_dict,
    )
    return page_response({"count": len(blocks)}, "content_blocks", page)


def one_block(name: str) -> Response:
    store = current().campaigns
    query_args()
    return json_response(store.content_block(name).to_dict())


def update_block(name: str) -> Response:
    store = current().campaigns
    block = store.update_content_block(name, json_object())
    return json_response(block.to_dict())


def delete_block(name: str) -> Response:
    store = current().campaigns
    store.delete_content_block(name)
    return Response(status=204)


def _instant(raw: str | None) -> float | None:
    if raw is None:
        return None
    if not re.fullmatch(SINCE_PATTERN, raw):
        raise AdminError(
            400,
            "since: must be clock seconds (1733300000.5) or an ISO 8601 date or time "
            f"(2026-12-04, 2026-12-04T10:00:00Z, 2026-12-04T11:00+01:00), not {raw!r}",
        )
    if raw[:1] == "-" or len(raw) < 10 or raw[4] != "-":
        return float(raw)
    try:
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    except (ValueError, OverflowError) as exc:
        raise AdminError(400, f"since: not a time on the calendar: {raw!r} ({exc})") from None
