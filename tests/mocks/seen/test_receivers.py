"""The receivers endpoint: every row of the reference's response table, and the field rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import pytest
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.mocks.core.runtime import MockRuntime
from seen_braze_harness.mocks.seen.models import SeenBackend
from tests.conftest import OTHER_TOKEN, TOKEN, post_receivers

ADA = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "customer_id": "b1",
}


def test_created_echoes_the_receivers_with_ids(client: FlaskClient, backend: SeenBackend) -> None:
    response = post_receivers(client, [ADA, {"first_name": "Grace", "customer_id": "b2"}])
    assert response.status_code == 201
    assert response.status == "201 Created"
    assert response.json == [
        {"id": 1, **ADA},
        {"id": 2, "first_name": "Grace", "customer_id": "b2"},
    ]
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Allow"] == "POST, OPTIONS"
    assert [r.state for r in backend.receivers.values()] == ["accepted", "accepted"]


@pytest.mark.parametrize("trailing_slash", [True, False])
def test_accepts_the_path_with_and_without_trailing_slash(
    client: FlaskClient, trailing_slash: bool
) -> None:
    response = post_receivers(client, [ADA], trailing_slash=trailing_slash)
    assert response.status_code == 201, response.json


def test_campaign_slugs_keep_their_capitals(make_seen_app: Callable[..., Flask]) -> None:
    app = make_seen_app(campaigns=[{"slug": "Test-Boys", "token": TOKEN}])
    client = app.test_client()
    assert post_receivers(client, [ADA], slug="Test-Boys").status_code == 201
    assert post_receivers(client, [ADA], slug="test-boys").status_code == 404


def test_charset_parameter_is_accepted(client: FlaskClient) -> None:
    response = post_receivers(client, [ADA], content_type="application/json; charset=utf-8")
    assert response.status_code == 201


# One row per documented answer: (name, request, status, body, headers).
ERROR_TABLE: list[tuple[str, dict[str, Any], int, Any, dict[str, str]]] = [
    (
        "no Authorization header",
        {"token": None},
        401,
        {"detail": "Authentication credentials were not provided."},
        {"WWW-Authenticate": "Token"},
    ),
    (
        "Bearer instead of Token",
        {"headers": {"Authorization": f"Bearer {TOKEN}"}},
        401,
        {"detail": "Authentication credentials were not provided."},
        {"WWW-Authenticate": "Token"},
    ),
    (
        "unknown token",
        {"token": "f" * 40},
        401,
        {"detail": "Invalid token."},
        {"WWW-Authenticate": "Token"},
    ),
    (
        "Token keyword without credentials",
        {"headers": {"Authorization": "Token"}},
        401,
        {"detail": "Invalid token header. No credentials provided."},
        {"WWW-Authenticate": "Token"},
    ),
    (
        "token with spaces",
        {"headers": {"Authorization": f"Token {TOKEN} extra"}},
        401,
        {"detail": "Invalid token header. Token string should not contain spaces."},
        {"WWW-Authenticate": "Token"},
    ),
    (
        "keyword is case-insensitive, the token is not",
        {"headers": {"Authorization": f"token {TOKEN.upper()}"}},
        401,
        {"detail": "Invalid token."},
        {},
    ),
    ("unknown slug", {"slug": "welcome-film"}, 404, {"detail": "Not found."}, {}),
    (
        "GET",
        {"method": "GET"},
        405,
        {"detail": 'Method "GET" not allowed.'},
        {"Allow": "POST, OPTIONS"},
    ),
    ("PUT", {"method": "PUT"}, 405, {"detail": 'Method "PUT" not allowed.'}, {}),
    ("DELETE", {"method": "DELETE"}, 405, {"detail": 'Method "DELETE" not allowed.'}, {}),
    (
        "text/plain body",
        {"data": "first_name=Ada", "content_type": "text/plain"},
        415,
        {"detail": 'Unsupported media type "text/plain" in request.'},
        {},
    ),
    (
        "form body",
        {"data": "first_name=Ada", "content_type": "application/x-www-form-urlencoded"},
        415,
        {"detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'},
        {},
    ),
    (
        "no content type",
        {"data": "[]", "content_type": ""},
        415,
        {"detail": 'Unsupported media type "" in request.'},
        {},
    ),
    (
        "malformed JSON",
        {"data": '[{"first_name": "Ada",}]'},
        400,
        {
            "detail": "JSON parse error - Expecting property name enclosed in double quotes: "
            "line 1 column 23 (char 22)"
        },
        {},
    ),
    (
        "NaN is not JSON",
        {"data": '[{"first_name": NaN}]'},
        400,
        {"detail": "JSON parse error - Out of range float values are not JSON compliant: 'NaN'"},
        {},
    ),
    (
        "body not UTF-8",
        {"data": b'[{"first_name": "\xff"}]'},
        400,
        {
            "detail": "JSON parse error - 'utf-8' codec can't decode byte 0xff in position 17: "
            "invalid start byte"
        },
        {},
    ),
    (
        "JSON nested ten thousand deep",
        {"data": "[" * 10_000 + "]" * 10_000},
        400,
        {"detail": "JSON parse error - JSON nested too deeply"},
        {},
    ),
    (
        "lone surrogate",
        {"data": '[{"first_name": "\\ud800"}]'},
        400,
        {"detail": "JSON parse error - string with a lone surrogate (\\ud800-\\udfff)"},
        {},
    ),
    (
        "number no double can hold",
        {"data": '[{"first_name": 1e400}]'},
        400,
        {"detail": "JSON parse error - number out of range: JSON numbers must fit a double"},
        {},
    ),
    (
        "body is an object",
        {"body": ADA},
        400,
        {"non_field_errors": ['Expected a list of items but got type "dict".']},
        {},
    ),
    (
        "body is a string",
        {"body": "Ada"},
        400,
        {"non_field_errors": ['Expected a list of items but got type "str".']},
        {},
    ),
    (
        "empty body parses as an empty object, as DRF does",
        {"data": ""},
        400,
        {"non_field_errors": ['Expected a list of items but got type "dict".']},
        {},
    ),
    ("empty list", {"body": []}, 400, {"non_field_errors": ["This list may not be empty."]}, {}),
    (
        "over the batch limit",
        {"body": [{"first_name": f"U{i}"} for i in range(101)]},
        400,
        {"non_field_errors": ["Ensure this field has no more than 100 elements."]},
        {},
    ),
]


@pytest.mark.parametrize(
    ("request_args", "status", "body", "headers"),
    [row[1:] for row in ERROR_TABLE],
    ids=[row[0] for row in ERROR_TABLE],
)
def test_error_answers(
    client: FlaskClient,
    backend: SeenBackend,
    runtime: MockRuntime,
    request_args: dict[str, Any],
    status: int,
    body: Any,
    headers: dict[str, str],
) -> None:
    args = {"body": [ADA], **request_args}
    response = post_receivers(client, **args)
    assert response.status_code == status
    assert response.json == body
    for name, value in headers.items():
        assert response.headers[name] == value
    assert backend.receivers == {}, "a refused call creates nothing"
    (exchange,) = runtime.journal.query(hop="seen.receivers")
    assert exchange.status == status
    assert exchange.verdict()["response"] is not None
    assert exchange.verdict()["response"].valid, "the answer matches its own schema"


# (name, receiver, field errors): field rules with DRF's messages.
FIELD_TABLE: list[tuple[str, Any, dict[str, list[str]]]] = [
    ("first_name missing", {"last_name": "L"}, {"first_name": ["This field is required."]}),
    ("first_name null", {"first_name": None}, {"first_name": ["This field may not be null."]}),
    ("first_name blank", {"first_name": ""}, {"first_name": ["This field may not be blank."]}),
    ("first_name spaces", {"first_name": "   "}, {"first_name": ["This field may not be blank."]}),
    ("first_name a list", {"first_name": ["Ada"]}, {"first_name": ["Not a valid string."]}),
    ("first_name a boolean", {"first_name": True}, {"first_name": ["Not a valid string."]}),
    (
        "first_name too long",
        {"first_name": "A" * 256},
        {"first_name": ["Ensure this field has no more than 255 characters."]},
    ),
    (
        "last_name null",
        {"first_name": "A", "last_name": None},
        {"last_name": ["This field may not be null."]},
    ),
    (
        "email not an address",
        {"first_name": "A", "email": "ada"},
        {"email": ["Enter a valid email address."]},
    ),
    (
        "email without domain dot",
        {"first_name": "A", "email": "ada@example"},
        {"email": ["Enter a valid email address."]},
    ),
    (
        "phone not E.164",
        {"first_name": "A", "phone": "12345678"},
        {"phone": ["Enter a valid phone number."]},
    ),
    (
        "phone with spaces",
        {"first_name": "A", "phone": "+47 123 45 678"},
        {"phone": ["Enter a valid phone number."]},
    ),
    (
        "extra_args a list",
        {"first_name": "A", "extra_args": [1]},
        {"extra_args": ['Expected a dictionary of items but got type "list".']},
    ),
    (
        "item not an object",
        "Ada",
        {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
    ),
    (
        "several fields at once",
        {"email": "x", "phone": "0"},
        {
            "first_name": ["This field is required."],
            "email": ["Enter a valid email address."],
            "phone": ["Enter a valid phone number."],
        },
    ),
]


@pytest.mark.parametrize(
    ("receiver", "errors"), [row[1:] for row in FIELD_TABLE], ids=[row[0] for row in FIELD_TABLE]
)
def test_field_errors_align_with_the_input(
    client: FlaskClient, backend: SeenBackend, receiver: Any, errors: dict[str, list[str]]
) -> None:
    response = post_receivers(client, [ADA, receiver, {"first_name": "Grace"}])
    assert response.status_code == 400
    assert response.json == [{}, errors, {}]
    assert backend.receivers == {}, "nothing in the batch is created"


# (name, receiver, echo): what is accepted, and how it comes back.
ACCEPTED_TABLE: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("only first_name", {"first_name": "Ada"}, {"first_name": "Ada"}),
    (
        "numbers become strings",
        {"first_name": 42, "customer_id": 7},
        {"first_name": "42", "customer_id": "7"},
    ),
    ("white space is trimmed", {"first_name": "  Ada  "}, {"first_name": "Ada"}),
    (
        "blank optional fields",
        {"first_name": "A", "last_name": "", "email": "", "phone": ""},
        {"first_name": "A", "last_name": "", "email": "", "phone": ""},
    ),
    (
        "E.164 phone",
        {"first_name": "A", "phone": "+4712345678"},
        {"first_name": "A", "phone": "+4712345678"},
    ),
    ("unknown fields are ignored", {"first_name": "A", "age": 42}, {"first_name": "A"}),
    (
        "extra_args",
        {"first_name": "A", "extra_args": {"age": 42}},
        {"first_name": "A", "extra_args": {"age": 42}},
    ),
    ("quotes and emoji", {"first_name": 'Zoë "Z" 🎬'}, {"first_name": 'Zoë "Z" 🎬'}),
    ("255 characters", {"first_name": "A" * 255}, {"first_name": "A" * 255}),
]


@pytest.mark.parametrize(
    ("receiver", "echo"),
    [row[1:] for row in ACCEPTED_TABLE],
    ids=[row[0] for row in ACCEPTED_TABLE],
)
def test_accepted_receivers(
    client: FlaskClient, receiver: dict[str, Any], echo: dict[str, Any]
) -> None:
    response = post_receivers(client, [receiver])
    assert response.status_code == 201, response.json
    assert response.json == [{"id": 1, **echo}]


@pytest.mark.parametrize(
    ("overrides", "receiver", "status"),
    [
        ({"validate_email": False}, {"first_name": "A", "email": "ada"}, 201),
        ({"validate_phone": False}, {"first_name": "A", "phone": "12"}, 201),
        ({"max_field_length": 3}, {"first_name": "Adam"}, 400),
        ({"max_field_length": 4}, {"first_name": "Adam"}, 201),
    ],
)
def test_field_rule_settings(
    make_seen_app: Callable[..., Flask], overrides: dict[str, Any], receiver: Any, status: int
) -> None:
    client = make_seen_app(**overrides).test_client()
    assert post_receivers(client, [receiver]).status_code == status


def test_empty_batch_setting(make_seen_app: Callable[..., Flask]) -> None:
    client = make_seen_app(allow_empty_batch=True).test_client()
    response = post_receivers(client, [])
    assert (response.status_code, response.json) == (201, [])


def test_batch_limit_setting(make_seen_app: Callable[..., Flask]) -> None:
    client = make_seen_app(batch_limit=2).test_client()
    assert post_receivers(client, [ADA, ADA]).status_code == 201
    response = post_receivers(client, [ADA, ADA, ADA])
    assert response.json == {"non_field_errors": ["Ensure this field has no more than 2 elements."]}


def test_duplicate_customer_ids_are_accepted_by_default(client: FlaskClient) -> None:
    assert post_receivers(client, [ADA]).status_code == 201
    assert post_receivers(client, [ADA, ADA]).status_code == 201


def test_duplicate_customer_id_switch(make_seen_app: Callable[..., Flask]) -> None:
    app = make_seen_app(
        reject_duplicate_customer_id=True,
        campaigns=[{"slug": "onboarding", "token": TOKEN}, {"slug": "other", "token": TOKEN}],
    )
    client = app.test_client()
    assert post_receivers(client, [ADA]).status_code == 201
    duplicate = {"customer_id": ["receiver with this customer id already exists."]}
    response = post_receivers(client, [{"first_name": "G", "customer_id": "b2"}, ADA])
    assert (response.status_code, response.json) == (400, [{}, duplicate])
    response = post_receivers(client, [{"first_name": "G", "customer_id": "b3"}] * 2)
    assert response.json == [{}, duplicate], "a duplicate within one batch is refused too"
    assert post_receivers(client, [ADA], slug="other").status_code == 201, "per campaign"


def test_body_size_limit(make_seen_app: Callable[..., Flask]) -> None:
    app = make_seen_app(max_body_bytes=100)
    client = app.test_client()
    big = [{"first_name": "A" * 200}]
    response = post_receivers(client, big)
    assert response.status_code == 413
    size = len(response.request.get_data())
    assert response.json == {"detail": f"Request body is {size} bytes; the limit is 100 bytes."}
    assert post_receivers(client, [{"first_name": "A"}]).status_code == 201, "still serving"
    exchanges = app.extensions["mock"].journal.query(hop="seen.receivers")
    assert [e.status for e in exchanges] == [413, 201]


def test_body_size_limit_comes_before_authentication(make_seen_app: Callable[..., Flask]) -> None:
    client = make_seen_app(max_body_bytes=10).test_client()
    response = post_receivers(client, [ADA], token=None)
    assert response.status_code == 413


def test_options_answers_metadata(client: FlaskClient) -> None:
    response = post_receivers(client, method="OPTIONS")
    assert response.status_code == 200
    assert response.json["parses"] == ["application/json"]
    assert response.headers["Allow"] == "POST, OPTIONS"


@pytest.mark.parametrize("method", ["OPTIONS", "POST", "GET"])
@pytest.mark.parametrize("slug", ["%C2%84", "_x", "a%20b", "x" * 101])
def test_a_slug_that_cannot_be_one_is_not_found_before_authentication(
    client: FlaskClient, method: str, slug: str
) -> None:
    """SEEN's URL pattern does not match such a path: 404 for every method, whatever the
    token (the OpenAPI document's slug pattern says the same)."""
    for token in (TOKEN, None):
        response = post_receivers(client, [ADA], slug=slug, method=method, token=token)
        assert (response.status_code, response.json) == (404, {"detail": "Not found."})


def test_unknown_path_is_answered_and_journaled(client: FlaskClient, runtime: MockRuntime) -> None:
    response = client.post("/v1/campaigns/onboarding/", json=[ADA])
    assert (response.status_code, response.json) == (404, {"detail": "Not found."})
    (exchange,) = runtime.journal.query(hop="seen.unmatched")
    assert exchange.status == 404 and exchange.request_json == [ADA]


class TestTokenScoping:
    CAMPAIGNS: ClassVar[list[dict[str, str]]] = [
        {"slug": "onboarding", "token": TOKEN},
        {"slug": "welcome-film", "token": OTHER_TOKEN},
    ]

    def test_without_scoping_any_known_token_posts_anywhere(
        self, make_seen_app: Callable[..., Flask]
    ) -> None:
        client = make_seen_app(campaigns=self.CAMPAIGNS).test_client()
        assert post_receivers(client, [ADA], slug="welcome-film").status_code == 201

    def test_with_scoping_a_campaign_token_is_refused_elsewhere(
        self, make_seen_app: Callable[..., Flask]
    ) -> None:
        client = make_seen_app(campaigns=self.CAMPAIGNS, token_scoping=True).test_client()
        assert post_receivers(client, [ADA]).status_code == 201
        response = post_receivers(client, [ADA], slug="welcome-film")
        assert response.status_code == 403
        assert response.json == {"detail": "You do not have permission to perform this action."}
        unknown = post_receivers(client, [ADA], slug="no-such-campaign")
        assert unknown.status_code == 403, "a scoped token cannot probe other slugs"

    def test_account_tokens_are_valid_everywhere(self, make_seen_app: Callable[..., Flask]) -> None:
        account = "a" * 40
        app = make_seen_app(campaigns=self.CAMPAIGNS, token_scoping=True, tokens=[account])
        client = app.test_client()
        assert post_receivers(client, [ADA], token=account).status_code == 201
        assert post_receivers(client, [ADA], token=account, slug="welcome-film").status_code == 201


def test_precedence_follows_django_rest_framework(client: FlaskClient) -> None:
    """Authentication, then throttling, then the method, then the campaign, then the body."""
    assert post_receivers(client, method="GET", token=None).status_code == 401
    assert post_receivers(client, method="GET", slug="nope").status_code == 405
    bad_body = post_receivers(client, data="{", slug="nope")
    assert bad_body.status_code == 404
    assert post_receivers(client, data="{", content_type="text/plain").status_code == 415


def test_request_and_response_are_journaled(client: FlaskClient, runtime: MockRuntime) -> None:
    post_receivers(client, [ADA])
    (exchange,) = runtime.journal.query(hop="seen.receivers")
    assert exchange.direction == "inbound"
    assert exchange.method == "POST"
    assert exchange.request_headers["Authorization"] == f"Token {TOKEN}"
    assert exchange.request_json == [ADA]
    assert exchange.response_json == [{"id": 1, **ADA}]
    assert exchange.time == runtime.clock.now()
    verdict = exchange.verdict()
    assert verdict["request"] is not None and verdict["request"].schema == "seen/receivers-request"
    assert (
        verdict["response"] is not None and verdict["response"].schema == "seen/receivers-created"
    )
    assert exchange.valid


def test_a_bad_request_is_journaled_with_its_schema_errors(
    client: FlaskClient, runtime: MockRuntime
) -> None:
    post_receivers(client, [{"last_name": "L", "email": "nope"}])
    (exchange,) = runtime.journal.query(hop="seen.receivers", status=400)
    request_verdict = exchange.verdict()["request"]
    assert request_verdict is not None and not request_verdict.valid
    pointers = {issue.pointer for issue in request_verdict.errors}
    assert pointers == {"/0", "/0/email"}
    assert exchange.note is not None and "first_name" in exchange.note


def test_receivers_cap_forgets_the_oldest(make_seen_app: Callable[..., Flask]) -> None:
    app = make_seen_app(receivers_cap=3, reject_duplicate_customer_id=True)
    client = app.test_client()
    for n in range(5):
        assert (
            post_receivers(client, [{"first_name": "A", "customer_id": f"c{n}"}]).status_code == 201
        )
    backend: SeenBackend = app.extensions["seen"]
    assert sorted(backend.receivers) == [3, 4, 5]
    assert backend.evicted == 2
    again = post_receivers(client, [{"first_name": "A", "customer_id": "c0"}])
    assert again.status_code == 201, "a forgotten receiver's customer_id is free again"
    assert post_receivers(client, [{"first_name": "A", "customer_id": "c4"}]).status_code == 400
