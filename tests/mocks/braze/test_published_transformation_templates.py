"""Braze's published Data Transformation templates, run on the payloads their pages show.

The last point of issue #11. Each template's JavaScript is kept exactly as Braze publishes it in
`published_templates/<name>.js`, a comment at its top naming the page it comes from, with the
page's sample payload as `<name>.payload.json` (the Typeform page shows one payload for its two
templates, `typeform_example_webhook.payload.json`, and an expected output for each,
`<name>.page_output.json`). Braze's two default templates ("Creating a transformation") come
with no payload on their page: the payloads used for them are ours,
`<name>.assumed_payload.json`, and say nothing about Braze.

Every template runs the way the Data Transformation runs it: the webhook is posted to the
transformation's URL, the run happens on the scheduler, and the log shows the output and the
destination's answer; the profile then shows what was written. Validate
(`POST /_mock/transformations/<id>/validate`) and the offline `seen-braze transform` give the
same verdict. Where a page's expected output disagrees with what its own JavaScript produces on
its own payload, the test says so and why: the JavaScript wins.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from seen_braze_harness.harness.cli import main as cli_main
from seen_braze_harness.mocks.braze.errors import VALID_DATA
from tests.mocks.braze.conftest import track
from tests.mocks.braze.test_transformations import create, path_of, runtime_of

TEMPLATES = Path(__file__).parent / "published_templates"
GROUP_ID = "3f8c2e1a-8a4c-4d9e-9d1e-6a2b7c9d0e1f"
"""A subscription group id of the documented form (a UUID), for the Regal placeholder."""


def code_of(name: str) -> str:
    return (TEMPLATES / f"{name}.js").read_text("utf-8")


def text_of(file: str) -> str:
    return (TEMPLATES / file).read_text("utf-8")


def json_of(file: str) -> Any:
    return json.loads(text_of(file))


def line_of(name: str, fragment: str) -> int:
    """The 1-based line of the template file holding `fragment` (the only one)."""
    (line,) = [n for n, text in enumerate(code_of(name).splitlines(), 1) if fragment in text]
    return line


@dataclass
class Run:
    acknowledgement: TestResponse
    entry: dict[str, Any]
    transformation: dict[str, Any]


def run_webhook(
    app: Flask, client: FlaskClient, name: str, body: str, destination: str = "track-users"
) -> Run:
    """Create the template's transformation (active), post `body` as its webhook, run it."""
    made = create(client, name=name, code=code_of(name), destination=destination, active=True)
    ack = client.post(path_of(made), data=body.encode("utf-8"), content_type="application/json")
    runtime_of(app).scheduler.run_until_idle()
    logs = client.get(f"/_mock/transformations/logs?transformation={made['id']}").json["logs"]
    (entry,) = logs
    shown = client.get(f"/_mock/transformations/{made['id']}").json
    return Run(ack, entry, shown)


def validate(
    client: FlaskClient, name: str, payload: Any, destination: str = "track-users"
) -> dict[str, Any]:
    """Validate the template's transformation on `payload` (the editor's Validate button)."""
    made = create(client, name=name, code=code_of(name), destination=destination)
    response = client.post(
        f"/_mock/transformations/{made['id']}/validate", json={"payload": payload}
    )
    assert response.status_code == 200, response.json
    shown: dict[str, Any] = response.json
    return shown


def transform_offline(
    capsys: pytest.CaptureFixture[str], name: str, payload_file: str, destination: str
) -> tuple[int, dict[str, Any]]:
    """`seen-braze transform NAME.js --payload FILE --destination D --json`."""
    status = cli_main(
        [
            "transform",
            str(TEMPLATES / f"{name}.js"),
            "--payload",
            str(TEMPLATES / payload_file),
            "--destination",
            destination,
            "--json",
        ]
    )
    shown: dict[str, Any] = json.loads(capsys.readouterr().out)
    return status, shown


def profile_of(app: Flask, **identifier: str) -> dict[str, Any]:
    (found,) = app.extensions["braze"].profiles.query(**identifier)
    shown: dict[str, Any] = found.to_dict()
    return shown


def is_iso_between(value: Any, before: float, after: float) -> bool:
    """Whether `value` is a JavaScript toISOString() of a moment in [before, after]."""
    if not isinstance(value, str) or not value.endswith("Z") or len(value) != 24:
        return False
    moment = datetime.fromisoformat(value).timestamp()
    return before - 0.001 <= moment <= after + 0.001


def mask_now(value: Any, before: float, after: float) -> Any:
    """`value` with every `new Date()` reading made in [before, after] replaced by "<now>"."""
    if isinstance(value, dict):
        return {k: mask_now(v, before, after) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_now(v, before, after) for v in value]
    return "<now>" if is_iso_between(value, before, after) else value


@pytest.fixture
def wall() -> float:
    """Real time at the test's start: `new Date()` in V8 reads the real clock, not the mock's."""
    return time.time()


def now_span(wall: float) -> tuple[float, float]:
    return wall, time.time()


# -- "Creating a transformation": the default Track users template ---------------------------

DEFAULT_TRACK = "braze_default_track_users"


def test_braze_default_track_users_template_updates_only_existing_users(
    app: Flask, client: FlaskClient, wall: float
) -> None:
    body = text_of(f"{DEFAULT_TRACK}.assumed_payload.json")
    first = run_webhook(app, client, DEFAULT_TRACK, body)
    assert (first.acknowledgement.status_code, first.acknowledgement.json) == (
        201,
        {"message": "success"},
    )
    before, after = now_span(wall)
    output = first.entry["output"]
    assert is_iso_between(output["events"][0]["time"], before, after), "new Date(), serialised"
    assert mask_now(output, before, after) == {
        "attributes": [
            {
                "external_id": "user-1",
                "_update_existing_only": True,
                "attribute_1": "value of attribute_1",
            }
        ],
        "events": [
            {
                "external_id": "user-1",
                "_update_existing_only": True,
                "name": "event_1_happened",
                "time": "<now>",
                "properties": {},
            }
        ],
        "purchases": [
            {
                "external_id": "user-1",
                "_update_existing_only": True,
                "product_id": "product-1",
                "currency": "USD",
                "price": 9.99,
                "quantity": 2,
                "time": "2026-11-27T11:00:00.000Z",
                "properties": {"property_1": "value of purchase property_1"},
            }
        ],
    }
    assert first.entry["destination"] == {
        "endpoint": "POST /users/track",
        "status": 201,
        "body": {
            "message": "success",
            "attributes_processed": 1,
            "events_processed": 1,
            "purchases_processed": 1,
        },
    }
    assert len(app.extensions["braze"].profiles) == 0, "_update_existing_only: true creates none"

    app.extensions["braze"].profiles.seed({"external_id": "user-1"})
    run_webhook(app, client, DEFAULT_TRACK, body)
    stored = profile_of(app, external_id="user-1")
    assert stored["custom_attributes"] == {"attribute_1": "value of attribute_1"}
    assert [(e["name"], e["properties"]) for e in stored["events"]] == [("event_1_happened", {})]
    assert [(p["product_id"], p["price"], p["time"]) for p in stored["purchases"]] == [
        ("product-1", 9.99, "2026-11-27T11:00:00.000Z")
    ] * 2, "quantity 2 is kept as two purchases of one"


def test_braze_default_track_users_template_cannot_give_its_event_both_a_name_and_property_1(
    app: Flask, client: FlaskClient
) -> None:
    """The template reads the event's name from `payload.event_1` and its property from
    `payload.event_1.property_1`: with `event_1` a string (above) the property is undefined and
    dropped; with `event_1` an object (here) the name is an object and /users/track refuses
    the event, while the attribute and the purchase of the same output are applied."""
    app.extensions["braze"].profiles.seed({"external_id": "user-1"})
    given = json_of(f"{DEFAULT_TRACK}.assumed_payload.json")
    given["event_1"] = {"property_1": "value of event property_1"}
    run = run_webhook(app, client, DEFAULT_TRACK, json.dumps(given))
    event = run.entry["output"]["events"][0]
    assert event["name"] == {"property_1": "value of event property_1"}
    assert event["properties"] == {"property_1": "value of event property_1"}
    assert run.entry["error"] is None, "a partial output is delivered"
    assert run.entry["destination"]["status"] == 201
    assert run.entry["destination"]["body"] == {
        "message": "success",
        "attributes_processed": 1,
        "events_processed": 0,
        "purchases_processed": 1,
        "errors": [
            {"type": "'name' must be a non-empty string", "input_array": "events", "index": 0}
        ],
    }
    stored = profile_of(app, external_id="user-1")
    assert stored["events"] == [] and len(stored["purchases"]) == 2
    shown = validate(client, DEFAULT_TRACK, given)
    assert shown["acceptable"] is False
    assert [e["pointer"] for e in shown["errors"]] == ["/events/0"]


def test_braze_default_track_users_template_fails_at_its_event_property_line_without_event_1(
    client: FlaskClient,
) -> None:
    shown = validate(client, DEFAULT_TRACK, {"user_id": "user-1"})
    assert shown["acceptable"] is False and shown["output"] is None
    assert shown["error"]["kind"] == "runtime"
    assert "property_1" in shown["error"]["message"]
    assert shown["error"]["line"] == line_of(DEFAULT_TRACK, "payload.event_1.property_1")


# -- "Creating a transformation": the default catalog items template -------------------------

DEFAULT_CATALOG = "braze_default_catalog_items"
PLACEHOLDER_POINTERS = [
    f"/items/{item}/catalog_column{column}" for item in range(3) for column in range(1, 6)
]


def test_braze_default_catalog_template_placeholder_columns_are_invalid_fields(
    app: Flask, client: FlaskClient
) -> None:
    """The page: "`catalog_column` is a placeholder value. Be sure item objects only contain
    fields that exist in the catalog." Against a catalog defined with other fields, each of the
    five columns of each of the three items is Braze's `invalid-fields`."""
    fields = [{"name": "id", "type": "string"}, {"name": "title", "type": "string"}]
    assert client.post("/_mock/catalogs", json={"name": "catalog_name", "fields": fields})
    body = text_of(f"{DEFAULT_CATALOG}.assumed_payload.json")
    run = run_webhook(app, client, DEFAULT_CATALOG, body, destination="catalog-put")
    assert run.entry["output"]["catalog_name"] == "catalog_name"
    assert [item["id"] for item in run.entry["output"]["items"]] == ["item-1", "item-2", "item-3"]
    assert run.entry["error"]["kind"] == "invalid_output"
    assert run.entry["error"]["message"].count("invalid-fields") == 15
    assert run.entry["destination"] is None
    assert run.transformation["counters"] == {"incoming_requests": 1, "deliveries": 0}

    shown = validate(
        client,
        DEFAULT_CATALOG,
        json_of(f"{DEFAULT_CATALOG}.assumed_payload.json"),
        destination="catalog-put",
    )
    assert shown["acceptable"] is False
    assert [e["pointer"] for e in shown["errors"]] == PLACEHOLDER_POINTERS
    assert {e["message"].split(":")[0] for e in shown["errors"]} == {"invalid-fields"}

    endpoint = app.extensions["braze"].transformations.destinations["catalog-put"]
    answer = endpoint.deliver(run.entry["output"])
    assert (answer.endpoint, answer.status) == ("PUT /catalogs/catalog_name/items", 400)
    assert answer.body == {
        "errors": [
            {
                "id": "invalid-fields",
                "message": "Some of the fields given do not exist in the catalog",
                "parameters": ["id"],
                "parameter_values": ["item-1", "item-2", "item-3"],
            }
        ],
        "message": "Invalid Request",
    }
    (catalog,) = client.get("/_mock/catalogs").json["catalogs"]
    assert catalog["items"] == []


def test_braze_default_catalog_template_is_accepted_by_a_catalog_with_its_column_names(
    app: Flask, client: FlaskClient
) -> None:
    fields = [
        {"name": "id", "type": "string"},
        {"name": "catalog_column1", "type": "string"},
        {"name": "catalog_column2", "type": "number"},
        {"name": "catalog_column3", "type": "boolean"},
        {"name": "catalog_column4", "type": "time"},
        {"name": "catalog_column5", "type": "object"},
    ]
    client.post("/_mock/catalogs", json={"name": "catalog_name", "fields": fields})
    body = text_of(f"{DEFAULT_CATALOG}.assumed_payload.json")
    run = run_webhook(app, client, DEFAULT_CATALOG, body, destination="catalog-put")
    assert run.entry["error"] is None
    assert run.entry["destination"] == {
        "endpoint": "PUT /catalogs/catalog_name/items",
        "status": 202,
        "body": {"message": "success"},
    }
    (catalog,) = client.get("/_mock/catalogs").json["catalogs"]
    assert catalog["items"] == run.entry["output"]["items"]


def test_braze_default_catalog_template_names_a_catalog_that_must_exist(
    client: FlaskClient,
) -> None:
    shown = validate(
        client,
        DEFAULT_CATALOG,
        json_of(f"{DEFAULT_CATALOG}.assumed_payload.json"),
        destination="catalog-put",
    )
    assert shown["errors"] == [
        {
            "pointer": "/catalog_name",
            "message": "catalog-not-found: Could not find catalog 'catalog_name'",
        }
    ]


# -- SEEN -------------------------------------------------------------------------------------

SEEN = "seen_video_links"


def test_seen_template_on_its_page_payload_is_acceptable_and_writes_nothing_for_braze_id_101(
    app: Flask, client: FlaskClient
) -> None:
    """The page's test callback has `customer_id: "101"`, which no Braze profile can have as
    its `braze_id` (Braze assigns those): the request is acceptable and delivered, and with
    `_update_existing_only: true` it writes nothing."""
    page = json_of(f"{SEEN}.payload.json")
    run = run_webhook(app, client, SEEN, text_of(f"{SEEN}.payload.json"))
    assert (run.acknowledgement.status_code, run.acknowledgement.json) == (
        201,
        {"message": "success"},
    )
    assert run.entry["output"] == {
        "attributes": [
            {
                "braze_id": "101",
                "_update_existing_only": True,
                "landing_page_url": page["landing_page_url"],
                "email_thumbnail_url": page["email_thumbnail_url"],
            }
        ]
    }
    assert run.entry["destination"]["body"] == {"message": "success", "attributes_processed": 1}
    assert run.transformation["counters"] == {"incoming_requests": 1, "deliveries": 1}
    assert len(app.extensions["braze"].profiles) == 0
    assert validate(client, SEEN, page)["acceptable"] is True, "the page's step 7, Validate"


def test_seen_template_writes_the_two_link_attributes_on_the_user_of_its_braze_id(
    app: Flask, client: FlaskClient
) -> None:
    """The page: create `landing_page_url` and `email_thumbnail_url` custom attributes, and pass
    `braze_id` as the identifier; its callback, with a real user's braze_id as `customer_id`."""
    user = app.extensions["braze"].profiles.seed({"external_id": "seen-user"})
    callback = {**json_of(f"{SEEN}.payload.json"), "customer_id": user.braze_id}
    run = run_webhook(app, client, SEEN, json.dumps(callback))
    assert run.entry["destination"]["status"] == 201
    assert profile_of(app, external_id="seen-user")["custom_attributes"] == {
        "landing_page_url": "your.subdomain.com/v/12345",
        "email_thumbnail_url": callback["email_thumbnail_url"],
    }


# -- Stayfilm ---------------------------------------------------------------------------------

STAYFILM = "stayfilm_callback"


def test_stayfilm_template_on_its_page_payload_writes_the_documented_attributes_and_event(
    app: Flask, client: FlaskClient, wall: float
) -> None:
    """The page's step 1 creates the test user `stayfilm-poc-001`; its step 9 posts the sample
    callback ("A successful response returns HTTP status 201 with {"message": "success"}"); its
    table lists the attributes written, and the event `stayfilm_video_ready`."""
    page_payload = text_of(f"{STAYFILM}.payload.json")
    assert validate(client, STAYFILM, json.loads(page_payload))["acceptable"] is True
    app.extensions["braze"].profiles.seed({"external_id": "stayfilm-poc-001"})
    run = run_webhook(app, client, STAYFILM, page_payload)
    assert (run.acknowledgement.status_code, run.acknowledgement.json) == (
        201,
        {"message": "success"},
    )
    before, after = now_span(wall)
    assert mask_now(run.entry["output"], before, after) == {
        "attributes": [
            {
                "external_id": "stayfilm-poc-001",
                "_update_existing_only": True,
                "stayfilm_video_status": "ready",
                "stayfilm_video_url": "https://example.com/stayfilm-poc-video.mp4",
                "stayfilm_job_id": "debug-job-001",
                "stayfilm_render_error": None,
                "stayfilm_callback_received_at": "<now>",
            }
        ],
        "events": [
            {
                "external_id": "stayfilm-poc-001",
                "_update_existing_only": True,
                "name": "stayfilm_video_ready",
                "time": "<now>",
                "properties": {
                    "stayfilm_job_id": "debug-job-001",
                    "stayfilm_video_url": "https://example.com/stayfilm-poc-video.mp4",
                    "stayfilm_render_error": None,
                    "stayfilm_status": "DRAFT_DONE",
                },
            }
        ],
    }
    assert run.entry["destination"]["body"] == {
        "message": "success",
        "attributes_processed": 1,
        "events_processed": 1,
    }
    stored = profile_of(app, external_id="stayfilm-poc-001")
    custom = stored["custom_attributes"]
    assert is_iso_between(custom.pop("stayfilm_callback_received_at"), before, after)
    assert custom == {
        "stayfilm_video_status": "ready",
        "stayfilm_video_url": "https://example.com/stayfilm-poc-video.mp4",
        "stayfilm_job_id": "debug-job-001",
    }, "stayfilm_render_error: null sets nothing"
    (event,) = stored["events"]
    assert event["name"] == "stayfilm_video_ready"
    assert event["properties"] == run.entry["output"]["events"][0]["properties"]


def test_stayfilm_template_without_its_test_user_is_still_valid_and_writes_nothing(
    app: Flask, client: FlaskClient
) -> None:
    """The page's troubleshooting row ties a failing Validate to a `RelayedData` that matches
    no Braze external_id. Validate judges the request, which is acceptable whoever it names;
    the run then writes nothing, as `_update_existing_only` is true."""
    page_payload = text_of(f"{STAYFILM}.payload.json")
    assert validate(client, STAYFILM, json.loads(page_payload))["errors"] == []
    run = run_webhook(app, client, STAYFILM, page_payload)
    assert run.entry["destination"]["status"] == 201
    assert len(app.extensions["braze"].profiles) == 0


def test_stayfilm_template_without_relayed_data_fails_with_its_own_error(
    client: FlaskClient,
) -> None:
    given = json_of(f"{STAYFILM}.payload.json")
    del given["RelayedData"]
    shown = validate(client, STAYFILM, given)
    assert shown["error"]["kind"] == "runtime"
    assert "Missing RelayedData" in shown["error"]["message"]
    assert shown["error"]["line"] == line_of(STAYFILM, 'throw new Error("Missing RelayedData')


# -- Regal ------------------------------------------------------------------------------------

REGAL_CALL = "regal_call_completed"
REGAL_EDITED = "regal_contact_attribute_edited"
REGAL_EXPERIMENT = "regal_contact_experiment_assigned"
REGAL_UNSUBSCRIBED = "regal_contact_unsubscribed"


def test_regal_call_completed_template_turns_the_unix_time_into_iso_and_creates_the_user(
    app: Flask, client: FlaskClient
) -> None:
    page = json_of(f"{REGAL_CALL}.payload.json")
    run = run_webhook(app, client, REGAL_CALL, text_of(f"{REGAL_CALL}.payload.json"))
    expected_event = {
        "external_id": "123",
        "name": "Call Completed",
        "time": "2022-07-15T03:17:39.000Z",
        "_update_existing_only": False,
        "properties": page["properties"],
    }
    assert page["originalTimestamp"] == "1657855059"
    assert run.entry["output"] == {"events": [expected_event]}
    assert run.entry["destination"]["body"] == {"message": "success", "events_processed": 1}
    (event,) = profile_of(app, external_id="123")["events"]
    assert (event["name"], event["time"]) == ("Call Completed", "2022-07-15T03:17:39.000Z")
    assert event["properties"] == page["properties"], "null properties are kept as null"


def test_regal_contact_attribute_edited_template_writes_each_new_value_as_an_attribute(
    app: Flask, client: FlaskClient
) -> None:
    run = run_webhook(app, client, REGAL_EDITED, text_of(f"{REGAL_EDITED}.payload.json"))
    assert run.entry["output"] == {
        "attributes": [
            {"external_id": "123", "_update_existing_only": False, "annual_income": "300,000"}
        ]
    }
    assert run.entry["destination"]["body"] == {"message": "success", "attributes_processed": 1}
    assert profile_of(app, external_id="123")["custom_attributes"] == {"annual_income": "300,000"}


def test_regal_contact_experiment_assigned_template_turns_the_unix_time_into_iso(
    app: Flask, client: FlaskClient
) -> None:
    page = json_of(f"{REGAL_EXPERIMENT}.payload.json")
    run = run_webhook(app, client, REGAL_EXPERIMENT, text_of(f"{REGAL_EXPERIMENT}.payload.json"))
    assert run.entry["output"] == {
        "events": [
            {
                "external_id": "123",
                "_update_existing_only": False,
                "name": "Contact Experiment Assigned",
                "time": "2022-07-15T03:18:38.000Z",
                "properties": page["properties"],
            }
        ]
    }
    (event,) = profile_of(app, external_id="123")["events"]
    assert (event["name"], event["time"]) == (
        "Contact Experiment Assigned",
        "2022-07-15T03:18:38.000Z",
    )
    assert event["properties"]["journey_friendly_id"] == 220


def test_regal_contact_unsubscribed_template_placeholder_group_id_is_bad_subscription_group_id(
    app: Flask, client: FlaskClient
) -> None:
    """ "YOUR SUBSCRIPTION GROUP ID" is a placeholder; Braze's /users/track errors say a
    subscription group id must be the group's UUID (BAD_SUBSCRIPTION_GROUP_ID). The output's
    only object is refused, so nothing is delivered; with the placeholder replaced by a group
    UUID the same request unsubscribes the user."""
    app.extensions["braze"].profiles.seed({"external_id": "123"})
    run = run_webhook(
        app, client, REGAL_UNSUBSCRIBED, text_of(f"{REGAL_UNSUBSCRIBED}.payload.json")
    )
    output = run.entry["output"]
    assert output == {
        "attributes": [
            {
                "external_id": "123",
                "_update_existing_only": True,
                "subscription_groups": [
                    {
                        "subscription_group_id": "YOUR SUBSCRIPTION GROUP ID",
                        "subscription_state": "unsubscribed",
                    }
                ],
            }
        ]
    }
    assert run.entry["error"] == {
        "kind": "invalid_output",
        "message": "/attributes/0: 'subscription_group_id' must be a subscription group's UUID",
        "line": None,
        "column": None,
    }
    assert run.entry["destination"] is None
    assert run.transformation["counters"] == {"incoming_requests": 1, "deliveries": 0}
    shown = validate(client, REGAL_UNSUBSCRIBED, json_of(f"{REGAL_UNSUBSCRIBED}.payload.json"))
    assert shown["errors"] == [
        {
            "pointer": "/attributes/0",
            "message": "'subscription_group_id' must be a subscription group's UUID",
        }
    ]
    direct = track(client, output)
    assert direct.status_code == 400
    assert direct.json == {
        "message": VALID_DATA,
        "errors": [{"type": "BAD_SUBSCRIPTION_GROUP_ID", "input_array": "attributes", "index": 0}],
    }
    assert "subscription_groups" not in profile_of(app, external_id="123")

    fixed = copy.deepcopy(output)
    fixed["attributes"][0]["subscription_groups"][0]["subscription_group_id"] = GROUP_ID
    assert track(client, fixed).json == {"message": "success", "attributes_processed": 1}
    assert profile_of(app, external_id="123")["subscription_groups"] == [
        {"subscription_group_id": GROUP_ID, "subscription_state": "unsubscribed"}
    ]


def test_regal_payload_with_the_trailing_comma_of_earlier_page_versions_is_refused_as_not_json(
    client: FlaskClient,
) -> None:
    """Earlier versions of the Regal page showed the contact.attribute.edited and
    contact.experiment.assigned payloads with a comma after `traits.email`: not JSON, which a
    Data Transformation webhook refuses before any code runs."""
    text = text_of(f"{REGAL_EXPERIMENT}.payload.json")
    earlier = text.replace('"email": "xxx@example.com"\n', '"email": "xxx@example.com",\n', 1)
    assert earlier != text
    made = create(client, name=REGAL_EXPERIMENT, code=code_of(REGAL_EXPERIMENT), active=True)
    refused = client.post(path_of(made), data=earlier, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json["message"] == (
        "Webhook body must be JSON (non-JSON webhooks are not supported)"
    )
    assert client.get("/_mock/transformations/logs").json["count"] == 0


# -- Typeform ---------------------------------------------------------------------------------

TYPEFORM_PAYLOAD = "typeform_example_webhook.payload.json"
TYPEFORM_EMAIL = "typeform_email_identifier"
TYPEFORM_HIDDEN = "typeform_hidden_field_identifier"
TYPEFORM_RESPONSES = [
    {"question": "Please provide your email", "answer": "typeformintegration@example.com"},
    {"question": "What was your role in the project?", "answer": "Project"},
    {"question": "How would you rate the overall performance of the team?", "answer": 9},
    {"question": "Did the project meet its intended outcomes?", "answer": True},
    {"question": "Which area of the project do you think went well?", "answer": "Problem Solving"},
    {"question": "Which area of the project do you think could be improved?", "answer": "Other"},
    {
        "question": "How satisfied were you with the level of communication during the project?",
        "answer": 8,
    },
    {
        "question": "How likely are you to recommend Braze for customer engagement services?",
        "answer": 6,
    },
    {"question": "In which country was the project executed?", "answer": "Brazil"},
]
"""What the Typeform templates compute on the page's example payload: its nine questions
(`definition.fields`), each paired with the answer at the same index."""


def assert_page_output_is_not_this_payloads(page_output: dict[str, Any]) -> None:
    """The page's Output tab was made from another form response: ten questions (one, "If you
    answered "No" ...", is not in the example payload's definition) and other answers (5,
    "Lorem ipsum dolor", "an_account@example.com", "Communication", "United States"). The
    JavaScript wins: the tests assert what the code gives on the page's payload."""
    (event,) = page_output["events"]
    page_responses = event["properties"]["responses"]
    assert len(page_responses) == 10 and len(TYPEFORM_RESPONSES) == 9
    definition = json_of(TYPEFORM_PAYLOAD)["form_response"]["definition"]
    payload_titles = [field["title"] for field in definition["fields"]]
    missing = [r["question"] for r in page_responses if r["question"] not in payload_titles]
    assert missing == [
        'If you answered "No" to the previous question, please explain why. '
        'If you answered "Yes", skip this question.'
    ]
    assert page_responses != TYPEFORM_RESPONSES


def test_typeform_email_identifier_template_gives_its_codes_output_not_the_pages_output_tab(
    app: Flask, client: FlaskClient, wall: float
) -> None:
    run = run_webhook(app, client, TYPEFORM_EMAIL, text_of(TYPEFORM_PAYLOAD))
    before, after = now_span(wall)
    expected = {
        "events": [
            {
                "email": "typeformintegration@example.com",
                "name": "Project Feedback Survey",
                "time": "<now>",
                "properties": {"responses": TYPEFORM_RESPONSES},
            }
        ]
    }
    assert mask_now(run.entry["output"], before, after) == expected
    page_output = json_of(f"{TYPEFORM_EMAIL}.page_output.json")
    assert page_output["events"][0]["email"] == "an_account@example.com", "not the payload's"
    assert page_output["events"][0]["name"] == expected["events"][0]["name"]
    assert_page_output_is_not_this_payloads(page_output)
    assert run.entry["destination"]["body"] == {"message": "success", "events_processed": 1}
    stored = profile_of(app, email="typeformintegration@example.com")
    assert stored["external_id"] is None, "an email-only profile, as Braze documents"
    (event,) = stored["events"]
    assert (event["name"], event["properties"]) == (
        "Project Feedback Survey",
        {"responses": TYPEFORM_RESPONSES},
    )


def test_typeform_hidden_field_template_uses_the_hidden_user_id_as_external_id(
    app: Flask, client: FlaskClient, wall: float
) -> None:
    run = run_webhook(app, client, TYPEFORM_HIDDEN, text_of(TYPEFORM_PAYLOAD))
    before, after = now_span(wall)
    assert mask_now(run.entry["output"], before, after) == {
        "events": [
            {
                "external_id": "hidden_value",
                "name": "Project Feedback Survey",
                "time": "<now>",
                "properties": {"responses": TYPEFORM_RESPONSES},
            }
        ]
    }
    page_output = json_of(f"{TYPEFORM_HIDDEN}.page_output.json")
    assert page_output["events"][0]["external_id"] == "hidden_value", "this part agrees"
    assert_page_output_is_not_this_payloads(page_output)
    (event,) = profile_of(app, external_id="hidden_value")["events"]
    assert event["properties"] == {"responses": TYPEFORM_RESPONSES}


# -- every template: Validate and the offline `seen-braze transform` agree --------------------

VERDICTS = [
    # (template, payload file, destination, acceptable)
    (DEFAULT_TRACK, f"{DEFAULT_TRACK}.assumed_payload.json", "track-users", True),
    (DEFAULT_CATALOG, f"{DEFAULT_CATALOG}.assumed_payload.json", "catalog-put", True),
    (SEEN, f"{SEEN}.payload.json", "track-users", True),
    (STAYFILM, f"{STAYFILM}.payload.json", "track-users", True),
    (REGAL_CALL, f"{REGAL_CALL}.payload.json", "track-users", True),
    (REGAL_EDITED, f"{REGAL_EDITED}.payload.json", "track-users", True),
    (REGAL_EXPERIMENT, f"{REGAL_EXPERIMENT}.payload.json", "track-users", True),
    (REGAL_UNSUBSCRIBED, f"{REGAL_UNSUBSCRIBED}.payload.json", "track-users", False),
    (TYPEFORM_EMAIL, TYPEFORM_PAYLOAD, "track-users", True),
    (TYPEFORM_HIDDEN, TYPEFORM_PAYLOAD, "track-users", True),
]


def test_every_template_file_names_its_source_page_and_keeps_a_json_payload() -> None:
    names = sorted(p.stem for p in TEMPLATES.glob("*.js"))
    assert names == sorted(name for name, *_ in VERDICTS)
    for name in names:
        header = code_of(name).splitlines()[:3]
        assert header[0].startswith("// Source: Braze documentation"), name
        assert any("_docs/" in line and line.rstrip().endswith(".md") for line in header), name
    for payload in TEMPLATES.glob("*.json"):
        assert isinstance(json.loads(payload.read_text("utf-8")), dict), payload.name


@pytest.mark.parametrize(
    ("name", "payload_file", "destination", "acceptable"),
    VERDICTS,
    ids=[name for name, *_ in VERDICTS],
)
def test_every_template_gets_the_same_verdict_from_validate_and_seen_braze_transform(
    client: FlaskClient,
    capsys: pytest.CaptureFixture[str],
    wall: float,
    name: str,
    payload_file: str,
    destination: str,
    acceptable: bool,
) -> None:
    """Offline, catalogs are taken to exist and take any field (the default catalog template is
    acceptable there); the live Validate gets a catalog made without fields, the same."""
    if destination == "catalog-put":
        client.post("/_mock/catalogs", json={"name": "catalog_name"})
    live = validate(client, name, json_of(payload_file), destination)
    status, offline = transform_offline(capsys, name, payload_file, destination)
    before, after = now_span(wall)
    assert live["acceptable"] is offline["acceptable"] is acceptable
    assert status == (0 if acceptable else 1)
    assert mask_now(live["output"], before, after) == mask_now(offline["output"], before, after)
    assert live["errors"] == offline["errors"]
    assert live["error"] is None and offline["error"] is None
