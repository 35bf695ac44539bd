"""The Braze folders of the collection: the Braze mock's admin API, which creates the
scenario's Data Transformation and webhook campaign, and Braze's REST API with the
transformation webhook SEEN calls back."""

from __future__ import annotations

from typing import Any

from seen_braze_harness.harness.postman.environment import BRAZE_ID, campaign_slug
from seen_braze_harness.harness.postman.items import JSON_HEADER, request
from seen_braze_harness.harness.postman.seen import RECEIVERS
from seen_braze_harness.harness.scenario import Scenario
from seen_braze_harness.mocks.seen.links import video_links

BRAZE_AUTH = {"Authorization": "Bearer {{braze_api_key}}", **JSON_HEADER}
USERS_TRACK_EXAMPLE = {
    "attributes": [
        {
            "external_id": "user_identifier",
            "string_attribute": "fruit",
            "array_attribute": ["banana", "apple"],
        }
    ],
    "events": [
        {
            "external_id": "user_identifier",
            "app_id": "app_identifier",
            "name": "watched_trailer",
            "time": "2013-07-16T19:20:30+1:00",
        }
    ],
    "purchases": [
        {
            "external_id": "user_identifier",
            "product_id": "product_name",
            "currency": "USD",
            "price": 12.12,
            "quantity": 6,
            "time": "2017-05-12T18:47:12Z",
        }
    ],
}
"""Braze's own example request of `/users/track`."""


def admin_requests(scenario: Scenario) -> list[dict[str, Any]]:
    """The Braze mock's admin API, starting with a reset: the seeded user, the scenario's
    transformation, a catalog, a Content Block, the scenario's webhook campaign and its sends."""
    admin = "{{braze_base_url}}/_mock"
    transformation = scenario.transformation
    webhook = scenario.webhook
    headers = {k: v for k, v in webhook["headers"].items() if k.lower() != "authorization"}
    return [
        request(
            "Reset",
            "Back to the start-up state, so the ids below are fresh: profiles from the "
            "settings, no transformations, no campaigns, empty journal.",
            "POST",
            f"{admin}/reset",
            status=200,
            example={"status": "reset", "service": "braze"},
        ),
        request(
            "Health",
            "Whether the Braze mock is up.",
            "GET",
            f"{admin}/health",
            status=200,
            example={"status": "ok", "service": "braze"},
        ),
        request("Clock", "The mock's clock and its pending work.", "GET", f"{admin}/clock", 200),
        request(
            "Seed a user",
            "One profile (or a list), in `/users/track` attribute form; `braze_id` may be "
            "given (24 hex characters).",
            "POST",
            f"{admin}/users",
            headers=JSON_HEADER,
            body={
                "braze_id": "{{braze_id}}",
                "external_id": "{{external_id}}",
                "first_name": "Ada",
                "last_name": "Lovelace",
                "email": "ada@example.com",
            },
            status=201,
        ),
        request(
            "Users",
            "Profiles; filters `braze_id`, `external_id`, `email`.",
            "GET",
            f"{admin}/users?external_id={{{{external_id}}}}",
            status=200,
        ),
        request("Export users", "Every profile.", "GET", f"{admin}/users/export", 200),
        request(
            "Create the transformation",
            "The scenario's Data Transformation (SEEN's callback to `/users/track`). Its "
            "webhook URL, where SEEN calls back, is stored as `transformation_webhook_url`, "
            "its id as `transformation_id`.",
            "POST",
            f"{admin}/transformations",
            headers=JSON_HEADER,
            body={
                "name": transformation["name"],
                "destination": transformation["destination"],
                "code": transformation["code"],
            },
            status=201,
            store={"transformation_id": ".id", "transformation_webhook_url": ".webhook_url"},
        ),
        request(
            "Activate the transformation",
            "A transformation runs the webhooks it receives only while active.",
            "POST",
            f"{admin}/transformations/{{{{transformation_id}}}}/activate",
            status=200,
        ),
        request(
            "Transformations",
            "Every transformation, with its webhook URL and counters.",
            "GET",
            f"{admin}/transformations",
            status=200,
        ),
        request(
            "Validate the transformation",
            "Runs the code on SEEN's documented callback without delivering anything: the "
            "output, the destination's errors with JSON pointers, the console.",
            "POST",
            f"{admin}/transformations/{{{{transformation_id}}}}/validate",
            headers=JSON_HEADER,
            body={"payload": _callback(scenario)},
            status=200,
        ),
        request(
            "Transformation logs",
            "The incoming requests of the transformation, each with its output or error and "
            "the destination's answer (empty until the Braze folder posts the callback).",
            "GET",
            f"{admin}/transformations/logs?transformation={{{{transformation_id}}}}&limit=10",
            status=200,
        ),
        request(
            "Create a catalog",
            "A catalog the catalog destinations can write to.",
            "POST",
            f"{admin}/catalogs",
            headers=JSON_HEADER,
            body={"name": "videos"},
            status=201,
        ),
        request("Catalogs", "Every catalog.", "GET", f"{admin}/catalogs", 200),
        request(
            "Messages",
            "What the Send messages destination recorded.",
            "GET",
            f"{admin}/messages",
            status=200,
        ),
        request(
            "Create a Content Block",
            "A Content Block templates include with `{{content_blocks.${seen_signature}}}`; "
            "a campaign using a block that does not exist is refused when it is saved.",
            "POST",
            f"{admin}/content_blocks",
            headers=JSON_HEADER,
            body={"name": "seen_signature", "content": "Sent by {{campaign.${name}}}"},
            status=201,
        ),
        request(
            "Content Blocks",
            "Every Content Block: its Liquid, its tag and the blocks it uses.",
            "GET",
            f"{admin}/content_blocks",
            status=200,
        ),
        request(
            "Create the webhook campaign",
            "The scenario's webhook campaign, sending to the SEEN mock: Liquid in the URL, "
            "headers and body, rendered per user (stored as `campaign_id`).",
            "POST",
            f"{admin}/campaigns",
            headers=JSON_HEADER,
            body={
                "name": webhook["name"],
                "url": RECEIVERS,
                "method": webhook["method"],
                "headers": {"Authorization": "Token {{seen_token}}", **headers},
                "body": webhook["body"],
                "body_format": webhook["body_format"],
                "rate_per_minute": webhook["rate_per_minute"],
            },
            status=201,
            store={"campaign_id": ".id"},
        ),
        request(
            "Test send",
            "One attempt for one custom user, no retry: the status line and raw answer, as "
            "the campaign's Test tab shows them. The user may instead be chosen by "
            "`external_id`, `braze_id` or `email`; trigger properties fill "
            "`api_trigger_properties.${…}`.",
            "POST",
            f"{admin}/campaigns/{{{{campaign_id}}}}/test",
            headers=JSON_HEADER,
            body={
                "user": {
                    "external_id": "ada",
                    "braze_id": "0123456789abcdef01234567",
                    "first_name": "Ada",
                    "last_name": "Lovelace",
                    "email": "ada@example.com",
                },
                "trigger_properties": {"offer": "welcome"},
            },
            status=200,
        ),
        request(
            "Send the campaign",
            "Sends to the seeded user at the campaign's rate, with trigger properties as "
            "Braze's `/campaigns/trigger/send` recipients carry them; 202 with the dispatch id.",
            "POST",
            f"{admin}/campaigns/{{{{campaign_id}}}}/send",
            headers=JSON_HEADER,
            body={
                "trigger_properties": {"offer": "welcome"},
                "recipients": [
                    {"external_user_id": "{{external_id}}", "trigger_properties": {"offer": "vip"}}
                ],
            },
            status=202,
        ),
        request(
            "Campaign messages",
            "Each message's state, rendered request and attempts; filters `dispatch_id`, "
            "`state`, `external_id`, `limit`.",
            "GET",
            f"{admin}/campaigns/{{{{campaign_id}}}}/messages",
            status=200,
        ),
        request(
            "Message Activity Log",
            "Failures, aborts and Liquid errors; filters `campaign_id`, `since`.",
            "GET",
            f"{admin}/activity-log?campaign_id={{{{campaign_id}}}}",
            status=200,
        ),
    ]


def api_requests(scenario: Scenario) -> list[dict[str, Any]]:
    """`/users/track` (Braze's example, SEEN's links, a bad key), then SEEN's callback to the
    transformation's webhook."""
    track = "{{braze_base_url}}/users/track"
    return [
        request(
            "Track users (Braze's example)",
            "Braze's own example request of `/users/track`, answered as Braze documents it.",
            "POST",
            track,
            headers=BRAZE_AUTH,
            body=USERS_TRACK_EXAMPLE,
            status=201,
            example={
                "message": "success",
                "attributes_processed": 1,
                "events_processed": 1,
                "purchases_processed": 1,
            },
        ),
        request(
            "Track users (SEEN's links, update only)",
            "What the transformation makes of SEEN's callback: an update-only write by "
            "`braze_id` to the user seeded in Braze admin.",
            "POST",
            track,
            headers=BRAZE_AUTH,
            body={
                "attributes": [
                    {
                        "braze_id": "{{braze_id}}",
                        "_update_existing_only": True,
                        "landing_page_url": _callback(scenario)["landing_page_url"],
                    }
                ]
            },
            status=201,
            example={"message": "success", "attributes_processed": 1},
        ),
        request(
            "Error: invalid API key",
            "A key Braze does not know.",
            "POST",
            track,
            headers={"Authorization": "Bearer not-a-key", **JSON_HEADER},
            body={"attributes": [{"external_id": "{{external_id}}", "first_name": "Ada"}]},
            status=401,
            example={"message": "Invalid API Key"},
        ),
        request(
            "SEEN's callback to the transformation",
            "SEEN's documented callback, as SEEN posts it when the video is rendered, to the "
            "webhook URL stored by Braze admin's Create the transformation. Acknowledged "
            "before the code runs; the run then updates the user's profile.",
            "POST",
            "{{transformation_webhook_url}}",
            headers=JSON_HEADER,
            body=_callback(scenario),
            status=201,
            example={"message": "success"},
        ),
    ]


def _callback(scenario: Scenario) -> dict[str, str]:
    """SEEN's documented callback for the seeded user's first receiver."""
    settings = scenario.seen_settings()
    links = video_links(
        settings.link_seed,
        campaign_slug(scenario),
        1,
        landing_page_template=settings.landing_page_template,
        media_base_url=settings.media_base_url,
    )
    return {"customer_id": BRAZE_ID, "campaign_slug": campaign_slug(scenario), **links.to_dict()}
