"""`seen-braze run`: the main job — the whole integration end to end, with its reports."""

from __future__ import annotations

import argparse
import sys

from harness.report import Progress, render_terminal, write_json_report, write_junit
from harness.results import RunResult
from harness.run import RunOptions, run_scenario
from harness.scenario import load_scenario
from harness.world import TRANSPORTS


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `run` command to the CLI."""
    run = commands.add_parser(
        "run",
        help="run the integration end to end and report what would break in production",
        description="Run the scenario (the embedded default one unless SCENARIO is given): "
        "Braze renders the webhook for each user and sends it to SEEN, SEEN renders and calls "
        "back, the Data Transformation runs, /users/track updates the profiles. Every hop is "
        "checked. Exit 0 when every check passes, 1 when one fails (or, with --strict, when "
        "there is a warning), 2 when the scenario cannot be used.",
    )
    run.add_argument("scenario", nargs="?", metavar="SCENARIO", help="scenario TOML file")
    run.add_argument("--users", type=_count, metavar="N", help="Faker users (scenario's default)")
    run.add_argument("--seed", type=int, metavar="S", help="audience seed (scenario's default)")
    run.add_argument("--json-report", metavar="FILE", help="write the results as JSON")
    run.add_argument("--junit", metavar="FILE", help="write the results as JUnit XML")
    run.add_argument("--strict", action="store_true", help="fail on warnings too")
    run.add_argument(
        "--transport",
        choices=TRANSPORTS,
        default="wsgi",
        help="how the in-process mocks reach each other (wsgi)",
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(handler=main_run)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def main_run(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    progress = Progress(0, stream=sys.stderr, enabled=False if args.no_progress else None)

    def report(done: int, total: int) -> None:
        progress.total = total
        progress.update(done)

    with progress:
        result = run_scenario(
            scenario,
            RunOptions(users=args.users, seed=args.seed, transport=args.transport, progress=report),
        )
    return finish(result, args)


def finish(result: RunResult, args: argparse.Namespace) -> int:
    """Print the summary, write the reports asked for, and return the exit code."""
    print(render_terminal(result, color=sys.stdout.isatty(), strict=args.strict))
    if args.json_report:
        write_json_report(result, args.json_report)
    if args.junit:
        write_junit(result, args.junit, strict=args.strict)
    return result.exit_code(strict=args.strict)
