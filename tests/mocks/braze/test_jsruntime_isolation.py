"""Isolation between Data Transformation runs: promise jobs, the worker pool, dead workers, memory.

Each test reproduces a way one run used to harm another: promise jobs that outlived their run
and failed the next, innocent one; one worker and an unbounded first-come queue, so that a
flood of looping runs held everyone else back; a killed worker reported as out of memory and
its run dropped although nothing of it had run; a memory limit that a typed array or one big
string walked past. Every hostile run is followed by a normal one that must be right.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from seen_braze_harness.fixtures import SEEN_TRANSFORMATION, read_text
from seen_braze_harness.mocks.braze.models import BrazeBackend
from seen_braze_harness.mocks.braze.settings import BrazeSettings, default_transform_workers
from seen_braze_harness.mocks.braze.transformations.jsruntime import (
    ConsoleLine,
    RunLimits,
    RuntimeBusy,
    RuntimeUnavailable,
    ScriptResult,
    TransformationRuntime,
)
from seen_braze_harness.mocks.core.runtime import MockRuntime

REPO = Path(__file__).resolve().parents[3]
SEEN_CODE = read_text(SEEN_TRANSFORMATION)
SEEN_PAYLOAD = {
    "customer_id": "5f0c2d3e4b1a",
    "campaign_slug": "onboarding",
    "landing_page_url": "https://play.seen.io/v/9aiNN/",
    "email_thumbnail_url": "https://motions.seen.io/a/b/email_thumbnail.jpg",
}
SEEN_OUTPUT = {
    "attributes": [
        {
            "braze_id": "5f0c2d3e4b1a",
            "_update_existing_only": True,
            "landing_page_url": "https://play.seen.io/v/9aiNN/",
            "email_thumbnail_url": "https://motions.seen.io/a/b/email_thumbnail.jpg",
        }
    ]
}
PROBE = "return {n: payload.n + 1, polluted: ({}).polluted, mapped: [1, 2].map(x => x * 2)}"
MIB = 1024 * 1024
JOBS = ": the code returned, but the promise jobs it queued (then callbacks, await) never settled"


@pytest.fixture(scope="module")
def js() -> Iterator[TransformationRuntime]:
    with TransformationRuntime(RunLimits(timeout=0.3)) as runtime:
        yield runtime


@pytest.fixture(scope="module")
def roomy() -> Iterator[TransformationRuntime]:
    """Time enough for the big allocations to meet the memory limit first."""
    with TransformationRuntime(RunLimits(timeout=3)) as runtime:
        yield runtime


def assert_innocent_runs_are_right(js: TransformationRuntime) -> None:
    """Another transformation, then a probe: right outputs, nothing left of what came before."""
    seen = js.run(SEEN_CODE, SEEN_PAYLOAD, {})
    assert (seen.error_kind, seen.output) == (None, SEEN_OUTPUT), seen
    probe = js.run(PROBE, {"n": 1}, {})
    assert (probe.error_kind, probe.output) == (None, {"n": 2, "mapped": [2, 4]}), probe


def worker_pid(js: TransformationRuntime) -> int:
    return int(js.stats()[0]["pid"])


def recycles(js: TransformationRuntime) -> int:
    return int(js.stats()[0]["recycles"])


def wired(monkeypatch: pytest.MonkeyPatch) -> None:
    """`BrazeBackend.js` as it builds the runtime from the settings: workers and queue too."""

    def js(self: BrazeBackend) -> TransformationRuntime:
        with self._js_lock:
            if self._js is None:
                self._js = TransformationRuntime(
                    RunLimits(
                        timeout=self.settings.transform_timeout,
                        memory=self.settings.transform_memory,
                    ),
                    workers=self.settings.transform_workers,
                    queue=self.settings.transform_queue,
                )
            return self._js

    monkeypatch.setattr(BrazeBackend, "js", js)


# -- promise jobs ----------------------------------------------------------------------------------
ENDLESS_JOBS = {
    "a self-requeuing promise chain": "const f = () => Promise.resolve().then(f); f(); return 1;",
    "then callbacks that queue more": "function f() { Promise.resolve().then(f); }\nf(); return 1;",
    "an async loop": "(async () => { for (;;) await null; })(); return 1;",
    "a job that loops": "Promise.resolve().then(() => { for (;;) {} }); return 1;",
    "a job that throws and queues again": (
        "const f = () => Promise.reject(new Error('x')).catch(f); f(); return 1;"
    ),
}


@pytest.mark.parametrize("code", ENDLESS_JOBS.values(), ids=ENDLESS_JOBS.keys())
def test_promise_jobs_that_never_settle_fail_their_run_not_the_next(
    js: TransformationRuntime, code: str
) -> None:
    result = js.run(code, {}, {})
    assert (result.output, result.returned) == (None, False)
    # The chain that grows fills the heap before the time is up; the others run out of time.
    assert result.error_kind in ("timeout", "memory"), result
    limit = "time limit of 0.3 s" if result.error_kind == "timeout" else "memory limit of"
    assert result.error is not None and limit in result.error, result
    # V8 checks the heap limit at a collection; a tight job loop can overshoot it to V8's own
    # ceiling, and V8 then aborts the worker: "memory" still, said as a worker's death, since
    # no answer came to say that the code had returned.
    died = result.error.endswith("a new worker takes the next run")
    assert result.error.endswith(JOBS) or (result.error_kind == "memory" and died), result
    assert_innocent_runs_are_right(js)


def test_stopping_promise_jobs_costs_a_fresh_isolate_not_a_new_worker(
    js: TransformationRuntime,
) -> None:
    pid, before = worker_pid(js), recycles(js)
    started = time.monotonic()
    result = js.run("(async () => { for (;;) await 0; })();", {}, {})
    assert result.error == f"Exceeded the time limit of 0.3 s{JOBS}"
    assert time.monotonic() - started < 0.3 + 0.5, "stopped at the limit, not by a watchdog"
    assert (worker_pid(js), recycles(js)) == (pid, before + 1)
    assert_innocent_runs_are_right(js)


def test_the_console_of_a_run_stopped_in_its_promise_jobs_is_kept(
    js: TransformationRuntime,
) -> None:
    code = """\
console.log("before");
let n = 0;
function f() { if (++n === 3) console.warn("in the jobs"); Promise.resolve().then(f); }
f();
return "returned";"""
    result = js.run(code, {}, {})
    assert result.error == f"Exceeded the time limit of 0.3 s{JOBS}"
    assert result.console == (ConsoleLine("log", "before"), ConsoleLine("warn", "in the jobs"))


def test_promise_jobs_that_settle_still_run_and_count(js: TransformationRuntime) -> None:
    code = """\
let n = 0;
const step = () => (++n < 10000 ? Promise.resolve().then(step) : console.log("steps", n));
step();
(async () => { await null; console.log("awaited"); })();
return "returned";"""
    result = js.run(code, {}, {})
    assert (result.error_kind, result.output) == (None, "returned")
    assert result.console == (ConsoleLine("log", "awaited"), ConsoleLine("log", "steps 10000"))


def test_promise_jobs_are_stopped_with_mini_racers_public_api_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the way to V8's isolate, the worker cannot stop the job queue: it exits and a
    new one takes the next run, which must be right all the same."""
    monkeypatch.setenv("SEEN_BRAZE_JS_PUBLIC_API", "1")
    with TransformationRuntime(RunLimits(timeout=0.3)) as public:
        assert public.stats()[0]["direct"] is False
        result = public.run(ENDLESS_JOBS["an async loop"], {}, {})
        assert result.error == f"Exceeded the time limit of 0.3 s{JOBS}"
        assert_innocent_runs_are_right(public)


# -- the pool, its queue, its turns ----------------------------------------------------------------
BUSY_300_MS = "const t = Date.now(); while (Date.now() - t < 300) {} return payload.n"


def test_two_workers_take_two_runs_at_once() -> None:
    with TransformationRuntime(RunLimits(timeout=2), workers=2) as runtime:
        results: list[ScriptResult] = []

        def one(n: int) -> None:
            results.append(runtime.run(BUSY_300_MS, {"n": n}, {}))

        for _round in range(2):  # the first starts the second worker
            results.clear()
            threads = [threading.Thread(target=one, args=(n,)) for n in (1, 2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(r.output for r in results) == [1, 2]
        assert len({stat["pid"] for stat in runtime.stats()}) == 2
        assert max(r.queued for r in results) < 0.15, "neither waited for the other's 300 ms"


def test_a_second_worker_starts_only_when_a_run_would_wait() -> None:
    with TransformationRuntime(RunLimits(timeout=0.3), workers=3) as runtime:
        for n in range(20):
            assert runtime.run("return payload.n", {"n": n}, {}).output == n
        assert len(runtime.stats()) == 1


def test_a_runs_duration_is_its_own_and_its_wait_is_queued() -> None:
    with TransformationRuntime(RunLimits(timeout=2), workers=1) as runtime:
        runtime.run("return 0", {}, {})  # the worker is up
        slow = threading.Thread(target=runtime.run, args=(BUSY_300_MS, {"n": 1}, {}))
        slow.start()
        time.sleep(0.05)
        quick = runtime.run("return payload.n", {"n": 2}, {})
        slow.join()
    assert quick.output == 2
    assert quick.queued >= 0.15, "it waited for the slow run"
    assert quick.duration < 0.1, "and that wait is not its duration"


def test_queued_runs_are_served_a_key_at_a_time() -> None:
    served: list[str] = []

    def noting(name: str) -> Callable[[ScriptResult | Exception], None]:
        def done(outcome: ScriptResult | Exception) -> None:
            assert isinstance(outcome, ScriptResult) and outcome.output == name, outcome
            served.append(name)

        return done

    with TransformationRuntime(RunLimits(timeout=1)) as runtime:

        def submit(key: str, name: str) -> None:
            runtime.submit(key, "return payload.name", {"name": name}, {}, noting(name))

        for name in ("a1", "a2", "a3", "a4"):
            submit("a", name)
        submit("b", "b1")
        submit("c", "c1")
        assert runtime.waiting == 6
        assert runtime.serve() and runtime.serve()
        submit("b", "b2")  # after c1 (never served) and a2 (a was served before b)
        while runtime.serve():
            pass
    assert served == ["a1", "b1", "c1", "a2", "b2", "a3", "a4"]


def test_a_full_queue_refuses_runs_and_a_cancelled_one_frees_its_place() -> None:
    outcomes: list[Any] = []
    with TransformationRuntime(RunLimits(timeout=2.5), queue=2) as runtime:
        first = runtime.submit("a", "return 1", {}, {}, outcomes.append)
        runtime.submit("a", "return 2", {}, {}, outcomes.append)
        with pytest.raises(RuntimeBusy, match=r"2 runs wait for a worker already.*\(2\)") as busy:
            runtime.submit("b", "return 3", {}, {}, outcomes.append)
        assert busy.value.retry_after == 3
        assert first.cancel() and not first.cancel()
        runtime.submit("b", "return 3", {}, {}, outcomes.append)
        assert runtime.serve() and runtime.serve() and not runtime.serve()
    assert [o.output for o in outcomes] == [2, 3]


def test_a_caller_waiting_for_a_worker_when_the_runtime_closes_is_told_so() -> None:
    runtime = TransformationRuntime(RunLimits(timeout=2), workers=1)
    runtime.run("return 0", {}, {})
    slow = threading.Thread(target=runtime.run, args=(BUSY_300_MS, {"n": 1}, {}))
    slow.start()
    time.sleep(0.05)
    raised: list[BaseException] = []

    def waiting() -> None:
        try:
            runtime.run("return 1", {}, {})
        except BaseException as exc:  # reported by the main thread
            raised.append(exc)

    waiter = threading.Thread(target=waiting)
    waiter.start()
    time.sleep(0.05)
    runtime.close()
    waiter.join(5)
    slow.join(5)
    (exc,) = raised
    assert isinstance(exc, RuntimeError) and "closed" in str(exc)


def test_closing_the_runtime_ends_the_runs_still_queued() -> None:
    outcomes: list[Any] = []
    runtime = TransformationRuntime(RunLimits(timeout=0.3))
    runtime.submit("a", "return 1", {}, {}, outcomes.append)
    runtime.close()
    assert not runtime.serve()
    (outcome,) = outcomes
    assert isinstance(outcome, RuntimeUnavailable) and "closed" in str(outcome)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [({"workers": 0}, "workers"), ({"queue": 0}, "queue"), ({"queue": True}, "queue")],
)
def test_the_pool_and_queue_sizes_are_checked(kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        TransformationRuntime(**kwargs)


def test_the_settings_size_the_pool_for_the_machine() -> None:
    settings = BrazeSettings()
    assert settings.transform_workers == min(4, os.cpu_count() or 1) == default_transform_workers()
    assert settings.transform_queue == 1000


# -- through the webhook ---------------------------------------------------------------------------
LOOPING = "while (true) {}"


def create(client: FlaskClient, code: str) -> dict[str, Any]:
    body = {"name": "t", "code": code, "destination": "track-users", "active": True}
    response = client.post("/_mock/transformations", json=body)
    assert response.status_code == 201, response.json
    created: dict[str, Any] = response.json
    return created


def webhook_path(made: dict[str, Any]) -> str:
    return re.sub(r"^https?://[^/]+", "", made["webhook_url"])


def entries(client: FlaskClient, made: dict[str, Any]) -> list[dict[str, Any]]:
    logs: list[dict[str, Any]] = client.get(
        f"/_mock/transformations/logs?transformation={made['id']}"
    ).json["logs"]
    return logs


def test_a_flood_of_looping_runs_holds_another_transformation_back_by_about_one_run(
    make_braze_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    """30 webhooks to a transformation that loops, then one to another: the other's run does
    not wait for the 30 (it once waited 23 s behind them), and its time is its own."""
    wired(monkeypatch)
    app = make_braze_app(clock="real", transform_timeout=1.0, transform_workers=2)
    client = app.test_client()
    backend: BrazeBackend = app.extensions["braze"]
    seeded = backend.profiles.seed({"external_id": "u1"})
    looping, innocent = create(client, LOOPING), create(client, SEEN_CODE)
    for _ in range(30):
        assert client.post(webhook_path(looping), json={}).status_code == 201
    sent = time.monotonic()
    payload = {**SEEN_PAYLOAD, "customer_id": seeded.braze_id}
    assert client.post(webhook_path(innocent), json=payload).status_code == 201
    while not entries(client, innocent)[0]["destination"]:
        assert time.monotonic() - sent < 40, "the innocent run never ran"
        time.sleep(0.01)
    waited = time.monotonic() - sent
    (entry,) = entries(client, innocent)
    assert entry["error"] is None and entry["destination"]["status"] == 201
    # About one looping run (1 s), where it used to wait for most of the 30 (24 s here).
    assert waited < 2.5, f"waited {waited:.2f} s behind the looping runs"
    assert entry["duration_ms"] < 150 and entry["queued_ms"] is not None
    looped = [e for e in entries(client, looping) if e["error"] is not None]
    assert len(looped) < 10, "most looping runs were still waiting"
    assert {e["error"]["kind"] for e in looped} <= {"timeout"}


def test_a_webhook_finding_the_queue_full_is_refused_429_and_not_taken(
    make_braze_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    wired(monkeypatch)
    app = make_braze_app(transform_queue=2)
    client = app.test_client()
    made = create(client, "return {attributes: [{external_id: 'u1', seen: true}]}")
    codes = [client.post(webhook_path(made), json={"n": n}).status_code for n in range(3)]
    assert codes == [201, 201, 429]
    refused = client.post(webhook_path(made), json={})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.json == {
        "message": "Too many Data Transformation runs waiting: 2 runs wait for a worker "
        "already, the most the queue holds (2) (transform_queue); retry after 1 s"
    }
    assert len(entries(client, made)) == 2
    counters = client.get(f"/_mock/transformations/{made['id']}").json["counters"]
    assert counters["incoming_requests"] == 2
    runtime: MockRuntime = app.extensions["mock"]
    runtime.scheduler.run_until_idle()
    assert [e["error"] for e in entries(client, made)] == [None, None]
    assert client.post(webhook_path(made), json={}).status_code == 201


def test_a_reset_drops_the_runs_still_queued(
    make_braze_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    wired(monkeypatch)
    app = make_braze_app(transform_queue=2)
    client = app.test_client()
    made = create(client, "return {attributes: []}")
    for _ in range(2):
        client.post(webhook_path(made), json={})
    backend: BrazeBackend = app.extensions["braze"]
    assert backend.js().waiting == 2
    runtime: MockRuntime = app.extensions["mock"]
    runtime.reset()
    assert backend.js().waiting == 0
    made = create(client, "return {attributes: []}")
    assert [client.post(webhook_path(made), json={}).status_code for _ in range(3)] == [
        201,
        201,
        429,
    ]


def test_log_entries_give_the_runs_own_time_and_its_wait(
    make_braze_app: Callable[..., Flask],
) -> None:
    app = make_braze_app()
    client = app.test_client()
    made = create(client, "return {attributes: []}")
    client.post(webhook_path(made), json={})
    (waiting,) = entries(client, made)
    assert (waiting["duration_ms"], waiting["queued_ms"]) == (None, None)
    runtime: MockRuntime = app.extensions["mock"]
    runtime.scheduler.run_until_idle()
    (entry,) = entries(client, made)
    assert 0 < entry["duration_ms"] < 1000 and entry["queued_ms"] >= 0


# -- a worker that dies ----------------------------------------------------------------------------
def test_a_worker_killed_before_it_read_the_run_is_replaced_and_the_run_sent_again(
    js: TransformationRuntime,
) -> None:
    pid = worker_pid(js)
    os.kill(pid, signal.SIGSTOP)  # it cannot read the request now
    results: list[ScriptResult] = []
    thread = threading.Thread(target=lambda: results.append(js.run(SEEN_CODE, SEEN_PAYLOAD, {})))
    thread.start()
    time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    thread.join(10)
    (result,) = results
    assert (result.error_kind, result.output) == (None, SEEN_OUTPUT), result
    assert worker_pid(js) != pid


def test_a_worker_killed_during_the_run_is_said_so_not_out_of_memory() -> None:
    with TransformationRuntime(RunLimits(timeout=3)) as runtime:
        pid = worker_pid(runtime)
        results: list[ScriptResult] = []
        thread = threading.Thread(target=lambda: results.append(runtime.run(LOOPING, {}, {})))
        thread.start()
        time.sleep(0.3)
        os.kill(pid, signal.SIGKILL)
        thread.join(10)
        (result,) = results
        assert result.error_kind == "crashed"
        assert result.error == (
            "The JavaScript worker was killed by SIGKILL; the run was lost and a new worker "
            "takes the next"
        )
        assert result.duration < 2
        assert_innocent_runs_are_right(runtime)


def test_a_crashed_run_is_in_the_log_entry(
    make_braze_app: Callable[..., Flask],
) -> None:
    app = make_braze_app(transform_timeout=3)
    client = app.test_client()
    made = create(client, LOOPING)
    client.post(webhook_path(made), json={})
    backend: BrazeBackend = app.extensions["braze"]
    pid = int(backend.js().stats()[0]["pid"])
    threading.Timer(0.3, os.kill, (pid, signal.SIGKILL)).start()
    runtime: MockRuntime = app.extensions["mock"]
    runtime.scheduler.run_until_idle()
    (entry,) = entries(client, made)
    assert entry["error"]["kind"] == "crashed"
    assert "killed by SIGKILL" in entry["error"]["message"]
    assert entry["destination"] is None


# -- memory ----------------------------------------------------------------------------------------
OVER_THE_LIMIT = {
    "a 100 MiB typed array": "const a = new Uint8Array(100 * 2 ** 20); a.fill(1); return a.length",
    "a 400 MiB typed array never written": "return new Float64Array(50 * 2 ** 20).length",
    "a 134-million-character join, flattened": (
        "const s = new Array(134217728).join('x'); return s.charCodeAt(5) + s.indexOf('y')"
    ),
    "a 128 MiB string returned": "return 'ab'.repeat(2 ** 26)",
    "a 2 GiB sparse array filled": "const a = new Array(2 ** 31); a.fill(0); return a.length",
    "50 million doubles": "return new Array(50_000_000).fill(1.5).length",
    "16 MiB buffers, one after the other": (
        "const kept = []; for (;;) { const b = new Uint8Array(16 * 2 ** 20); b.fill(1); "
        "kept.push(b); }"
    ),
    "a 200 MiB SharedArrayBuffer": (
        "const b = new SharedArrayBuffer(200 * 2 ** 20); new Int32Array(b).fill(1); "
        "return b.byteLength"
    ),
    "a resizable buffer grown to 300 MiB": (
        "const b = new ArrayBuffer(8, {maxByteLength: 2 ** 32}); b.resize(300 * 2 ** 20); "
        "return b.byteLength"
    ),
    "objects without end": "const a = []; for (;;) a.push({n: a.length, s: 'v' + a.length});",
    "strings without end": "const a = []; for (;;) a.push('x'.repeat(1000) + a.length);",
    "a Map without end": "const m = new Map(); for (let i = 0; ; i++) m.set(i, [i]);",
}


@pytest.mark.parametrize("code", OVER_THE_LIMIT.values(), ids=OVER_THE_LIMIT.keys())
def test_the_memory_limit_holds(roomy: TransformationRuntime, code: str) -> None:
    result = roomy.run(code, {}, {})
    assert (result.error_kind, result.output) == ("memory", None), result
    assert_innocent_runs_are_right(roomy)


WITHIN_THE_LIMIT = {
    # What the code does not touch costs nothing: V8 keeps these small.
    "a sparse array of length 2 ** 31": (
        "const a = new Array(2 ** 31); a[2 ** 31 - 2] = 1; return a.length",
        2**31,
    ),
    "a 134-million-character join, never flattened": (
        "return new Array(134217728).join('x').length",
        134217727,
    ),
    "'x'.repeat(2 ** 28), never flattened": ("return 'x'.repeat(2 ** 28).length", 2**28),
    # Close to the limit, and still run.
    "a 50 MiB typed array": (
        "const a = new Uint8Array(50 * 2 ** 20); a.fill(7); return a[12345] + a.length",
        7 + 50 * MIB,
    ),
    "about 50 MB of objects": (
        "const a = []; for (let i = 0; i < 700000; i++) a.push({i, s: 'v' + i}); return a.length",
        700000,
    ),
}


@pytest.mark.parametrize(("code", "output"), WITHIN_THE_LIMIT.values(), ids=WITHIN_THE_LIMIT.keys())
def test_what_stays_within_the_limit_runs(
    js: TransformationRuntime, code: str, output: Any
) -> None:
    result = js.run(code, {}, {})
    assert (result.error_kind, result.output) == (None, output), result
    assert_innocent_runs_are_right(js)


def test_garbage_of_one_run_does_not_count_against_the_next(js: TransformationRuntime) -> None:
    """Each run leaves about 50 MB of garbage; the next, needing as much again, still runs."""
    make = "const a = []; for (let i = 0; i < 600000; i++) a.push({i, s: 'v' + i}); return 1"
    buffer = "const b = new Uint8Array(40 * 2 ** 20); b.fill(1); return 2"
    for _ in range(6):
        assert js.run(make, {}, {}).output == 1
        assert js.run(buffer, {}, {}).output == 2


PEAK_SCRIPT = """
import json, resource, sys
from pathlib import Path
from seen_braze_harness.mocks.braze.transformations.jsruntime import (
    RunLimits,
    TransformationRuntime,
)

def hwm(pid):
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return int(text.split("VmHWM:")[1].split()[0]) * 1024

peaks, starts, kinds = [], [], []
with TransformationRuntime(RunLimits(timeout=3)) as runtime:
    for code in json.loads(sys.argv[1]):
        pid = runtime.stats()[0]["pid"]
        starts.append(hwm(pid))
        kinds.append(runtime.run(code, {}, {}).error_kind)
        peaks.append(hwm(pid))
        runtime.run("return 1", {}, {})
dead = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"starts": starts, "peaks": peaks, "dead": dead, "kinds": kinds}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_a_workers_peak_memory_stays_within_its_cap() -> None:
    """The worker's peak RSS (VmHWM while it lives, its rusage once it died and was reaped)
    stays within its size at start plus `memory + worker_overhead` (96 MiB by default), plus
    a little for what the kernel counts that is not data (code pages, stacks)."""
    codes = list(OVER_THE_LIMIT.values())
    run = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, json.dumps(codes)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=True,
    )
    figures = json.loads(run.stdout.strip().splitlines()[-1])
    assert figures["kinds"] == ["memory"] * len(codes)
    start = max(s for s in figures["starts"] if s)
    limits = RunLimits()
    cap = start + limits.memory + limits.worker_overhead + 16 * MIB
    peaks = [p for p in figures["peaks"] if p] + [figures["dead"]]
    assert max(peaks) <= cap, f"peak {max(peaks) / MIB:.0f} MiB over {cap / MIB:.0f} MiB"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0  # the figures are real


@pytest.mark.parametrize(
    ("limits", "words"),
    [({"worker_overhead": 15 * MIB}, "worker_overhead"), ({"worker_overhead": 0.5}, "whole")],
)
def test_the_worker_overhead_is_checked(limits: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        RunLimits(**limits)


def test_transform_memory_below_what_v8_needs_is_refused() -> None:
    from seen_braze_harness.mocks.core.settings import SettingsError

    with pytest.raises(SettingsError, match="transform_memory: V8 needs at least"):
        BrazeSettings(transform_memory=1024)


STALE_FLAG = """
import json, sys
from py_mini_racer import DEFAULT_V8_FLAGS, init_mini_racer
from seen_braze_harness.mocks.braze.transformations.jsruntime import worker
config = worker.WorkerConfig.from_json(sys.argv[1])
init_mini_racer(flags=[*DEFAULT_V8_FLAGS, f"--max-old-space-size={config.heap_mb}",
                       f"--max-semi-space-size={config.semi_space_mb}"])
engine = worker.Engine(config)
def kind(code):
    body, _then = engine.run({"code": code, "payload": "{}", "headers": "{}"})
    return json.loads(body)["kind"]
print(kind("return 1"))
try:  # what a garbage collection after a run has answered can do: find the heap over the limit
    engine.isolate.evaluate("const hog = []; for (;;) hog.push(new Array(1e5).fill(1));", 5)
except Exception as exc:
    print(type(exc).__name__)
print(engine.isolate.racer.was_hard_memory_limit_reached())
print(kind("const a = {}; a.self = a; return a;"))
print(kind("return 2"), flush=True)
import os
os._exit(0)  # as the worker does: V8's threads allow no orderly exit
"""


def test_a_memory_flag_raised_between_runs_blames_no_run() -> None:
    """V8's "hard memory limit reached" flag stays set; raised after a run had answered (by the
    tidy-up's garbage collection, under load), it made the next failing run, a circular
    output here, be reported as "memory" (seen in the hostile sweep as a flake)."""
    config = {
        "timeout": 2.0,
        "memory": 64 * 1024 * 1024,
        "console_chars": 65536,
        "output_chars": 4 * 1024 * 1024,
        "code_cache": 16,
        "heap_mb": 128,
        "semi_space_mb": 4,
        "data_headroom": 96 * 1024 * 1024,
        "build_headroom": 128 * 1024 * 1024,
    }
    done = subprocess.run(
        [sys.executable, "-c", STALE_FLAG, json.dumps(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    first, raised, flagged, circular, after = done.stdout.split()
    assert (first, flagged) == ("ok", "True"), done.stdout
    assert raised == "JSOOMException", raised
    assert (circular, after) == ("runtime", "ok")


def test_a_worker_a_run_left_holding_memory_retires_before_the_next(
    js: TransformationRuntime,
) -> None:
    """A self-requeuing promise chain fills the heap, and V8 and the allocator kept about 75
    MiB of the worker's 96 MiB allowance for the rest of its life: a later run that needed 30
    MiB, or one that only threw (a circular output, in the hostile sweep), died of another
    run's memory and was reported as "memory". Such a worker now exits after answering."""
    pid = worker_pid(js)
    chain = js.run("const f = () => Promise.resolve().then(f); f(); return {};", {}, {})
    assert chain.error_kind in ("timeout", "memory"), chain
    assert worker_pid(js) != pid, "the worker that holds the chain's memory retired"
    size = 30 * MIB
    big = js.run(f"return {{n: 'x'.repeat({size}).length}}", {}, {})
    assert (big.error_kind, big.output) == (None, {"n": size}), big
    assert_innocent_runs_are_right(js)
