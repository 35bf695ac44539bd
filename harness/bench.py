"""`seen-braze bench`: the default scenario in-process at scale — users per second, the cost of
each hop and phase, and peak memory, against the targets (≥ 500 users/s, ≤ 400 MB)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

from seen_braze_harness.harness.results import RunResult
from seen_braze_harness.harness.run import RunOptions, run_scenario
from seen_braze_harness.harness.run.local import TRANSPORTS
from seen_braze_harness.harness.run_cli import user_count
from seen_braze_harness.harness.scenario import load_scenario

TARGET_USERS_PER_SECOND = 500.0
TARGET_PEAK_RSS_BYTES = 400 * 1024 * 1024


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `bench` command to the CLI."""
    bench = commands.add_parser(
        "bench",
        help="measure an in-process run at scale (default: 10,000 users)",
        description="Run a scenario (the embedded default one unless --scenario is given) "
        "in-process for many users and report users per second end to end, the cost of each "
        f"hop and phase, and peak memory. Targets: at least {TARGET_USERS_PER_SECOND:g} users "
        f"per second, peak RSS at most {TARGET_PEAK_RSS_BYTES // 2**20} MB. Exit 0 when both "
        "are met and the run passed, 1 otherwise.",
    )
    bench.add_argument("--scenario", metavar="FILE", help="scenario TOML file (default: embedded)")
    bench.add_argument("--users", type=user_count, default=10_000, metavar="N", help="(10000)")
    bench.add_argument("--seed", type=int, default=1, metavar="S", help="(1)")
    bench.add_argument("--transport", choices=TRANSPORTS, default="wsgi", help="(wsgi)")
    bench.add_argument(
        "--repeat",
        type=user_count,
        default=1,
        metavar="N",
        help="runs to make; the figures are the median run's, with the spread (1)",
    )
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.set_defaults(handler=main_bench)


def measure(result: RunResult) -> dict[str, Any]:
    """The benchmark's figures from one run."""
    users_per_second = result.users / result.wall_seconds if result.wall_seconds else 0.0
    worker_peak = result.js_worker_peak_rss_bytes
    peak = result.peak_rss_bytes or 0
    return {
        "users": result.users,
        "wall_seconds": round(result.wall_seconds, 3),
        "virtual_seconds": round(result.virtual_seconds, 1),
        "users_per_second": round(users_per_second, 1),
        "peak_rss_bytes": peak,
        "js_worker_peak_rss_bytes": worker_peak,
        "phases": {name: round(seconds, 3) for name, seconds in result.phases.items()},
        "hops": [
            {
                "hop": hop.hop,
                "service": hop.service,
                "exchanges": hop.exchanges,
                "ms_per_exchange": round(1000 * hop.seconds / hop.exchanges, 3)
                if hop.exchanges
                else None,
            }
            for hop in result.hops
        ],
        "passed": result.passed(),
        "targets": {
            "users_per_second": TARGET_USERS_PER_SECOND,
            "peak_rss_bytes": TARGET_PEAK_RSS_BYTES,
            "met": users_per_second >= TARGET_USERS_PER_SECOND and peak <= TARGET_PEAK_RSS_BYTES,
        },
    }


def describe(figures: dict[str, Any]) -> str:
    mib = 2**20
    lines = [
        f"users            {figures['users']:,}",
        f"wall time        {figures['wall_seconds']:.2f} s "
        f"({figures['virtual_seconds'] / 3600:.1f} h of campaign on the virtual clock)",
        f"users/s          {figures['users_per_second']:,.0f} "
        f"(target ≥ {TARGET_USERS_PER_SECOND:g})"
        + (
            f"; median of {len(figures['runs'])} runs: "
            + ", ".join(f"{rate:,.0f}" for rate in figures["runs"])
            if len(figures.get("runs", [])) > 1
            else ""
        ),
        f"peak RSS         {figures['peak_rss_bytes'] / mib:,.0f} MB "
        f"(target ≤ {TARGET_PEAK_RSS_BYTES // mib}); JS worker "
        + (
            "unknown"
            if figures["js_worker_peak_rss_bytes"] is None
            else f"{figures['js_worker_peak_rss_bytes'] / mib:,.0f} MB"
        ),
        "phases",
    ]
    for name, seconds in figures["phases"].items():
        lines.append(f"  {name:<15}{seconds:8.3f} s")
    lines.append("hops (ms per exchange, as the mock measured it)")
    for hop in figures["hops"]:
        cost = "-" if hop["ms_per_exchange"] is None else f"{hop['ms_per_exchange']:.3f}"
        lines.append(f"  {hop['hop']:<31}{hop['exchanges']:>7,}  {cost:>8}")
    met = figures["targets"]["met"]
    lines.append(
        f"{'MET' if met else 'MISSED'}: targets"
        + ("" if figures["passed"] else "; the run itself did not pass")
    )
    return "\n".join(lines)


def main_bench(args: argparse.Namespace) -> int:
    if args.repeat > 1:
        runs = [_separate_run(args) for _ in range(args.repeat)]
    else:
        scenario = load_scenario(args.scenario)
        result = run_scenario(
            scenario, RunOptions(users=args.users, seed=args.seed, transport=args.transport)
        )
        runs = [measure(result)]
    runs.sort(key=lambda figures: figures["users_per_second"])
    figures = runs[len(runs) // 2]
    figures["runs"] = [run["users_per_second"] for run in runs]
    figures["peak_rss_bytes_runs"] = [run["peak_rss_bytes"] for run in runs]
    print(json.dumps(figures, indent=2) if args.json else describe(figures))
    return 0 if figures["targets"]["met"] and figures["passed"] else 1


def _separate_run(args: argparse.Namespace) -> dict[str, Any]:
    """One run in a fresh process, so each is measured from the same start (memory too)."""
    command = [
        sys.executable,
        "-m",
        "seen_braze_harness.harness.cli",
        "bench",
        "--json",
        "--repeat",
        "1",
    ]
    command += ["--users", str(args.users), "--seed", str(args.seed)]
    command += ["--transport", args.transport]
    if args.scenario:
        command += ["--scenario", args.scenario]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"a benchmark run failed: {done.stderr.strip()[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout)
    return figures
