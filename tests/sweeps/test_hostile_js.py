"""Hostile JavaScript through the Braze mock's transformation webhook, a normal run after each.

Every program below is what a careless or malicious transformation can do: loop, queue promise
jobs without end, recurse, allocate without bound, pollute every prototype, trap through
Proxies, throw from getters and `toJSON`, return what JSON cannot carry, throw what is not an
Error. Each goes in as a webhook to its own (inactive) transformation and is validated too;
then a webhook to an innocent, active transformation (SEEN's callback to /users/track) runs.

Asserted for every case: no answer is a 5xx and none carries a traceback; no scheduled task
raised; the hostile run's log entry is complete and says why (an error with its kind and
message, or what became of the output); the innocent run right after delivers its
/users/track body and the profile has exactly what that one callback said.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from seen_braze_harness.fixtures import SEEN_TRANSFORMATION, read_text
from seen_braze_harness.mocks.braze.app import create_app
from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.runtime import MockRuntime

TIMEOUT = 0.25
"""Seconds per run: short, so that the two dozen runs that loop keep the suite quick."""
KINDS = {"syntax", "runtime", "timeout", "memory", "crashed", "invalid_output"}
ANY_FAILURE = KINDS - {"syntax"}
REFUSED = {"invalid_output"}  # it ran; its output is refused before delivery

HOSTILE: dict[str, tuple[str, set[str]]] = {
    # -- time
    "an infinite loop": ("while (true) {}", {"timeout"}),
    "a loop in a finally": ("try { throw 1 } finally { for (;;) {} }", {"timeout"}),
    "catastrophic regexp backtracking": (
        "return /^(a+)+$/.test('a'.repeat(40) + 'b')",
        {"timeout"},
    ),
    "a comparator that never returns": (
        "return [3, 1, 2].toSorted(() => { for (;;) {} })",
        {"timeout"},
    ),
    # -- promise jobs
    "a self-requeuing promise chain": (
        "const f = () => Promise.resolve().then(f); f(); return {};",
        {"timeout", "memory"},
    ),
    "then callbacks that queue more": (
        "function f() { Promise.resolve().then(f); } f(); return {};",
        {"timeout"},
    ),
    "an async function that awaits for ever": (
        "(async () => { for (;;) await null; })(); return {};",
        {"timeout"},
    ),
    "a promise job that loops": (
        "Promise.resolve().then(() => { for (;;) {} }); return {};",
        {"timeout"},
    ),
    # -- the stack
    "deep recursion": ("function f() { return f(); } return f();", {"runtime"}),
    "recursion through toJSON": (
        "const o = { toJSON() { return { o: this }; } }; return o;",
        {"runtime", "invalid_output"},
    ),
    "a circular output": ("const a = {}; a.self = a; return a;", {"runtime"}),
    "an output nested 10,000 deep": (
        "let o = {}; for (let i = 0; i < 10000; i++) o = { o }; return o;",
        {"invalid_output"},
    ),
    # -- memory
    "a 1 GiB typed array": ("return new Uint8Array(2 ** 30).length", {"memory"}),
    "a 134-million-character join, flattened": (
        "const s = new Array(134217728).join('x'); return s.indexOf('y');",
        {"memory"},
    ),
    "objects without end": (
        "const a = []; for (;;) a.push({ n: a.length, s: 'v' + a.length });",
        {"memory", "timeout"},
    ),
    "a 200 MiB SharedArrayBuffer": (
        "const b = new SharedArrayBuffer(200 * 2 ** 20); new Int8Array(b).fill(1); return 1;",
        {"memory"},
    ),
    "a string past V8's limit": ("return 'x'.repeat(2 ** 29).length", {"runtime"}),
    "an output past output_chars": (
        "return { attributes: [{ external_id: 'x', s: 'y'.repeat(5e6) }] };",
        {"runtime"},
    ),
    # -- prototype pollution, of every kind
    "Object.prototype polluted": (
        "Object.prototype.attributes = [{ external_id: 'stolen' }]; return {};",
        REFUSED,
    ),
    "a getter on Object.prototype": (
        "Object.defineProperty(Object.prototype, 'external_id', "
        "{ get() { return 'stolen'; }, configurable: true }); return {};",
        REFUSED,
    ),
    "Array.prototype.toJSON": (
        "Array.prototype.toJSON = () => 'hijacked'; return { attributes: [] };",
        REFUSED,
    ),
    "Array.prototype.map and push replaced": (
        "Array.prototype.map = () => []; Array.prototype.push = () => 0; return {};",
        REFUSED,
    ),
    "JSON.stringify and JSON.parse replaced": (
        "JSON.stringify = () => '{}'; JSON.parse = () => ({}); return {};",
        REFUSED,
    ),
    "a throwing toJSON getter on Object.prototype": (
        "Object.defineProperty(Object.prototype, 'toJSON', "
        "{ get() { throw new Error('no'); }, configurable: true }); return { a: 1 };",
        {"runtime"},
    ),
    "Object.prototype frozen": ("Object.freeze(Object.prototype); return {};", REFUSED),
    "String.prototype and Function.prototype changed": (
        "String.prototype.trim = () => 'x'; Function.prototype.call = null; return {};",
        REFUSED,
    ),
    "the payload's prototype polluted": (
        "payload.__proto__.landing_page_url = 'stolen'; return {};",
        REFUSED,
    ),
    "globals defined and JSON deleted": (
        "globalThis.leak = 1; (0, eval)('var viaEval = 2'); delete globalThis.JSON; return {};",
        REFUSED,
    ),
    # -- Proxy traps and getters
    "a Proxy whose get trap loops": (
        "return new Proxy({}, { get() { for (;;) {} } });",
        {"timeout"},
    ),
    "a Proxy whose ownKeys trap throws": (
        "return new Proxy({}, { ownKeys() { throw new Error('trap'); } });",
        {"runtime"},
    ),
    "a revoked Proxy": (
        "const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); return proxy;",
        {"runtime"},
    ),
    "a getter that throws on serialisation": (
        "return { get attributes() { throw new Error('boom'); } };",
        {"runtime"},
    ),
    # -- what JSON cannot carry
    "a lone surrogate in the output": (
        "return { attributes: [{ external_id: 'u\\ud800' }] };",
        {"invalid_output"},
    ),
    "a lone surrogate in the console": (
        "console.log('\\udc00'); return {};",
        REFUSED,
    ),
    "a Symbol output": ("return Symbol('s');", {"invalid_output"}),
    "a BigInt output": ("return { attributes: [{ external_id: 'x', n: 10n }] };", {"runtime"}),
    # -- eval, Atomics, SharedArrayBuffer
    "eval and Function": (
        "return { a: eval('1 + 1'), b: Function('return typeof this')() };",
        REFUSED,
    ),
    "Atomics.wait": (
        "return Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);",
        {"runtime"},
    ),
    # -- thrown values that are not Errors
    "throw a number": ("throw 42;", {"runtime"}),
    "throw null": ("throw null;", {"runtime"}),
    "throw a Symbol": ("throw Symbol('s');", {"runtime"}),
    "throw an object whose toString throws": (
        "throw { toString() { throw new Error('x'); } };",
        {"runtime"},
    ),
    "throw an object whose toString loops": (
        "throw { toString() { for (;;) {} } };",
        {"timeout"},
    ),
    "a prepareStackTrace that loops": (
        "Error.prepareStackTrace = () => { for (;;) {} }; null.x;",
        {"timeout"},
    ),
    # -- the host
    "require, process, fetch and timers": (
        "return [typeof require, typeof process, typeof fetch, typeof setTimeout].join();",
        REFUSED,
    ),
    "a syntax error that closes the wrapper": ("}); return 1; ({", {"syntax"}),
}

INNOCENT_CODE = read_text(SEEN_TRANSFORMATION)


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    settings = BrazeSettings(clock="virtual", transform_timeout=TIMEOUT, transform_active_limit=55)
    made = create_app(settings)
    yield made
    made.extensions["mock"].close()


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def innocent(client: FlaskClient) -> dict[str, Any]:
    return create(client, "SEEN video links", INNOCENT_CODE, active=True)


def create(client: FlaskClient, name: str, code: str, *, active: bool) -> dict[str, Any]:
    body = {"name": name, "code": code, "destination": "track-users", "active": active}
    response = checked(client.post("/_mock/transformations", json=body))
    assert response.status_code == 201, response.json
    made: dict[str, Any] = response.json
    return made


def checked(response: TestResponse) -> TestResponse:
    """No 5xx, no traceback: what any answer of the mock must be."""
    assert response.status_code < 500, response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    return response


def send(app: Flask, client: FlaskClient, made: dict[str, Any], payload: Any) -> dict[str, Any]:
    """Post a webhook, let its run happen, and give its log entry."""
    path = re.sub(r"^https?://[^/]+", "", made["webhook_url"])
    response = checked(client.post(path, json=payload))
    assert (response.status_code, response.json) == (201, {"message": "success"})
    runtime: MockRuntime = app.extensions["mock"]
    runtime.scheduler.run_until_idle()
    assert list(runtime.scheduler.errors) == [], "a scheduled task raised"
    logs = checked(client.get(f"/_mock/transformations/logs?transformation={made['id']}&limit=1"))
    (entry,) = logs.json["logs"]
    assert "Traceback" not in str(entry)
    return dict(entry)


def says_why(entry: dict[str, Any], kinds: set[str]) -> None:
    """A log entry is complete: a failure with its kind and message, or the output and what
    became of it (an inactive transformation delivers nothing, and says so)."""
    assert entry["duration_ms"] is not None and entry["queued_ms"] is not None, entry
    error = entry["error"]
    if error is None:
        assert kinds & {"ok"}, f"expected one of {kinds}, the run succeeded: {entry}"
        assert entry["skipped"] == "transformation is inactive: nothing delivered"
        return
    assert error["kind"] in kinds, f"{error} (log entry {entry['id']}): {entry}"
    assert isinstance(error["message"], str) and error["message"].strip(), entry
    assert entry["destination"] is None
    assert entry["output"] is None or error["kind"] == "invalid_output"


@pytest.mark.parametrize(("code", "kinds"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_code_then_an_innocent_run(
    app: Flask,
    client: FlaskClient,
    innocent: dict[str, Any],
    request: pytest.FixtureRequest,
    code: str,
    kinds: set[str],
) -> None:
    hostile = create(client, request.node.callspec.id, code, active=False)
    entry = send(app, client, hostile, {"customer_id": "h", "n": 1})
    says_why(entry, kinds)
    validated = checked(
        client.post(f"/_mock/transformations/{hostile['id']}/validate", json={"payload": {}})
    )
    assert validated.status_code == 200, validated.json
    shown = validated.json
    assert shown["acceptable"] is False
    if shown["error"] is not None:
        assert shown["error"]["kind"] in kinds and shown["error"]["message"], shown
    else:
        assert kinds & REFUSED and shown["errors"], shown

    backend: BrazeBackend = app.extensions["braze"]
    user = backend.profiles.seed({"external_id": f"user-{hostile['id']}"})
    url = f"https://play.seen.io/v/{hostile['id']}/"
    callback = {
        "customer_id": user.braze_id,
        "campaign_slug": "onboarding",
        "landing_page_url": url,
        "email_thumbnail_url": f"{url}thumb.jpg",
    }
    ran = send(app, client, innocent, callback)
    assert ran["error"] is None, ran
    assert ran["output"] == {
        "attributes": [
            {
                "braze_id": user.braze_id,
                "_update_existing_only": True,
                "landing_page_url": url,
                "email_thumbnail_url": f"{url}thumb.jpg",
            }
        ]
    }
    assert ran["destination"]["status"] == 201
    assert ran["destination"]["body"] == {"message": "success", "attributes_processed": 1}
    profile = backend.profiles.get(user.braze_id)
    assert profile is not None
    assert profile.to_dict()["custom_attributes"] == {
        "landing_page_url": url,
        "email_thumbnail_url": f"{url}thumb.jpg",
    }


def test_the_sweep_is_broad() -> None:
    assert len(HOSTILE) >= 40
