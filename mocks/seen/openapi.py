"""The SEEN mock's OpenAPI description: the documentation of each operation its routes serve
(`mocks.seen.routes`), the callback it sends, SEEN's admin shapes."""

from __future__ import annotations

from typing import Any

from seen_braze_harness.mocks.core.openapi import (
    BAD_PAGE,
    BAD_REQUEST,
    NOT_FOUND,
    PAGE_PARAMS,
    Body,
    Reply,
    Spec,
    component,
    listing,
    ok,
    page_of,
    path_param,
    problem_reply,
    query_param,
    schema,
)
from seen_braze_harness.mocks.seen.models import (
    CALLBACK_FIELDS,
    CALLBACK_URL,
    HEADER_NAME,
    SLUG_PATTERN,
    TOKEN_PATTERN,
)

SLUG_SCHEMA = {"type": "string", "pattern": f"^{SLUG_PATTERN}$"}
SLUG = path_param("slug", "The campaign's slug; one that cannot be a slug is a 404.", **SLUG_SCHEMA)
DETAIL = Body(schema("seen/error-detail"))
VARY = {"Vary": "Always `Accept`, as Django REST Framework sends it."}
ALLOW = {"Allow": "`POST, OPTIONS`.", **VARY}
RECEIVERS_EXAMPLE = [
    {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "customer_id": "b1f0c2",
    }
]


def _detail(description: str, **headers: str) -> Reply:
    return Reply(description, DETAIL, {**VARY, **headers})


AUTH_REPLIES: dict[int | str, Reply] = {
    401: _detail(
        "No `Authorization: Token ...` header, or an unknown token.",
        **{"WWW-Authenticate": "`Token`."},
    ),
    403: _detail("The token belongs to another campaign."),
    404: _detail("No campaign has this slug."),
    429: _detail(
        "Over the token's rate limit (1000 requests per hour).",
        **{"Retry-After": "Seconds until a request is allowed again."},
    ),
}

RECEIVERS = Spec(
    "createReceivers",
    "Create receivers: one personalised video each, rendered and called back",
    "receivers",
    {
        201: Reply(
            "The receivers created, with their ids.", Body(schema("seen/receivers-created")), ALLOW
        ),
        400: Reply(
            "Malformed JSON, or some receivers broke a field rule (a list aligned with the input).",
            Body(schema("seen/receivers-errors")),
            VARY,
        ),
        **AUTH_REPLIES,
        405: _detail("Only POST and OPTIONS are allowed.", Allow="`POST, OPTIONS`."),
        413: _detail("The body is over the size limit."),
        415: _detail("The body is not `application/json`."),
    },
    request=Body(schema("seen/receivers-request"), example=RECEIVERS_EXAMPLE),
    parameters=(SLUG,),
    security="token",
)


RECEIVERS_OPTIONS = Spec(
    "describeReceivers",
    "Django REST Framework's description of the receivers endpoint",
    "receivers",
    {
        200: Reply(
            "The endpoint's description.", Body(component("SeenEndpointDescription")), ALLOW
        ),
        **AUTH_REPLIES,
    },
    parameters=(SLUG,),
    security="token",
)


VIDEO_READY = Spec(
    "videoReady",
    "SEEN calls the campaign's callback URL once a receiver's video is rendered",
    "receivers",
    {"2XX": Reply("Taken; any other answer is retried twice, 60 s apart.")},
    request=Body(schema("seen/callback")),
)


NON_EMPTY = {"type": "string", "minLength": 1}


def _auth(kind: str, **fields: dict[str, Any]) -> dict[str, Any]:
    """One kind of callback_auth: exactly its keys (`type` may be left out for none)."""
    return {
        "type": "object",
        "required": ["type", *fields] if fields else [],
        "additionalProperties": False,
        "properties": {"type": {"const": kind}, **fields},
    }


_CAMPAIGN_PROPERTIES: dict[str, Any] = {
    "slug": SLUG_SCHEMA,
    "token": {
        "type": ["string", "null"],
        "pattern": f"^{TOKEN_PATTERN}$",
        "description": "Printable ASCII without spaces; missing or null: 40 generated hex digits.",
    },
    "callback_url": {
        "anyOf": [
            {"type": "null"},
            {"const": ""},
            {"type": "string", "pattern": f"^{CALLBACK_URL}$"},
        ],
        "description": "An absolute http(s) URL in printable ASCII; null or empty: no callback.",
    },
    "callback_auth": {
        "oneOf": [
            {"type": "null"},
            _auth("none"),
            _auth("basic", username=NON_EMPTY, password=NON_EMPTY),
            _auth(
                "header", header={"type": "string", "pattern": f"^{HEADER_NAME}$"}, value=NON_EMPTY
            ),
        ],
        "description": "How SEEN authenticates to the callback URL; null or no `type`: none.",
    },
    "callback_fields": {"type": "array", "items": {"enum": list(CALLBACK_FIELDS)}},
    "callback_static": {"type": "object", "additionalProperties": {"type": "string"}},
}

COMPONENTS: dict[str, dict[str, Any]] = {
    "SeenEndpointDescription": {
        "type": "object",
        "required": ["name", "description", "renders", "parses"],
        "properties": {
            "name": {"type": "string"},
            "description": {"type": "string"},
            "renders": {"type": "array", "items": {"type": "string"}},
            "parses": {"type": "array", "items": {"type": "string"}},
        },
    },
    "SeenCampaign": {
        "type": "object",
        "required": list(_CAMPAIGN_PROPERTIES),
        "properties": _CAMPAIGN_PROPERTIES,
    },
    "SeenCampaignRequest": {
        "type": "object",
        "required": ["slug"],
        "additionalProperties": False,
        "properties": _CAMPAIGN_PROPERTIES,
    },
    "SeenCampaignChange": {
        "type": "object",
        "additionalProperties": False,
        "properties": {k: v for k, v in _CAMPAIGN_PROPERTIES.items() if k != "slug"},
    },
    "SeenCampaigns": page_of("campaigns", component("SeenCampaign"), count=False),
    "SeenReceiverRecord": {
        "type": "object",
        "required": ["id", "campaign_slug", "fields", "state", "created_at"],
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "campaign_slug": {"type": "string"},
            "fields": {"type": "object"},
            "state": {"enum": ["accepted", "rendered", "callback_delivered", "callback_failed"]},
            "created_at": {"type": "number"},
            "rendered_at": {"type": ["number", "null"]},
            "links": {"type": ["object", "null"]},
            "callback": {"type": ["object", "null"]},
        },
    },
    "SeenReceiverRecords": page_of(
        "receivers",
        component("SeenReceiverRecord"),
        extra={
            "evicted": {
                "type": "integer",
                "minimum": 0,
                "description": "Receivers forgotten beyond `receivers_cap` since the last reset.",
            }
        },
    ),
}

CAMPAIGN_SLUG = path_param("slug", "The campaign's slug.", **SLUG_SCHEMA)

LIST_SEEN_CAMPAIGNS = listing(
    "listSeenCampaigns",
    "The campaigns SEEN knows, with their tokens and callback settings",
    "seen-admin",
    "A page of the campaigns, oldest first.",
    component("SeenCampaigns"),
)

ADD_SEEN_CAMPAIGN = Spec(
    "addSeenCampaign",
    "Add a campaign",
    "seen-admin",
    {
        201: ok("The campaign as stored.", component("SeenCampaign")),
        400: BAD_REQUEST,
        409: problem_reply("A campaign with this slug exists already."),
    },
    request=Body(
        component("SeenCampaignRequest"),
        example={"slug": "winter", "callback_url": "http://127.0.0.1:8802/hook"},
    ),
)

GET_SEEN_CAMPAIGN = Spec(
    "getSeenCampaign",
    "One campaign",
    "seen-admin",
    {200: ok("The campaign.", component("SeenCampaign")), 404: NOT_FOUND},
    parameters=(CAMPAIGN_SLUG,),
)

UPDATE_SEEN_CAMPAIGN = Spec(
    "updateSeenCampaign",
    "Change a campaign's token or callback settings",
    "seen-admin",
    {
        200: ok("The campaign as changed.", component("SeenCampaign")),
        400: BAD_REQUEST,
        404: NOT_FOUND,
    },
    request=Body(
        component("SeenCampaignChange"),
        example={"callback_url": "http://127.0.0.1:9000/seen-callback"},
    ),
    parameters=(CAMPAIGN_SLUG,),
)

LIST_SEEN_RECEIVERS = Spec(
    "listSeenReceivers",
    "Receivers, with their render state and callback attempts",
    "seen-admin",
    {
        200: ok("A page of the receivers found, oldest first.", component("SeenReceiverRecords")),
        400: BAD_PAGE,
    },
    parameters=(
        query_param("campaign", "Only this campaign's receivers (slug)."),
        query_param("customer_id", "Only receivers with this customer id."),
        query_param(
            "state",
            "Only receivers in this state.",
            enum=["accepted", "rendered", "callback_delivered", "callback_failed"],
        ),
        *PAGE_PARAMS,
    ),
)

GET_SEEN_RECEIVER = Spec(
    "getSeenReceiver",
    "One receiver",
    "seen-admin",
    {200: ok("The receiver.", component("SeenReceiverRecord")), 404: NOT_FOUND},
    parameters=(path_param("receiver_id", "The receiver's id.", type="integer", minimum=0),),
)


TITLE = "SEEN mock"
SUMMARY = (
    "The emulated SEEN receivers API (personalised video) and the mock's admin API. Emulated "
    "endpoints answer in SEEN's own shapes; admin errors are RFC 7807 problems."
)
SECURITY_SCHEMES = {
    "token": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Authorization: Token <campaign token>` (40 hex digits).",
    }
}
WEBHOOKS = {"videoReady": VIDEO_READY.at("post", "{campaign.callback_url}")}
TAGS = {
    "receivers": "SEEN's receivers API, as the integration's Braze webhook calls it.",
    "seen-admin": "SEEN's state in the emulator: campaigns and receivers.",
}
