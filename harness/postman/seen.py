"""The SEEN folders of the collection: the receivers API as Braze's webhook calls it, with
its documented errors, and the SEEN mock's admin API."""

from __future__ import annotations

from typing import Any

from seen_braze_harness.harness.postman.environment import BRAZE_ID
from seen_braze_harness.harness.postman.items import JSON_HEADER, request
from seen_braze_harness.mocks.seen import hops as seen_hops

SEEN_AUTH = {"Authorization": "Token {{seen_token}}", **JSON_HEADER}
RECEIVERS = "{{seen_base_url}}/v1/campaigns/{{campaign_slug}}/receivers/"
DOCUMENTED_RECEIVERS = [
    {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "customer_id": BRAZE_ID,
    }
]
"""The documented webhook body, as Braze renders it for one user."""


def api_requests() -> list[dict[str, Any]]:
    """The receivers endpoint: the documented body, its metadata, then each way to fail."""
    created = [{"id": 1, **DOCUMENTED_RECEIVERS[0]}]
    return [
        request(
            "Create receivers (the documented body)",
            "What Braze's webhook campaign sends for one user: a JSON array of receivers, "
            "`Authorization: Token <token>`. Answers 201 with the created receivers, each with "
            "its id (stored as `receiver_id`). SEEN renders the video 30 s later.",
            "POST",
            RECEIVERS,
            headers=SEEN_AUTH,
            body=DOCUMENTED_RECEIVERS,
            status=201,
            store={"receiver_id": "[0].id"},
            example=created,
        ),
        request(
            "Receivers metadata (OPTIONS)",
            "Django REST Framework's metadata answer; `Allow: POST, OPTIONS`.",
            "OPTIONS",
            RECEIVERS,
            headers=SEEN_AUTH,
            status=200,
            example={
                "name": "Receiver List",
                "description": "",
                "renders": ["application/json"],
                "parses": ["application/json"],
            },
        ),
        request(
            "Error: Bearer instead of Token",
            "The `Token` keyword is required: any other scheme is no credentials at all.",
            "POST",
            RECEIVERS,
            headers={"Authorization": "Bearer {{seen_token}}", **JSON_HEADER},
            body=[{"first_name": "Ada"}],
            status=401,
            example={"detail": "Authentication credentials were not provided."},
        ),
        request(
            "Error: wrong token",
            "A token SEEN did not issue.",
            "POST",
            RECEIVERS,
            headers={"Authorization": f"Token {'0' * 40}", **JSON_HEADER},
            body=[{"first_name": "Ada"}],
            status=401,
            example={"detail": "Invalid token."},
        ),
        request(
            "Error: an object instead of a list",
            "The body must be a JSON array, even for one receiver.",
            "POST",
            RECEIVERS,
            headers=SEEN_AUTH,
            body={"first_name": "Ada"},
            status=400,
            example={"non_field_errors": ['Expected a list of items but got type "dict".']},
        ),
        request(
            "Error: field errors",
            "Every item is checked; if any fails nothing is created, and the answer is a list "
            "aligned with the input (`{}` for the good items).",
            "POST",
            RECEIVERS,
            headers=SEEN_AUTH,
            body=[{"first_name": "Grace"}, {"last_name": "Hopper", "email": "not-an-address"}],
            status=400,
            example=[
                {},
                {
                    "first_name": ["This field is required."],
                    "email": ["Enter a valid email address."],
                },
            ],
        ),
        request(
            "Error: unknown campaign",
            "A campaign slug SEEN does not know.",
            "POST",
            "{{seen_base_url}}/v1/campaigns/welcome-film/receivers/",
            headers=SEEN_AUTH,
            body=[{"first_name": "Ada"}],
            status=404,
            example={"detail": "Not found."},
        ),
        request(
            "Error: GET is not allowed",
            "The receivers endpoint only creates.",
            "GET",
            RECEIVERS,
            headers={"Authorization": "Token {{seen_token}}"},
            status=405,
            example={"detail": 'Method "GET" not allowed.'},
        ),
    ]


def admin_requests() -> list[dict[str, Any]]:
    """The SEEN mock's admin API, ending with a reset."""
    admin = "{{seen_base_url}}/_mock"
    return [
        request(
            "Health",
            "Whether the SEEN mock is up.",
            "GET",
            f"{admin}/health",
            status=200,
            example={"status": "ok", "service": "seen"},
        ),
        request(
            "Campaigns",
            "Every SEEN campaign: slug, token, callback URL and callback options.",
            "GET",
            f"{admin}/campaigns",
            status=200,
        ),
        request(
            "Campaign",
            "One campaign, by slug.",
            "GET",
            f"{admin}/campaigns/{{{{campaign_slug}}}}",
            status=200,
        ),
        request(
            "Receivers of the user",
            "Receivers with their state (`accepted`, `rendered`, `callback_delivered`, "
            "`callback_failed`), links and callback attempts; filters `campaign`, "
            "`customer_id`, `state`.",
            "GET",
            f"{admin}/receivers?customer_id={{{{braze_id}}}}",
            status=200,
        ),
        request(
            "Receiver",
            "The receiver created by the first request of the SEEN folder.",
            "GET",
            f"{admin}/receivers/{{{{receiver_id}}}}",
            status=200,
        ),
        request("Clock", "The mock's clock and its pending work.", "GET", f"{admin}/clock", 200),
        request(
            "Advance the clock 30 s",
            "Runs what falls due on the way: here the receiver's render. With no callback URL "
            "configured on the campaign, there is no callback.",
            "POST",
            f"{admin}/clock",
            headers=JSON_HEADER,
            body={"advance": 30},
            status=200,
        ),
        request(
            "Journal of the receivers hop",
            "Every exchange with its hop, clock time, request, response and JSON Schema "
            "verdicts; filters `hop`, `status`, `direction`, `since`, `limit`.",
            "GET",
            f"{admin}/journal?hop=seen.receivers&limit=5",
            status=200,
        ),
        request(
            "Add a fault rule",
            "The next call to the receivers endpoint answers 503 (stored as `fault_id`; the "
            "next request removes it unused).",
            "POST",
            f"{admin}/faults",
            headers=JSON_HEADER,
            body={"hop": seen_hops.RECEIVERS.name, "status": 503, "times": 1},
            status=201,
            store={"fault_id": ".id"},
        ),
        request("Fault rules", "Every fault rule.", "GET", f"{admin}/faults", 200),
        request(
            "Remove the fault rule",
            "Removes the rule added above.",
            "DELETE",
            f"{admin}/faults/{{{{fault_id}}}}",
            status=204,
        ),
        request(
            "Reset",
            "Back to the start-up state: campaigns from the settings, no receivers, empty "
            "journal, no pending work.",
            "POST",
            f"{admin}/reset",
            status=200,
            example={"status": "reset", "service": "seen"},
        ),
    ]
