"""The `seen-braze` command line."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from seen_braze_harness.harness import bench, journal_cli, openapi_cli, postman, render, run_cli
from seen_braze_harness.harness import transform as transform_cli
from seen_braze_harness.harness.admin_token import ADMIN_TOKEN_ENV
from seen_braze_harness.harness.pair import MockPair
from seen_braze_harness.harness.scenario import ScenarioError, load_scenario
from seen_braze_harness.harness.server import MockServer, is_loopback
from seen_braze_harness.mocks.braze.transformations import DESTINATIONS

DEFAULT_HOST = "127.0.0.1"
DEFAULT_SEEN_PORT = 8801
DEFAULT_BRAZE_PORT = 8802


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seen-braze",
        description="Local emulators of SEEN and Braze, for testing a personalised-video "
        "integration end to end.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run_cli.register(commands)

    serve = commands.add_parser(
        "serve",
        help="run the mocks as HTTP servers on loopback until Ctrl-C",
        description="Run the SEEN and Braze mocks as real HTTP servers, configured from a scenario "
        "(the embedded default one unless --scenario is given).",
    )
    serve.add_argument("--scenario", metavar="FILE", help="scenario TOML file (default: embedded)")
    serve.add_argument(
        "--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})"
    )
    serve.add_argument(
        "--seen-port",
        type=_port,
        default=DEFAULT_SEEN_PORT,
        help=f"port of the SEEN mock ({DEFAULT_SEEN_PORT}; 0 picks a free one)",
    )
    serve.add_argument(
        "--braze-port",
        type=_port,
        default=DEFAULT_BRAZE_PORT,
        help=f"port of the Braze mock ({DEFAULT_BRAZE_PORT}; 0 picks a free one)",
    )
    serve.add_argument(
        "--callback-url",
        metavar="URL",
        help="where SEEN calls back when a video is rendered (overrides the scenario)",
    )
    serve.add_argument("--threads", type=int, default=16, help="worker threads per server (16)")
    serve.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a Host name the admin API (/_mock) also answers to, besides loopback and --host "
        "(repeatable; '*' for any)",
    )
    serve.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help=f"require TOKEN on the admin API (/_mock), as Authorization: Bearer or "
        f"X-Admin-Token (default: ${ADMIN_TOKEN_ENV}, else none)",
    )
    transform = commands.add_parser(
        "transform",
        help="run a Data Transformation on a payload, offline, and say whether Braze would take it",
        description="The offline Validate: run CODE.js as Braze runs a Data Transformation "
        "(a function body with `payload` and `headers`), then check its output against the "
        "destination. Exit 0: acceptable; 1: the code ran but the output would be refused; "
        "2: the code failed (syntax, runtime, timeout, memory, crashed).",
    )
    transform.add_argument("code", metavar="CODE.js", help="the transformation's JavaScript")
    transform.add_argument("--payload", metavar="PAYLOAD.json", required=True)
    transform.add_argument("--headers", metavar="HEADERS.json", help="request headers (object)")
    transform.add_argument(
        "--destination", choices=DESTINATIONS, default="track-users", help="(track-users)"
    )
    transform.add_argument("--json", action="store_true", help="print one JSON object")
    render.register(commands)
    bench.register(commands)
    openapi_cli.register(commands)
    postman.register(commands)
    journal_cli.register(commands)
    return parser


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be from 0 to 65535, not {port}")
    return port


def _admin_token(args: argparse.Namespace) -> str | None:
    """--admin-token, else $SEEN_BRAZE_ADMIN_TOKEN (empty: none); ValueError if unusable."""
    token = args.admin_token if args.admin_token is not None else os.environ.get(ADMIN_TOKEN_ENV)
    if args.admin_token is None and not token:
        return None
    if not token or not all("!" <= c <= "~" for c in token):
        source = "--admin-token" if args.admin_token is not None else ADMIN_TOKEN_ENV
        raise ValueError(f"{source} must be printable ASCII without spaces, and not empty")
    return token


def serve(args: argparse.Namespace) -> int:
    try:
        admin_token = _admin_token(args)
    except ValueError as exc:
        print(f"seen-braze serve: {exc}", file=sys.stderr)
        return 2
    scenario = load_scenario(args.scenario)
    campaign = scenario.seen_campaign
    if args.callback_url:
        campaign["callback_url"] = args.callback_url
    pair = MockPair.build(scenario, seen_settings={"campaigns": [campaign]})
    seen_app, braze_app = pair.seen_app, pair.braze_app
    servers: list[MockServer] = []
    for app, port, flag in (
        (seen_app, args.seen_port, "--seen-port"),
        (braze_app, args.braze_port, "--braze-port"),
    ):
        try:
            servers.append(
                MockServer(
                    app,
                    host=args.host,
                    port=port,
                    threads=args.threads,
                    allow_hosts=args.allow_host,
                    admin_token=admin_token,
                )
            )
        except OSError as exc:
            pair.close()
            print(
                f"seen-braze serve: cannot listen on {args.host}:{port}: "
                f"{exc.strerror or exc} (choose another port with {flag})",
                file=sys.stderr,
            )
            return 2
    seen, braze = servers
    default = pair.seen.campaigns[campaign["slug"]]
    callback = default.callback_url or (
        f"none configured (use --callback-url, or PATCH {seen.url}/_mock/campaigns/{default.slug})"
    )
    api_key = next(iter(pair.braze.settings.api_keys))
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    if admin_token is None and not is_loopback(args.host):
        print(
            f"seen-braze serve: warning: {args.host} is not a loopback address and no admin "
            "token is set: anyone who reaches it can drive the admin API (/_mock) and read its "
            f"journal; set --admin-token or {ADMIN_TOKEN_ENV}",
            file=sys.stderr,
            flush=True,
        )
    for server in servers:
        server.start()
    gc.freeze()  # start-up objects never need collecting: shorter pauses under load
    print(f"scenario       {scenario.name}")
    print(f"SEEN mock      {seen.url}")
    print(f"  campaign     {default.slug}")
    print(f"  token        {default.token}")
    print(f"  receivers    POST {seen.url}/v1/campaigns/{default.slug}/receivers/")
    print(f"  callbacks    {callback}")
    print(f"  admin        {seen.url}/_mock/health")
    print(f"Braze mock     {braze.url}")
    print(f"  api key      {api_key}")
    print(f"  users/track  POST {braze.url}/users/track")
    print(f"  admin        {braze.url}/_mock/health")
    if admin_token is not None:
        print("admin token    required on /_mock (Authorization: Bearer, or X-Admin-Token)")
    print("Press Ctrl-C to stop.", flush=True)
    while not stop.wait(0.5):
        pass
    for server in servers:
        server.stop()
    print("stopped", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args)
        if args.command == "transform":
            return transform_cli.run(args)
        handler = getattr(args, "handler", None)
        if handler is not None:
            result: int = handler(args)
            return result
    except ScenarioError as exc:
        print(f"seen-braze {args.command}: {exc}", file=sys.stderr)
        return 2
    return 2


if __name__ == "__main__":
    sys.exit(main())
