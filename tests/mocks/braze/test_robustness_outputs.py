"""Issue #12, crashes and silent failures: nothing a request or a transformation's output holds
answers 500, leaves a blank log entry, or makes `seen-braze transform` print a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.mocks.braze.conftest import track
from tests.mocks.braze.test_robustness_track_and_webhook import deliver, transform_cli
from tests.mocks.braze.test_transformations import create, path_of, runtime_of

ADMIN_GETS = (
    "/_mock/users",
    "/_mock/journal",
    "/_mock/journal.har",
    "/_mock/transformations",
    "/_mock/transformations/logs",
    "/_mock/messages",
    "/_mock/catalogs",
)


def every_admin_get_answers(client: FlaskClient) -> None:
    for path in ADMIN_GETS:
        response = client.get(path)
        assert response.status_code == 200, (path, response.data[:300])
        response.data.decode("utf-8")


# -- output nested too deeply ---------------------------------------------------------------

DEEP = (
    "let o = {attributes: [{external_id: 'u1'}]}; for (let i = 0; i < {n}; i++) o = [o]; return o"
)


@pytest.mark.parametrize("levels", [60, 1000, 5000])
def test_an_output_nested_deeper_than_max_json_depth_is_invalid_output(
    app: Flask, client: FlaskClient, tmp_path: Path, levels: int
) -> None:
    code = DEEP.replace("{n}", str(levels))
    entry = deliver(app, client, code)
    assert entry["error"]["kind"] == "invalid_output"
    assert "max_json_depth" in entry["error"]["message"]
    assert f"nests {levels + 3} levels deep" in entry["error"]["message"]
    assert entry["output"] is None and entry["destination"] is None
    validation = entry["validate"]
    assert validation["acceptable"] is False
    assert "at most 50 (max_json_depth)" in validation["errors"][0]["message"]
    every_admin_get_answers(client)
    if levels == 1000:
        done = transform_cli(tmp_path, code, "--json")
        assert "Traceback" not in done.stderr and done.returncode == 1, done.stderr
        assert "max_json_depth" in json.loads(done.stdout)["errors"][0]["message"]


def test_an_output_too_deep_for_v8_to_serialise_is_a_runtime_error(
    app: Flask, client: FlaskClient
) -> None:
    entry = deliver(app, client, DEEP.replace("{n}", "200000"))
    assert entry["error"]["kind"] in {"runtime", "invalid_output"}
    every_admin_get_answers(client)


def test_the_depth_limit_is_the_max_json_depth_setting(make_braze_app: Any) -> None:
    app = make_braze_app(max_json_depth=10)
    client = app.test_client()
    entry = deliver(app, client, DEEP.replace("{n}", "8"))
    assert "at most 10 (max_json_depth)" in entry["error"]["message"]


# -- strings JavaScript can build and UTF-8 cannot carry -------------------------------------


@pytest.mark.parametrize(
    ("code", "pointer"),
    [
        (
            "return {attributes: [{external_id: 'u1', first_name: '😀'.slice(0, 1)}]}",
            "/attributes/0/first_name",
        ),
        ("return {attributes: [{external_id: '😀'.slice(1)}]}", "/attributes/0/external_id"),
        (
            "return {attributes: [{external_id: 'u1', ['k' + '😀'[0]]: 1}]}",
            "/attributes/0/k\\ud83d",
        ),
        ("return {attributes: [{external_id: 'u1', a: ['x', '\\udfff']}]}", "/attributes/0/a/1"),
    ],
)
def test_an_output_with_a_lone_surrogate_is_refused_and_nothing_is_stored(
    app: Flask, client: FlaskClient, tmp_path: Path, code: str, pointer: str
) -> None:
    entry = deliver(app, client, code)
    message = "the output has a lone surrogate, which JSON in UTF-8 cannot carry"
    assert entry["error"] == {
        "kind": "invalid_output",
        "message": f"{pointer}: {message}",
        "line": None,
        "column": None,
    }
    assert entry["destination"] is None and entry["output"] is None
    assert entry["validate"]["errors"] == [{"pointer": pointer, "message": message}]
    assert client.get("/_mock/users").json["count"] == 0
    every_admin_get_answers(client)
    done = transform_cli(tmp_path, code, "--json")
    assert "Traceback" not in done.stderr and done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["errors"] == [{"pointer": pointer, "message": message}]


def test_console_and_errors_with_lone_surrogates_are_shown_with_a_replacement_character(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    entry = deliver(app, client, "console.log('a' + '😀'[0]); throw new Error('😀'[1]);")
    assert entry["console"] == [{"level": "log", "text": "a\ufffd"}]
    assert entry["error"]["kind"] == "runtime" and "\ufffd" in entry["error"]["message"]
    assert "\ufffd" in entry["validate"]["error"]["message"]
    thrown = deliver(app, client, "throw '😀'.slice(0, 1)")
    assert thrown["error"]["message"] == "Uncaught \ufffd"
    every_admin_get_answers(client)
    done = transform_cli(tmp_path, "console.log('😀'[0]); return {}", "--json")
    assert "Traceback" not in done.stderr, done.stderr
    assert json.loads(done.stdout)["console"] == [{"level": "log", "text": "\ufffd"}]


def test_nul_u_ffff_and_long_strings_are_delivered_and_every_admin_endpoint_answers(
    app: Flask, client: FlaskClient
) -> None:
    code = (
        "return {attributes: [{external_id: 'u1', first_name: 'a\\u0000b\\uffff😀', "
        "bio: 'x'.repeat(200), nested: {a: {b: {c: '\\u0000'}}}}]}"
    )
    entry = deliver(app, client, code)
    assert entry["error"] is None and entry["destination"]["status"] == 201
    users = client.get("/_mock/users").json
    assert users["users"][0]["first_name"] == "a\u0000b\uffff😀"
    every_admin_get_answers(client)
    har = client.get("/_mock/journal.har").get_data(as_text=True)
    assert json.loads(har)["log"]["entries"]


@pytest.mark.parametrize("destination", ["catalog-put", "send-messages"])
def test_a_deep_output_for_any_destination_is_invalid_output(
    client: FlaskClient, destination: str
) -> None:
    client.post("/_mock/catalogs", json={"name": "videos"})
    code = (
        "let v = 1; for (let i = 0; i < 3000; i++) v = {v: v};"
        "return {catalog_name: 'videos', items: [{id: 'a', v: v}], broadcast: true}"
    )
    made = create(client, code=code, destination=destination)
    validation = client.post(
        f"/_mock/transformations/{made['id']}/validate", json={"payload": {}}
    ).json
    assert validation["acceptable"] is False and validation["output"] is None
    assert "nests 3003 levels deep" in validation["errors"][0]["message"]


# -- sweeps: no string, no value, answers 5xx anywhere ------------------------------------------

STRINGS = (
    "'\\ud800'",
    "'\\udfff'",
    "String.fromCharCode(0xdc00, 0xd800)",
    "'😀'.slice(0, 1)",
    "'\\u0000'",
    "'\\uffff'",
    "'\\ufffe'",
    "'\\u2028'",
    "'x'.repeat(100000)",
)
TEMPLATES = (
    "console.log(S, {[S]: S}); return {attributes: [{external_id: 'u1', first_name: S, [S]: S}],"
    " events: [{external_id: S, name: S, time: '2020-01-01T00:00:00Z', properties: {[S]: S}}],"
    " purchases: [{external_id: 'u1', product_id: S, currency: S, price: 1, time: S}],"
    " catalog_name: 'videos', items: [{id: S, [S]: S}], external_user_ids: [S],"
    " messages: {[S]: {body: S}}}",
    "console.error(new Error(S)); throw new Error(S)",
    "throw {[S]: S}",
    "const e = new Error('x'); e.name = S; throw e",
    "return S",
)
DESTINATIONS = ("track-users", "catalog-put", "catalog-patch", "catalog-delete", "send-messages")


@pytest.mark.parametrize("text", STRINGS)
def test_no_string_javascript_can_build_makes_any_endpoint_answer_5xx(
    app: Flask, client: FlaskClient, text: str
) -> None:
    client.post("/_mock/catalogs", json={"name": "videos"})
    for template in TEMPLATES:
        code = template.replace("S", text)
        for destination in DESTINATIONS:
            made = create(client, code=code, destination=destination, active=True)
            assert client.post(path_of(made), json={"a": 1}).status_code == 201
            runtime_of(app).scheduler.run_until_idle()
            validate = client.post(
                f"/_mock/transformations/{made['id']}/validate", json={"payload": {"a": 1}}
            )
            assert validate.status_code == 200, (code, destination, validate.data[:300])
            every_admin_get_answers(client)
            client.delete(f"/_mock/transformations/{made['id']}")  # the tier allows 5 active
    logs = client.get("/_mock/transformations/logs").json["logs"]
    assert all(e["error"] is None or e["error"]["message"] for e in logs), "no blank entry"


HOSTILE = ({}, [], [1], {"a": 1}, True, 1e308, -1, 2**70, "", "\u0000", "\uffff", None, "x" * 300)
TRACK_OBJECTS = {
    "attributes": {"external_id": "u1", "first_name": "A", "email": "a@b.co", "dob": "1990-01-01"},
    "events": {"external_id": "u1", "name": "e", "time": "2020-01-01T00:00:00Z", "app_id": "x"},
    "purchases": {"external_id": "u1", "product_id": "p", "currency": "USD", "price": 1},
}


@pytest.mark.parametrize("array", list(TRACK_OBJECTS))
def test_no_value_in_any_track_field_answers_5xx(client: FlaskClient, array: str) -> None:
    obj = TRACK_OBJECTS[array]
    if array == "purchases":
        obj = {**obj, "time": "2020-01-01T00:00:00Z"}
    for key in [*obj, "user_alias", "braze_id", "phone", "_update_existing_only", "properties"]:
        for value in HOSTILE:
            for body in ({array: [{**obj, key: value}]}, {array: [obj, {**obj, key: value}]}):
                response = track(client, body)
                assert response.status_code < 500, (array, key, value, response.data[:300])
    every_admin_get_answers(client)
