"""The shapes the Braze mock's OpenAPI document defines itself: the admin API's bodies (the
service's own are the JSON Schemas of `schemas/`)."""

from __future__ import annotations

from typing import Any

from seen_braze_harness.mocks.braze.campaigns.properties import PROPERTY_KEYS
from seen_braze_harness.mocks.braze.transformations import CATALOG_NAME, DESTINATIONS, FIELD_TYPES
from seen_braze_harness.mocks.core.jsonbody import NOT_BLANK
from seen_braze_harness.mocks.core.openapi import (
    component,
    page_of,
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
