"""`seen-braze postman`: a Postman collection (v2.1) and environment for `seen-braze serve`.

Every emulated endpoint with a documented example body, and the admin calls, in an order that
runs top to bottom on a freshly started `seen-braze serve`. Test scripts keep to three forms,
so that any runner (Postman, Newman, or the project's own tests) reads them the same way:

    pm.test("status is 201", function () {
        pm.response.to.have.status(201);
    });
    pm.environment.set("receiver_id", pm.response.json()[0].id);

Every admin request (`/_mock/...`) sends `X-Admin-Token: {{admin_token}}`, a collection variable
that holds the token `seen-braze serve` was given (`--admin-token` or $SEEN_BRAZE_ADMIN_TOKEN,
as the other tools take it); empty, the mocks need none and ignore the header.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from seen_braze_harness.harness.admin_token import ADMIN_TOKEN_ENV
from seen_braze_harness.harness.scenario import Scenario, load_scenario
from seen_braze_harness.mocks.seen import hops as seen_hops
from seen_braze_harness.mocks.seen.links import video_links

SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
COLLECTION_FILE = "seen-braze.postman_collection.json"
ENVIRONMENT_FILE = "seen-braze.postman_environment.json"
NAME = "seen-braze"
SEEN_BASE_URL = "http://127.0.0.1:8801"
BRAZE_BASE_URL = "http://127.0.0.1:8802"
BRAZE_ID = "65a1b2c3d4e5f60718293a4b"
"""The Braze user the collection seeds, sends to SEEN and updates from SEEN's callback."""
EXTERNAL_ID = "u-1"
JSON_HEADER = {"Content-Type": "application/json"}
SEEN_AUTH = {"Authorization": "Token {{seen_token}}", **JSON_HEADER}
BRAZE_AUTH = {"Authorization": "Bearer {{braze_api_key}}", **JSON_HEADER}
ADMIN_TOKEN_HEADER = {"X-Admin-Token": "{{admin_token}}"}
"""What every admin request carries: the collection variable `admin_token`."""
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


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the command to the CLI."""
    parser = commands.add_parser(
        "postman",
        help="write a Postman collection and environment for `seen-braze serve`",
        description="Write a Postman Collection v2.1 of every emulated endpoint and admin call, "
        f"and its environment (base URLs and credentials), into DIR: {COLLECTION_FILE} and "
        f"{ENVIRONMENT_FILE}. Run it top to bottom against a freshly started `seen-braze serve`.",
    )
    parser.add_argument("-o", "--output", metavar="DIR", required=True, help="folder to write")
    parser.add_argument(
        "--scenario", metavar="FILE", help="scenario TOML file for token, slug and API key"
    )
    parser.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help="the admin token `seen-braze serve` requires, sent on every admin request as "
        f"X-Admin-Token (default: ${ADMIN_TOKEN_ENV}, else none)",
    )
    parser.set_defaults(handler=write_postman)


def admin_token(args: argparse.Namespace) -> str:
    """--admin-token, else $SEEN_BRAZE_ADMIN_TOKEN ("": none); ValueError if unusable."""
    given: str | None = getattr(args, "admin_token", None)
    token = given if given is not None else os.environ.get(ADMIN_TOKEN_ENV, "")
    if given is None and not token:
        return ""
    if not token or not all("!" <= c <= "~" for c in token):
        source = "--admin-token" if given is not None else ADMIN_TOKEN_ENV
        raise ValueError(f"{source} must be printable ASCII without spaces, and not empty")
    return token


def write_postman(args: argparse.Namespace) -> int:
    """The command: build both documents and write them into `args.output`."""
    try:
        token = admin_token(args)
    except ValueError as exc:
        print(f"seen-braze postman: {exc}", file=sys.stderr)
        return 2
    scenario = load_scenario(args.scenario)
    collection = build_collection(scenario, admin_token=token)
    environment = build_environment(scenario)
    folder = Path(args.output)
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, document in ((COLLECTION_FILE, collection), (ENVIRONMENT_FILE, environment)):
            path = folder / name
            path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
            written.append(path)
    except OSError as exc:
        print(
            f"seen-braze postman: cannot write to {folder}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    folders = collection["item"]
    count = sum(len(f["item"]) for f in folders)
    print(f"wrote {written[0]} ({count} requests in {len(folders)} folders)")
    print(f"wrote {written[1]}")
    if token:
        print(
            "note: the collection holds the admin token (its variable admin_token): share it "
            "only as you would share the token",
            file=sys.stderr,
        )
    if not _token(scenario):
        print(
            "note: the scenario's SEEN campaign has no fixed token; set seen_token in the "
            "environment to the one `seen-braze serve` prints",
            file=sys.stderr,
        )
    return 0


def build_environment(scenario: Scenario) -> dict[str, Any]:
    """The Postman environment: base URLs, credentials and the ids the requests store."""
    values = {
        "seen_base_url": SEEN_BASE_URL,
        "braze_base_url": BRAZE_BASE_URL,
        "seen_token": _token(scenario),
        "campaign_slug": _slug(scenario),
        "braze_api_key": next(iter(scenario.braze_settings().api_keys)),
        "braze_id": BRAZE_ID,
        "external_id": EXTERNAL_ID,
        "receiver_id": "",
        "fault_id": "",
        "transformation_id": "",
        "transformation_webhook_url": "",
        "campaign_id": "",
    }
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{NAME}/environment")),
        "name": f"{NAME} (local)",
        "values": [
            {"key": key, "value": value, "type": _variable_type(key), "enabled": True}
            for key, value in values.items()
        ],
        "_postman_variable_scope": "environment",
    }


def build_collection(scenario: Scenario, *, admin_token: str = "") -> dict[str, Any]:
    """The Postman collection: four folders, in the order they run; `admin_token` is the
    value of its variable `admin_token`, which every admin request sends."""
    return {
        "info": {
            "_postman_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{NAME}/collection")),
            "name": NAME,
            "description": (
                "The SEEN and Braze mocks of seen-braze-harness, as `seen-braze serve` runs "
                f"them (scenario: {scenario.name}). Select the `{NAME} (local)` environment "
                "and run the collection top to bottom on a freshly started server: each "
                "request's test checks its status, and a few store ids in the environment "
                "for the requests after them. The SEEN folders come first; then Braze admin "
                "resets Braze and creates the Data Transformation, whose webhook URL the "
                "Braze folder posts SEEN's documented callback to. Every admin request "
                "(`/_mock/...`) sends the collection variable `admin_token` as "
                "`X-Admin-Token`: set it to the token of a `seen-braze serve --admin-token` "
                "(empty: none needed)."
            ),
            "schema": SCHEMA_URL,
        },
        "variable": [
            {
                "key": "admin_token",
                "value": admin_token,
                "type": "string",
                "description": "The admin token `seen-braze serve` requires (--admin-token or "
                f"${ADMIN_TOKEN_ENV}); empty when it requires none.",
            }
        ],
        "item": [
            _folder("SEEN", "SEEN's receivers API, as Braze's webhook calls it.", _seen()),
            _folder(
                "SEEN admin",
                "The SEEN mock's admin API (emulator only: not on SEEN). Ends with a reset.",
                _seen_admin(),
            ),
            _folder(
                "Braze admin",
                "The Braze mock's admin API (emulator only: not on Braze). Starts with a reset, "
                "then seeds a user, creates the Data Transformation, a Content Block and a webhook "
                "campaign.",
                _braze_admin(scenario),
            ),
            _folder(
                "Braze",
                "Braze's REST API and the Data Transformation webhook SEEN calls back.",
                _braze(scenario),
            ),
        ],
    }


def _seen() -> list[dict[str, Any]]:
    created = [{"id": 1, **DOCUMENTED_RECEIVERS[0]}]
    return [
        _request(
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
        _request(
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
        _request(
            "Error: Bearer instead of Token",
            "The `Token` keyword is required: any other scheme is no credentials at all.",
            "POST",
            RECEIVERS,
            headers={"Authorization": "Bearer {{seen_token}}", **JSON_HEADER},
            body=[{"first_name": "Ada"}],
            status=401,
            example={"detail": "Authentication credentials were not provided."},
        ),
        _request(
            "Error: wrong token",
            "A token SEEN did not issue.",
            "POST",
            RECEIVERS,
            headers={"Authorization": f"Token {'0' * 40}", **JSON_HEADER},
            body=[{"first_name": "Ada"}],
            status=401,
            example={"detail": "Invalid token."},
        ),
        _request(
            "Error: an object instead of a list",
            "The body must be a JSON array, even for one receiver.",
            "POST",
            RECEIVERS,
            headers=SEEN_AUTH,
            body={"first_name": "Ada"},
            status=400,
            example={"non_field_errors": ['Expected a list of items but got type "dict".']},
        ),
        _request(
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
        _request(
            "Error: unknown campaign",
            "A campaign slug SEEN does not know.",
            "POST",
            "{{seen_base_url}}/v1/campaigns/welcome-film/receivers/",
            headers=SEEN_AUTH,
            body=[{"first_name": "Ada"}],
            status=404,
            example={"detail": "Not found."},
        ),
        _request(
            "Error: GET is not allowed",
            "The receivers endpoint only creates.",
            "GET",
            RECEIVERS,
            headers={"Authorization": "Token {{seen_token}}"},
            status=405,
            example={"detail": 'Method "GET" not allowed.'},
        ),
    ]


def _seen_admin() -> list[dict[str, Any]]:
    admin = "{{seen_base_url}}/_mock"
    return [
        _request(
            "Health",
            "Whether the SEEN mock is up.",
            "GET",
            f"{admin}/health",
            status=200,
            example={"status": "ok", "service": "seen"},
        ),
        _request(
            "Campaigns",
            "Every SEEN campaign: slug, token, callback URL and callback options.",
            "GET",
            f"{admin}/campaigns",
            status=200,
        ),
        _request(
            "Campaign",
            "One campaign, by slug.",
            "GET",
            f"{admin}/campaigns/{{{{campaign_slug}}}}",
            status=200,
        ),
        _request(
            "Receivers of the user",
            "Receivers with their state (`accepted`, `rendered`, `callback_delivered`, "
            "`callback_failed`), links and callback attempts; filters `campaign`, "
            "`customer_id`, `state`.",
            "GET",
            f"{admin}/receivers?customer_id={{{{braze_id}}}}",
            status=200,
        ),
        _request(
            "Receiver",
            "The receiver created by the first request of the SEEN folder.",
            "GET",
            f"{admin}/receivers/{{{{receiver_id}}}}",
            status=200,
        ),
        _request("Clock", "The mock's clock and its pending work.", "GET", f"{admin}/clock", 200),
        _request(
            "Advance the clock 30 s",
            "Runs what falls due on the way: here the receiver's render. With no callback URL "
            "configured on the campaign, there is no callback.",
            "POST",
            f"{admin}/clock",
            headers=JSON_HEADER,
            body={"advance": 30},
            status=200,
        ),
        _request(
            "Journal of the receivers hop",
            "Every exchange with its hop, clock time, request, response and JSON Schema "
            "verdicts; filters `hop`, `status`, `direction`, `since`, `limit`.",
            "GET",
            f"{admin}/journal?hop=seen.receivers&limit=5",
            status=200,
        ),
        _request(
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
        _request("Fault rules", "Every fault rule.", "GET", f"{admin}/faults", 200),
        _request(
            "Remove the fault rule",
            "Removes the rule added above.",
            "DELETE",
            f"{admin}/faults/{{{{fault_id}}}}",
            status=204,
        ),
        _request(
            "Reset",
            "Back to the start-up state: campaigns from the settings, no receivers, empty "
            "journal, no pending work.",
            "POST",
            f"{admin}/reset",
            status=200,
            example={"status": "reset", "service": "seen"},
        ),
    ]


def _braze_admin(scenario: Scenario) -> list[dict[str, Any]]:
    admin = "{{braze_base_url}}/_mock"
    transformation = scenario.transformation
    webhook = scenario.webhook
    headers = {k: v for k, v in webhook["headers"].items() if k.lower() != "authorization"}
    return [
        _request(
            "Reset",
            "Back to the start-up state, so the ids below are fresh: profiles from the "
            "settings, no transformations, no campaigns, empty journal.",
            "POST",
            f"{admin}/reset",
            status=200,
            example={"status": "reset", "service": "braze"},
        ),
        _request(
            "Health",
            "Whether the Braze mock is up.",
            "GET",
            f"{admin}/health",
            status=200,
            example={"status": "ok", "service": "braze"},
        ),
        _request("Clock", "The mock's clock and its pending work.", "GET", f"{admin}/clock", 200),
        _request(
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
        _request(
            "Users",
            "Profiles; filters `braze_id`, `external_id`, `email`.",
            "GET",
            f"{admin}/users?external_id={{{{external_id}}}}",
            status=200,
        ),
        _request("Export users", "Every profile.", "GET", f"{admin}/users/export", 200),
        _request(
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
        _request(
            "Activate the transformation",
            "A transformation runs the webhooks it receives only while active.",
            "POST",
            f"{admin}/transformations/{{{{transformation_id}}}}/activate",
            status=200,
        ),
        _request(
            "Transformations",
            "Every transformation, with its webhook URL and counters.",
            "GET",
            f"{admin}/transformations",
            status=200,
        ),
        _request(
            "Validate the transformation",
            "Runs the code on SEEN's documented callback without delivering anything: the "
            "output, the destination's errors with JSON pointers, the console.",
            "POST",
            f"{admin}/transformations/{{{{transformation_id}}}}/validate",
            headers=JSON_HEADER,
            body={"payload": _callback(scenario)},
            status=200,
        ),
        _request(
            "Transformation logs",
            "The incoming requests of the transformation, each with its output or error and "
            "the destination's answer (empty until the Braze folder posts the callback).",
            "GET",
            f"{admin}/transformations/logs?transformation={{{{transformation_id}}}}&limit=10",
            status=200,
        ),
        _request(
            "Create a catalog",
            "A catalog the catalog destinations can write to.",
            "POST",
            f"{admin}/catalogs",
            headers=JSON_HEADER,
            body={"name": "videos"},
            status=201,
        ),
        _request("Catalogs", "Every catalog.", "GET", f"{admin}/catalogs", 200),
        _request(
            "Messages",
            "What the Send messages destination recorded.",
            "GET",
            f"{admin}/messages",
            status=200,
        ),
        _request(
            "Create a Content Block",
            "A Content Block templates include with `{{content_blocks.${seen_signature}}}`; "
            "a campaign using a block that does not exist is refused when it is saved.",
            "POST",
            f"{admin}/content_blocks",
            headers=JSON_HEADER,
            body={"name": "seen_signature", "content": "Sent by {{campaign.${name}}}"},
            status=201,
        ),
        _request(
            "Content Blocks",
            "Every Content Block: its Liquid, its tag and the blocks it uses.",
            "GET",
            f"{admin}/content_blocks",
            status=200,
        ),
        _request(
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
        _request(
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
        _request(
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
        _request(
            "Campaign messages",
            "Each message's state, rendered request and attempts; filters `dispatch_id`, "
            "`state`, `external_id`, `limit`.",
            "GET",
            f"{admin}/campaigns/{{{{campaign_id}}}}/messages",
            status=200,
        ),
        _request(
            "Message Activity Log",
            "Failures, aborts and Liquid errors; filters `campaign_id`, `since`.",
            "GET",
            f"{admin}/activity-log?campaign_id={{{{campaign_id}}}}",
            status=200,
        ),
    ]


def _braze(scenario: Scenario) -> list[dict[str, Any]]:
    track = "{{braze_base_url}}/users/track"
    return [
        _request(
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
        _request(
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
        _request(
            "Error: invalid API key",
            "A key Braze does not know.",
            "POST",
            track,
            headers={"Authorization": "Bearer not-a-key", **JSON_HEADER},
            body={"attributes": [{"external_id": "{{external_id}}", "first_name": "Ada"}]},
            status=401,
            example={"message": "Invalid API Key"},
        ),
        _request(
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
        _slug(scenario),
        1,
        landing_page_template=settings.landing_page_template,
        media_base_url=settings.media_base_url,
    )
    return {"customer_id": BRAZE_ID, "campaign_slug": _slug(scenario), **links.to_dict()}


def _folder(name: str, description: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "description": description, "item": items}


def _request(
    name: str,
    description: str,
    method: str,
    url: str,
    status: int,
    *,
    headers: dict[str, str] | None = None,
    body: Any = None,
    store: dict[str, str] | None = None,
    example: Any = None,
) -> dict[str, Any]:
    """One request, its test script (the status; then what it stores) and its example; an
    admin request (`/_mock/...`) also sends the admin token."""
    sent = {**(headers or {}), **(ADMIN_TOKEN_HEADER if "/_mock/" in url else {})}
    request: dict[str, Any] = {
        "method": method,
        "header": [{"key": k, "value": v, "type": "text"} for k, v in sent.items()],
        "url": _url(url),
        "description": description,
    }
    if body is not None:
        request["body"] = {
            "mode": "raw",
            "raw": json.dumps(body, indent=2, ensure_ascii=False),
            "options": {"raw": {"language": "json"}},
        }
    script = [
        f'pm.test("status is {status}", function () {{',
        f"    pm.response.to.have.status({status});",
        "});",
    ]
    for variable, path in (store or {}).items():
        script.append(f'pm.environment.set("{variable}", pm.response.json(){path});')
    item: dict[str, Any] = {
        "name": name,
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": script}}],
        "request": request,
        "response": [],
    }
    if example is not None:
        item["response"].append(
            {
                "name": f"{status} {name}",
                "originalRequest": {k: v for k, v in request.items() if k != "description"},
                "status": _REASONS.get(status, ""),
                "code": status,
                "_postman_previewlanguage": "json",
                "header": [{"key": "Content-Type", "value": "application/json"}],
                "body": json.dumps(example, ensure_ascii=False),
            }
        )
    return item


def _url(raw: str) -> dict[str, Any]:
    """Postman's URL object: the raw text, its host variable, path and query."""
    address, _, query = raw.partition("?")
    host, _, path = address.partition("/")
    url: dict[str, Any] = {"raw": raw, "host": [host]}
    if path:
        url["path"] = path.split("/")
    if query:
        url["query"] = [{"key": k, "value": v} for k, v in parse_qsl(query)]
    return url


_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
}


def _token(scenario: Scenario) -> str:
    token = scenario.seen_campaign.get("token")
    return token if isinstance(token, str) else ""


def _slug(scenario: Scenario) -> str:
    slug = scenario.seen_campaign.get("slug")
    return slug if isinstance(slug, str) else "onboarding"


def _variable_type(key: str) -> str:
    return "secret" if key in {"seen_token", "braze_api_key"} else "default"
