"""`seen-braze run`: the main job — the whole integration end to end, with its reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from seen_braze_harness.harness.report import (
    Progress,
    render_terminal,
    write_json_report,
    write_junit,
)
from seen_braze_harness.harness.results import RunResult
from seen_braze_harness.harness.run import (
    DEFAULT_TIMEOUT,
    ProgressCallback,
    RemoteError,
    RemoteOptions,
    RunOptions,
    run_remote,
    run_scenario,
)
from seen_braze_harness.harness.run.local import TRANSPORTS
from seen_braze_harness.harness.scenario import Scenario, load_scenario


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `run` command to the CLI."""
    run = commands.add_parser(
        "run",
        help="run the integration end to end and report what would break in production",
        description="Run the scenario (the embedded default one unless SCENARIO is given): "
        "Braze renders the webhook for each user and sends it to SEEN, SEEN renders and calls "
        "back, the Data Transformation runs, /users/track updates the profiles. Every hop is "
        "checked. Exit 0 when every check passes, 1 when one fails (or, with --strict, when "
        "there is a warning), 2 when the scenario cannot be used or a mock cannot be reached. "
        "In-process by default; with --seen-url and --braze-url the run goes over HTTP to two "
        "live mocks started by `seen-braze serve`, and takes them over: it resets both "
        "(POST /_mock/reset), then configures them from the scenario. The servers keep the "
        "settings they were started with (clock, limits, caps): serve them with the same "
        'scenario. With virtual clocks (clock = "virtual") the run advances both in lockstep; '
        "with real clocks it waits for the work, up to --timeout.",
    )
    run.add_argument("scenario", nargs="?", metavar="SCENARIO", help="scenario TOML file")
    run.add_argument(
        "--users", type=user_count, metavar="N", help="Faker users (scenario's default)"
    )
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
    live = run.add_argument_group("over HTTP, against `seen-braze serve`")
    live.add_argument(
        "--seen-url",
        metavar="URL",
        help="base URL of a running SEEN mock (e.g. http://127.0.0.1:8801); it is reset",
    )
    live.add_argument(
        "--braze-url",
        metavar="URL",
        help="base URL of a running Braze mock (e.g. http://127.0.0.1:8802); it is reset",
    )
    live.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="wall seconds to wait for the mocks before the unfinished users are reported as "
        f"failures ({DEFAULT_TIMEOUT:g})",
    )
    run.set_defaults(handler=main_run)


def user_count(text: str) -> int:
    """A `--users` value: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text}")
    return value


def main_run(args: argparse.Namespace) -> int:
    remote = args.seen_url is not None or args.braze_url is not None
    if remote and (args.seen_url is None or args.braze_url is None):
        missing = "--braze-url" if args.braze_url is None else "--seen-url"
        print(f"seen-braze run: over HTTP, give {missing} too", file=sys.stderr)
        return 2
    for flag, target in (("--json-report", args.json_report), ("--junit", args.junit)):
        problem = _unwritable(target) if target else None
        if problem is not None:  # said before the run, so a long run is not wasted
            print(f"seen-braze run: {flag} {target}: {problem}", file=sys.stderr)
            return 2
    scenario = load_scenario(args.scenario)
    progress = Progress(0, stream=sys.stderr, enabled=False if args.no_progress else None)

    def report(done: int, total: int) -> None:
        progress.total = total
        progress.update(done)

    with progress:
        if remote:
            try:
                result = _run_remote(scenario, args, report)
            except RemoteError as exc:
                progress.close()
                print(f"seen-braze run: {exc}", file=sys.stderr)
                return 2
        else:
            result = run_scenario(
                scenario,
                RunOptions(
                    users=args.users, seed=args.seed, transport=args.transport, progress=report
                ),
            )
    return finish(result, args)


def _run_remote(
    scenario: Scenario, args: argparse.Namespace, report: ProgressCallback
) -> RunResult:
    options = RemoteOptions(
        seen_url=args.seen_url,
        braze_url=args.braze_url,
        users=args.users,
        seed=args.seed,
        timeout=args.timeout,
        progress=report,
    )
    return run_remote(scenario, options)


def _unwritable(target: str) -> str | None:
    """Why a report cannot be written at `target`, if that can be told before the run."""
    path = Path(target)
    if path.is_dir():
        return "is a directory; give a file name"
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else f"{parent} is not a directory"
    return None


def finish(result: RunResult, args: argparse.Namespace) -> int:
    """Print the summary, write the reports asked for, and return the exit code."""
    print(render_terminal(result, color=sys.stdout.isatty(), strict=args.strict))
    target = None
    try:
        if args.json_report:
            target = args.json_report
            write_json_report(result, args.json_report)
        if args.junit:
            target = args.junit
            write_junit(result, args.junit, strict=args.strict)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(f"seen-braze run: cannot write the report {target}: {reason}", file=sys.stderr)
        return 2
    return result.exit_code(strict=args.strict)
