"""`seen-braze journal --har FILE`: both running mocks' journals as one HAR 1.2 file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import requests

from seen_braze_harness.harness.admin_token import admin_headers
from seen_braze_harness.mocks.core.har import merged
from seen_braze_harness.mocks.core.openapi import package_version
from seen_braze_harness.mocks.core.pagination import follow

DEFAULT_URLS = {"seen": "http://127.0.0.1:8801", "braze": "http://127.0.0.1:8802"}
NAMES = {"seen": "SEEN", "braze": "Braze"}
TIMEOUT = 30.0


class JournalFetchError(Exception):
    """A mock's HAR could not be had; the message names the URL."""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `seen-braze journal` to the CLI."""
    parser = commands.add_parser(
        "journal",
        help="export the running mocks' journals as one HAR 1.2 file",
        description="Fetch /_mock/journal.har from the running SEEN and Braze mocks "
        "(`seen-braze serve`) and write their exchanges, in time order, to one HAR file.",
    )
    parser.add_argument(
        "--har", metavar="FILE", required=True, help="the HAR file to write ('-' for stdout)"
    )
    for name, url in DEFAULT_URLS.items():
        parser.add_argument(
            f"--{name}-url", metavar="URL", default=url, help=f"the {NAMES[name]} mock ({url})"
        )
    parser.add_argument("--hop", help="only exchanges of this hop (name or glob, e.g. seen.*)")
    parser.set_defaults(handler=run)


def fetch_har(base_url: str, name: str, params: dict[str, str]) -> dict[str, Any]:
    """The HAR document of the mock at `base_url`, every page of it (`log._next_cursor`)."""
    try:
        log, entries = follow(
            lambda query: fetch_har_page(base_url, name, query)["log"],
            "entries",
            params=params,
            newest_first=True,
            cursor_key="_next_cursor",
        )
    except ValueError as exc:
        raise JournalFetchError(f"{base_url}/_mock/journal.har: {exc}") from None
    return {"log": {**log, "entries": entries}}


def fetch_har_page(base_url: str, name: str, params: dict[str, str]) -> dict[str, Any]:
    """One page of the HAR document of the mock at `base_url`."""
    url = f"{base_url.rstrip('/')}/_mock/journal.har"
    try:
        response = requests.get(url, params=params, headers=admin_headers(), timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise JournalFetchError(
            f"cannot reach the {NAMES[name]} mock at {base_url} ({type(exc).__name__}); "
            f"is `seen-braze serve` running? (or pass --{name}-url)"
        ) from None
    if response.status_code != 200:
        raise JournalFetchError(f"{url} answered {response.status_code}: {response.text[:300]}")
    try:
        document: Any = response.json()
    except ValueError:
        raise JournalFetchError(f"{url} did not answer JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("log"), dict):
        raise JournalFetchError(f"{url} did not answer a HAR document")
    return document


def run(args: argparse.Namespace) -> int:
    params = {} if args.hop is None else {"hop": args.hop}
    urls = {"seen": args.seen_url, "braze": args.braze_url}
    try:
        documents = {name: fetch_har(url, name, params) for name, url in urls.items()}
    except JournalFetchError as exc:
        print(f"seen-braze journal: {exc}", file=sys.stderr)
        return 2
    har = merged(*documents.values(), creator_version=package_version())
    text = json.dumps(har, indent=2, ensure_ascii=False) + "\n"
    if args.har == "-":
        sys.stdout.write(text)
        return 0
    try:
        Path(args.har).write_text(text, "utf-8")
    except OSError as exc:
        print(f"seen-braze journal: cannot write {args.har}: {exc}", file=sys.stderr)
        return 2
    counts = ", ".join(
        f"{NAMES[name]} {len(doc['log'].get('entries', []))}" for name, doc in documents.items()
    )
    print(f"wrote {args.har}: {len(har['log']['entries'])} entries ({counts})")
    return 0
