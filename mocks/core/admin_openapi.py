"""The OpenAPI description of the admin API every mock serves: its operations' documentation
(the routes that serve them: `mocks.core.admin`), its shapes and its tag."""

from __future__ import annotations

from typing import Any

from seen_braze_harness.mocks.core.faults import HOP_PATTERN
from seen_braze_harness.mocks.core.journal import STATUS_FILTER
from seen_braze_harness.mocks.core.openapi import (
    BAD_PAGE,
    BAD_REQUEST,
    COMPONENTS,
    CURSOR,
    NEXT_CURSOR,
    NO_CONTENT,
    NOT_FOUND,
    PAGE_PARAMS,
    Body,
    Spec,
    component,
    ok,
    page_of,
    paged_limit,
    path_param,
    query_param,
)

JOURNAL_LIMIT = paged_limit(
    "The last `limit` exchanges found (before the `cursor`): `admin_page_limit` (100) by "
    "default, at most `admin_page_max` (1000); a page also ends before its exchanges pass "
    "`admin_page_bytes` (4 MiB) of JSON. The pages go from the newest back, each oldest "
    "first. `0` answers the counts only."
)

JOURNAL_FILTERS = (
    query_param("hop", "Hop name or glob, e.g. `seen.*`."),
    query_param(
        "status",
        "An exact status (`201`), a class (`4xx`) or `none` (or `error`) for exchanges with "
        "no response.",
        pattern=f"^({STATUS_FILTER})$",
    ),
    query_param("direction", "Inbound or outbound.", enum=["inbound", "outbound"]),
    query_param("since", "Only exchanges with an id above this one.", type="integer", minimum=0),
    JOURNAL_LIMIT,
    CURSOR,
)

GET_HEALTH = Spec(
    "getHealth",
    "Whether the mock is up, and which service it is",
    "admin",
    {200: ok("Up.", component("Health"))},
)

RESET = Spec(
    "reset",
    "Forget everything: journal, faults, clock tasks and the service's state",
    "admin",
    {200: ok("Reset.", component("Health"))},
)

GET_JOURNAL = Spec(
    "getJournal",
    "Every exchange the mock took part in, inbound and outbound, with schema verdicts",
    "admin",
    {
        200: ok(
            "A page of the exchanges found, oldest first; the next page has older ones.",
            component("Journal"),
        ),
        400: BAD_PAGE,
    },
    parameters=JOURNAL_FILTERS,
)

GET_JOURNAL_HAR = Spec(
    "getJournalHar",
    "The journal as an HTTP Archive (HAR 1.2), with the same filters as /_mock/journal",
    "admin",
    {
        200: ok(
            "A HAR 1.2 document of a page of the exchanges, as the journal pages them; "
            "`log._next_cursor` is the next page's cursor.",
            component("Har"),
        ),
        400: BAD_PAGE,
    },
    parameters=JOURNAL_FILTERS,
)

GET_CLOCK = Spec(
    "getClock",
    "The mock's clock and its pending tasks",
    "admin",
    {200: ok("The clock.", component("Clock"))},
)

SET_CLOCK = Spec(
    "setClock",
    "Freeze or unfreeze the clock, and advance it (running the tasks that fall due)",
    "admin",
    {200: ok("The clock after the change.", component("Clock")), 400: BAD_REQUEST},
    request=Body(component("ClockChange"), example={"advance": 60}),
)

GET_FAULTS = Spec(
    "getFaults",
    "The active fault rules",
    "admin",
    {200: ok("A page of the rules, oldest first.", component("FaultRulePage")), 400: BAD_PAGE},
    parameters=PAGE_PARAMS,
)

ADD_FAULT = Spec(
    "addFault",
    "Make a hop answer a status, answer late, or drop the connection",
    "admin",
    {201: ok("The rule as stored.", component("FaultRule")), 400: BAD_REQUEST},
    request=Body(component("FaultRuleRequest"), example={"hop": "seen.callback", "status": 503}),
)

CLEAR_FAULTS = Spec(
    "clearFaults",
    "Remove every fault rule",
    "admin",
    {200: ok("No rules left.", component("FaultRules"))},
)

REMOVE_FAULT = Spec(
    "removeFault",
    "Remove one fault rule",
    "admin",
    {204: NO_CONTENT, 404: NOT_FOUND},
    parameters=(path_param("rule_id", "The rule's id.", type="integer", minimum=0),),
)

GET_OPEN_API = Spec(
    "getOpenApi",
    "This document",
    "admin",
    {200: ok("The mock's OpenAPI 3.1 document.", {"type": "object"})},
)


ADMIN_TAG = "The emulator's own admin API (not part of the real service)."


_OBJECT = {"type": "object"}

ADMIN_COMPONENTS: dict[str, dict[str, Any]] = {
    "Problem": {
        "title": "RFC 7807 problem",
        "description": "How the admin API reports its errors (application/problem+json).",
        "type": "object",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 100, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
        },
    },
    "Health": {
        "type": "object",
        "required": ["status", "service"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "reset"]},
            "service": {"type": "string"},
        },
    },
    "Clock": {
        "type": "object",
        "required": ["now", "iso", "frozen", "pending_tasks", "next_due"],
        "properties": {
            "now": {"type": "number", "description": "Seconds since the Unix epoch."},
            "iso": {"type": "string", "format": "date-time"},
            "frozen": {"type": "boolean"},
            "pending_tasks": {"type": "integer", "minimum": 0},
            "next_due": {"type": ["number", "null"]},
            "tasks_run": {"type": "integer", "minimum": 0},
        },
    },
    "ClockChange": {
        "type": "object",
        "minProperties": 1,
        "additionalProperties": False,
        "properties": {
            "advance": {"type": "number", "minimum": 0, "maximum": 10 * 366 * 24 * 3600},
            "freeze": {"type": "boolean"},
        },
    },
    "FaultRuleRequest": {
        "type": "object",
        "required": ["hop"],
        "additionalProperties": False,
        "properties": {
            "hop": {
                "type": "string",
                "pattern": HOP_PATTERN,
                "description": "Hop name or glob; not only white space.",
            },
            "status": {
                "type": ["integer", "null"],
                "minimum": 100,
                "maximum": 599,
                "description": "The status to answer with; null: none (a `delay` or `drop`).",
            },
            "body": {"description": "Body to answer with (default: the service's own shape)."},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "delay": {"type": "number", "minimum": 0, "maximum": 3600},
            "drop": {"type": "boolean"},
            "processed": {
                "type": "boolean",
                "description": "Act after the request is processed, on its answer only.",
            },
            "probability": {"type": "number", "minimum": 0, "maximum": 1},
            "times": {
                "type": ["integer", "null"],
                "minimum": 1,
                "description": "Fire at most this many times; null: no limit.",
            },
        },
        "anyOf": [
            {"required": ["status"], "properties": {"status": {"type": "integer"}}},
            {"required": ["delay"], "properties": {"delay": {"exclusiveMinimum": 0}}},
            {"required": ["drop"], "properties": {"drop": {"const": True}}},
        ],
        "not": {
            "required": ["status", "drop"],
            "properties": {"status": {"type": "integer"}, "drop": {"const": True}},
        },
        "description": "At least one of `status`, a `delay` above 0, or `drop`; a dropped "
        "connection has no status, so `drop` excludes `status`.",
    },
    "FaultRule": {
        "type": "object",
        "required": [
            "id",
            "hop",
            "status",
            "delay",
            "drop",
            "processed",
            "probability",
            "times",
            "fired",
        ],
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "hop": {"type": "string"},
            "status": {"type": ["integer", "null"]},
            "body": {},
            "headers": {"type": "object", "additionalProperties": {"type": "string"}},
            "delay": {"type": "number"},
            "drop": {"type": "boolean"},
            "processed": {"type": "boolean"},
            "probability": {"type": "number"},
            "times": {"type": ["integer", "null"]},
            "fired": {"type": "integer", "minimum": 0},
        },
    },
    "FaultRules": {
        "type": "object",
        "required": ["faults"],
        "properties": {"faults": {"type": "array", "items": {"$ref": COMPONENTS + "FaultRule"}}},
    },
    "FaultRulePage": page_of("faults", {"$ref": COMPONENTS + "FaultRule"}, count=False),
    "Exchange": {
        "type": "object",
        "required": ["id", "service", "hop", "direction", "time", "request", "response"],
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "service": {"type": "string"},
            "hop": {"type": "string"},
            "direction": {"type": "string", "enum": ["inbound", "outbound"]},
            "time": {"type": "number"},
            "request": _OBJECT,
            "response": {"type": ["object", "null"]},
            "error": {"type": ["string", "null"]},
            "attempt": {"type": ["integer", "null"]},
            "fault": {"type": ["object", "null"]},
            "note": {"type": ["string", "null"]},
            "duration": {"type": ["number", "null"]},
            "schema": _OBJECT,
        },
    },
    "Journal": {
        "type": "object",
        "required": ["count", "retained", "evicted", "exchanges", "next_cursor"],
        "properties": {
            "count": {"type": "integer", "minimum": 0, "description": "Every match."},
            "retained": {"type": "integer", "minimum": 0},
            "evicted": {"type": "integer", "minimum": 0},
            "exchanges": {"type": "array", "items": {"$ref": COMPONENTS + "Exchange"}},
            "next_cursor": NEXT_CURSOR,
        },
    },
    "Har": {
        "title": "HTTP Archive 1.2",
        "type": "object",
        "required": ["log"],
        "properties": {
            "log": {
                "type": "object",
                "required": ["version", "creator", "entries", "_next_cursor"],
                "properties": {
                    "version": {"const": "1.2"},
                    "creator": _OBJECT,
                    "entries": {"type": "array", "items": _OBJECT},
                    "_next_cursor": NEXT_CURSOR,
                },
            }
        },
    },
}
