"""The journal as HAR 1.2: valid per the spec, faithful to the exchanges, served and filtered."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator

from seen_braze_harness.mocks.core.har import merged, to_har
from seen_braze_harness.mocks.core.journal import Journal
from seen_braze_harness.mocks.core.runtime import MockRuntime
from tests.conftest import post_receivers

_STR = {"type": "string"}
_INT = {"type": "integer"}
_NUM = {"type": "number"}
_PAIRS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["name", "value"],
        "properties": {"name": _STR, "value": _STR, "comment": _STR},
    },
}
_COOKIES = {"type": "array", "items": {"type": "object", "required": ["name", "value"]}}
HAR_1_2: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/), required fields",
    "type": "object",
    "required": ["log"],
    "properties": {
        "log": {
            "type": "object",
            "required": ["version", "creator", "entries"],
            "properties": {
                "version": {"const": "1.2"},
                "creator": {
                    "type": "object",
                    "required": ["name", "version"],
                    "properties": {"name": _STR, "version": _STR},
                },
                "pages": {"type": "array"},
                "entries": {"type": "array", "items": {"$ref": "#/$defs/entry"}},
            },
        }
    },
    "$defs": {
        "entry": {
            "type": "object",
            "required": ["startedDateTime", "time", "request", "response", "cache", "timings"],
            "properties": {
                "pageref": _STR,
                "startedDateTime": {"type": "string", "format": "date-time"},
                "time": {"type": "number", "minimum": 0},
                "request": {"$ref": "#/$defs/request"},
                "response": {"$ref": "#/$defs/response"},
                "cache": {"type": "object"},
                "timings": {
                    "type": "object",
                    "required": ["send", "wait", "receive"],
                    "properties": {
                        k: {"type": "number", "minimum": -1}
                        for k in ("blocked", "dns", "connect", "send", "wait", "receive", "ssl")
                    },
                },
                "serverIPAddress": _STR,
                "connection": _STR,
            },
            "patternProperties": {"^_": {}},
            "additionalProperties": False,
        },
        "request": {
            "type": "object",
            "required": [
                "method",
                "url",
                "httpVersion",
                "cookies",
                "headers",
                "queryString",
                "headersSize",
                "bodySize",
            ],
            "properties": {
                "method": _STR,
                "url": {"type": "string", "format": "uri"},
                "httpVersion": _STR,
                "cookies": _COOKIES,
                "headers": _PAIRS,
                "queryString": _PAIRS,
                "postData": {
                    "type": "object",
                    "required": ["mimeType"],
                    "properties": {"mimeType": _STR, "text": _STR, "params": {"type": "array"}},
                    "patternProperties": {"^_": {}},
                    "additionalProperties": False,
                },
                "headersSize": _INT,
                "bodySize": _INT,
            },
            "patternProperties": {"^_": {}},
            "additionalProperties": False,
        },
        "response": {
            "type": "object",
            "required": [
                "status",
                "statusText",
                "httpVersion",
                "cookies",
                "headers",
                "content",
                "redirectURL",
                "headersSize",
                "bodySize",
            ],
            "properties": {
                "status": _INT,
                "statusText": _STR,
                "httpVersion": _STR,
                "cookies": _COOKIES,
                "headers": _PAIRS,
                "content": {
                    "type": "object",
                    "required": ["size", "mimeType"],
                    "properties": {
                        "size": _INT,
                        "compression": _INT,
                        "mimeType": _STR,
                        "text": _STR,
                        "encoding": _STR,
                    },
                    "patternProperties": {"^_": {}},
                    "additionalProperties": False,
                },
                "redirectURL": _STR,
                "headersSize": _INT,
                "bodySize": _INT,
            },
            "patternProperties": {"^_": {}},
            "additionalProperties": False,
        },
    },
}
HAR_VALIDATOR = Draft202012Validator(HAR_1_2, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_har(document: Any) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in HAR_VALIDATOR.iter_errors(document)]
    assert not errors, errors


@pytest.fixture
def traffic(seen_app: Flask, runtime: MockRuntime) -> MockRuntime:
    """A SEEN mock after a valid call, an invalid one, an unauthenticated one and a callback
    that never got an answer (the test network reaches no host)."""
    client = seen_app.test_client()
    post_receivers(client, [{"first_name": "Ada", "customer_id": "c1"}])
    post_receivers(client, [{"last_name": "no first name"}])
    post_receivers(client, [{"first_name": "Ada"}], token=None)
    client.post(
        "/v1/campaigns/onboarding/receivers/?format=json&empty=",
        data=b"\xff\xfe not utf-8",
        content_type="application/json",
        headers={"Authorization": "Token 0123456789abcdef0123456789abcdef01234567"},
    )
    runtime.scheduler.run_until_idle()
    return runtime


def test_a_real_journal_is_valid_har_and_survives_json(traffic: MockRuntime) -> None:
    exchanges = traffic.journal.query()
    assert {e.direction for e in exchanges} == {"inbound", "outbound"}
    har = to_har(exchanges, creator_version="9.9")
    assert_har(har)
    assert json.loads(json.dumps(har)) == har
    assert har["log"]["creator"] == {"name": "seen-braze-harness", "version": "9.9"}
    assert len(har["log"]["entries"]) == len(exchanges)


def test_an_entry_says_what_the_exchange_was(traffic: MockRuntime) -> None:
    exchange = traffic.journal.query(hop="seen.receivers", status=201)[0]
    (entry,) = to_har([exchange], creator_version="1")["log"]["entries"]
    assert entry["startedDateTime"] == traffic.clock.isoformat(exchange.time)
    assert entry["startedDateTime"].endswith("+00:00")
    assert exchange.duration is not None
    assert entry["time"] == pytest.approx(exchange.duration * 1000, abs=0.001)
    assert entry["timings"] == {"send": 0, "wait": entry["time"], "receive": 0}
    request, response = entry["request"], entry["response"]
    assert request["method"] == "POST"
    assert request["url"] == exchange.url
    assert {"name": "Authorization", "value": exchange.request_headers["Authorization"]} in (
        request["headers"]
    )
    assert json.loads(request["postData"]["text"]) == exchange.request_json
    assert request["postData"]["mimeType"] == "application/json"
    assert request["bodySize"] == exchange.request_body.size
    assert request["headersSize"] == -1
    assert response["status"] == 201
    assert response["statusText"] == "Created"
    assert json.loads(response["content"]["text"]) == exchange.response_json
    assert response["content"]["mimeType"] == "application/json"
    assert response["content"]["size"] == response["bodySize"] > 0
    assert response["redirectURL"] == ""
    assert entry["cache"] == {}
    assert entry["_hop"] == "seen.receivers"
    assert entry["_service"] == "seen"
    assert entry["_direction"] == "inbound"
    assert entry["_schema"]["request"]["valid"] is True
    assert entry["_schema"]["response"]["schema"] == "seen/receivers-created"
    assert entry["_note"].startswith("created receiver(s)")


def test_schema_verdicts_come_along(traffic: MockRuntime) -> None:
    exchange = traffic.journal.query(hop="seen.receivers", status=400)[0]
    (entry,) = to_har([exchange], creator_version="1")["log"]["entries"]
    verdict = entry["_schema"]["request"]
    assert verdict["valid"] is False
    assert verdict["errors"][0]["pointer"].startswith("/0")


def test_query_strings_are_parsed_and_bytes_that_are_not_utf8_are_base64(
    traffic: MockRuntime,
) -> None:
    exchange = next(e for e in traffic.journal.query() if "format=json" in e.url)
    (entry,) = to_har([exchange], creator_version="1")["log"]["entries"]
    assert entry["request"]["queryString"] == [
        {"name": "format", "value": "json"},
        {"name": "empty", "value": ""},
    ]
    post = entry["request"]["postData"]
    assert post["_encoding"] == "base64"
    assert base64.b64decode(post["text"]) == b"\xff\xfe not utf-8"


def test_an_exchange_without_an_answer_has_status_0_and_its_error(traffic: MockRuntime) -> None:
    unanswered = traffic.journal.query(hop="seen.callback", status="none")
    assert unanswered
    (entry, *_) = to_har(unanswered, creator_version="1")["log"]["entries"]
    assert entry["response"]["status"] == 0
    assert entry["response"]["statusText"] == ""
    assert entry["response"]["content"] == {"size": 0, "mimeType": ""}
    assert entry["_error"]
    assert entry["_direction"] == "outbound"
    assert entry["_attempt"] == 1


def test_binary_response_content_is_base64_with_its_encoding() -> None:
    journal = Journal()
    exchange = journal.record(
        service="braze",
        hop="braze.webhook",
        direction="outbound",
        time=1_700_000_000.25,
        method="GET",
        url="https://example.test/image?size=2",
        request_headers={},
        request_body=journal.body(b""),
        status=200,
        response_headers={"Content-Type": "image/png"},
        response_body=journal.body(b"\x89PNG\r\n\x1a\n", "image/png"),
    )
    har = to_har([exchange], creator_version="1")
    assert_har(har)
    (entry,) = har["log"]["entries"]
    assert entry["startedDateTime"] == "2023-11-14T22:13:20.250+00:00"
    assert entry["time"] == 0
    assert "postData" not in entry["request"]
    assert entry["request"]["bodySize"] == 0
    assert entry["response"]["content"]["encoding"] == "base64"
    assert base64.b64decode(entry["response"]["content"]["text"]) == b"\x89PNG\r\n\x1a\n"


def test_merged_documents_are_in_time_order() -> None:
    journal = Journal()

    def at(instant: float, service: str) -> Any:
        return journal.record(
            service=service,
            hop=f"{service}.x",
            direction="inbound",
            time=instant,
            method="GET",
            url="http://127.0.0.1/x",
            request_headers={},
            request_body=journal.body(b""),
        )

    first = to_har([at(10.0, "seen"), at(30.0, "seen")], creator_version="1")
    second = to_har([at(20.0, "braze"), at(40.0, "braze")], creator_version="1")
    both = merged(first, second, creator_version="2")
    assert_har(both)
    assert [e["_service"] for e in both["log"]["entries"]] == ["seen", "braze", "seen", "braze"]


def test_served_at_journal_har_with_the_journals_filters(
    traffic: MockRuntime, seen_app: Flask
) -> None:
    client = seen_app.test_client()
    response = client.get("/_mock/journal.har")
    assert response.status_code == 200
    har = response.get_json()
    assert_har(har)
    assert len(har["log"]["entries"]) == len(traffic.journal)
    failed = client.get("/_mock/journal.har?hop=seen.receivers&status=4xx").get_json()
    assert {e["response"]["status"] // 100 for e in failed["log"]["entries"]} == {4}
    last = client.get("/_mock/journal.har?limit=1").get_json()["log"]["entries"]
    assert last == har["log"]["entries"][-1:]
    since = client.get("/_mock/journal.har?since=2&direction=inbound").get_json()
    assert [e["_id"] for e in since["log"]["entries"]] == [
        e.id for e in traffic.journal.query(since=2, direction="inbound")
    ]
    bad = client.get("/_mock/journal.har?status=teapot")
    assert bad.status_code == 400
    assert bad.mimetype == "application/problem+json"
    assert client.get("/_mock/journal.har?colour=red").status_code == 400
