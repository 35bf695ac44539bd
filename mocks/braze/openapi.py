"""The Braze mock's operations as data: /users/track, the transformation webhook, the admin API."""

from __future__ import annotations

from typing import Any

from seen_braze_harness.mocks.braze.campaigns.activity import SINCE_PATTERN
from seen_braze_harness.mocks.braze.campaigns.messages import STATES
from seen_braze_harness.mocks.braze.campaigns.properties import PROPERTY_KEYS
from seen_braze_harness.mocks.braze.transformations import CATALOG_NAME, DESTINATIONS, FIELD_TYPES
from seen_braze_harness.mocks.core.jsonbody import NOT_BLANK
from seen_braze_harness.mocks.core.openapi import (
    BAD_PAGE,
    BAD_REQUEST,
    CURSOR,
    NO_CONTENT,
    NOT_FOUND,
    PAGE_PARAMS,
    ApiDescription,
    Body,
    Operation,
    Reply,
    component,
    ok,
    page_of,
    paged_limit,
    path_param,
    problem_reply,
    query_param,
    schema,
)

MESSAGE = Body(schema("braze/error-message"))
RATE_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed in the window.",
    "X-RateLimit-Remaining": "Requests left in the window.",
    "X-RateLimit-Reset": "Unix time at which the window resets.",
}
TRACK_EXAMPLE = {
    "attributes": [
        {
            "external_id": "user-1",
            "landing_page_url": "https://seen-braze-harness.seen.io/v/1",
            "email_thumbnail_url": "https://motions.seen.io/thumbnail.jpg",
        }
    ]
}

USERS_TRACK = Operation(
    "post",
    "/users/track",
    "trackUsers",
    "Record attributes, events and purchases on user profiles",
    "users",
    {
        201: Reply(
            "Processed (some objects may have been skipped; see `errors`).",
            Body(schema("braze/users-track-response")),
            RATE_HEADERS,
        ),
        400: Reply(
            "Every object was rejected, or the body is not JSON.",
            Body(schema("braze/users-track-response")),
            RATE_HEADERS,
        ),
        401: Reply("No or unknown REST API key.", MESSAGE, RATE_HEADERS),
        403: Reply("The key lacks the `users.track` permission.", MESSAGE, RATE_HEADERS),
        405: Reply("Only POST is allowed.", MESSAGE, RATE_HEADERS),
        413: Reply("The body is over the size limit.", MESSAGE, RATE_HEADERS),
        415: Reply("The body is not `application/json`.", MESSAGE, RATE_HEADERS),
        429: Reply(
            "Over the rate limit; Braze sends X-Ratelimit-Retry-After instead of X-RateLimit-*.",
            MESSAGE,
            {"X-Ratelimit-Retry-After": "Seconds until the window resets."},
        ),
        "5XX": Reply("A server error (fault rules only).", MESSAGE),
    },
    request=Body(schema("braze/users-track-request"), example=TRACK_EXAMPLE),
    security="bearer",
)

TRANSFORMATION_WEBHOOK = Operation(
    "post",
    "/transformations/{transformation_id}/{secret}",
    "receiveTransformationWebhook",
    "A Data Transformation's webhook URL: takes any JSON and runs the transformation on it",
    "transformations",
    {
        201: Reply("Taken; the transformation runs shortly after.", MESSAGE),
        400: Reply("The body is not JSON.", MESSAGE),
        404: Reply("No transformation has this webhook URL.", MESSAGE),
        405: Reply("Only POST is allowed.", MESSAGE),
        413: Reply("The body is over the size limit.", MESSAGE),
        429: Reply(
            "Over 1,000 webhook requests per minute per workspace (with Retry-After), or over "
            "the tier's monthly incoming requests (`transform_monthly_limit`).",
            MESSAGE,
            {"Retry-After": "Seconds until a request is allowed again (per-minute limit)."},
        ),
    },
    request=Body({"description": "Any JSON value, e.g. SEEN's callback."}),
    parameters=(
        path_param("transformation_id", "The transformation's id."),
        path_param("secret", "The webhook URL's secret."),
    ),
    description="Unauthenticated: the secret in the path is the credential.",
)

_OBJECT: dict[str, Any] = {"type": "object"}


TRANSFORMATION_FIELDS: dict[str, Any] = {
    "name": {"type": "string", "pattern": NOT_BLANK, "description": "Not only white space."},
    "code": {"type": "string", "description": "JavaScript: the body of a function of payload."},
    "destination": {"enum": list(DESTINATIONS)},
    "active": {"type": "boolean"},
}

ONE_NAMESPACE = {"not": {"required": ["context", "canvas_entry_properties"]}}
"""`context` and `canvas_entry_properties` fill the same Liquid namespace: one of them."""

COMPONENTS: dict[str, dict[str, Any]] = {
    "BrazeProfile": {
        "type": "object",
        "description": "A user profile as the emulator holds it.",
    },
    "BrazeProfileSeed": {
        "type": "object",
        "description": "A profile to create, with attributes in /users/track form.",
    },
    "BrazeProfiles": page_of(
        "users",
        component("BrazeProfile"),
        extra={
            "evicted": {
                "type": "integer",
                "minimum": 0,
                "description": "Profiles forgotten beyond the store's cap since the last reset.",
            }
        },
    ),
    "BrazeSeededProfiles": {
        "type": "object",
        "required": ["users"],
        "properties": {"users": {"type": "array", "items": component("BrazeProfile")}},
    },
    "BrazeTransformationRequest": {
        "type": "object",
        "required": ["name", "code", "destination"],
        "additionalProperties": False,
        "description": "`code` is refused over the `code_chars` limit (100,000 by default).",
        "properties": TRANSFORMATION_FIELDS,
    },
    "BrazeTransformationChange": {
        "type": "object",
        "additionalProperties": False,
        "description": "The fields to change; the others keep their values.",
        "properties": TRANSFORMATION_FIELDS,
    },
    "BrazeTransformation": {
        "type": "object",
        "required": ["id", "name", "code", "destination", "active", "webhook_url"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "code": {"type": "string"},
            "destination": {"type": "string"},
            "active": {"type": "boolean"},
            "webhook_url": {"type": "string", "format": "uri"},
            "created_at": {"type": "number"},
            "most_recent_webhook": {"type": ["object", "null"]},
            "counters": _OBJECT,
        },
    },
    "BrazeTransformations": page_of("transformations", component("BrazeTransformation")),
    "BrazeValidateRequest": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "payload": {"description": "The webhook body to try (default: the most recent one)."},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "BrazeValidation": _OBJECT,
    "BrazeTransformationLogs": page_of("logs", _OBJECT),
    "BrazeCatalogRequest": {
        "type": "object",
        "required": ["name"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "pattern": f"^{CATALOG_NAME}$"},
            "fields": {
                "type": ["array", "null"],
                "description": "Braze's catalog fields, `id` (string) first, each name once; "
                "null or none: the catalog takes any field (emulator allowance).",
                "minItems": 1,
                "prefixItems": [
                    {
                        "type": "object",
                        "required": ["name", "type"],
                        "additionalProperties": False,
                        "properties": {"name": {"const": "id"}, "type": {"const": "string"}},
                    }
                ],
                "items": {
                    "type": "object",
                    "required": ["name", "type"],
                    "additionalProperties": False,
                    "properties": {
                        "name": {"type": "string", "pattern": f"^{CATALOG_NAME}$"},
                        "type": {"enum": list(FIELD_TYPES)},
                    },
                },
            },
        },
    },
    "BrazeCatalog": _OBJECT,
    "BrazeCatalogs": page_of("catalogs", component("BrazeCatalog")),
    "BrazeMessages": page_of("messages", _OBJECT),
    "BrazeCampaignRequest": {
        "type": "object",
        "required": ["url"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "url": {"type": "string", "description": "Liquid template of the webhook URL."},
            "method": {"type": "string"},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "body": {"type": "string", "description": "Liquid template of the webhook body."},
            "body_format": {"type": "string"},
            "rate_per_minute": {"type": "integer", "minimum": 1},
            "audience": {},
        },
    },
    "BrazeCampaign": {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string"}},
    },
    "BrazeCampaigns": page_of("campaigns", component("BrazeCampaign")),
    "BrazeProperties": {
        "type": "object",
        "description": "Key-value pairs a template reads under its Liquid namespace.",
    },
    "BrazeRecipient": {
        "type": "object",
        "required": ["external_user_id"],
        "additionalProperties": False,
        "properties": {
            "external_user_id": {"type": "string", "minLength": 1},
            **{key: component("BrazeProperties") for key in PROPERTY_KEYS},
        },
        **ONE_NAMESPACE,
    },
    "BrazeSendRequest": {
        "type": "object",
        "additionalProperties": False,
        "description": "`trigger_properties` are Liquid's `api_trigger_properties`; "
        "`context` is `canvas_entry_properties`. Recipients (as `/campaigns/trigger/send` "
        "takes them) are the audience, their properties override the shared ones; give "
        "`external_ids` or `recipients`, not both.",
        "properties": {
            "external_ids": {"type": "array", "items": {"type": "string", "minLength": 1}},
            "recipients": {
                "type": "array",
                "items": component("BrazeRecipient"),
                "description": "Each `external_user_id` once.",
            },
            **{key: component("BrazeProperties") for key in PROPERTY_KEYS},
        },
        "allOf": [{"not": {"required": ["external_ids", "recipients"]}}, ONE_NAMESPACE],
    },
    "BrazeDispatch": _OBJECT,
    "BrazeCampaignMessages": page_of(
        "messages",
        _OBJECT,
        extra={
            "states": {
                "type": "object",
                "additionalProperties": {"type": "integer"},
                "description": "How many of every match are in each state.",
            }
        },
    ),
    "BrazeTestRequest": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "external_id": {"type": "string"},
            "braze_id": {"type": "string"},
            "email": {"type": "string", "description": "The user with this email address."},
            "user": {"type": "object", "description": "Attributes in /users/track form."},
            **{key: component("BrazeProperties") for key in PROPERTY_KEYS},
        },
        **ONE_NAMESPACE,
    },
    "BrazeTestResult": _OBJECT,
    "BrazeActivityLog": page_of(
        "entries",
        _OBJECT,
        extra={
            "suppressed": {},
            "paused_hosts": {},
            "host_pauses": {},
            "rate_limit_windows": {
                "type": "array",
                "description": "Windows the receivers' X-Rate-Limit-* headers set.",
            },
        },
    ),
    "BrazeContentBlockRequest": {
        "type": "object",
        "required": ["name", "content"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,100}$"},
            "content": {"type": "string", "description": "Liquid; at most 50 KB."},
            "description": {"type": "string", "maxLength": 250},
        },
    },
    "BrazeContentBlockUpdate": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "content": {"type": "string"},
            "description": {"type": "string", "maxLength": 250},
        },
    },
    "BrazeContentBlock": {
        "type": "object",
        "required": ["name", "content", "liquid_tag"],
        "properties": {
            "name": {"type": "string"},
            "content": {"type": "string"},
            "description": {"type": "string"},
            "liquid_tag": {"type": "string"},
            "content_blocks": {"type": "array", "items": {"type": "string"}},
            "created_at": {"type": "number"},
            "updated_at": {"type": "number"},
        },
    },
    "BrazeContentBlocks": page_of("content_blocks", component("BrazeContentBlock")),
}

TRANSFORMATION_ID = path_param(
    "transformation_id", "The transformation's id: 24 hex digits.", pattern="^[0-9a-f]{24}$"
)
CAMPAIGN_ID = path_param("campaign_id", "The campaign's id.")
BLOCK_NAME = path_param("name", "The Content Block's name.")
LOGS_LIMIT = paged_limit(
    "The last `limit` runs found (before the `cursor`): `admin_page_limit` (100) by default, at "
    "most `admin_page_max` (1000); a page also ends before its runs pass `admin_page_bytes` "
    "(4 MiB) of JSON. The pages go from the newest back, each oldest first. `0` answers the "
    "count only."
)
CONFLICT = problem_reply("The request conflicts with the current state.")


TRANSFORMATION_ADMIN: tuple[Operation, ...] = (
    Operation(
        "post",
        "/_mock/transformations",
        "createTransformation",
        "Create a Data Transformation (inactive unless `active` is true)",
        "braze-admin",
        {
            201: ok("Created.", component("BrazeTransformation")),
            400: BAD_REQUEST,
            409: problem_reply("Active, and the tier's active transformations are all in use."),
        },
        request=Body(
            component("BrazeTransformationRequest"),
            example={
                "name": "SEEN callback",
                "code": "return {attributes: []};",
                "destination": "track-users",
                "active": True,
            },
        ),
    ),
    Operation(
        "get",
        "/_mock/transformations",
        "listTransformations",
        "Every Data Transformation",
        "braze-admin",
        {
            200: ok(
                "A page of the transformations, oldest first.", component("BrazeTransformations")
            ),
            400: BAD_PAGE,
        },
        parameters=PAGE_PARAMS,
    ),
    Operation(
        "get",
        "/_mock/transformations/logs",
        "getTransformationLogs",
        "Each run of a transformation: its input, output, error and console",
        "braze-admin",
        {
            200: ok(
                "A page of the runs, oldest first; the next page has older ones.",
                component("BrazeTransformationLogs"),
            ),
            400: BAD_PAGE,
        },
        parameters=(
            query_param("transformation", "Only this transformation's runs (id)."),
            LOGS_LIMIT,
            CURSOR,
        ),
    ),
    Operation(
        "get",
        "/_mock/transformations/{transformation_id}",
        "getTransformation",
        "One transformation",
        "braze-admin",
        {200: ok("The transformation.", component("BrazeTransformation")), 404: NOT_FOUND},
        parameters=(TRANSFORMATION_ID,),
    ),
    Operation(
        "put",
        "/_mock/transformations/{transformation_id}",
        "updateTransformation",
        "Change a transformation's name, code, destination or state",
        "braze-admin",
        {
            200: ok("The transformation as changed.", component("BrazeTransformation")),
            400: BAD_REQUEST,
            404: NOT_FOUND,
            409: problem_reply("Activating it would pass the tier's active transformations."),
        },
        request=Body(component("BrazeTransformationChange")),
        parameters=(TRANSFORMATION_ID,),
    ),
    Operation(
        "delete",
        "/_mock/transformations/{transformation_id}",
        "deleteTransformation",
        "Delete a transformation",
        "braze-admin",
        {204: NO_CONTENT, 404: NOT_FOUND},
        parameters=(TRANSFORMATION_ID,),
    ),
    Operation(
        "post",
        "/_mock/transformations/{transformation_id}/activate",
        "activateTransformation",
        "Activate a transformation",
        "braze-admin",
        {
            200: ok("Active.", component("BrazeTransformation")),
            404: NOT_FOUND,
            409: problem_reply("The tier's active transformations are all in use."),
        },
        parameters=(TRANSFORMATION_ID,),
    ),
    Operation(
        "post",
        "/_mock/transformations/{transformation_id}/deactivate",
        "deactivateTransformation",
        "Deactivate a transformation",
        "braze-admin",
        {200: ok("Inactive.", component("BrazeTransformation")), 404: NOT_FOUND},
        parameters=(TRANSFORMATION_ID,),
    ),
    Operation(
        "post",
        "/_mock/transformations/{transformation_id}/validate",
        "validateTransformation",
        "The editor's Validate: run the code on a payload and check the output",
        "braze-admin",
        {
            200: ok("The run and its verdict.", component("BrazeValidation")),
            400: BAD_REQUEST,
            404: NOT_FOUND,
            409: problem_reply("No payload given and no webhook received yet."),
        },
        request=Body(component("BrazeValidateRequest")),
        request_required=False,
        parameters=(TRANSFORMATION_ID,),
    ),
    Operation(
        "post",
        "/_mock/catalogs",
        "createCatalog",
        "Create a catalog",
        "braze-admin",
        {
            201: ok("Created.", component("BrazeCatalog")),
            400: BAD_REQUEST,
            409: problem_reply("A catalog with this name exists already."),
        },
        request=Body(component("BrazeCatalogRequest"), example={"name": "videos"}),
    ),
    Operation(
        "get",
        "/_mock/catalogs",
        "listCatalogs",
        "Every catalog",
        "braze-admin",
        {
            200: ok("A page of the catalogs, oldest first.", component("BrazeCatalogs")),
            400: BAD_PAGE,
        },
        parameters=PAGE_PARAMS,
    ),
    Operation(
        "get",
        "/_mock/messages",
        "listSentMessages",
        "Messages sent by transformations' destinations",
        "braze-admin",
        {
            200: ok("A page of the messages, oldest first.", component("BrazeMessages")),
            400: BAD_PAGE,
        },
        parameters=PAGE_PARAMS,
    ),
)

USER_ADMIN: tuple[Operation, ...] = (
    Operation(
        "post",
        "/_mock/users",
        "seedUsers",
        "Create profiles (one object or a list of at most 1,000)",
        "braze-admin",
        {
            201: ok("The profiles created.", component("BrazeSeededProfiles")),
            400: problem_reply(
                "A profile is refused (`seeded`: how many before it were created), the list "
                "holds more than 1,000 profiles (`seeded` 0, `limit` the most one call takes), "
                "or `fields` names a key a profile does not have (nothing seeded)."
            ),
        },
        request=Body(
            {
                "oneOf": [
                    component("BrazeProfileSeed"),
                    {"type": "array", "items": component("BrazeProfileSeed")},
                ]
            },
            example={"external_id": "user-1", "first_name": "Ada"},
        ),
        parameters=(
            query_param(
                "fields",
                "Only these keys of each profile in the answer, comma-separated (e.g. "
                "`braze_id,external_id`); unknown keys are a 400 problem.",
            ),
        ),
    ),
    Operation(
        "get",
        "/_mock/users",
        "listUsers",
        "Profiles, found by id or email",
        "braze-admin",
        {
            200: ok("A page of the profiles found, oldest first.", component("BrazeProfiles")),
            400: BAD_PAGE,
        },
        parameters=(
            query_param("braze_id", "Only the profile with this Braze id."),
            query_param("external_id", "Only the profile with this external id."),
            query_param("email", "Only profiles with this email."),
            *PAGE_PARAMS,
        ),
    ),
    Operation(
        "get",
        "/_mock/users/export",
        "exportUsers",
        "Every profile, as Braze's user export gives it, a page at a time",
        "braze-admin",
        {
            200: ok("A page of the profiles, oldest first.", component("BrazeProfiles")),
            400: BAD_PAGE,
        },
        parameters=PAGE_PARAMS,
    ),
)

CAMPAIGN_ADMIN: tuple[Operation, ...] = (
    Operation(
        "post",
        "/_mock/campaigns",
        "createWebhookCampaign",
        "Define a webhook campaign (URL, headers and body as Liquid templates)",
        "braze-admin",
        {201: ok("Created.", component("BrazeCampaign")), 400: BAD_REQUEST},
        request=Body(component("BrazeCampaignRequest")),
    ),
    Operation(
        "get",
        "/_mock/campaigns",
        "listWebhookCampaigns",
        "Every webhook campaign",
        "braze-admin",
        {
            200: ok("A page of the campaigns, oldest first.", component("BrazeCampaigns")),
            400: BAD_PAGE,
        },
        parameters=PAGE_PARAMS,
    ),
    Operation(
        "get",
        "/_mock/campaigns/{campaign_id}",
        "getWebhookCampaign",
        "One campaign, with its dispatches",
        "braze-admin",
        {200: ok("The campaign.", component("BrazeCampaign")), 400: BAD_REQUEST, 404: NOT_FOUND},
        parameters=(CAMPAIGN_ID,),
    ),
    Operation(
        "delete",
        "/_mock/campaigns/{campaign_id}",
        "deleteWebhookCampaign",
        "Delete a campaign",
        "braze-admin",
        {204: NO_CONTENT, 404: NOT_FOUND},
        parameters=(CAMPAIGN_ID,),
    ),
    Operation(
        "post",
        "/_mock/campaigns/{campaign_id}/send",
        "sendWebhookCampaign",
        "Send the campaign to its audience, or to the given users",
        "braze-admin",
        {202: ok("Dispatched.", component("BrazeDispatch")), 400: BAD_REQUEST, 404: NOT_FOUND},
        request=Body(component("BrazeSendRequest")),
        request_required=False,
        parameters=(CAMPAIGN_ID,),
    ),
    Operation(
        "get",
        "/_mock/campaigns/{campaign_id}/messages",
        "listCampaignMessages",
        "The campaign's messages, one per user and dispatch, with their attempts",
        "braze-admin",
        {
            200: ok(
                "A page of the messages found, in send order.", component("BrazeCampaignMessages")
            ),
            400: BAD_PAGE,
            404: NOT_FOUND,
        },
        parameters=(
            CAMPAIGN_ID,
            query_param("dispatch_id", "Only this dispatch's messages."),
            query_param("state", "Only messages in this state.", enum=list(STATES)),
            query_param("external_id", "Only this user's messages."),
            *PAGE_PARAMS,
        ),
    ),
    Operation(
        "post",
        "/_mock/campaigns/{campaign_id}/test",
        "testWebhookCampaign",
        "The dashboard's Test send: render and send the webhook for one user",
        "braze-admin",
        {
            200: ok("The rendered request and the answer.", component("BrazeTestResult")),
            400: BAD_REQUEST,
            404: problem_reply("No such campaign or user."),
        },
        request=Body(component("BrazeTestRequest")),
        request_required=False,
        parameters=(CAMPAIGN_ID,),
    ),
    Operation(
        "get",
        "/_mock/activity-log",
        "getActivityLog",
        "The Message Activity Log: webhook errors, suppressions, paused hosts, receivers' "
        "rate-limit windows",
        "braze-admin",
        {
            200: ok("A page of the entries, oldest first.", component("BrazeActivityLog")),
            400: BAD_PAGE,
        },
        parameters=(
            query_param("campaign_id", "Only this campaign's entries."),
            query_param(
                "since",
                "Entries from this instant on: clock seconds, or an ISO 8601 date or time (UTC "
                "when it names no offset); a date not on the calendar is refused.",
                pattern=f"^({SINCE_PATTERN})$",
            ),
            *PAGE_PARAMS,
        ),
    ),
    Operation(
        "post",
        "/_mock/content_blocks",
        "createContentBlock",
        "Save a Content Block that templates include with {{content_blocks.${name}}}",
        "braze-admin",
        {201: ok("Created.", component("BrazeContentBlock")), 400: BAD_REQUEST},
        request=Body(component("BrazeContentBlockRequest")),
    ),
    Operation(
        "get",
        "/_mock/content_blocks",
        "listContentBlocks",
        "Every Content Block",
        "braze-admin",
        {
            200: ok("A page of the blocks, oldest first.", component("BrazeContentBlocks")),
            400: BAD_PAGE,
        },
        parameters=PAGE_PARAMS,
    ),
    Operation(
        "get",
        "/_mock/content_blocks/{name}",
        "getContentBlock",
        "One Content Block",
        "braze-admin",
        {200: ok("The block.", component("BrazeContentBlock")), 400: BAD_REQUEST, 404: NOT_FOUND},
        parameters=(BLOCK_NAME,),
    ),
    Operation(
        "patch",
        "/_mock/content_blocks/{name}",
        "updateContentBlock",
        "Change a Content Block's content or description (never its name)",
        "braze-admin",
        {200: ok("Changed.", component("BrazeContentBlock")), 400: BAD_REQUEST, 404: NOT_FOUND},
        request=Body(component("BrazeContentBlockUpdate")),
        parameters=(BLOCK_NAME,),
    ),
    Operation(
        "delete",
        "/_mock/content_blocks/{name}",
        "deleteContentBlock",
        "Delete a Content Block no campaign or block uses (its name stays taken)",
        "braze-admin",
        {204: NO_CONTENT, 404: NOT_FOUND, 409: CONFLICT},
        parameters=(BLOCK_NAME,),
    ),
)

DESCRIPTION = ApiDescription(
    service="braze",
    title="Braze mock",
    description="The emulated Braze REST API (/users/track), Data Transformation webhooks, and "
    "the mock's admin API. Emulated endpoints answer in Braze's own shapes; admin errors are "
    "RFC 7807 problems.",
    operations=(
        USERS_TRACK,
        TRANSFORMATION_WEBHOOK,
        *USER_ADMIN,
        *TRANSFORMATION_ADMIN,
        *CAMPAIGN_ADMIN,
    ),
    security_schemes={
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer <REST API key>`.",
        }
    },
    components=COMPONENTS,
    tags={
        "users": "Braze's REST API, as a Data Transformation's destination calls it.",
        "transformations": "Data Transformation webhook URLs.",
        "braze-admin": "Braze's state in the emulator: profiles, transformations, campaigns.",
    },
)
