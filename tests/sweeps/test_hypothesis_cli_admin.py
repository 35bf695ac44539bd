"""Property tests of the two surfaces a user types at: the admin API of both mocks and the
`seen-braze` command line (issue #12, in CI from now on).

Admin API: any method, path under `/_mock`, query string, headers and body (JSON or not) gets
an answer below 500; an error is an RFC 7807 problem whose `status` is the answer's; a success
is JSON or has no body; and the mock still answers `GET /_mock/health` afterwards. The mocks
run in-process (a virtual clock, outbound calls routed nowhere), so a generated campaign or
callback cannot reach any real server.

Command line: `render`, `transform` and `run`, through `harness.cli.main` in-process, with
arbitrary arguments and file contents: never a traceback (no exception out of `main`, no
"Traceback" in its output), exit codes only 0, 1 or 2 (the documented ones), and each problem
said in one line: `seen-braze CMD: reason` (after at most argparse's usage), then any further
problem of the same file as `FILE: reason`, as a scenario lists its problems.

Bounded and repeatable: derandomized, a fixed number of examples, no deadline (a Data
Transformation run takes 0.2 s); about 35 s in all on a 2-core machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seen_braze_harness import fixtures
from seen_braze_harness.harness.cli import main
from seen_braze_harness.harness.network import WsgiSession
from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.seen.app import create_app as create_seen_app
from seen_braze_harness.mocks.seen.settings import SeenSettings

BOUNDED = settings(
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- the admin API -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mocks() -> Iterator[dict[str, Flask]]:
    nowhere = WsgiSession({})  # every outbound call fails as an unreachable host
    apps = {
        "seen": create_seen_app(SeenSettings(clock="virtual"), session=nowhere),
        "braze": create_braze_app(BrazeSettings(clock="virtual"), session=nowhere),
    }
    yield apps
    for app in apps.values():
        app.extensions["mock"].close()


ADMIN_WORDS = [
    "health", "reset", "journal", "journal.har", "clock", "faults", "openapi.json", "campaigns",
    "receivers", "users", "export", "transformations", "logs", "activate", "deactivate",
    "validate", "catalogs", "messages", "send", "test", "activity-log", "content_blocks",
    "onboarding", "1", "0", "-1", "x",
]  # fmt: skip
"""Path segments of the admin routes, and ids that exist or not: most generated paths reach a
view, not only the 404."""

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)
TOKEN = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"),
    min_size=1,
    max_size=20,
)
HEADER_VALUE = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=40
)
RESERVED_HEADERS = {"host", "content-length", "content-type", "transfer-encoding"}
"""Set by the test client itself; framing is test_http_framing's."""

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
FIELDS = [
    "hop", "status", "delay", "drop", "times", "probability", "body", "headers", "processed",
    "advance", "freeze", "slug", "token", "callback_url", "callback_auth", "callback_fields",
    "name", "code", "destination", "active", "payload", "url", "method", "audience",
    "external_id", "braze_id", "user_aliases", "fields", "content", "description",
    "external_ids", "recipients", "trigger_properties", "context", "limit", "cursor",
]  # fmt: skip
"""Keys the admin API reads: objects of them reach its validation, not only its type check."""

ADMIN_OBJECTS = st.dictionaries(st.sampled_from(FIELDS) | TEXT, JSON_VALUES, max_size=6)


@st.composite
def admin_requests(draw: st.DrawFn) -> dict[str, Any]:
    segments = draw(st.lists(st.sampled_from(ADMIN_WORDS) | TEXT, min_size=0, max_size=4))
    path = "/_mock/" + "/".join(quote(s, safe="") for s in segments)
    query = draw(st.lists(st.tuples(st.sampled_from(FIELDS) | TEXT, TEXT), max_size=4))
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    method = draw(st.sampled_from(methods) | TOKEN.map(str.upper))
    headers = draw(
        st.dictionaries(
            TOKEN.filter(lambda h: h.lower() not in RESERVED_HEADERS), HEADER_VALUE, max_size=3
        )
    )
    kind = draw(st.sampled_from(["object", "json", "bytes", "none"]))
    body: bytes | None
    if kind == "object":
        body = json.dumps(draw(ADMIN_OBJECTS)).encode()
    elif kind == "json":
        body = json.dumps(draw(JSON_VALUES)).encode()
    elif kind == "bytes":
        body = draw(st.binary(max_size=60))
    else:
        body = None
    content_type = draw(
        st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", ""])
    )
    return {
        "method": method,
        "path": path + ("?" + urlencode(query) if query else ""),
        "headers": headers,
        "body": body,
        "content_type": content_type,
    }


PROBLEM_KEYS = {"type", "title", "status", "detail"}


@pytest.mark.parametrize("mock", ["seen", "braze"])
@settings(BOUNDED, max_examples=1000)
@given(call=admin_requests())
def test_the_admin_api_answers_anything_without_a_5xx(
    mocks: dict[str, Flask], mock: str, call: dict[str, Any]
) -> None:
    client = mocks[mock].test_client()
    response = client.open(
        call["path"],
        method=call["method"],
        headers=call["headers"],
        data=call["body"],
        content_type=call["content_type"] or None,
    )
    status = response.status_code
    assert status < 500, (call, response.get_data(as_text=True)[:300])
    data = response.get_data()
    if status >= 400:
        assert response.mimetype == "application/problem+json", (call, response.headers)
        if call["method"] != "HEAD":
            problem = json.loads(data)
            assert set(problem) >= PROBLEM_KEYS, problem
            assert problem["status"] == status
            assert isinstance(problem["detail"], str) and "Traceback" not in problem["detail"]
    elif data and call["method"] != "HEAD":
        assert response.mimetype == "application/json", (call, response.headers)
        json.loads(data)
    health = client.get("/_mock/health")
    assert health.status_code == 200 and health.get_json()["status"] == "ok"


# -- the command line ----------------------------------------------------------------------

EXIT_CODES = {0, 1, 2}
DEFAULT_SCENARIO = (Path(fixtures.__file__).parent / "default.toml").read_text(encoding="utf-8")
TRANSFORMATION = Path(fixtures.__file__).parent / "seen_transformation.js"
JS_FRAGMENTS = [
    "return {attributes: []};", "return null;", "return {", "throw new Error('x');",
    "while (true) {}", "return payload;", "return {attributes: [{external_id: 'u', a: 1}]};",
    "return {events: [{external_id: 'u', name: 'e', time: 'now'}]};", "console.log(headers);",
    "return 'x'.repeat(1e7);", "return [1, 2];", "return undefined;", "\u2028", "\x00",
]  # fmt: skip
LIQUID_FRAGMENTS = [
    "{{${first_name}}}", "{% if %}", "{{", "{% for x in (1..3) %}{{x}}{% endfor %}",
    '{"a": "{{${email_address}}}"}', "{% abort_message('no') %}", "{{ 'x' | nope }}",
    "{{content_blocks.${missing}}}", "[", "{% raw %}", "{{ now | date: '%Y' }}",
]  # fmt: skip


@st.composite
def file_content(draw: st.DrawFn, fragments: list[str]) -> bytes:
    """A file as a user might hand it over: text built from fragments, any text, or bytes."""
    kind = draw(st.sampled_from(["fragments", "text", "bytes", "json"]))
    if kind == "fragments":
        return "".join(draw(st.lists(st.sampled_from(fragments), max_size=4))).encode()
    if kind == "text":
        return draw(TEXT).encode("utf-8")
    if kind == "json":
        return json.dumps(draw(JSON_VALUES)).encode()
    return draw(st.binary(max_size=40))


SCENARIO_VALUES = ['""', "-1", "0", "[]", "{}", '"\\u0000"', "1e400", "true"]


@st.composite
def scenario_content(draw: st.DrawFn) -> bytes:
    """The default scenario with lines dropped, repeated or changed, or something else."""
    if draw(st.integers(0, 3)) == 2:
        return draw(file_content(["[scenario]", "[seen.campaign]", 'slug = "x"', "x = [", "="]))
    lines = DEFAULT_SCENARIO.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "repeat", "value"]))
        if action == "drop":
            del lines[index]
        elif action == "repeat":
            lines.insert(index, lines[index])
        elif "=" in lines[index]:
            key = lines[index].split("=", 1)[0]
            value = draw(st.sampled_from(SCENARIO_VALUES))
            lines[index] = f"{key}= {value}"
        if not lines:
            break
    return "\n".join(lines).encode()


OPTION_VALUE = (
    st.sampled_from(["", "-1", "0", "3", "x", "{}", "[]", "@missing", "nan", "1e9"]) | TEXT
)


def mostly(draw: st.DrawFn, usual: Any, *unusual: Any) -> Any:
    """Mostly `usual`, sometimes one of `unusual`: most calls get past argparse to the
    command's own checks, some do not. (Hypothesis favours the ends of a range: the unusual
    one is a value in the middle.)"""
    if not unusual or draw(st.integers(0, 15)) != 7:
        return usual
    return draw(st.sampled_from(unusual))


OPTION_VALUES: dict[str, list[str]] = {
    "--campaign-name": ["Welcome", ""],
    "--trigger-properties": ['{"a": 1}', "{", "[]", "@missing"],
    "--context": ['{"b": "x"}', "null"],
    "--now": ["0", "1800000000", "2026-01-01T00:00:00Z", "yesterday", "nan", "1e400"],
    "--error-mode": ["lax", "warn", "strict"],
    "--destination": ["track-users", "catalog-put", "send-messages"],
    "--seed": ["1", "-1", "x"],
    "--timeout": ["1", "0", "-1", "inf"],
    "--transport": ["wsgi", "responses"],
}
"""Values each option takes, and ones it refuses: the commands' checks, not only argparse's."""


@st.composite
def cli_calls(draw: st.DrawFn, command: str, folder: Path) -> list[str]:
    """An argument vector for `command` whose files are in `folder` (written here)."""

    def file(name: str, content: bytes) -> str:
        path = folder / name
        path.write_bytes(content)
        return str(path)

    missing, directory = str(folder / "missing.txt"), str(folder)
    argv: list[str] = [command]
    if command == "render":
        template = file("template.liquid", draw(file_content(LIQUID_FRAGMENTS)))
        profile = b'{"external_id": "u1", "first_name": "Ada", "email": "ada@example.com"}'
        user = file("user.json", mostly(draw, profile, draw(file_content(["{", "[]", "null"]))))
        block = file("block.liquid", draw(file_content(LIQUID_FRAGMENTS)))
        argv += [mostly(draw, template, missing, directory)]
        argv += mostly(draw, ["--user", mostly(draw, user, missing, template)], [])
        OPTION_VALUES["--content-block"] = [f"missing={block}", "=x", "b", f"c={missing}"]
        options = ["--campaign-name", "--trigger-properties", "--context", "--now"]
        options += ["--error-mode", "--content-block"]
        flags = ["--json", "--raw"]
    elif command == "transform":
        code = file("code.js", draw(file_content(JS_FRAGMENTS)))
        callback = b'{"customer_id": "u1", "landing_page_url": "https://play.seen.io/v/1"}'
        payload = file("payload.json", mostly(draw, callback, draw(file_content(["{", "1"]))))
        headers = file("headers.json", draw(file_content(['{"X-A": "b"}', "[]", '{"a": 1}'])))
        argv += [mostly(draw, code, missing)]
        argv += mostly(draw, ["--payload", mostly(draw, payload, missing, code)], [])
        OPTION_VALUES["--headers"] = [headers, missing, directory]
        options = ["--headers", "--destination"]
        flags = ["--json"]
    else:
        scenario = file("scenario.toml", draw(scenario_content()))
        file(TRANSFORMATION.name, TRANSFORMATION.read_bytes())  # the scenario's code_file
        argv += [mostly(draw, scenario, missing, directory), "--no-progress"]
        argv += ["--users", mostly(draw, draw(st.sampled_from(["0", "1", "2"])), "x", "-1")]
        for report in ("--json-report", "--junit"):
            OPTION_VALUES[report] = [str(folder / f"out{report}"), directory, f"{missing}/x"]
        options = ["--seed", "--json-report", "--junit", "--timeout", "--transport"]
        flags = ["--strict"]
    for option in draw(st.lists(st.sampled_from(options), max_size=3, unique=True)):
        argv += [option, mostly(draw, draw(st.sampled_from(OPTION_VALUES[option])), "", "-x")]
    argv += draw(st.lists(st.sampled_from(flags), max_size=1))
    argv += mostly(draw, [], ["--nope"], ["--"], [draw(TEXT)])
    return argv


def call_main(argv: list[str]) -> tuple[int, str, str]:
    """`seen-braze ARGV` in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code: Any = main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code
    return (0 if code is None else code), out.getvalue(), err.getvalue()


USAGE_LINE = re.compile(r"^(usage: | )")
ERROR_LINE = re.compile(r"^seen-braze( [a-z]+)?: ")
"""`seen-braze run: reason`, or argparse's `seen-braze: error: ...`."""


def assert_said_cleanly(argv: list[str], code: int, out: str, err: str) -> None:
    """A documented exit code, no traceback, and on a usage error (2) every problem said on
    one line: `seen-braze CMD: ...` first, then any further problem of a file as `FILE: ...`
    (a scenario lists each of its problems so), after at most argparse's usage."""
    assert code in EXIT_CODES, (argv, code, err)
    assert "Traceback" not in err and "Traceback" not in out, (argv, err)
    if code != 2 or not err.strip():
        return
    lines = [line for line in err.rstrip("\n").split("\n") if not USAGE_LINE.match(line)]
    said = [i for i, line in enumerate(lines) if ERROR_LINE.match(line)]
    assert len(said) == 1, (argv, err)
    files = tuple(f"{arg}: " for arg in argv[1:] if arg.startswith("/"))
    for line in lines[said[0] + 1 :]:
        assert files and line.startswith(files), (argv, err)


@pytest.mark.parametrize(
    ("command", "examples"), [("render", 300), ("transform", 80), ("run", 120)]
)
def test_the_command_line_never_shows_a_traceback(command: str, examples: int) -> None:
    @settings(BOUNDED, max_examples=examples)
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        with tempfile.TemporaryDirectory() as folder:
            argv = data.draw(cli_calls(command, Path(folder)))
            code, out, err = call_main(argv)
            assert_said_cleanly(argv, code, out, err)

    check()


@pytest.mark.parametrize("target", ["a directory", "under a file"])
@pytest.mark.parametrize("flag", ["--json-report", "--junit"])
def test_a_report_that_cannot_be_written_is_said_in_one_line(
    tmp_path: Path, flag: str, target: str
) -> None:
    (tmp_path / "afile").write_text("x")
    path = tmp_path if target == "a directory" else tmp_path / "afile" / "report"
    argv = ["run", "--no-progress", "--users", "0", flag, str(path)]
    try:
        code, out, err = call_main(argv)
    except OSError as exc:  # what the user sees as a traceback
        pytest.fail(f"seen-braze {' '.join(argv)}: traceback ({exc!r})")
    assert code == 2
    assert_said_cleanly(argv, code, out, err)
    assert str(path) in err.splitlines()[-1]
