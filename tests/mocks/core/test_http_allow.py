"""405 answers say in `Allow` which methods their route answers, and OPTIONS answers list
exactly those, on every route of both mocks, emulated and admin (RFC 9110, 15.5.6 and 9.3.7;
issue #12)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.http import METHOD_ORDER
from seen_braze_harness.mocks.seen.app import create_app as create_seen_app
from tests.conftest import TOKEN, seen_settings

API_KEY = "b7a2e5c0-5eeb-4d1e-9a6f-0123456789ab"
METHODS = (*METHOD_ORDER, "CONNECT", "PROPFIND")


def make(mock: str) -> Flask:
    """A fresh mock with a SEEN campaign, a Braze key and a Braze transformation, so that the
    emulated endpoints get past authentication and lookup to their method check."""
    if mock == "seen":
        return create_seen_app(seen_settings())
    app = create_braze_app(BrazeSettings(clock="virtual", api_keys={API_KEY: ["users.track"]}))
    made = app.test_client().post(
        "/_mock/transformations",
        json={"name": "t", "code": "return null", "destination": "track-users", "active": True},
    )
    assert made.status_code == 201, made.text
    app.extensions["test_webhook"] = made.get_json()["webhook_url"]
    return app


def rules(mock: str) -> list[Rule]:
    app = make(mock)
    try:
        return [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    finally:
        app.extensions["mock"].close()


def url_of(app: Flask, rule: Rule) -> str:
    if rule.endpoint == "braze_transformations.webhook":
        webhook: str = app.extensions["test_webhook"]
        return re.sub(r"^https?://[^/]+", "", webhook)
    return re.sub(r"<([a-z]+)(\([^)]*\))?:?[^>]*>", _sample, rule.rule)


def _sample(match: re.Match[str]) -> str:
    """A value the converter takes: 1 for an int, 24 characters for a transformation id."""
    if match.group(1) == "int":
        return "1"
    length = re.search(r"length=(\d+)", match.group(2) or "")
    return "x" * int(length.group(1)) if length else "x"


def headers_for(path: str) -> dict[str, str]:
    if path.startswith("/v1/"):
        return {"Authorization": f"Token {TOKEN}"}
    if path.startswith("/users/"):
        return {"Authorization": f"Bearer {API_KEY}"}
    return {}


def call(app: Flask, method: str, path: str) -> TestResponse:
    rule_path = path.replace("/x/", "/onboarding/") if path.startswith("/v1/") else path
    return app.test_client().open(
        rule_path, method=method, headers=headers_for(path), json={} if method != "GET" else None
    )


def allow(response: TestResponse) -> list[str]:
    value = response.headers.get("Allow")
    assert value is not None, f"{response.status} without Allow: {response.text[:200]}"
    return [m.strip() for m in value.split(",") if m.strip()]


@pytest.fixture
def fresh() -> Iterator[Callable[[str], Flask]]:
    made: list[Flask] = []

    def build(mock: str) -> Flask:
        app = make(mock)
        made.append(app)
        return app

    yield build
    for app in made:
        app.extensions["mock"].close()


CASES = [(mock, rule.rule, rule.endpoint) for mock in ("seen", "braze") for rule in rules(mock)]


@pytest.mark.parametrize(("mock", "rule", "endpoint"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_allow_lists_exactly_the_methods_a_route_answers(
    fresh: Callable[[str], Flask], mock: str, rule: str, endpoint: str
) -> None:
    """Each method is a 405 exactly when `Allow` leaves it out. (Writes to the route change
    nothing a later method's answer depends on: Flask refuses a method before the view runs,
    and the views that refuse methods themselves do so before they change anything.)"""
    app = fresh(mock)
    (found,) = (r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    path = url_of(app, found)
    refused = call(app, "PROPFIND", path)  # no route takes it: a 405 from any route
    assert refused.status_code == 405, refused.text
    advertised = allow(refused)
    assert advertised, "every route answers some method"
    assert advertised == sorted(advertised, key=METHOD_ORDER.index), "in a stable order"
    for method in METHODS:
        answer = call(app, method, path)
        if method in advertised:
            assert answer.status_code != 405, f"{method} {path} advertised, but 405"
        else:
            assert answer.status_code == 405, f"{method} {path}: {answer.status} not advertised"
            assert allow(answer) == advertised
        if method == "OPTIONS" and answer.status_code < 300:
            assert allow(answer) == advertised


@pytest.mark.parametrize(
    ("mock", "path", "shape"),
    [
        ("seen", "/v1/campaigns/onboarding/receivers/", {"detail"}),
        ("seen", "/nowhere/but/routed", None),
        ("braze", "/users/track", {"message"}),
        ("seen", "/_mock/health", {"type", "title", "status", "detail"}),
        ("braze", "/_mock/reset", {"type", "title", "status", "detail"}),
    ],
)
def test_a_405_keeps_its_service_s_shape(
    fresh: Callable[[str], Flask], mock: str, path: str, shape: set[str] | None
) -> None:
    app = fresh(mock)
    answer = call(app, "PUT" if path != "/_mock/health" else "DELETE", path)
    if shape is None:  # no route at all: a 404, and no Allow to invent
        assert answer.status_code == 404 and "Allow" not in answer.headers
        return
    assert answer.status_code == 405
    assert set(answer.get_json()) == shape
    assert "Allow" in answer.headers


def test_the_journal_records_the_allow_header(fresh: Callable[[str], Flask]) -> None:
    app = fresh("braze")
    answer = call(app, "GET", "/users/track")
    assert answer.status_code == 405 and answer.headers["Allow"] == "POST"
    (exchange,) = app.extensions["mock"].journal.query(hop="braze.users_track")
    assert exchange.response_headers["Allow"] == "POST"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/_mock/health", "GET, HEAD, OPTIONS"),
        ("/_mock/faults", "GET, POST, DELETE, HEAD, OPTIONS"),
        ("/_mock/campaigns/onboarding", "GET, PATCH, HEAD, OPTIONS"),
    ],
)
def test_automatic_options_is_a_204_listing_the_route_s_methods(
    fresh: Callable[[str], Flask], path: str, expected: str
) -> None:
    """Flask's own answer was a 200 with an empty text/html body, methods in any order."""
    answer = fresh("seen").test_client().options(path)
    assert answer.status_code == 204
    assert answer.headers["Allow"] == expected
    assert answer.data == b"" and "Content-Type" not in answer.headers


def test_seen_receivers_options_keeps_drf_s_answer(fresh: Callable[[str], Flask]) -> None:
    answer = call(fresh("seen"), "OPTIONS", "/v1/campaigns/x/receivers/")
    assert answer.status_code == 200
    assert answer.headers["Allow"] == "POST, OPTIONS"
    assert answer.get_json()["name"] == "Receiver List"


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"hop": "braze.users_track", "status": 405}, "POST"),
        ({"hop": "braze.users_track", "status": 405, "headers": {"Allow": "GET"}}, "GET"),
    ],
)
def test_a_fault_405_gets_the_route_s_allow_unless_it_gives_one(
    fresh: Callable[[str], Flask], rule: dict[str, Any], expected: str
) -> None:
    app = fresh("braze")
    app.extensions["mock"].faults.add(rule)
    answer = call(app, "POST", "/users/track")
    assert answer.status_code == 405 and answer.headers["Allow"] == expected


def test_no_route_serves_static_files(fresh: Callable[[str], Flask]) -> None:
    """Neither service has /static: OPTIONS there answers 404 like GET, advertising nothing."""
    app = fresh("seen")
    assert app.test_client().get("/static/x").status_code == 404
    answer = app.test_client().options("/static/x")
    assert answer.status_code == 404 and "Allow" not in answer.headers
