"""Server-mode throughput of the SEEN mock's receivers endpoint, next to Prism and bare Flask.

The same request goes to each server on 127.0.0.1, one server at a time, while wrk loads it:

* the SEEN mock, `seen-braze serve`, with a scenario that only raises the rate limit (it still
  authenticates, validates, stores the receiver, schedules its render and journals the exchange);
* Stoplight Prism's mock server (`prism mock`) on `benchmarks/prism-receivers.yaml`, static
  examples (it checks that an Authorization header is there, validates the body, answers the
  201 example), twice: with its default logging (info, sent to a file here) and at `-v warn`;
* a bare Flask route on waitress (16 threads, as `seen-braze serve` uses) that parses the body
  and echoes it with an id: the ceiling for any Flask app served this way.

Each server gets a warm-up, then `--runs` measured runs of `--duration` seconds; the report
gives the median run's requests/s and its latency p50/p99. Every response must be a 201: any
other status or a socket error fails the benchmark. The defaults take about two minutes.

    python benchmarks/receivers_throughput.py [--duration 7] [--runs 3] [--warmup 6] [--json FILE]

Needs wrk (`apt-get install -y wrk`) and Node.js with npm; Prism is installed on first use into
benchmarks/.prism/ (gitignored). All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DEFAULT_SCENARIO = REPO_DIR / "fixtures" / "default.toml"
PRISM_SPEC = BENCH_DIR / "prism-receivers.yaml"
PRISM_DIR = BENCH_DIR / ".prism"
PRISM_BIN = PRISM_DIR / "node_modules" / ".bin" / "prism"
# 5.14.2 is the newest Prism that runs on Node 18-22 (5.15 and later need Node >= 24.14).
PRISM_VERSION = "5.14.2"

TARGETS = ("seen", "prism", "prism-quiet", "ceiling")
"""What can be measured, in the order measured: the SEEN mock, Prism with its default logging
(each request's negotiation, logged at info to a file here), Prism at `-v warn`, bare Flask."""

HOST = "127.0.0.1"
SLUG = "onboarding"
TOKEN = "5eeb5eeb0123456789abcdef0123456789abcdef"
PATH = f"/v1/campaigns/{SLUG}/receivers/"
BODY = '[{"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com","customer_id":"b1"}]'
HEADERS = {"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"}
RATE_LIMIT = 100_000_000
THREADS = 16  # waitress worker threads, for the SEEN mock and the bare Flask app alike
WRK_THREADS = 2
WRK_CONNECTIONS = 16
NOISY_SPREAD = 0.15  # runs further apart than this (relative to the median) get a warning
BUSY_LOAD = 0.5  # and so does a 1-minute load average above this when the benchmark starts

WRK_SCRIPT = f"""\
wrk.method = "POST"
wrk.body = '{BODY}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token {TOKEN}"

-- Each wrk thread counts the responses that are not 201; done() adds them up.
local threads = {{}}
not201 = 0
last_status = 0

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status ~= 201 then
    not201 = not201 + 1
    last_status = status
  end
end

function done(summary, latency, requests)
  local bad, status = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("not201")
    if thread:get("last_status") ~= 0 then status = thread:get("last_status") end
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {{"requests":%d,"duration_us":%d,"bytes":%d,"not_201":%d,"last_bad_status":%d,'
    .. '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"status_errors":%d,'
    .. '"latency_us":{{"mean":%.1f,"max":%d,"p50":%d,"p90":%d,"p99":%d}}}}\\n',
    summary.requests, summary.duration, summary.bytes, bad, status,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency.max, latency:percentile(50), latency:percentile(90),
    latency:percentile(99)))
end
"""


class BenchmarkError(RuntimeError):
    """The benchmark cannot go on; the message says why and, where it can, what to do."""


# -- the ceiling: a bare Flask route on waitress, run in its own process ----------------------


def serve_ceiling(threads: int) -> int:
    """Serve the bare Flask app on a free port of 127.0.0.1 until SIGINT/SIGTERM."""
    from flask import Flask, Response, request
    from waitress.server import create_server

    app = Flask("ceiling")

    @app.post("/v1/campaigns/<slug>/receivers/")
    def receivers(slug: str) -> Response:
        data = request.get_json()
        created = [{"id": n, **item} for n, item in enumerate(data, 1)]
        return Response(
            json.dumps(created, separators=(",", ":")), 201, mimetype="application/json"
        )

    server: Any = create_server(app, host=HOST, port=0, threads=threads, ident="")

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"ceiling        http://{HOST}:{server.effective_port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    return 0


# -- servers under test ----------------------------------------------------------------------


@dataclass
class Server:
    """A server process in its own process group, with its output in a log file."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text("utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"

    def stop(self) -> None:
        """SIGTERM to the server's process group, SIGKILL if it is still there after 10 s."""
        if self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue


def spawn(name: str, command: list[str], workdir: Path, *, cwd: Path | None = None) -> Server:
    log = workdir / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,  # its own process group: stopped as one, spared our Ctrl-C
        )
    return Server(name, process, log)


def wait_for_url(server: Server, pattern: str, timeout: float = 30.0) -> str:
    """The URL the server prints on a line matching `pattern` (group 1)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(pattern, server.log.read_text("utf-8", errors="replace"), re.M)
        if match:
            return match.group(1)
        if server.process.poll() is not None:
            break
        time.sleep(0.1)
    raise BenchmarkError(
        f"{server.name} printed no URL within {timeout:.0f} s; its output:\n{server.log_tail()}"
    )


def post_receiver(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    request = urllib.request.Request(url + PATH, data=BODY.encode(), headers=HEADERS, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_until_created(server: Server, timeout: float = 60.0) -> None:
    """Post the benchmark's request until the server answers; it must be a 201 with a list."""
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise BenchmarkError(
                f"{server.name} exited with status {server.process.returncode}:\n"
                f"{server.log_tail()}"
            )
        try:
            status, body = post_receiver(server.url)
            break
        except (ConnectionError, urllib.error.URLError, TimeoutError):
            if time.monotonic() > deadline:
                raise BenchmarkError(
                    f"{server.name} did not answer at {server.url} within {timeout:.0f} s:\n"
                    f"{server.log_tail()}"
                ) from None
            time.sleep(0.2)
    try:
        created = json.loads(body)
    except ValueError:
        created = None
    echoed = isinstance(created, list) and created and isinstance(created[0], dict)
    if status != 201 or not echoed or created[0].get("first_name") != "Ada":
        raise BenchmarkError(
            f"{server.name} answered the benchmark's request with {status} "
            f"{body[:300]!r}; expected 201 and the created receiver"
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def start_seen(workdir: Path) -> Server:
    """`seen-braze serve` with the default scenario, its rate limit raised out of the way."""
    scenario = workdir / "scenario.toml"
    scenario.write_text(raised_rate_limit(DEFAULT_SCENARIO.read_text("utf-8")), "utf-8")
    command = [
        sys.executable,
        "-m",
        "seen_braze_harness.harness.cli",
        "serve",
        "--scenario",
        str(scenario),
    ]
    command += ["--host", HOST, "--seen-port", "0", "--threads", str(THREADS)]
    server = spawn("SEEN mock", command, workdir, cwd=REPO_DIR)
    server.url = wait_for_url(server, r"^SEEN mock\s+(http://\S+)")
    return server


def raised_rate_limit(scenario: str) -> str:
    """The scenario text with `rate_limit = RATE_LIMIT` under `[seen.settings]`."""
    line = f"rate_limit = {RATE_LIMIT}"
    text, found = re.subn(
        r"^\[seen\.settings\][ \t]*$", rf"[seen.settings]\n{line}", scenario, count=1, flags=re.M
    )
    if not found:
        text = f"{scenario.rstrip()}\n\n[seen.settings]\n{line}\n"
    try:
        settings = tomllib.loads(text)["seen"]["settings"]
    except (tomllib.TOMLDecodeError, KeyError) as exc:
        raise BenchmarkError(f"cannot raise the rate limit in {DEFAULT_SCENARIO}: {exc}") from None
    if settings.get("rate_limit") != RATE_LIMIT:
        raise BenchmarkError(f"cannot raise the rate limit in {DEFAULT_SCENARIO}")
    return text


def start_prism(workdir: Path, prism: Path, verbosity: str | None = None) -> Server:
    """`prism mock` on the spec, with Prism's default logging (info) or `-v verbosity`."""
    port = free_port()
    command = [str(prism), "mock", "-h", HOST, "-p", str(port), str(PRISM_SPEC)]
    if verbosity:
        command += ["-v", verbosity]
    server = spawn(f"Prism -v {verbosity or 'info'}", command, workdir)
    server.url = f"http://{HOST}:{port}"
    return server


def start_ceiling(workdir: Path) -> Server:
    command = [sys.executable, str(Path(__file__).resolve()), "--serve-ceiling"]
    server = spawn("bare Flask", command, workdir)
    server.url = wait_for_url(server, r"^ceiling\s+(http://\S+)")
    return server


# -- tools -----------------------------------------------------------------------------------


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        raise BenchmarkError("wrk is not installed; install it with: apt-get install -y wrk")
    return wrk


def ensure_prism(prism: str | None, install: bool) -> Path:
    """Prism's CLI: `--prism`, else benchmarks/.prism/, installed there with npm if missing."""
    if prism:
        path = Path(prism)
        if not path.exists():
            raise BenchmarkError(f"--prism {prism}: no such file")
        return path
    if PRISM_BIN.exists():
        return PRISM_BIN
    command = ["npm", "install", "--prefix", str(PRISM_DIR), "--no-audit", "--no-fund"]
    command.append(f"@stoplight/prism-cli@{PRISM_VERSION}")
    shown = " ".join(command).replace(str(REPO_DIR) + os.sep, "")
    if not install:
        raise BenchmarkError(f"Prism is not installed; from {REPO_DIR} run:\n  {shown}")
    if shutil.which("npm") is None:
        raise BenchmarkError(f"npm is missing: install Node.js and npm, then run:\n  {shown}")
    progress(f"installing Prism: {shown}")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not PRISM_BIN.exists():
        raise BenchmarkError(f"npm install failed:\n{result.stdout}{result.stderr}")
    return PRISM_BIN


def tool_version(command: list[str]) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    lines = (result.stdout + result.stderr).strip().splitlines()
    return lines[0].strip() if lines else "unknown"


# -- load ------------------------------------------------------------------------------------


@dataclass
class Run:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float


@dataclass
class Result:
    name: str
    label: str
    runs: list[Run] = field(default_factory=list)

    @property
    def median(self) -> Run:
        """The run with the median requests/s (the lower middle one for an even count)."""
        ordered = sorted(self.runs, key=lambda run: run.rps)
        return ordered[(len(ordered) - 1) // 2]

    @property
    def spread(self) -> float:
        """(fastest - slowest run) / median run: how much the machine's load moved the runs."""
        rates = [run.rps for run in self.runs]
        return (max(rates) - min(rates)) / self.median.rps


def wrk_run(wrk: str, script: Path, server: Server, seconds: int) -> Run:
    """One wrk run against `server`; any non-201 response or socket error is fatal."""
    command = [wrk, f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s"]
    command += ["-s", str(script), server.url + PATH]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    match = re.search(r"^WRK_RESULT (\{.*\})$", result.stdout, re.M)
    if result.returncode != 0 or match is None:
        raise BenchmarkError(f"wrk failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    data = json.loads(match.group(1))
    problems = {
        key: data[key]
        for key in ("not_201", "status_errors", "connect_errors", "read_errors", "write_errors")
        if data[key]
    }
    if data["timeouts"]:
        problems["timeouts"] = data["timeouts"]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    if non_2xx:
        problems["non_2xx_or_3xx"] = int(non_2xx.group(1))
    if data["requests"] == 0:
        problems["requests"] = 0
    if problems:
        detail = f"last bad status {data['last_bad_status']}; " if data["last_bad_status"] else ""
        raise BenchmarkError(
            f"{server.name}: not every response was a 201 ({detail}{problems}); "
            f"wrk said:\n{result.stdout}\nserver log:\n{server.log_tail()}"
        )
    if server.process.poll() is not None:
        raise BenchmarkError(f"{server.name} exited during the run:\n{server.log_tail()}")
    latency = data["latency_us"]
    elapsed = data["duration_us"] / 1e6
    return Run(
        requests=data["requests"],
        seconds=round(elapsed, 3),
        rps=round(data["requests"] / elapsed, 1),
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        mean_ms=round(latency["mean"] / 1000, 3),
        max_ms=latency["max"] / 1000,
    )


def measure(
    name: str,
    label: str,
    start: Callable[[], Server],
    *,
    wrk: str,
    script: Path,
    args: argparse.Namespace,
    servers: list[Server],
) -> Result:
    progress(f"{name}: starting")
    server = start()
    servers.append(server)
    try:
        wait_until_created(server)
        progress(f"{name}: {server.url}, pid {server.process.pid}; warm-up {args.warmup} s")
        if args.warmup:
            wrk_run(wrk, script, server, args.warmup)
        result = Result(name, label)
        for number in range(1, args.runs + 1):
            run = wrk_run(wrk, script, server, args.duration)
            result.runs.append(run)
            progress(
                f"{name}: run {number}/{args.runs}: {run.rps:,.0f} req/s, "
                f"p50 {run.p50_ms:.2f} ms, p99 {run.p99_ms:.2f} ms"
            )
        return result
    finally:
        server.stop()


# -- report ----------------------------------------------------------------------------------


def report(results: list[Result], environment: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        f"Receivers throughput: POST {PATH} (1 receiver per call), every response a 201",
        f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} (keep-alive), {args.runs} x {args.duration} s "
        f"after {args.warmup} s warm-up, median run; {environment['cpus']} CPUs, "
        f"Python {environment['python']}, Node {environment['node']}",
        "",
        f"{'server':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'spread':>7}   runs (req/s)",
    ]
    for result in results:
        median = result.median
        runs = " ".join(f"{run.rps:,.0f}" for run in result.runs)
        lines.append(
            f"{result.label:<44} {median.rps:>8,.0f} {median.p50_ms:>8.2f} "
            f"{median.p99_ms:>8.2f} {result.spread:>7.0%}   {runs}"
        )
    by_name = {result.name: result.median.rps for result in results}
    seen = by_name.get("seen")
    if seen:
        ratios = [
            f"{seen / by_name[other]:.2f}x {label}"
            for other, label in (
                ("prism", "Prism"),
                ("prism-quiet", "Prism -v warn"),
                ("ceiling", "bare Flask"),
            )
            if by_name.get(other)
        ]
        if ratios:
            lines += ["", "SEEN mock: " + ", ".join(ratios)]
    noisy = [result.name for result in results if result.spread > NOISY_SPREAD]
    load = environment["load_average"][0]
    if noisy or load > BUSY_LOAD:
        causes = [f"load average {load:.2f} at start"] if load > BUSY_LOAD else []
        if noisy:
            causes.append(f"runs {NOISY_SPREAD:.0%}+ apart for {', '.join(noisy)}")
        lines += [
            "",
            f"Note: {'; '.join(causes)}. Something else may have used the CPUs: "
            "rerun on an idle machine, or with more --runs.",
        ]
    return "\n".join(lines)


def environment_info(wrk: str, prism: Path | None) -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "node": tool_version(["node", "--version"]),
        "prism": tool_version([str(prism), "--version"]) if prism else None,
        "wrk": tool_version([wrk, "-v"]),
    }


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- main ------------------------------------------------------------------------------------


def _seconds(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Requests/s of the SEEN mock's receivers endpoint, Prism and bare Flask.",
    )
    parser.add_argument("--duration", type=_seconds, default=7, help="seconds per run (7)")
    parser.add_argument("--runs", type=_seconds, default=3, help="measured runs per server (3)")
    parser.add_argument(
        "--warmup", type=_seconds, default=6, help="warm-up seconds (6; Node's JIT needs ~5)"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--only",
        action="append",
        choices=TARGETS,
        help="measure only this server (repeatable; default: all)",
    )
    parser.add_argument("--prism", metavar="PATH", help="a Prism CLI to use instead of .prism/")
    parser.add_argument(
        "--no-install",
        action="store_true",
        help="do not npm-install Prism into benchmarks/.prism/; print how instead",
    )
    parser.add_argument("--serve-ceiling", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.duration < 1 or args.runs < 1:
        parser.error("--duration and --runs must be at least 1")
    return args


@contextlib.contextmanager
def terminate_on_signals() -> Iterator[None]:
    """SIGINT (even where it was ignored), SIGTERM and SIGHUP unwind, stopping every server."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, interrupt) for sig in signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve_ceiling:
        return serve_ceiling(THREADS)
    wanted = args.only or list(TARGETS)
    servers: list[Server] = []
    with terminate_on_signals():
        try:
            wrk = require_wrk()
            uses_prism = any(name.startswith("prism") for name in wanted)
            prism = ensure_prism(args.prism, not args.no_install) if uses_prism else None
            environment = environment_info(wrk, prism)
            with tempfile.TemporaryDirectory(prefix="receivers-bench-") as temp:
                workdir = Path(temp)
                script = workdir / "receivers.lua"
                script.write_text(WRK_SCRIPT, "utf-8")
                starters: dict[str, tuple[str, Callable[[], Server]]] = {
                    "seen": (
                        "SEEN mock (seen-braze serve, 16 threads)",
                        lambda: start_seen(workdir),
                    ),
                    "prism": (
                        f"Prism {environment['prism']} mock, default logging",
                        lambda: start_prism(workdir, prism or PRISM_BIN),
                    ),
                    "prism-quiet": (
                        f"Prism {environment['prism']} mock, -v warn",
                        lambda: start_prism(workdir, prism or PRISM_BIN, "warn"),
                    ),
                    "ceiling": (
                        "bare Flask route on waitress (16 threads)",
                        lambda: start_ceiling(workdir),
                    ),
                }
                results = [
                    measure(
                        name,
                        starters[name][0],
                        starters[name][1],
                        wrk=wrk,
                        script=script,
                        args=args,
                        servers=servers,
                    )
                    for name in TARGETS
                    if name in wanted
                ]
        except BenchmarkError as exc:
            print(f"receivers_throughput: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("receivers_throughput: interrupted", file=sys.stderr)
            return 130
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not skip the clean-up
            for server in servers:
                server.stop()
    print(report(results, environment, args))
    if args.json:
        document = {
            "benchmark": "receivers_throughput",
            "request": {"method": "POST", "path": PATH, "headers": HEADERS, "body": BODY},
            "settings": {
                "duration_s": args.duration,
                "runs": args.runs,
                "warmup_s": args.warmup,
                "wrk_threads": WRK_THREADS,
                "wrk_connections": WRK_CONNECTIONS,
                "server_threads": THREADS,
                "seen_rate_limit": RATE_LIMIT,
            },
            "environment": environment,
            "results": [
                {
                    "name": result.name,
                    "label": result.label,
                    "median": asdict(result.median),
                    "spread": round(result.spread, 3),
                    "runs": [asdict(run) for run in result.runs],
                }
                for result in results
            ],
        }
        Path(args.json).write_text(json.dumps(document, indent=2) + "\n", "utf-8")
        progress(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
