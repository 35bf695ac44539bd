"""`seen-braze openapi`: the mocks' OpenAPI 3.1 documents, as files or on stdout."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from seen_braze_harness.mocks.braze.routes import DESCRIPTION as BRAZE
from seen_braze_harness.mocks.core.openapi import ApiDescription, build_document
from seen_braze_harness.mocks.seen.routes import DESCRIPTION as SEEN

DESCRIPTIONS: dict[str, ApiDescription] = {"seen": SEEN, "braze": BRAZE}
DEFAULT_SERVERS = {"seen": "http://127.0.0.1:8801", "braze": "http://127.0.0.1:8802"}
"""Where `seen-braze serve` listens by default: the documents' server URLs."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `seen-braze openapi` to the CLI."""
    parser = commands.add_parser(
        "openapi",
        help="write the mocks' OpenAPI 3.1 documents (emulated endpoints and admin API)",
        description="Write each mock's OpenAPI 3.1 document, built from the JSON Schemas the "
        "mocks check exchanges against: seen-openapi.json and braze-openapi.json in DIR, or "
        "one document on stdout when --mock names one mock and -o is not given.",
    )
    parser.add_argument(
        "--mock", choices=("seen", "braze", "both"), default=None, help="which mock (both)"
    )
    parser.add_argument("-o", "--output", metavar="DIR", help="folder to write the files to")
    for name, url in DEFAULT_SERVERS.items():
        parser.add_argument(
            f"--{name}-url",
            metavar="URL",
            default=url,
            help=f"server URL written in the {name} document ({url})",
        )
    parser.set_defaults(handler=run)


def document(mock: str, server_url: str | None = None) -> dict[str, Any]:
    """The OpenAPI document of `mock` ("seen" or "braze")."""
    return build_document(DESCRIPTIONS[mock], server_url or DEFAULT_SERVERS[mock])


def run(args: argparse.Namespace) -> int:
    mock = args.mock or "both"
    wanted = list(DESCRIPTIONS) if mock == "both" else [mock]
    urls = {"seen": args.seen_url, "braze": args.braze_url}
    if args.output is None:
        if len(wanted) != 1:
            print(
                "seen-braze openapi: name one mock to print (--mock seen or --mock braze), "
                "or write both with -o DIR",
                file=sys.stderr,
            )
            return 2
        print(json.dumps(document(wanted[0], urls[wanted[0]]), indent=2, ensure_ascii=False))
        return 0
    folder = Path(args.output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in wanted:
            made = document(name, urls[name])
            path = folder / f"{name}-openapi.json"
            path.write_text(json.dumps(made, indent=2, ensure_ascii=False) + "\n", "utf-8")
            operations = sum(len(item) for item in made["paths"].values())
            print(f"wrote {path} ({len(made['paths'])} paths, {operations} operations)")
    except OSError as exc:
        print(f"seen-braze openapi: cannot write to {folder}: {exc}", file=sys.stderr)
        return 2
    return 0
