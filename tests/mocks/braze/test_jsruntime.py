"""The JavaScript runtime of Data Transformations: Braze's semantics, limits and isolation.

Most tests share one runtime (one worker process); a test that needs other limits makes its own.
Each hostile case is followed by a normal run that must return the right output and show no
trace of the hostile one.
"""

from __future__ import annotations

import math
import os
import select
import signal
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from seen_braze_harness.fixtures import SEEN_TRANSFORMATION, read_text
from seen_braze_harness.mocks.braze.transformations.jsruntime import (
    ConsoleLine,
    InputTooLarge,
    RunLimits,
    ScriptResult,
    TransformationRuntime,
    canonical_header_key,
    canonical_headers,
)

SEEN_CALLBACK_CODE = read_text(SEEN_TRANSFORMATION)

SEEN_PAYLOAD = {
    "customer_id": "5f0c2d3e4b1a",
    "campaign_slug": "onboarding",
    "landing_page_url": "https://play.seen.io/v/9aiNN/",
    "video_url": "https://motions.seen.io/1c9e6f0e/5eeb5eeb/output.m3u8",
    "thumbnail_url": "https://motions.seen.io/1c9e6f0e/5eeb5eeb/thumbnail.jpg",
    "email_thumbnail_url": "https://motions.seen.io/1c9e6f0e/5eeb5eeb/email_thumbnail.jpg",
}

HEADERS = canonical_headers(
    {"content-type": "application/json", "x-olo-event-type": "order", "cf-connecting-ip": "::1"}
)

CLEAN_PROBE = "return {n: payload.n + 1, polluted: ({}).polluted, mapped: [1, 2].map(x => x * 2)}"
CLEAN_OUTPUT = {"n": 2, "mapped": [2, 4]}


@pytest.fixture(scope="module")
def js() -> Iterator[TransformationRuntime]:
    with TransformationRuntime(RunLimits(timeout=0.3)) as runtime:
        yield runtime


def run(
    js: TransformationRuntime, code: str, payload: Any = None, headers: Any = None
) -> ScriptResult:
    return js.run(code, {} if payload is None else payload, HEADERS if headers is None else headers)


def assert_clean(js: TransformationRuntime) -> None:
    """A normal run after whatever came before: right output, nothing left behind."""
    result = run(js, CLEAN_PROBE, {"n": 1})
    assert (result.error_kind, result.output) == (None, CLEAN_OUTPUT), result


def recycles(js: TransformationRuntime) -> int:
    return int(js.stats()[0]["recycles"])


# -- transformations in the shape Braze publishes ---------------------------------------------
PUBLISHED: list[tuple[str, str, Any, Any]] = [
    (
        "SEEN callback to /users/track",
        SEEN_CALLBACK_CODE,
        SEEN_PAYLOAD,
        {
            "attributes": [
                {
                    "braze_id": "5f0c2d3e4b1a",
                    "_update_existing_only": True,
                    "landing_page_url": "https://play.seen.io/v/9aiNN/",
                    "email_thumbnail_url": "https://motions.seen.io/1c9e6f0e/5eeb5eeb/email_thumbnail.jpg",
                }
            ]
        },
    ),
    (
        "helper functions, optional chaining, nullish coalescing",
        """\
function toAttributes(p) {
  return {
    external_id: p.user?.id ?? null,
    plan: p.subscription?.plan?.toUpperCase() ?? "FREE",
    city: p.user?.address?.city,
  };
}
return { attributes: [toAttributes(payload)] };""",
        {"user": {"id": "u1"}, "subscription": {"plan": "pro"}},
        {"attributes": [{"external_id": "u1", "plan": "PRO"}]},
    ),
    (
        "header lookups and an early return",
        """\
if (headers["X-Olo-Event-Type"] !== "order") {
  return;
}
return { events: [{ name: "order", properties: { ip: headers["Cf-Connecting-Ip"],
  http: headers.Version, type: headers["Content-Type"] } }] };""",
        {},
        {
            "events": [
                {
                    "name": "order",
                    "properties": {"ip": "::1", "http": "HTTP/1.1", "type": "application/json"},
                }
            ]
        },
    ),
    (
        "new Date() from the payload, regex, arrow functions and spread",
        """\
const slug = payload.url.match(/\\/v\\/(\\w+)\\//)?.[1];
const items = payload.items.map(item => ({ ...item, cents: Math.round(item.price * 100) }));
return { slug, at: new Date(payload.ts * 1000), items };""",
        {
            "url": "https://play.seen.io/v/9aiNN/",
            "ts": 1767225600,
            "items": [{"sku": "a", "price": 1.5}],
        },
        {
            "slug": "9aiNN",
            "at": "2026-01-01T00:00:00.000Z",
            "items": [{"sku": "a", "price": 1.5, "cents": 150}],
        },
    ),
    (
        "catalog items, template literals, destructuring",
        """\
const { restaurants = [] } = payload;
return {
  catalog_name: "restaurants",
  items: restaurants.map(({ id, name, ...rest }) => ({ id: `r-${id}`, Name: name, ...rest })),
};""",
        {"restaurants": [{"id": 7, "name": "Olo", "city": "NYC"}]},
        {"catalog_name": "restaurants", "items": [{"id": "r-7", "Name": "Olo", "city": "NYC"}]},
    ),
    (
        "a var and a function declared at the top of the body",
        "var total = 0;\nfunction add(n) { total += n; }\n"
        "payload.values.forEach(add);\nreturn total;",
        {"values": [1, 2, 3]},
        6,
    ),
    (
        "the payload is a fresh copy each time",
        "payload.extra = 1; Object.freeze(payload); return Object.keys(payload);",
        {"a": 1},
        ["a", "extra"],
    ),
]


@pytest.mark.parametrize(
    ("code", "payload", "expected"), [p[1:] for p in PUBLISHED], ids=[p[0] for p in PUBLISHED]
)
def test_published_style_transformations(
    js: TransformationRuntime, code: str, payload: Any, expected: Any
) -> None:
    result = run(js, code, payload)
    assert (result.error_kind, result.error, result.output) == (None, None, expected)
    assert result.returned
    assert result.duration > 0


def test_an_early_return_without_a_value_returns_nothing(js: TransformationRuntime) -> None:
    code = PUBLISHED[2][1]
    result = run(js, code, {}, canonical_headers({"x-olo-event-type": "refund"}))
    assert (result.ok, result.returned, result.output) == (True, False, None)


def test_a_thrown_error_is_reported_at_the_users_line(js: TransformationRuntime) -> None:
    result = run(js, SEEN_CALLBACK_CODE, {"campaign_slug": "onboarding"})
    assert result.error_kind == "runtime"
    assert result.error == "Error: SEEN callback without customer_id"
    assert (result.line, result.column) == (3, 24)  # the Error's own frame, as Node shows it
    assert result.stack == "Error: SEEN callback without customer_id\n    at transformation.js:3:24"
    assert (result.output, result.returned) == (None, False)


# -- JSON.stringify semantics ------------------------------------------------------------------
JSON_CASES: list[tuple[str, str, Any, bool]] = [
    (
        "a Date becomes an ISO string",
        "return new Date(Date.UTC(2026, 0, 2, 3, 4, 5))",
        "2026-01-02T03:04:05.000Z",
        True,
    ),
    ("undefined fields vanish", "return {a: 1, b: undefined}", {"a": 1}, True),
    (
        "nested undefined vanishes",
        "return {a: {b: undefined, c: [undefined]}}",
        {"a": {"c": [None]}},
        True,
    ),
    (
        "NaN and Infinity become null",
        "return [NaN, Infinity, -Infinity, -0]",
        [None, None, None, 0],
        True,
    ),
    ("functions and symbols vanish", "return {f() {}, s: Symbol('x'), k: 1}", {"k": 1}, True),
    ("toJSON is honoured", "return {toJSON() { return {via: 'toJSON'} }}", {"via": "toJSON"}, True),
    ("a Map has no own enumerable properties", "return new Map([[1, 2]])", {}, True),
    ("null is returned", "return null", None, True),
    ("a string is returned", "return 'ok'", "ok", True),
    (
        "unicode survives, escaped or not",
        "return '\u00e9 \u2603 \U0001f600 \\u00e8 \\ud83d\\ude00'",
        "\u00e9 \u2603 \U0001f600 \u00e8 \U0001f600",
        True,
    ),
    ("no return", "const x = 1;", None, False),
    ("an empty body", "", None, False),
    ("top-level undefined", "return undefined", None, False),
    ("a function at top level", "return () => 1", None, False),
    ("a Promise is an empty object", "return Promise.resolve(1)", {}, True),
]


@pytest.mark.parametrize(
    ("code", "output", "returned"), [c[1:] for c in JSON_CASES], ids=[c[0] for c in JSON_CASES]
)
def test_the_result_goes_through_json_stringify(
    js: TransformationRuntime, code: str, output: Any, returned: bool
) -> None:
    result = run(js, code)
    assert (result.error_kind, result.output, result.returned) == (None, output, returned)


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("return {n: 10n}", "TypeError: Do not know how to serialize a BigInt"),
        (
            "const o = {}; o.self = o; return o",
            "TypeError: Converting circular structure to JSON\n"
            "    --> starting at object with constructor 'Object'\n"
            "    --- property 'self' closes the circle",
        ),
    ],
    ids=["BigInt", "circular"],
)
def test_what_json_stringify_refuses_is_a_runtime_error(
    js: TransformationRuntime, code: str, error: str
) -> None:
    result = run(js, code)
    assert (result.error_kind, result.error, result.line) == ("runtime", error, None)


def test_a_throwing_to_json_points_at_the_users_code(js: TransformationRuntime) -> None:
    result = run(js, "return {\n  toJSON() { throw new RangeError('no') }\n}")
    assert (result.error_kind, result.error, result.line, result.column) == (
        "runtime",
        "RangeError: no",
        2,
        20,
    )


# -- console -----------------------------------------------------------------------------------
CONSOLE_CASES: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "each level",
        "console.log('l'); console.info('i'); console.warn('w'); "
        "console.error('e'); console.debug('d')",
        [("log", "l"), ("info", "i"), ("warn", "w"), ("error", "e"), ("debug", "d")],
    ),
    (
        "strings as they are, the rest JSON-ish",
        "console.log('x', 1, -0, true, null, undefined, 2n, Symbol('s'), [1, 'a'], {a: {b: 1}}, "
        "function named() {}, () => 1, new Date(0), /re/gi)",
        [
            (
                "log",
                'x 1 -0 true null undefined 2n Symbol(s) [1,"a"] {"a":{"b":1}} '
                "[Function: named] [Function (anonymous)] 1970-01-01T00:00:00.000Z /re/gi",
            )
        ],
    ),
    (
        "printf-style directives",
        "console.log('%s has %d items (%i%%), %j', 'cart', 3, 42.9, {a: 1}, 'extra')",
        [("log", 'cart has 3 items (42%), {"a":1} extra')],
    ),
    (
        "a circular object",
        "const o = {k: 1}; o.o = o; console.log(o)",
        [("log", '{"k":1,"o":"[Circular]"}')],
    ),
    (
        "an Error shows its stack in the user's code",
        "\nconst e = new TypeError('bad');\nconsole.error(e)",
        [("error", "TypeError: bad\n    at transformation.js:2:11")],
    ),
    (
        "an assertion",
        "console.assert(1 === 2, 'math', 'broke'); console.assert(true, 'fine')",
        [("error", "Assertion failed: math broke")],
    ),
    (
        "counters",
        "console.count(); console.count(); console.count('x')",
        [("info", "default: 1"), ("info", "default: 2"), ("info", "x: 1")],
    ),
    (
        "groups indent",
        "console.group('g'); console.log('in'); console.groupEnd(); console.log('out')",
        [("log", "g"), ("log", "  in"), ("log", "out")],
    ),
    (
        "promise jobs are part of the run",
        "Promise.resolve().then(() => console.log('later')); console.log('now')",
        [("log", "now"), ("log", "later")],
    ),
]


@pytest.mark.parametrize(
    ("code", "lines"), [c[1:] for c in CONSOLE_CASES], ids=[c[0] for c in CONSOLE_CASES]
)
def test_console_is_captured(
    js: TransformationRuntime, code: str, lines: list[tuple[str, str]]
) -> None:
    result = run(js, code + ";\nreturn 1")
    assert result.ok, result
    assert result.console == tuple(ConsoleLine(level, text) for level, text in lines)  # type: ignore[arg-type]


def test_console_is_kept_when_the_run_fails(js: TransformationRuntime) -> None:
    thrown = run(js, "console.log('before'); throw new Error('after')")
    assert thrown.console == (ConsoleLine("log", "before"),)
    stopped = run(js, "console.warn('spinning'); while (true) {}")
    assert (stopped.error_kind, stopped.console) == ("timeout", (ConsoleLine("warn", "spinning"),))
    assert run(js, "return 1").console == ()


def test_console_output_is_capped() -> None:
    with TransformationRuntime(RunLimits(timeout=0.3, console_chars=20)) as small:
        result = small.run("for (let i = 0; i < 5; i++) console.log('line ' + i); return 1", {}, {})
    assert result.console == (
        ConsoleLine("log", "line 0"),
        ConsoleLine("log", "line 1"),
        ConsoleLine("log", "line 2"),
        ConsoleLine("log", "li"),
        ConsoleLine(
            "warn", "[console output truncated at 20 characters; 1 more call(s) not captured]"
        ),
    )


# -- where errors are ----------------------------------------------------------------------------
SYNTAX_CASES: list[tuple[str, str, str, int, int]] = [
    (
        "on line 3",
        "const a = 1;\nconst b = 2;\nconst c = ;\nreturn a;",
        "SyntaxError: Unexpected token ';'",
        3,
        11,
    ),
    ("on the first line", "return )", "SyntaxError: Unexpected token ')'", 1, 8),
    (
        "a redeclaration",
        "let a = 1;\n\nlet a = 2;",
        "SyntaxError: Identifier 'a' has already been declared",
        3,
        5,
    ),
    (
        "an unterminated string",
        'const s = "open;\nreturn s;',
        "SyntaxError: Invalid or unexpected token",
        1,
        11,
    ),
    ("a tab before the error", "\tfoo(;", "SyntaxError: Unexpected token ';'", 1, 6),
    (
        "await outside async",
        "const x = await 1;",
        "SyntaxError: await is only valid in async functions and the top level bodies of modules",
        1,
        11,
    ),
    (
        "an unclosed brace points at the end",
        "if (payload) {\n  return 1;",
        "SyntaxError: Unexpected token ')'",
        2,
        12,
    ),
    (
        "code that tries to close the wrapper",
        "return 1; }); (function () {",
        "SyntaxError: Single function literal required",
        1,
        29,
    ),
]


@pytest.mark.parametrize(
    ("code", "error", "line", "column"),
    [c[1:] for c in SYNTAX_CASES],
    ids=[c[0] for c in SYNTAX_CASES],
)
def test_syntax_errors_point_at_the_users_code(
    js: TransformationRuntime, code: str, error: str, line: int, column: int
) -> None:
    result = run(js, code)
    assert (result.error_kind, result.error, result.line, result.column) == (
        "syntax",
        error,
        line,
        column,
    )
    assert (result.output, result.returned, result.console) == (None, False, ())


RUNTIME_CASES: list[tuple[str, str, str, int, int]] = [
    (
        "in a helper",
        "function pick(p) {\n  return p.user.name;\n}\nreturn pick(payload);",
        "TypeError: Cannot read properties of undefined (reading 'name')",
        2,
        17,
    ),
    (
        "on the first line",
        "return payload.a.b;",
        "TypeError: Cannot read properties of undefined (reading 'b')",
        1,
        18,
    ),
    (
        "a ReferenceError",
        "\n\nconst total = missing + 1;",
        "ReferenceError: missing is not defined",
        3,
        15,
    ),
    (
        "in JSON.parse",
        "const x = 1;\nreturn JSON.parse('{');",
        "SyntaxError: Expected property name or '}' in JSON at position 1 (line 1 column 2)",
        2,
        13,
    ),
    ("a thrown string", "const a = 1;\n  throw 'plain text';", "Uncaught plain text", 2, 3),
    ("a thrown object", "throw {code: 42};", "Uncaught [object Object]", 1, 1),
    (
        "a custom Error class",
        "class Bad extends Error {\n  constructor(m) { super(m); this.name = 'Bad'; }\n}\n"
        "throw new Bad('no');",
        "Bad: no",
        4,
        7,
    ),
    (
        "strict mode",
        "'use strict';\nundeclared = 1;",
        "ReferenceError: undeclared is not defined",
        2,
        12,
    ),
]


@pytest.mark.parametrize(
    ("code", "error", "line", "column"),
    [c[1:] for c in RUNTIME_CASES],
    ids=[c[0] for c in RUNTIME_CASES],
)
def test_runtime_errors_point_at_the_users_code(
    js: TransformationRuntime, code: str, error: str, line: int, column: int
) -> None:
    result = run(js, code)
    assert (result.error_kind, result.error, result.line, result.column) == (
        "runtime",
        error,
        line,
        column,
    )


def test_deep_recursion_is_a_range_error_and_the_next_run_is_fine(
    js: TransformationRuntime,
) -> None:
    result = run(js, "function f() { return f(); }\nreturn f();")
    assert (result.error_kind, result.error, result.line) == (
        "runtime",
        "RangeError: Maximum call stack size exceeded",
        1,
    )
    assert_clean(js)


# -- hostile code: contained, and the next run is normal ---------------------------------------
CONTAINED: list[tuple[str, str, str, str]] = [
    ("an infinite loop", "while (true) {}", "timeout", "Exceeded the time limit of 0.3 s"),
    (
        "promise jobs that never end",
        "function f() { Promise.resolve().then(f); }\nf(); return 1;",
        "timeout",
        "Exceeded the time limit of 0.3 s: the code returned, but the promise jobs it queued "
        "(then callbacks, await) never settled",
    ),
    (
        "growing memory",
        "const a = []; while (true) { a.push(new Array(1e5).fill(a.length)); }",
        "memory",
        "Exceeded the memory limit of 67108864 bytes of JavaScript heap",
    ),
    (
        "one giant allocation",
        'const s = "ab".repeat(2 ** 26); return s.indexOf("c")',
        "memory",
        "Exceeded the memory limit of 67108864 bytes of JavaScript heap: an allocation took the "
        "worker past its cap of 100663296 bytes and V8 aborted it (Fatal JavaScript out of "
        "memory: CALL_AND_RETRY_LAST); a new worker takes the next run",
    ),
    (
        "a 2 GB typed array",
        "return new Uint8Array(2 ** 31).length",
        "memory",
        "RangeError: Array buffer allocation failed",
    ),
    (
        "a string past V8's limit",
        'let s = "x".repeat(2 ** 28); s = s + s; return s.length',
        "runtime",
        "RangeError: Invalid string length",
    ),
    (
        "require",
        "return require('fs').readFileSync('/etc/passwd', 'utf8')",
        "runtime",
        "ReferenceError: require is not defined",
    ),
    ("process", "return process.env", "runtime", "ReferenceError: process is not defined"),
    (
        "fetch",
        "return fetch('http://127.0.0.1:9/')",
        "runtime",
        "ReferenceError: fetch is not defined",
    ),
    (
        "XMLHttpRequest",
        "return new XMLHttpRequest()",
        "runtime",
        "ReferenceError: XMLHttpRequest is not defined",
    ),
    (
        "setTimeout",
        "setTimeout(() => {}, 1); return 1",
        "runtime",
        "ReferenceError: setTimeout is not defined",
    ),
    (
        "WebAssembly",
        "return WebAssembly.Module",
        "runtime",
        "ReferenceError: WebAssembly is not defined",
    ),
    (
        "Atomics.wait",
        "return Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)",
        "runtime",
        "TypeError: Atomics.wait is not a function",
    ),
]


@pytest.mark.parametrize(
    ("code", "kind", "error"), [c[1:] for c in CONTAINED], ids=[c[0] for c in CONTAINED]
)
def test_hostile_code_is_contained(
    js: TransformationRuntime, code: str, kind: str, error: str
) -> None:
    result = run(js, code)
    assert (result.error_kind, result.error, result.output) == (kind, error, None)
    assert_clean(js)


def test_dynamic_import_fails_cleanly(js: TransformationRuntime) -> None:
    code = """\
let outcome = "pending";
import("fs")
  .then(() => { outcome = "loaded"; }, (e) => { outcome = String(e); })
  .then(() => console.log(outcome));
return "asked";"""
    result = run(js, code)
    assert (result.error_kind, result.output) == (None, "asked")
    assert result.console == (ConsoleLine("log", "Error: Not supported"),)
    assert run(js, "return import('fs')").output == {}
    assert_clean(js)


LEAKS: list[tuple[str, str, str, Any]] = [
    ("an implicit global", "leaked = 1; return 0", "return typeof leaked", "undefined"),
    (
        "a globalThis property",
        "globalThis.leaked = {secret: payload}; return 0",
        "return typeof globalThis.leaked",
        "undefined",
    ),
    (
        "a global from indirect eval",
        "(0, eval)('var viaEval = 1; function fromEval() {}'); return 0",
        "return [typeof viaEval, typeof fromEval]",
        ["undefined", "undefined"],
    ),
    (
        "a global from Function",
        "Function('globalThis.viaFunction = 1')(); return 0",
        "return typeof viaFunction",
        "undefined",
    ),
    (
        "Object.prototype",
        "Object.prototype.polluted = 1; return 0",
        "return ({}).polluted === undefined && !('polluted' in {})",
        True,
    ),
    (
        "Array.prototype.map",
        "Array.prototype.map = () => 'hijacked'; return 0",
        "return [1, 2].map(x => x * 2)",
        [2, 4],
    ),
    (
        "JSON.stringify",
        "JSON.stringify = () => 'hijacked'; return 0",
        "return JSON.stringify({a: 1})",
        '{"a":1}',
    ),
    ("JSON.parse", "JSON.parse = () => 'hijacked'; return 0", "return JSON.parse('[1]')", [1]),
    (
        "String.prototype helpers",
        "String.prototype.shout = function () { return this + '!' }; return 'a'.shout()",
        "return typeof ''.shout",
        "undefined",
    ),
    (
        "a symbol key",
        "Array.prototype[Symbol.for('leak')] = 'secret'; return 0",
        "return [][Symbol.for('leak')] === undefined",
        True,
    ),
    (
        "a property made enumerable",
        "Object.defineProperty(Array.prototype, 'map', {enumerable: true}); return 0",
        "const keys = []; for (const k in []) keys.push(k); return keys",
        [],
    ),
    (
        "a getter on a prototype",
        "Object.defineProperty(Object.prototype, 'trap', "
        "{get() { return 'got' }, configurable: true}); return 0",
        "return ({}).trap === undefined",
        True,
    ),
    (
        "a non-configurable getter",
        "Object.defineProperty(Object.prototype, 'stuck', {get() { return 'got' }}); return 0",
        "return ({}).stuck === undefined",
        True,
    ),
    (
        "a frozen prototype",
        "Object.freeze(Object.prototype); return 0",
        "const o = {}; o.toString = 1; return [Object.isFrozen(Object.prototype), o.toString]",
        [False, 1],
    ),
    (
        "a deleted built-in",
        "delete globalThis.JSON; delete Math.max; return 0",
        "return [typeof JSON, Math.max(1, 2)]",
        ["object", 2],
    ),
    (
        "a swapped prototype",
        "Object.setPrototypeOf(Array.prototype, new Proxy({}, {get: () => 'proxied'})); return 0",
        "return [].anything === undefined",
        True,
    ),
    (
        "fields stamped on a prototype",
        "class B { constructor(o) { return o } }\nclass C extends B { stamped = 1 }\n"
        "new C(Array.prototype); return 0",
        "return [].stamped === undefined",
        True,
    ),
    (
        "Error.prepareStackTrace",
        "Error.prepareStackTrace = () => 'hijacked'; Error.stackTraceLimit = 0; return 0",
        "return [typeof Error.prepareStackTrace, Error.stackTraceLimit]",
        ["undefined", 10],
    ),
    (
        "the last RegExp match",
        "/(secret-\\w+)/.exec(payload.s); return RegExp.$1",
        "return [RegExp.$1, RegExp.input]",
        ["", ""],
    ),
    ("console", "console.log = () => {}; return 0", "console.log('seen'); return 0", 0),
    (
        "promise jobs after the return",
        "Promise.resolve().then(() => { globalThis.late = 1; }); return 0",
        "return typeof late",
        "undefined",
    ),
]


@pytest.mark.parametrize(
    ("leak", "probe", "clean"), [c[1:] for c in LEAKS], ids=[c[0] for c in LEAKS]
)
def test_no_state_leaks_into_the_next_run(
    js: TransformationRuntime, leak: str, probe: str, clean: Any
) -> None:
    leaked = run(js, leak, {"s": "token secret-abc"})
    assert leaked.error_kind is None, leaked
    probed = run(js, probe)
    assert (probed.error_kind, probed.output) == (None, clean), probed
    assert_clean(js)


def test_console_replaced_by_one_run_still_captures_the_next(js: TransformationRuntime) -> None:
    run(js, "console.log = () => {}; console.info('kept'); return 0")
    assert run(js, "console.log('seen'); return 0").console == (ConsoleLine("log", "seen"),)


def test_common_changes_are_undone_without_a_fresh_isolate(js: TransformationRuntime) -> None:
    """The restore repairs what ordinary assignments change: no new isolate (a few ms) needed."""
    before = recycles(js)
    for code in (
        "forgotLet = payload.n; return forgotLet",
        "String.prototype.shout = function () { return this + '!' }; return 'a'.shout()",
        "Object.prototype.polluted = 1; Array.prototype.map = null; return 0",
        "Object.defineProperty(Array.prototype, 'map', {enumerable: true}); return 0",
    ):
        assert run(js, code, {"n": 1}).ok
        assert_clean(js)
    assert recycles(js) == before


def test_changes_that_cannot_be_undone_cost_a_fresh_isolate(js: TransformationRuntime) -> None:
    before = recycles(js)
    assert run(js, "Object.preventExtensions(Array.prototype); return 0").ok
    assert (
        run(
            js,
            "Array.prototype.last = function () { return this[this.length - 1] };\n"
            "return [1, 2].last()",
        ).output
        == 2
    )
    assert recycles(js) == before + 1


def test_user_code_cannot_reach_the_runner(js: TransformationRuntime) -> None:
    code = """\
const found = [String(arguments.callee.caller)];
Error.prepareStackTrace = (e, frames) => frames.slice(1).map(f => [f.getFunction(), f.getThis()]);
found.push(new Error().stack);
return found;"""
    caller, frames = run(js, code).output
    assert caller == "null"
    assert frames and all(frame == [None, None] for frame in frames)
    assert run(js, "return Object.keys(globalThis).filter(k => k.startsWith('__'))").output == []


def test_a_json_override_does_not_change_how_the_result_is_serialised(
    js: TransformationRuntime,
) -> None:
    code = (
        "JSON.stringify = () => '\"hijacked\"'; Object.prototype.toJSON = undefined; return {a: 1}"
    )
    assert run(js, code).output == {"a": 1}


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="waits on a pidfd (Linux)")
def test_a_killed_worker_is_replaced(js: TransformationRuntime) -> None:
    pid = int(js.stats()[0]["pid"])
    exited = os.pidfd_open(pid)
    try:
        os.kill(pid, signal.SIGKILL)
        select.select([exited], [], [], 5)  # readable once every thread of it is gone
    finally:
        os.close(exited)
    result = run(js, SEEN_CALLBACK_CODE, SEEN_PAYLOAD)
    assert result.ok, result
    assert int(js.stats()[0]["pid"]) != pid


def test_the_public_mini_racer_api_gives_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker falls back to mini-racer's public API when its internals differ."""
    monkeypatch.setenv("SEEN_BRAZE_JS_PUBLIC_API", "1")
    with TransformationRuntime(RunLimits(timeout=0.3)) as public:
        assert public.stats()[0]["direct"] is False
        assert public.run(SEEN_CALLBACK_CODE, SEEN_PAYLOAD, HEADERS).output == PUBLISHED[0][3]
        thrown = public.run("console.log('x');\nnull.y", {}, {})
        assert (thrown.error_kind, thrown.line, thrown.console) == (
            "runtime",
            2,
            (ConsoleLine("log", "x"),),
        )
        assert public.run("while (true) {}", {}, {}).error_kind == "timeout"
        assert public.run("Object.prototype.polluted = 1; leaked = 1; return 0", {}, {}).ok
        probe = public.run("return [typeof leaked, 'polluted' in {}]", {}, {})
        assert probe.output == ["undefined", False]


# -- limits on what crosses into the worker --------------------------------------------------
def test_inputs_beyond_the_limits_are_refused() -> None:
    limits = RunLimits(timeout=0.3, payload_bytes=100, code_chars=50, output_chars=20)
    with TransformationRuntime(limits) as small:
        with pytest.raises(InputTooLarge, match=r"payload and headers of 1[0-9]{2} bytes"):
            small.run("return 1", {"blob": "x" * 100}, {})
        with pytest.raises(InputTooLarge, match="code of 51 characters"):
            small.run("return 1;" + " " * 42, {}, {})
        too_big = small.run("return 'y'.repeat(30)", {}, {})
        assert (too_big.error_kind, too_big.output) == ("runtime", None)
        assert too_big.error == (
            "Output too large: the returned value serialises to 32 characters of JSON, "
            "over the limit"
        )
        assert small.run("return 'y'.repeat(10)", {}, {}).output == "y" * 10


def test_a_large_payload_crosses_whole(js: TransformationRuntime) -> None:
    payload = {"items": [{"id": i, "name": f"item {i} \u00e9\u2603"} for i in range(40_000)]}
    result = run(js, "return [payload.items.length, payload.items.at(-1).name]", payload)
    assert result.output == [40_000, "item 39999 \u00e9\u2603"]


def test_lone_surrogates_reach_the_code_but_cannot_be_code(js: TransformationRuntime) -> None:
    result = run(js, "return [payload.s.length, payload.s.charCodeAt(0)]", {"s": "\ud800x"})
    assert result.output == [2, 0xD800]
    with pytest.raises(UnicodeEncodeError):
        js.run("return '\ud800'", {}, {})


@pytest.mark.parametrize(
    ("payload", "error"),
    [({1, 2}, TypeError), ({"n": math.nan}, ValueError), ({"n": math.inf}, ValueError)],
    ids=["a set", "NaN", "Infinity"],
)
def test_a_payload_that_is_not_json_is_refused(
    js: TransformationRuntime, payload: Any, error: type[Exception]
) -> None:
    with pytest.raises(error):
        js.run("return 1", payload, {})


@pytest.mark.parametrize(
    "limits",
    [
        {"timeout": 0},
        {"timeout": math.inf},
        {"timeout": True},
        {"memory": 1024},
        {"console_chars": 0},
        {"payload_bytes": 1.5},
    ],
)
def test_limits_are_checked(limits: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        RunLimits(**limits)


def test_the_defaults_are_the_assumed_ones() -> None:
    assert (RunLimits().timeout, RunLimits().memory, RunLimits().console_chars) == (
        1.0,
        64 * 1024 * 1024,
        64 * 1024,
    )


# -- concurrency and lifecycle -------------------------------------------------------------------
def test_runs_from_many_threads_each_get_their_own_answer() -> None:
    code = (
        "shared = payload.n; let s = 0; for (let i = 0; i < 1000; i++) s += i; return [shared, s]"
    )
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def worker(first: int) -> None:
        try:
            for n in range(first, first + 15):
                results[n] = runtime.run(code, {"n": n}, {}).output
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    with TransformationRuntime(RunLimits(timeout=0.3), workers=2) as runtime:
        threads = [threading.Thread(target=worker, args=(k * 100,)) for k in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len({stat["pid"] for stat in runtime.stats()}) == 2
    assert errors == []
    assert results == {n: [n, 499500] for k in range(6) for n in range(k * 100, k * 100 + 15)}


def test_a_closed_runtime_refuses_runs() -> None:
    runtime = TransformationRuntime(RunLimits(timeout=0.3))
    assert runtime.run("return 1", {}, {}).output == 1
    runtime.close()
    runtime.close()
    with pytest.raises(RuntimeError, match="closed"):
        runtime.run("return 1", {}, {})


def test_workers_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="workers"):
        TransformationRuntime(workers=0)


# -- headers -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("x-olo-event-type", "X-Olo-Event-Type"),
        ("cf-connecting-ip", "Cf-Connecting-Ip"),
        ("CONTENT-TYPE", "Content-Type"),
        ("x_forwarded_for", "X_forwarded_for"),
        ("www-authenticate", "Www-Authenticate"),
        ("a--b", "A--B"),
        ("bad header", "bad header"),
        ("", ""),
    ],
)
def test_header_names_are_canonical_like_go(name: str, canonical: str) -> None:
    assert canonical_header_key(name) == canonical


def test_canonical_headers_add_the_version_and_join_repeats() -> None:
    pairs = [("accept", "a/b"), ("Accept", "c/d"), ("version", "spoofed")]
    assert canonical_headers(pairs) == {"Accept": "a/b, c/d", "Version": "HTTP/1.1"}
    assert canonical_headers({}, version="HTTP/2.0") == {"Version": "HTTP/2.0"}
