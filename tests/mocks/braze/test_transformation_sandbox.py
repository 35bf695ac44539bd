"""The sandbox around transformation code: hostile code is contained, the next run is clean."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from seen_braze_harness.mocks.braze.transformations.jsruntime import (
    RunLimits,
    TransformationRuntime,
    canonical_headers,
)


@pytest.fixture(scope="module")
def js() -> Iterator[TransformationRuntime]:
    with TransformationRuntime(RunLimits(timeout=0.3)) as runtime:
        yield runtime


def run(js: TransformationRuntime, code: str, payload: Any = None) -> Any:
    return js.run(code, {} if payload is None else payload, canonical_headers({}))


HOSTILE: list[tuple[str, str, str]] = [
    ("infinite loop", "while (true) {}", "timeout"),
    ("memory growth", "const a = []; while (true) { a.push(new Array(1e6).fill(1)); }", "memory"),
    ("deep recursion", "function f() { return f(); } return f();", "runtime"),
    ("require", "return require('fs').readFileSync('/etc/passwd')", "runtime"),
    ("process", "return process.env", "runtime"),
    ("fetch", "return fetch('http://127.0.0.1:9/')", "runtime"),
]


@pytest.mark.parametrize(("code", "kind"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_hostile_code_is_contained_and_the_next_run_is_normal(
    js: TransformationRuntime, code: str, kind: str
) -> None:
    result = run(js, code)
    assert result.error_kind == kind, result
    assert run(js, "return {ok: payload.n + 1}", {"n": 1}).output == {"ok": 2}


def test_one_giant_allocation_does_not_take_the_emulator_down(js: TransformationRuntime) -> None:
    result = run(js, "return new Array(2 ** 31).fill(0).length")
    assert not result.ok and result.error_kind in ("memory", "timeout")
    assert run(js, "return 'still here'").output == "still here"


@pytest.mark.parametrize(
    ("leak", "probe", "clean"),
    [
        ("leaked = 1; return 0", "return typeof leaked", "undefined"),
        ("globalThis.leaked = 1; return 0", "return typeof globalThis.leaked", "undefined"),
        ("Object.prototype.polluted = 1; return 0", "return ({}).polluted === undefined", True),
        ("Array.prototype.map = () => 'hijacked'; return 0", "return [1].map(x => x * 2)", [2]),
        ("JSON.stringify = () => 'hijacked'; return 0", "return {a: 1}", {"a": 1}),
    ],
    ids=["implicit global", "globalThis property", "prototype pollution", "built-in", "JSON"],
)
def test_no_state_leaks_between_runs(
    js: TransformationRuntime, leak: str, probe: str, clean: Any
) -> None:
    assert run(js, leak).ok
    assert run(js, probe).output == clean


def test_json_stringify_semantics(js: TransformationRuntime) -> None:
    code = (
        "return {d: new Date(Date.UTC(2026, 0, 2)), u: undefined, n: NaN, f() {}, k: [undefined]}"
    )
    assert run(js, code).output == {"d": "2026-01-02T00:00:00.000Z", "n": None, "k": [None]}
    nothing = run(js, "const x = 1;")
    assert nothing.ok and nothing.output is None and not nothing.returned


def test_errors_point_at_the_users_line(js: TransformationRuntime) -> None:
    syntax = run(js, "const a = 1;\nconst b = ;\nreturn a;")
    assert (syntax.error_kind, syntax.line) == ("syntax", 2)
    runtime = run(js, "const a = {};\n\nreturn a.b.c;")
    assert (runtime.error_kind, runtime.line) == ("runtime", 3)
    assert "TypeError" in (runtime.error or "")


def test_headers_are_canonical_with_the_version_pseudo_header() -> None:
    headers = canonical_headers({"x-olo-event-type": "a", "cf-connecting-ip": "b"})
    assert headers == {"X-Olo-Event-Type": "a", "Cf-Connecting-Ip": "b", "Version": "HTTP/1.1"}
