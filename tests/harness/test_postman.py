"""`seen-braze postman`: a well-formed collection that runs green against `seen-braze serve`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator

from seen_braze_harness.harness.admin_token import ADMIN_TOKEN_ENV
from tests.servekit import ServeProcess, seen_braze_command

COLLECTION = "seen-braze.postman_collection.json"
ENVIRONMENT = "seen-braze.postman_environment.json"
TOKEN = "5eeb5eeb0123456789abcdef0123456789abcdef"
API_KEY = "b7a2e5c0-5eeb-4d1e-9a6f-0123456789ab"

# The structural essentials of the Postman Collection v2.1 schema.
COLLECTION_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["info", "item"],
    "properties": {
        "info": {
            "type": "object",
            "required": ["name", "schema"],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "schema": {
                    "const": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
                },
                "_postman_id": {"type": "string"},
                "description": {"type": "string"},
            },
        },
        "item": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/item"}},
    },
    "$defs": {
        "item": {"oneOf": [{"$ref": "#/$defs/folder"}, {"$ref": "#/$defs/request_item"}]},
        "folder": {
            "type": "object",
            "required": ["name", "item"],
            "not": {"required": ["request"]},
            "properties": {
                "name": {"type": "string"},
                "description": {"type": "string"},
                "item": {"type": "array", "items": {"$ref": "#/$defs/item"}},
            },
        },
        "request_item": {
            "type": "object",
            "required": ["name", "request"],
            "not": {"required": ["item"]},
            "properties": {
                "name": {"type": "string"},
                "request": {"$ref": "#/$defs/request"},
                "event": {"type": "array", "items": {"$ref": "#/$defs/event"}},
                "response": {"type": "array", "items": {"$ref": "#/$defs/response"}},
            },
        },
        "request": {
            "type": "object",
            "required": ["method", "url"],
            "properties": {
                "method": {"enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]},
                "url": {"$ref": "#/$defs/url"},
                "description": {"type": "string"},
                "header": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["key", "value"],
                        "properties": {"key": {"type": "string"}, "value": {"type": "string"}},
                    },
                },
                "body": {
                    "type": "object",
                    "required": ["mode"],
                    "properties": {
                        "mode": {"enum": ["raw", "urlencoded", "formdata", "file", "graphql"]},
                        "raw": {"type": "string"},
                    },
                },
            },
        },
        "url": {
            "type": "object",
            "required": ["raw"],
            "properties": {
                "raw": {"type": "string"},
                "host": {"type": "array", "items": {"type": "string"}},
                "path": {"type": "array", "items": {"type": "string"}},
                "query": {
                    "type": "array",
                    "items": {"type": "object", "required": ["key", "value"]},
                },
            },
        },
        "event": {
            "type": "object",
            "required": ["listen", "script"],
            "properties": {
                "listen": {"enum": ["test", "prerequest"]},
                "script": {
                    "type": "object",
                    "required": ["exec"],
                    "properties": {
                        "type": {"const": "text/javascript"},
                        "exec": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
        "response": {
            "type": "object",
            "required": ["name", "code", "body"],
            "properties": {
                "name": {"type": "string"},
                "originalRequest": {"$ref": "#/$defs/request"},
                "code": {"type": "integer"},
                "status": {"type": "string"},
                "body": {"type": "string"},
            },
        },
    },
}

ENVIRONMENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "values"],
    "properties": {
        "name": {"type": "string"},
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["key", "value", "enabled"],
                "properties": {
                    "key": {"type": "string"},
                    "value": {"type": "string"},
                    "enabled": {"type": "boolean"},
                },
            },
        },
    },
}

# The subset of Postman's `pm` API the runner interprets; any other script line is an error.
TEST_OPEN = re.compile(r'pm\.test\("[^"]+", function \(\) \{')
TEST_CLOSE = "});"
HAVE_STATUS = re.compile(r"pm\.response\.to\.have\.status\((\d{3})\);")
EXPECT_CODE = re.compile(r"pm\.expect\(pm\.response\.code\)\.to\.eql\((\d{3})\);")
ENV_SET = re.compile(
    r'pm\.environment\.set\("(\w+)", pm\.response\.json\(\)((?:\.\w+|\[\d+\])*)\);'
)
ACCESSOR = re.compile(r"\.(\w+)|\[(\d+)\]")
VARIABLE = re.compile(r"\{\{(\w+)\}\}")
"""Postman's `{{name}}`; Braze's Liquid `{{${first_name}}}` is left alone, as Postman leaves it."""


@dataclass
class Script:
    """What a request's test script asks: the status it expects, what it stores."""

    statuses: list[int] = field(default_factory=list)
    stores: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Outcome:
    path: str
    method: str
    url: str
    expected: list[int]
    status: int
    body: str

    @property
    def passed(self) -> bool:
        return all(code == self.status for code in self.expected)


def parse_script(lines: list[str]) -> Script:
    script = Script()
    inside = False
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if not inside and TEST_OPEN.fullmatch(line):
            inside = True
        elif inside and line == TEST_CLOSE:
            inside = False
        elif inside and (match := HAVE_STATUS.fullmatch(line) or EXPECT_CODE.fullmatch(line)):
            script.statuses.append(int(match.group(1)))
        elif not inside and (match := ENV_SET.fullmatch(line)):
            script.stores.append((match.group(1), match.group(2)))
        else:
            raise AssertionError(f"script line outside the runner's subset: {line!r}")
    assert not inside, f"unclosed pm.test in {lines}"
    return script


def pick(data: Any, path: str) -> Any:
    """`pm.response.json()` followed by `path` (`.a[0].b`)."""
    for name, index in ACCESSOR.findall(path):
        data = data[int(index)] if index else data[name]
    return data


def substitute(
    text: str, environment: dict[str, str], collection: dict[str, str] | None = None
) -> str:
    """`{{name}}` from the environment, else from the collection's variables (as Postman
    resolves them); an environment value must be set before it is used, a collection
    variable may be empty."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environment and collection is not None and name in collection:
            return collection[name]
        assert environment.get(name), f"{{{{{name}}}}} is not set before it is used"
        return environment[name]

    return VARIABLE.sub(value, text)


def requests_of(items: list[dict[str, Any]], prefix: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every request item in collection order, with its folder path."""
    found: list[tuple[str, dict[str, Any]]] = []
    for item in items:
        path = f"{prefix}/{item['name']}" if prefix else item["name"]
        if "item" in item:
            found.extend(requests_of(item["item"], path))
        else:
            found.append((path, item))
    return found


def script_of(item: dict[str, Any]) -> Script:
    lines = [
        line
        for event in item.get("event", [])
        if event["listen"] == "test"
        for line in event["script"]["exec"]
    ]
    return parse_script(lines)


def run_collection(collection: dict[str, Any], environment: dict[str, str]) -> list[Outcome]:
    """Run every request in order, as Postman's collection runner does, with the test scripts'
    status checks and environment updates."""
    outcomes = []
    variables = {v["key"]: v["value"] for v in collection.get("variable", [])}
    with requests.Session() as session:
        for path, item in requests_of(collection["item"]):
            request = item["request"]
            script = script_of(item)
            url = substitute(request["url"]["raw"], environment, variables)
            headers = {
                h["key"]: substitute(h["value"], environment, variables)
                for h in request.get("header", [])
                if not h.get("disabled")
            }
            body = request.get("body", {}).get("raw")
            data = None if body is None else substitute(body, environment, variables).encode()
            response = session.request(
                request["method"], url, headers=headers, data=data, timeout=30
            )
            outcomes.append(
                Outcome(
                    path,
                    request["method"],
                    url,
                    script.statuses,
                    response.status_code,
                    response.text[:300],
                )
            )
            for name, accessor in script.stores:
                environment[name] = str(pick(response.json(), accessor))
    return outcomes


def eventually(fetch: Callable[[], Any], done: Callable[[Any], bool]) -> Any:
    """What `fetch` gives once `done` holds for it (the mocks work on a real clock), or after
    10 s, whatever it gives then."""
    deadline = time.monotonic() + 10
    while True:
        found = fetch()
        if done(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def write(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != ADMIN_TOKEN_ENV}
    return subprocess.run(
        seen_braze_command("postman", *args),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    folder = tmp_path_factory.mktemp("postman")
    done = write(folder, "-o", "out")
    assert done.returncode == 0, done.stderr
    return (
        json.loads((folder / "out" / COLLECTION).read_text("utf-8")),
        json.loads((folder / "out" / ENVIRONMENT).read_text("utf-8")),
    )


def environment_of(document: dict[str, Any]) -> dict[str, str]:
    return {v["key"]: v["value"] for v in document["values"] if v["enabled"]}


def test_the_readme_example(tmp_path: Path) -> None:
    done = write(tmp_path, "-o", "postman")  # README: `seen-braze postman -o postman`
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        "wrote postman/seen-braze.postman_collection.json (45 requests in 4 folders)\n"
        "wrote postman/seen-braze.postman_environment.json\n"
    )
    assert done.stderr == ""


def test_the_collection_has_the_v2_1_structure(written: tuple[dict[str, Any], Any]) -> None:
    collection, environment = written
    Draft202012Validator.check_schema(COLLECTION_SCHEMA)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(COLLECTION_SCHEMA).iter_errors(collection)
    ]
    assert errors == []
    assert list(Draft202012Validator(ENVIRONMENT_SCHEMA).iter_errors(environment)) == []
    assert [f["name"] for f in collection["item"]] == ["SEEN", "SEEN admin", "Braze admin", "Braze"]


def test_every_request_is_described_and_tested(written: tuple[dict[str, Any], Any]) -> None:
    collection, _ = written
    for path, item in requests_of(collection["item"]):
        assert item["request"]["description"], path
        script = script_of(item)
        assert len(script.statuses) == 1, path
        for example in item["response"]:
            assert example["code"] == script.statuses[0], path
            json.loads(example["body"])
        if "body" in item["request"]:
            assert item["request"]["body"]["options"]["raw"]["language"] == "json"


def test_the_environment_holds_the_default_scenario(written: tuple[Any, dict[str, Any]]) -> None:
    _, environment = written
    values = environment_of(environment)
    assert values["seen_base_url"] == "http://127.0.0.1:8801"
    assert values["braze_base_url"] == "http://127.0.0.1:8802"
    assert values["seen_token"] == TOKEN
    assert values["campaign_slug"] == "onboarding"
    assert values["braze_api_key"] == API_KEY
    assert values["transformation_webhook_url"] == ""


def test_the_documented_bodies(written: tuple[dict[str, Any], Any]) -> None:
    collection, _ = written
    items = dict(requests_of(collection["item"]))
    receivers = json.loads(
        items["SEEN/Create receivers (the documented body)"]["request"]["body"]["raw"]
    )
    assert set(receivers[0]) == {"first_name", "last_name", "email", "customer_id"}
    callback = json.loads(
        items["Braze/SEEN's callback to the transformation"]["request"]["body"]["raw"]
    )
    assert set(callback) == {
        "customer_id",
        "campaign_slug",
        "landing_page_url",
        "video_url",
        "thumbnail_url",
        "email_thumbnail_url",
    }
    assert items["Braze/SEEN's callback to the transformation"]["request"]["url"]["raw"] == (
        "{{transformation_webhook_url}}"
    )
    create = items["Braze admin/Create the transformation"]
    assert (
        'pm.environment.set("transformation_webhook_url", pm.response.json().webhook_url);'
        in (create["event"][0]["script"]["exec"])
    )
    track = json.loads(items["Braze/Track users (Braze's example)"]["request"]["body"]["raw"])
    assert set(track) == {"attributes", "events", "purchases"}


@pytest.mark.server
def test_the_collection_runs_green_against_seen_braze_serve(
    written: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    collection, environment_document = written
    with ServeProcess() as served:
        environment = environment_of(environment_document)
        environment["seen_base_url"] = served.url
        environment["braze_base_url"] = served.braze_url
        outcomes = run_collection(collection, environment)
        failed = [
            f"{o.path}: {o.method} {o.url} expected {o.expected}, got {o.status}: {o.body}"
            for o in outcomes
            if not o.passed
        ]
        assert failed == []
        assert len(outcomes) == 45
        assert environment["transformation_webhook_url"].startswith(
            f"{served.braze_url}/transformations/"
        )
        # The callback posted last ran the transformation, which wrote the links SEEN sent
        # (only the transformation writes `email_thumbnail_url`) on the seeded user.
        items = dict(requests_of(collection["item"]))
        callback = json.loads(
            items["Braze/SEEN's callback to the transformation"]["request"]["body"]["raw"]
        )
        users_url = f"{served.braze_url}/_mock/users?braze_id={callback['customer_id']}"
        profile = eventually(
            lambda: requests.get(users_url, timeout=5).json()["users"][0],
            lambda found: "email_thumbnail_url" in found["custom_attributes"],
        )
        assert (
            profile["custom_attributes"]["email_thumbnail_url"] == (callback["email_thumbnail_url"])
        )
        logs_url = f"{served.braze_url}/_mock/transformations/logs"
        logs = eventually(
            lambda: requests.get(logs_url, timeout=5).json(),
            lambda found: all(e["destination"] for e in found["logs"]),
        )
        assert [(e["error"], e["destination"]["status"]) for e in logs["logs"]] == [(None, 201)]
        # The webhook campaign sent the seeded user to the SEEN mock.
        receivers_url = f"{served.url}/_mock/receivers?customer_id={callback['customer_id']}"
        receivers = eventually(
            lambda: requests.get(receivers_url, timeout=5).json(),
            lambda found: found["count"] > 0,
        )
        assert receivers["count"] == 1
    assert served.returncode == 0


@pytest.mark.server
def test_the_collection_runs_twice_on_the_same_server(
    written: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    collection, environment_document = written
    with ServeProcess() as served:
        for _ in range(2):
            environment = environment_of(environment_document)
            environment["seen_base_url"] = served.url
            environment["braze_base_url"] = served.braze_url
            outcomes = run_collection(collection, environment)
            assert [o.path for o in outcomes if not o.passed] == []


def test_the_scenario_gives_token_slug_and_key(tmp_path: Path) -> None:
    (tmp_path / "film.toml").write_text(
        textwrap.dedent(
            """
            [scenario]
            name = "Welcome film"

            [seen.campaign]
            slug = "welcome-film"
            token = "0123456789abcdef0123456789abcdef01234567"

            [braze.settings]
            api_keys = {"k-welcome" = ["users.track"]}
            """
        )
    )
    done = write(tmp_path, "--scenario", "film.toml", "-o", "out")
    assert done.returncode == 0, done.stderr
    values = environment_of(json.loads((tmp_path / "out" / ENVIRONMENT).read_text("utf-8")))
    assert values["seen_token"] == "0123456789abcdef0123456789abcdef01234567"
    assert values["campaign_slug"] == "welcome-film"
    assert values["braze_api_key"] == "k-welcome"
    collection = json.loads((tmp_path / "out" / COLLECTION).read_text("utf-8"))
    assert "Welcome film" in collection["info"]["description"]


def test_an_unwritable_folder_exits_2(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    done = write(tmp_path, "-o", "taken")
    assert done.returncode == 2
    assert done.stderr.startswith("seen-braze postman: cannot write to taken: ")
    assert done.stdout == ""


def test_output_is_required(tmp_path: Path) -> None:
    done = write(tmp_path)
    assert done.returncode == 2
    assert "-o/--output" in done.stderr


def test_a_bad_scenario_exits_2(tmp_path: Path) -> None:
    done = write(tmp_path, "--scenario", "missing.toml", "-o", "out")
    assert done.returncode == 2
    assert done.stderr.startswith("seen-braze postman: ")
    assert not (tmp_path / "out").exists()


def test_the_runner_reads_only_its_subset() -> None:
    script = parse_script(
        [
            'pm.test("status is 201", function () {',
            "    pm.expect(pm.response.code).to.eql(201);",
            "});",
            'pm.environment.set("id", pm.response.json().items[0].id);',
        ]
    )
    assert script == Script(statuses=[201], stores=[("id", ".items[0].id")])
    assert pick({"items": [{"id": 7}]}, ".items[0].id") == 7
    with pytest.raises(AssertionError, match="outside the runner's subset"):
        parse_script(['pm.environment.set("id", pm.response.headers.get("Location"));'])
    with pytest.raises(AssertionError, match="not set before it is used"):
        substitute("{{transformation_webhook_url}}", {"transformation_webhook_url": ""})
    assert substitute('"{{${first_name}}}" {{a}}', {"a": "1"}) == '"{{${first_name}}}" 1'


# -- the admin token -------------------------------------------------------------------------

ADMIN_TOKEN = "postman-Admin_token.7"


def variables_of(collection: dict[str, Any]) -> dict[str, str]:
    return {v["key"]: v["value"] for v in collection.get("variable", [])}


def test_every_admin_request_sends_the_admin_token_variable(
    written: tuple[dict[str, Any], Any],
) -> None:
    collection, environment = written
    assert variables_of(collection) == {"admin_token": ""}
    assert "admin_token" not in environment_of(environment)
    admin = 0
    for path, item in requests_of(collection["item"]):
        headers = {h["key"]: h["value"] for h in item["request"]["header"]}
        if "/_mock/" in item["request"]["url"]["raw"]:
            assert headers.get("X-Admin-Token") == "{{admin_token}}", path
            admin += 1
        else:
            assert "X-Admin-Token" not in headers, path
    assert admin == 33


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--admin-token", ADMIN_TOKEN], {}), ([], {ADMIN_TOKEN_ENV: ADMIN_TOKEN})],
    ids=["option", "environment"],
)
def test_the_configured_token_is_the_collection_variable(
    tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    done = write(tmp_path, "-o", "out", *args, env=env)
    assert done.returncode == 0, done.stderr
    collection = json.loads((tmp_path / "out" / COLLECTION).read_text("utf-8"))
    assert variables_of(collection) == {"admin_token": ADMIN_TOKEN}
    assert "holds the admin token" in done.stderr and ADMIN_TOKEN not in done.stderr
    environment = (tmp_path / "out" / ENVIRONMENT).read_text("utf-8")
    assert ADMIN_TOKEN not in environment


@pytest.mark.parametrize(
    ("args", "env", "source"),
    [
        (["--admin-token", ""], {}, "--admin-token"),
        (["--admin-token", "two words"], {}, "--admin-token"),
        ([], {ADMIN_TOKEN_ENV: "caf\u00e9"}, ADMIN_TOKEN_ENV),
    ],
)
def test_an_unusable_token_exits_2(
    tmp_path: Path, args: list[str], env: dict[str, str], source: str
) -> None:
    env = {k: v.encode().decode("unicode_escape") for k, v in env.items()}
    done = write(tmp_path, "-o", "out", *args, env=env)
    assert done.returncode == 2
    assert done.stderr == (
        f"seen-braze postman: {source} must be printable ASCII without spaces, and not empty\n"
    )
    assert not (tmp_path / "out").exists()


def test_an_empty_environment_variable_is_no_token(tmp_path: Path) -> None:
    done = write(tmp_path, "-o", "out", env={ADMIN_TOKEN_ENV: ""})
    assert done.returncode == 0 and done.stderr == ""


@pytest.mark.server
def test_the_collection_runs_green_against_a_server_that_needs_the_token(
    tmp_path: Path,
) -> None:
    done = write(tmp_path, "-o", "out", "--admin-token", ADMIN_TOKEN)
    assert done.returncode == 0, done.stderr
    collection = json.loads((tmp_path / "out" / COLLECTION).read_text("utf-8"))
    environment_document = json.loads((tmp_path / "out" / ENVIRONMENT).read_text("utf-8"))
    with ServeProcess("--admin-token", ADMIN_TOKEN) as served:
        environment = environment_of(environment_document)
        environment["seen_base_url"] = served.url
        environment["braze_base_url"] = served.braze_url
        outcomes = run_collection(collection, environment)
        assert [o.path for o in outcomes if not o.passed] == []
        assert len(outcomes) == 45
        seen_admin = next(f for f in collection["item"] if f["name"] == "SEEN admin")
        reads = {**seen_admin, "item": seen_admin["item"][:3]}  # health, campaigns, campaign
        tokenless = {"item": [reads], "variable": [{"key": "admin_token", "value": ""}]}
        refused = run_collection(tokenless, environment)
        assert [o.status for o in refused] == [401, 401, 401]
