"""Issue #11's catalog and Send messages destination rules, named after Braze's error ids.

Sources (braze-inc/braze-docs): the bulk catalog item pages (PUT, PATCH, DELETE
/catalogs/{catalog_name}/items: troubleshooting table), POST /catalogs (fields), POST
/messages/send and the recipients object.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.mocks.braze.test_transformations import create, path_of, runtime_of

FIELDS = [
    {"name": "id", "type": "string"},
    {"name": "title", "type": "string"},
    {"name": "views", "type": "number"},
    {"name": "live", "type": "boolean"},
    {"name": "published", "type": "time"},
    {"name": "meta", "type": "object"},
    {"name": "tags", "type": "array"},
]


@pytest.fixture
def catalog(client: FlaskClient) -> dict[str, Any]:
    made = client.post("/_mock/catalogs", json={"name": "videos", "fields": FIELDS})
    assert made.status_code == 201, made.json
    body: dict[str, Any] = made.json
    return body


def deliver(
    app: Flask, client: FlaskClient, items: list[Any], destination: str = "catalog-put"
) -> dict[str, Any]:
    """Deliver `items` through an active transformation; the log entry's destination."""
    code = f"return {{catalog_name: 'videos', items: {json.dumps(items)}}}"
    made = create(client, destination=destination, active=True, code=code)
    client.post(path_of(made), json={})
    runtime_of(app).scheduler.run_until_idle()
    entry = client.get(f"/_mock/transformations/logs?transformation={made['id']}").json["logs"][0]
    client.post(f"/_mock/transformations/{made['id']}/deactivate")
    delivered: dict[str, Any] = entry["destination"] or {"error": entry["error"]}
    return delivered


def validate(client: FlaskClient, items: list[Any], destination: str = "catalog-put") -> list[str]:
    code = f"return {{catalog_name: 'videos', items: {json.dumps(items)}}}"
    made = create(client, destination=destination, code=code)
    shown = client.post(f"/_mock/transformations/{made['id']}/validate", json={"payload": {}})
    return [e["message"].split(":")[0] for e in shown.json["errors"]]


def test_catalogs_have_fields_with_id_first(client: FlaskClient, catalog: dict[str, Any]) -> None:
    assert catalog["fields"][0] == {"name": "id", "type": "string"}
    bad = client.post(
        "/_mock/catalogs", json={"name": "x", "fields": [{"name": "a", "type": "string"}]}
    )
    assert bad.status_code == 400 and "'id'" in bad.json["detail"]
    odd = client.post(
        "/_mock/catalogs", json={"name": "y", "fields": [{"name": "id", "type": "uuid"}]}
    )
    assert odd.status_code == 400 and "type must be one of" in odd.json["detail"]


ID_FIELD = {"name": "id", "type": "string"}


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"name": "free", "fields": None}, 201, ""),  # null: any field, as the document says
        ({"name": "x\n"}, 400, "name"),
        ({"name": "x", "fields": []}, 400, "'id'"),
        ({"name": "x", "fields": [None]}, 400, "fields"),
        (
            {
                "name": "x",
                "fields": [{"name": "id", "type": "string"}, {"name": "a\n", "type": "geo"}],
            },
            400,
            "fields[1]",
        ),
        (
            {
                "name": "x",
                "fields": [{"name": "id", "type": "string"}, {"name": "id", "type": "geo"}],
            },
            400,
            "named twice",
        ),
    ],
)
def test_catalog_definitions_as_the_document_states_them(
    client: FlaskClient, body: dict[str, Any], status: int, words: str
) -> None:
    response = client.post("/_mock/catalogs", json=body)
    assert response.status_code == status, response.json
    assert words in (response.json.get("detail") or "")


def test_invalid_fields_for_a_field_the_catalog_does_not_have(
    app: Flask, client: FlaskClient, catalog: dict[str, Any]
) -> None:
    items = [{"id": "v1", "title": "ok"}, {"id": "v2", "catalog_column1": 1}]
    logged = deliver(app, client, items)
    assert logged["error"]["kind"] == "invalid_output"
    assert logged["error"]["message"].startswith("/items/1/catalog_column1: invalid-fields")
    destination = app.extensions["braze"].transformations.destinations["catalog-put"]
    answer = destination.deliver({"catalog_name": "videos", "items": items})
    assert (answer.status, answer.body) == (
        400,
        {
            "errors": [
                {
                    "id": "invalid-fields",
                    "message": "Some of the fields given do not exist in the catalog",
                    "parameters": ["id"],
                    "parameter_values": ["v2"],
                }
            ],
            "message": "Invalid Request",
        },
    )


def test_items_too_large_over_5000_characters(client: FlaskClient, catalog: dict[str, Any]) -> None:
    assert validate(client, [{"id": "v1", "title": "x" * 4960}]) == []
    assert validate(client, [{"id": "v1", "title": "x" * 5000}]) == ["items-too-large"]


@pytest.mark.parametrize("key", ["a.b", "$set"])
def test_invalid_keys_in_value_object_for_dot_or_dollar(
    client: FlaskClient, catalog: dict[str, Any], key: str
) -> None:
    assert validate(client, [{"id": "v1", "meta": {"ok": {key: 1}}}]) == [
        "invalid-keys-in-value-object"
    ]


def test_too_deep_nesting_in_value_object_beyond_50_levels(
    client: FlaskClient, catalog: dict[str, Any]
) -> None:
    def nested(levels: int) -> dict[str, Any]:
        value: dict[str, Any] = {"leaf": 1}
        for _ in range(levels - 1):
            value = {"n": value}
        return value

    assert validate(client, [{"id": "v1", "meta": nested(50)}]) == []
    assert validate(client, [{"id": "v1", "meta": nested(51)}]) == [
        "too-deep-nesting-in-value-object"
    ]


def test_ids_not_string_is_brazes_exact_id(client: FlaskClient, catalog: dict[str, Any]) -> None:
    assert validate(client, [{"id": 7}]) == ["ids-not-string"]


def test_item_array_invalid_when_items_are_not_objects(
    client: FlaskClient, catalog: dict[str, Any]
) -> None:
    assert validate(client, ["v1"]) == ["item-array-invalid"]
    code = "return {catalog_name: 'videos', items: 'v1'}"
    made = create(client, destination="catalog-put", code=code)
    shown = client.post(f"/_mock/transformations/{made['id']}/validate", json={"payload": {}})
    assert shown.json["errors"][0]["message"].startswith("item-array-invalid")


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("views", "12", True),
        ("views", "twelve", False),
        ("views", True, False),
        ("live", "true", True),
        ("live", 1, False),
        ("published", "2021-09-03T09:03:19.967+00:00", True),
        ("published", "yesterday", False),
        ("meta", [1], False),
        ("tags", {"a": 1}, False),
        ("title", 5, True),
    ],
)
def test_unable_to_coerce_value_when_a_value_does_not_fit_its_field(
    client: FlaskClient, catalog: dict[str, Any], field: str, value: Any, ok: bool
) -> None:
    assert validate(client, [{"id": "v1", field: value}]) == (
        [] if ok else ["unable-to-coerce-value"]
    )


def test_patch_adds_and_removes_array_values(
    app: Flask, client: FlaskClient, catalog: dict[str, Any]
) -> None:
    assert deliver(app, client, [{"id": "v1", "tags": ["a", "b"]}])["status"] == 202
    edit = [{"id": "v1", "tags": {"$add": ["c"], "$remove": ["a"]}}]
    assert deliver(app, client, edit, destination="catalog-patch")["status"] == 202
    (stored,) = client.get("/_mock/catalogs").json["catalogs"]
    assert stored["items"] == [{"id": "v1", "tags": ["b", "c"]}]


def test_delete_needs_only_ids(app: Flask, client: FlaskClient, catalog: dict[str, Any]) -> None:
    deliver(app, client, [{"id": "v1", "title": "t"}])
    assert deliver(app, client, [{"id": "v1"}], destination="catalog-delete")["status"] == 202
    assert client.get("/_mock/catalogs").json["catalogs"][0]["items"] == []


# -- Send messages -----------------------------------------------------------------------------

MESSAGE = "messages: {email: {app_id: 'a', subject: 's', body: 'b'}}"


def send(client: FlaskClient, recipients: str) -> list[dict[str, str]]:
    made = create(client, destination="send-messages", code=f"return {{{recipients}, {MESSAGE}}}")
    shown = client.post(f"/_mock/transformations/{made['id']}/validate", json={"payload": {}})
    errors: list[dict[str, str]] = shown.json["errors"]
    return errors


@pytest.fixture
def users(app: Flask) -> None:
    profiles = app.extensions["braze"].profiles
    profiles.seed({"external_id": "u1"})
    profiles.seed({"external_id": "u2", "user_aliases": [{"alias_name": "n", "alias_label": "l"}]})


def test_broadcast_true_with_recipients_is_refused(client: FlaskClient, users: None) -> None:
    (error,) = send(client, "broadcast: true, segment_id: 's', external_user_ids: ['u1']")
    assert error["pointer"] == "/external_user_ids"
    assert "a broadcast may not list recipients" in error["message"]
    assert send(client, "broadcast: true, segment_id: 's'") == []


def test_user_aliases_recipients_are_accepted(app: Flask, client: FlaskClient, users: None) -> None:
    assert send(client, "user_aliases: [{alias_name: 'n', alias_label: 'l'}]") == []
    (error,) = send(client, "user_aliases: [{alias_name: 'ghost', alias_label: 'l'}]")
    assert error["pointer"] == "/user_aliases/0" and "ghost" in error["message"]
    code = f"return {{user_aliases: [{{alias_name: 'n', alias_label: 'l'}}], {MESSAGE}}}"
    made = create(client, destination="send-messages", active=True, code=code)
    client.post(path_of(made), json={})
    runtime_of(app).scheduler.run_until_idle()
    (entry,) = client.get("/_mock/transformations/logs").json["logs"]
    assert entry["destination"]["status"] == 201 and entry["destination"]["body"]["dispatch_id"]


@pytest.mark.parametrize(
    ("recipients", "pointer", "text"),
    [
        ("messages_only: 1", "/external_user_ids", "or set 'broadcast': true"),
        ("broadcast: true", "/broadcast", "needs a 'segment_id' or an 'audience'"),
        ("broadcast: 'yes', segment_id: 's'", "/broadcast", "true or false"),
        ("external_user_ids: 'u1'", "/external_user_ids", "must be an array"),
        (
            "external_user_ids: Array.from({length: 51}, (_, i) => 'u' + i)",
            "/external_user_ids",
            "at most 50",
        ),
        ("recipients: [{external_user_id: 'u1', braze_id: 'b'}]", "/recipients/0", "exactly one"),
        ("recipients: [{external_user_id: 'ghost'}]", "/recipients/0/external_user_id", "ghost"),
        ("recipients: [{email: 'a@b.co'}]", "/recipients/0/prioritization", "required"),
        (
            "recipients: [{external_user_id: 'new', send_to_existing_only: false}]",
            "/recipients/0/attributes",
            "needs attributes",
        ),
        (
            "recipients: [{user_alias: {alias_name: 'n', alias_label: 'l'}, "
            "send_to_existing_only: false, attributes: {}}]",
            "/recipients/0/send_to_existing_only",
            "user aliases",
        ),
    ],
)
def test_the_other_recipient_rules_of_messages_send(
    client: FlaskClient, users: None, recipients: str, pointer: str, text: str
) -> None:
    errors = send(client, recipients)
    assert [e["pointer"] for e in errors] == [pointer], errors
    assert text in errors[0]["message"]


def test_recipients_objects_that_exist_are_accepted(client: FlaskClient, users: None) -> None:
    assert send(client, "recipients: [{external_user_id: 'u1'}]") == []
    created = "{external_user_id: 'new', send_to_existing_only: false, attributes: {a: 1}}"
    assert send(client, f"recipients: [{created}]") == []
