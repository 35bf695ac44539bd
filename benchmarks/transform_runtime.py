"""Time per run of a Data Transformation in the emulator's JavaScript runtime, next to two ways
of running it without one.

The code is the default scenario's transformation (Braze's documented shape for SEEN's callback:
the callback body to a /users/track request) on a realistic SEEN callback. Three ways to run it:

* `TransformationRuntime`, as the emulator uses it: one worker process owns one V8 isolate,
  the code is compiled once, and the realm is restored after every run (nothing leaks from one
  run into the next); the run crosses a pipe to the worker and back;
* a fresh V8 isolate per run, in this process (`MiniRacer()` each time): isolation by
  construction, and the usual answer when state must not leak;
* a `node` process per run (`node -e`, the payload on standard input).

All three must produce the same output. Each is warmed up, then timed run by run; the report
gives the median and the 90th percentile, and checks the runtime against its target (a median
of at most 0.5 ms). The defaults take about ten seconds.

    python benchmarks/transform_runtime.py [--runs 3000] [--fresh-runs 200] [--node-runs 30]
                                           [--json FILE]

Needs Node.js for the last row (`--node-runs 0` skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))

from seen_braze_harness.fixtures import SEEN_TRANSFORMATION, read_text  # noqa: E402
from seen_braze_harness.mocks.braze.transformations.jsruntime import (  # noqa: E402
    TransformationRuntime,
    canonical_headers,
)

TARGET_MS = 0.5

CODE = read_text(SEEN_TRANSFORMATION)

_FOLDER = "https://motions.seen.io/0f1e6c9a-7d7b-4a53-9c3e-1b2d3f4a5c6e/5eeb5eeb0123456789abcdef0123456789abcdef"
PAYLOAD = {
    "customer_id": "6593f6f3a4f1c3b7e1b6c2d4",
    "campaign_slug": "onboarding",
    "landing_page_url": "https://play.seen.io/v/9aiNN/",
    "video_url": f"{_FOLDER}/output.m3u8",
    "thumbnail_url": f"{_FOLDER}/thumbnail.jpg",
    "email_thumbnail_url": f"{_FOLDER}/email_thumbnail.jpg",
}
HEADERS = canonical_headers(
    {
        "content-type": "application/json",
        "user-agent": "SEEN-Callback/1.0",
        "accept-encoding": "gzip",
        "cf-connecting-ip": "203.0.113.7",
    }
)
EXPECTED = {
    "attributes": [
        {
            "braze_id": PAYLOAD["customer_id"],
            "_update_existing_only": True,
            "landing_page_url": PAYLOAD["landing_page_url"],
            "email_thumbnail_url": PAYLOAD["email_thumbnail_url"],
        }
    ]
}


@dataclass
class Row:
    name: str
    isolation: str
    runs: int
    median_ms: float
    p90_ms: float
    mean_ms: float


def measure(name: str, isolation: str, runs: int, warmup: int, once: Callable[[], Any]) -> Row:
    for _ in range(warmup):
        output = once()
        if output != EXPECTED:
            raise SystemExit(f"{name}: wrong output {output!r}")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        once()
        times.append(time.perf_counter() - started)
    times.sort()
    return Row(
        name,
        isolation,
        runs,
        statistics.median(times) * 1000,
        times[min(len(times) - 1, int(len(times) * 0.9))] * 1000,
        statistics.fmean(times) * 1000,
    )


def wrapped(code: str) -> str:
    """The code as a function body, called on the payload and headers, its result as JSON."""
    return (
        "JSON.stringify((function (payload, headers) {\n"
        f"{code}\n}})({json.dumps(PAYLOAD)}, {json.dumps(HEADERS)}))"
    )


def bench_runtime(runs: int) -> tuple[Row, dict[str, Any]]:
    with TransformationRuntime() as runtime:

        def once() -> Any:
            result = runtime.run(CODE, PAYLOAD, HEADERS)
            if not result.ok:
                raise SystemExit(f"runtime: {result.error}")
            return result.output

        row = measure(
            "TransformationRuntime",
            "one isolate in a worker process, restored after every run",
            runs,
            min(500, max(runs // 5, 50)),
            once,
        )
        stats = runtime.stats()[0]
    return row, stats


def bench_fresh_isolate(runs: int) -> Row:
    from py_mini_racer import MiniRacer

    script = wrapped(CODE)

    def once() -> Any:
        racer = MiniRacer()
        try:
            return json.loads(str(racer.eval(script)))
        finally:
            racer.close()

    return measure("fresh V8 isolate per run", "a new MiniRacer each run", runs, 10, once)


def bench_node(runs: int, node: str) -> Row:
    script = (
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));\n"
        "const transform = new Function('payload', 'headers', input.code);\n"
        "process.stdout.write(JSON.stringify(transform(input.payload, input.headers)));\n"
    )
    stdin = json.dumps({"code": CODE, "payload": PAYLOAD, "headers": HEADERS})

    def once() -> Any:
        done = subprocess.run(
            [node, "-e", script], input=stdin, capture_output=True, text=True, check=True
        )
        return json.loads(done.stdout)

    return measure("node process per run", "a new `node -e` each run", runs, 2, once)


def machine() -> dict[str, Any]:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_1min": load,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3000, help="timed runs of the runtime")
    parser.add_argument("--fresh-runs", type=int, default=200, help="timed fresh-isolate runs")
    parser.add_argument("--node-runs", type=int, default=30, help="timed node runs (0: skip)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)

    rows: list[Row] = []
    runtime_row, stats = bench_runtime(args.runs)
    rows.append(runtime_row)
    if args.fresh_runs > 0:
        rows.append(bench_fresh_isolate(args.fresh_runs))
    node = shutil.which("node") or ("/usr/bin/node" if Path("/usr/bin/node").exists() else None)
    if args.node_runs > 0:
        if node is None:
            print("node not found: skipping the node row", file=sys.stderr)
        else:
            rows.append(bench_node(args.node_runs, node))

    width = max(len(row.name) for row in rows)
    print(f"{'how':<{width}}  {'runs':>6}  {'median':>10}  {'p90':>10}  {'mean':>10}  isolation")
    for row in rows:
        print(
            f"{row.name:<{width}}  {row.runs:>6}  {row.median_ms:>7.3f} ms  {row.p90_ms:>7.3f} ms"
            f"  {row.mean_ms:>7.3f} ms  {row.isolation}"
        )
    ok = runtime_row.median_ms <= TARGET_MS
    for row in rows[1:]:
        print(f"  {row.name}: {row.median_ms / runtime_row.median_ms:.0f}x the runtime's median")
    print(
        f"target: median <= {TARGET_MS} ms per run: {'met' if ok else 'MISSED'} "
        f"({runtime_row.median_ms:.3f} ms); fresh isolates during the runtime's runs: "
        f"{stats['recycles']}; V8 reached {'directly' if stats['direct'] else 'via asyncio'}"
    )
    if args.json is not None:
        report = {
            "code": CODE,
            "payload": PAYLOAD,
            "target_ms": TARGET_MS,
            "target_met": ok,
            "machine": machine(),
            "worker": stats,
            "results": [asdict(row) for row in rows],
        }
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
