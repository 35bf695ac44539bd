"""The mocks' OpenAPI 3.1 documents: valid, true to the routes, true to the schemas."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from seen_braze_harness import schemas
from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.braze.routes import DESCRIPTION as BRAZE
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.openapi import (
    COMPONENTS,
    PROBLEM_JSON,
    ApiDescription,
    Body,
    Operation,
    Reply,
    build_document,
    component,
    component_name,
)
from seen_braze_harness.mocks.seen.routes import DESCRIPTION as SEEN
from tests.conftest import post_receivers

API_KEY = "braze-openapi-test-key"
DOCUMENT_URI = "urn:seen-braze:openapi"

ONLY_405 = {
    ("/v1/campaigns/{slug}/receivers/", "GET"),
    ("/v1/campaigns/{slug}/receivers/", "PUT"),
    ("/v1/campaigns/{slug}/receivers/", "PATCH"),
    ("/v1/campaigns/{slug}/receivers/", "DELETE"),
    ("/users/track", "GET"),
    ("/users/track", "PUT"),
    ("/users/track", "PATCH"),
    ("/users/track", "DELETE"),
    ("/users/track", "OPTIONS"),
    ("/transformations/{transformation_id}/{secret}", "GET"),
    ("/transformations/{transformation_id}/{secret}", "PUT"),
    ("/transformations/{transformation_id}/{secret}", "PATCH"),
    ("/transformations/{transformation_id}/{secret}", "DELETE"),
    ("/transformations/{transformation_id}/{secret}", "OPTIONS"),
}
"""Methods the emulated endpoints route only to answer 405 in the service's own shape; the
documented POST lists that 405. Besides these, HEAD and OPTIONS that Flask adds to every rule
are not operations (SEEN's receivers OPTIONS is, and is documented)."""


@pytest.fixture
def braze_app(closing_apps: list[Flask]) -> Flask:
    app = create_braze_app(BrazeSettings(clock="virtual", api_keys={API_KEY: ["users.track"]}))
    closing_apps.append(app)
    return app


@pytest.fixture(params=["seen", "braze"])
def mock(
    request: pytest.FixtureRequest, seen_app: Flask, braze_app: Flask
) -> tuple[Flask, ApiDescription]:
    return (seen_app, SEEN) if request.param == "seen" else (braze_app, BRAZE)


def routed(app: Flask) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every route the app serves, less Flask's automatic ones."""
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        automatic_options = getattr(rule, "provide_automatic_options", False)
        for method in rule.methods or ():
            if method == "HEAD" or (method == "OPTIONS" and automatic_options):
                continue
            found.add((path, method))
    return found


def documented(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in document["paths"].items() for method in item}


def operation_of(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][path][method.lower()]
    return operation


def test_operations_are_the_routes(mock: tuple[Flask, ApiDescription]) -> None:
    app, description = mock
    document = build_document(description)
    routes = routed(app)
    exceptions = routes & ONLY_405
    assert documented(document) == routes - exceptions
    assert exceptions, "the emulated endpoints answer other methods with 405"
    for path, _method in exceptions:
        assert "405" in operation_of(document, path, "post")["responses"]


def test_seen_receivers_options_is_an_operation(seen_app: Flask) -> None:
    document = build_document(SEEN)
    assert ("/v1/campaigns/{slug}/receivers/", "OPTIONS") in documented(document)
    assert ("/v1/campaigns/{slug}/receivers/", "OPTIONS") in routed(seen_app)


def test_the_document_is_valid_openapi_3_1(mock: tuple[Flask, ApiDescription]) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    _app, description = mock
    document = build_document(description, "http://127.0.0.1:8801")
    assert document["openapi"].startswith("3.1.")
    validator.validate(document)


def test_served_at_mock_openapi_json_with_the_hosts_url(
    mock: tuple[Flask, ApiDescription],
) -> None:
    app, description = mock
    response = app.test_client().get("/_mock/openapi.json", base_url="http://127.0.0.1:8123")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    served = response.get_json()
    assert served["servers"] == [{"url": "http://127.0.0.1:8123"}]
    assert served == build_document(description, "http://127.0.0.1:8123")


def test_emulated_endpoints_use_the_schemas_and_their_security() -> None:
    seen = build_document(SEEN)
    post = operation_of(seen, "/v1/campaigns/{slug}/receivers/", "post")
    assert post["security"] == [{"token": []}]
    assert set(post["responses"]) == {"201", "400", "401", "403", "404", "405", "413", "415", "429"}
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": COMPONENTS + "SeenReceiversRequest"}
    assert "Retry-After" in post["responses"]["429"]["headers"]
    for status, reply in post["responses"].items():
        ref = reply["content"]["application/json"]["schema"]["$ref"]
        assert ref.startswith(COMPONENTS + "Seen"), status
    assert seen["webhooks"]["videoReady"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ] == {"$ref": COMPONENTS + "SeenCallback"}
    braze = build_document(BRAZE)
    track = operation_of(braze, "/users/track", "post")
    assert track["security"] == [{"bearer": []}]
    assert braze["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert (
        operation_of(braze, "/transformations/{transformation_id}/{secret}", "post")["security"]
        == []
    )


def test_admin_errors_are_problem_json(mock: tuple[Flask, ApiDescription]) -> None:
    document = build_document(mock[1])
    problems = 0
    for path, item in document["paths"].items():
        if not path.startswith("/_mock/"):
            continue
        for method, operation in item.items():
            for status, reply in operation["responses"].items():
                if int(status) >= 400:
                    assert list(reply["content"]) == [PROBLEM_JSON], (method, path, status)
                    problems += 1
    assert problems > 5
    assert set(document["components"]["schemas"]["Problem"]["required"]) == {
        "type",
        "title",
        "status",
        "detail",
    }


def test_embedded_schemas_keep_no_ids_and_refer_inside_the_document() -> None:
    for description in (SEEN, BRAZE):
        document = build_document(description)
        text = repr(document["components"]["schemas"])
        assert "$id" not in text and "$schema" not in text
        for ref in re.findall(r"'\$ref': '([^']*)'", repr(document)):
            assert ref.startswith(COMPONENTS), ref
            target: Any = document
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            assert isinstance(target, dict), ref


def document_validator(document: dict[str, Any], pointer: str) -> Draft202012Validator:
    """A validator of the schema at `pointer` in `document`, its `$ref`s resolved inside."""
    registry: Registry[Any] = Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"{DOCUMENT_URI}#{pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def response_pointer(path: str, method: str, status: int, media_type: str) -> str:
    escaped = path.replace("~", "~0").replace("/", "~1")
    media = media_type.replace("/", "~1")
    return f"/paths/{escaped}/{method.lower()}/responses/{status}/content/{media}/schema"


RECEIVERS_REQUESTS: list[tuple[Any, bool]] = [
    ([{"first_name": "Ada", "email": "ada@example.com"}], True),
    ([{"last_name": "Lovelace"}], False),
    ([], False),
    ([{"first_name": "Ada", "email": "not an email"}], False),
    ({"first_name": "Ada"}, False),
]


@pytest.mark.parametrize(("instance", "valid"), RECEIVERS_REQUESTS)
def test_the_document_judges_bodies_as_the_schemas_do(instance: Any, valid: bool) -> None:
    document = build_document(SEEN)
    through_document = document_validator(
        document, "/components/schemas/" + component_name("seen/receivers-request")
    )
    assert (not schemas.check("seen/receivers-request", instance)) == valid
    assert through_document.is_valid(instance) is valid


def test_every_schemas_example_is_valid_through_the_document() -> None:
    for description in (SEEN, BRAZE):
        document = build_document(description)
        for path, item in document["paths"].items():
            for method, operation in item.items():
                content = operation.get("requestBody", {}).get("content", {})
                for media, body in content.items():
                    if "example" not in body:
                        continue
                    escaped = path.replace("/", "~1")
                    pointer = (
                        f"/paths/{escaped}/{method}/requestBody/content/"
                        f"{media.replace('/', '~1')}/schema"
                    )
                    validator = document_validator(document, pointer)
                    assert validator.is_valid(body["example"]), (method, path)


def exchanges_seen(client: FlaskClient) -> None:
    post_receivers(client, [{"first_name": "Ada", "customer_id": "c1"}])
    post_receivers(client, [{"last_name": "no first name"}])
    post_receivers(client, [{"first_name": "Ada"}], token=None)
    post_receivers(client, [{"first_name": "Ada"}], slug="nope")
    post_receivers(client, method="GET")
    post_receivers(client, method="OPTIONS")
    post_receivers(client, data="not json")
    post_receivers(client, [{"first_name": "Ada"}], content_type="text/plain")


def test_real_answers_fit_the_documented_responses(seen_app: Flask, braze_app: Flask) -> None:
    """Every answer the mocks give (emulated and admin) is valid against the document."""
    seen = seen_app.test_client()
    exchanges_seen(seen)
    seen.get("/_mock/health")
    seen.post("/_mock/faults", json={"hop": "seen.callback", "status": 503})
    seen.get("/_mock/faults")
    seen.get("/_mock/journal")
    seen.get("/_mock/journal?status=nonsense")
    seen.get("/_mock/clock")
    seen.post("/_mock/clock", json={"advance": 1})
    seen.get("/_mock/campaigns/onboarding")
    seen.get("/_mock/campaigns/missing")
    seen.get("/_mock/receivers")
    seen.get("/_mock/receivers/1")
    braze = braze_app.test_client()
    headers = {"Authorization": f"Bearer {API_KEY}"}
    braze.post(
        "/users/track", json={"attributes": [{"external_id": "u1", "a": 1}]}, headers=headers
    )
    braze.post("/users/track", json={"attributes": [{"a": 1}]}, headers=headers)
    braze.post("/users/track", json={})
    braze.post("/_mock/users", json={"external_id": "u2"})
    braze.get("/_mock/users")
    braze.get("/_mock/transformations")
    braze.get("/_mock/transformations/missing")
    braze.get("/_mock/campaigns")
    braze.get("/_mock/activity-log")
    checked = 0
    for app, description in ((seen_app, SEEN), (braze_app, BRAZE)):
        document = build_document(description)
        for exchange in app.extensions["mock"].journal.query():
            checked += check_answer(
                document,
                exchange.url,
                exchange.method,
                exchange.status,
                exchange.response_headers.get("Content-Type", ""),
                exchange.response_json,
            )
    for client, description in ((seen, SEEN), (braze, BRAZE)):
        document = build_document(description)
        for path in (
            "/_mock/health",
            "/_mock/journal",
            "/_mock/journal?since=nonsense",
            "/_mock/clock",
            "/_mock/faults",
        ):
            response = client.get(path)
            checked += check_answer(
                document,
                path,
                "GET",
                response.status_code,
                response.content_type or "",
                response.get_json(force=True),
            )
    assert checked >= 20


def check_answer(
    document: dict[str, Any], url: str, method: str, status: int | None, ctype: str, body: Any
) -> int:
    """1 when the answer fits its documented response (a test failure when it does not)."""
    assert status is not None
    path = re.sub(r"^https?://[^/]+", "", url).split("?")[0]
    template = next(
        (
            candidate
            for candidate in document["paths"]
            if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", candidate), path)
            and method.lower() in document["paths"][candidate]
        ),
        None,
    )
    if template is None:  # a method routed only to answer 405
        template = next(
            c for c in document["paths"] if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", c), path)
        )
        method = "POST"
    responses = document["paths"][template][method.lower()]["responses"]
    assert str(status) in responses, (method, template, status, sorted(responses))
    media = ctype.split(";")[0].strip()
    content = responses[str(status)].get("content", {})
    assert media in content, (method, template, status, media)
    validator = document_validator(document, response_pointer(template, method, status, media))
    errors = [e.message for e in validator.iter_errors(body)]
    assert not errors, (method, template, status, errors)
    return 1


def test_a_reference_to_nothing_is_refused() -> None:
    broken = ApiDescription(
        service="x",
        title="x",
        description="x",
        operations=(
            Operation("get", "/x", "x", "x", "x", {200: Reply("x", Body(component("Nope")))}),
        ),
    )
    with pytest.raises(KeyError, match="Nope"):
        build_document(broken)


def test_an_operation_described_twice_is_refused() -> None:
    twice = Operation("get", "/x", "x", "x", "x", {200: Reply("x")})
    with pytest.raises(ValueError, match="described twice"):
        build_document(ApiDescription("x", "x", "x", (twice, twice)))


def test_a_mock_without_a_description_documents_its_admin_api(
    make_seen_app: Callable[..., Flask],
) -> None:
    app = make_seen_app()
    del app.extensions["mock_openapi"]
    served = app.test_client().get("/_mock/openapi.json").get_json()
    assert "/_mock/journal.har" in served["paths"]
    assert not any(path.startswith("/v1/") for path in served["paths"])


PAGED = {
    "seen": [
        "/_mock/journal",
        "/_mock/journal.har",
        "/_mock/faults",
        "/_mock/campaigns",
        "/_mock/receivers",
    ],
    "braze": [
        "/_mock/journal",
        "/_mock/journal.har",
        "/_mock/faults",
        "/_mock/users",
        "/_mock/users/export",
        "/_mock/campaigns",
        "/_mock/campaigns/{campaign_id}/messages",
        "/_mock/activity-log",
        "/_mock/content_blocks",
        "/_mock/transformations",
        "/_mock/transformations/logs",
        "/_mock/catalogs",
        "/_mock/messages",
    ],
}


@pytest.mark.parametrize("service", ["seen", "braze"])
def test_every_paged_listing_documents_limit_cursor_and_next_cursor(service: str) -> None:
    document = build_document(SEEN if service == "seen" else BRAZE)
    for path in PAGED[service]:
        operation = operation_of(document, path, "get")
        names = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        assert {"limit", "cursor"} <= names, path
        assert "400" in operation["responses"], path
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        shape = document["components"]["schemas"][ref.removeprefix(COMPONENTS)]
        if path.endswith(".har"):
            shape = shape["properties"]["log"]
            assert "_next_cursor" in shape["required"], path
        else:
            assert "next_cursor" in shape["required"], path


def test_every_admin_operation_with_a_body_documents_the_413(
    mock: tuple[Flask, ApiDescription],
) -> None:
    document = build_document(mock[1])
    bodies = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if path.startswith("/_mock/") and "requestBody" in operation:
                assert "413" in operation["responses"], (method, path)
                bodies += 1
    assert bodies >= 4


def test_paged_answers_and_their_refusals_fit_the_document(
    seen_app: Flask, braze_app: Flask
) -> None:
    seen = seen_app.test_client()
    for i in range(3):
        post_receivers(seen, [{"first_name": f"R{i}"}])
    seen.post("/_mock/faults", json={"hop": "seen.callback", "status": 503})
    braze = braze_app.test_client()
    braze.post("/_mock/users", json=[{"external_id": f"u{i}"} for i in range(3)])
    campaign = braze.post("/_mock/campaigns", json={"url": "https://api.seen.io/x", "body": ""})
    campaign_id = campaign.get_json()["id"]
    braze.post(f"/_mock/campaigns/{campaign_id}/send")
    checked = 0
    for client, description, service in ((seen, SEEN, "seen"), (braze, BRAZE, "braze")):
        document = build_document(description)
        for template in PAGED[service]:
            path = template.replace("{campaign_id}", campaign_id)
            for query in ("limit=1", "limit=0", "limit=x", "cursor=nope", "limit=1001"):
                response = client.get(f"{path}?{query}")
                checked += check_answer(
                    document,
                    path,
                    "GET",
                    response.status_code,
                    response.content_type or "",
                    response.get_json(force=True),
                )
            first = client.get(f"{path}?limit=1").get_json()
            cursor = (first.get("log") or first).get("_next_cursor", first.get("next_cursor"))
            if cursor is not None:
                response = client.get(path, query_string={"limit": "1", "cursor": cursor})
                assert response.status_code == 200, (path, response.get_json())
                checked += check_answer(
                    document, path, "GET", 200, response.content_type or "", response.get_json()
                )
        too_large = client.post(
            "/_mock/faults", data=b" " * (4 * 1024 * 1024 + 1), content_type="application/json"
        )
        checked += check_answer(
            document,
            "/_mock/faults",
            "POST",
            too_large.status_code,
            too_large.content_type or "",
            too_large.get_json(),
        )
    assert checked >= 75


def test_a_served_document_says_its_own_page_limits(
    make_seen_app: Callable[..., Flask],
) -> None:
    app = make_seen_app(admin_page_limit=2, admin_page_max=3)
    served = app.test_client().get("/_mock/openapi.json").get_json()
    for path in PAGED["seen"]:
        (limit,) = [
            p for p in operation_of(served, path, "get")["parameters"] if p["name"] == "limit"
        ]
        assert (limit["schema"]["default"], limit["schema"]["maximum"]) == (2, 3), path
    offline = build_document(SEEN)
    (limit,) = [
        p
        for p in operation_of(offline, "/_mock/receivers", "get")["parameters"]
        if p["name"] == "limit"
    ]
    assert (limit["schema"]["default"], limit["schema"]["maximum"]) == (100, 1000)
