"""The Braze mock's OpenAPI description: its emulated endpoints' operations (/users/track, the
transformation webhook) and the document's texts. The routes that serve them:
`mocks.braze.routes`; the admin API's operations: `admin_openapi.py`; the shapes:
`openapi_components.py`."""

from __future__ import annotations

from seen_braze_harness.mocks.core.openapi import (
    Body,
    Reply,
    Spec,
    path_param,
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

USERS_TRACK = Spec(
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


TRANSFORMATION_WEBHOOK = Spec(
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


TITLE = "Braze mock"
SUMMARY = (
    "The emulated Braze REST API (/users/track), Data Transformation webhooks, and the mock's "
    "admin API. Emulated endpoints answer in Braze's own shapes; admin errors are RFC 7807 "
    "problems."
)
SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "`Authorization: Bearer <REST API key>`.",
    }
}
TAGS = {
    "users": "Braze's REST API, as a Data Transformation's destination calls it.",
    "transformations": "Data Transformation webhook URLs.",
    "braze-admin": "Braze's state in the emulator: profiles, transformations, campaigns.",
}
