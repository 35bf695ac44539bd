"""`seen-braze postman`: a Postman collection (v2.1) and environment for `seen-braze serve`.

Every emulated endpoint with a documented example body, and the admin calls, in an order that
runs top to bottom on a freshly started `seen-braze serve`. Test scripts keep to three forms,
so that any runner (Postman, Newman, or the project's own tests) reads them the same way:

    pm.test("status is 201", function () {
        pm.response.to.have.status(201);
    });
    pm.environment.set("receiver_id", pm.response.json()[0].id);

Every admin request (`/_mock/...`) sends `X-Admin-Token: {{admin_token}}`, a collection variable
that holds the token `seen-braze serve` was given (`--admin-token` or $SEEN_BRAZE_ADMIN_TOKEN,
as the other tools take it); empty, the mocks need none and ignore the header.

Here: the command, and the collection's four folders in the order they run; their requests
are in `seen.py` and `braze.py`, made of the Postman parts in `items.py`, and
`environment.py` holds the variables they share.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

from seen_braze_harness.harness.admin_token import ADMIN_TOKEN_ENV
from seen_braze_harness.harness.postman import braze, seen
from seen_braze_harness.harness.postman.environment import NAME, build_environment, seen_token
from seen_braze_harness.harness.postman.items import folder
from seen_braze_harness.harness.scenario import Scenario, load_scenario

SCHEMA_URL = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
COLLECTION_FILE = "seen-braze.postman_collection.json"
ENVIRONMENT_FILE = "seen-braze.postman_environment.json"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the command to the CLI."""
    parser = commands.add_parser(
        "postman",
        help="write a Postman collection and environment for `seen-braze serve`",
        description="Write a Postman Collection v2.1 of every emulated endpoint and admin call, "
        f"and its environment (base URLs and credentials), into DIR: {COLLECTION_FILE} and "
        f"{ENVIRONMENT_FILE}. Run it top to bottom against a freshly started `seen-braze serve`.",
    )
    parser.add_argument("-o", "--output", metavar="DIR", required=True, help="folder to write")
    parser.add_argument(
        "--scenario", metavar="FILE", help="scenario TOML file for token, slug and API key"
    )
    parser.add_argument(
        "--admin-token",
        metavar="TOKEN",
        help="the admin token `seen-braze serve` requires, sent on every admin request as "
        f"X-Admin-Token (default: ${ADMIN_TOKEN_ENV}, else none)",
    )
    parser.set_defaults(handler=write_postman)


def admin_token(args: argparse.Namespace) -> str:
    """--admin-token, else $SEEN_BRAZE_ADMIN_TOKEN ("": none); ValueError if unusable."""
    given: str | None = getattr(args, "admin_token", None)
    token = given if given is not None else os.environ.get(ADMIN_TOKEN_ENV, "")
    if given is None and not token:
        return ""
    if not token or not all("!" <= c <= "~" for c in token):
        source = "--admin-token" if given is not None else ADMIN_TOKEN_ENV
        raise ValueError(f"{source} must be printable ASCII without spaces, and not empty")
    return token


def write_postman(args: argparse.Namespace) -> int:
    """The command: build both documents and write them into `args.output`."""
    try:
        token = admin_token(args)
    except ValueError as exc:
        print(f"seen-braze postman: {exc}", file=sys.stderr)
        return 2
    scenario = load_scenario(args.scenario)
    collection = build_collection(scenario, admin_token=token)
    environment = build_environment(scenario)
    folder = Path(args.output)
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, document in ((COLLECTION_FILE, collection), (ENVIRONMENT_FILE, environment)):
            path = folder / name
            path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
            written.append(path)
    except OSError as exc:
        print(
            f"seen-braze postman: cannot write to {folder}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    folders = collection["item"]
    count = sum(len(f["item"]) for f in folders)
    print(f"wrote {written[0]} ({count} requests in {len(folders)} folders)")
    print(f"wrote {written[1]}")
    if token:
        print(
            "note: the collection holds the admin token (its variable admin_token): share it "
            "only as you would share the token",
            file=sys.stderr,
        )
    if not seen_token(scenario):
        print(
            "note: the scenario's SEEN campaign has no fixed token; set seen_token in the "
            "environment to the one `seen-braze serve` prints",
            file=sys.stderr,
        )
    return 0


def build_collection(scenario: Scenario, *, admin_token: str = "") -> dict[str, Any]:
    """The Postman collection: four folders, in the order they run; `admin_token` is the
    value of its variable `admin_token`, which every admin request sends."""
    return {
        "info": {
            "_postman_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{NAME}/collection")),
            "name": NAME,
            "description": (
                "The SEEN and Braze mocks of seen-braze-harness, as `seen-braze serve` runs "
                f"them (scenario: {scenario.name}). Select the `{NAME} (local)` environment "
                "and run the collection top to bottom on a freshly started server: each "
                "request's test checks its status, and a few store ids in the environment "
                "for the requests after them. The SEEN folders come first; then Braze admin "
                "resets Braze and creates the Data Transformation, whose webhook URL the "
                "Braze folder posts SEEN's documented callback to. Every admin request "
                "(`/_mock/...`) sends the collection variable `admin_token` as "
                "`X-Admin-Token`: set it to the token of a `seen-braze serve --admin-token` "
                "(empty: none needed)."
            ),
            "schema": SCHEMA_URL,
        },
        "variable": [
            {
                "key": "admin_token",
                "value": admin_token,
                "type": "string",
                "description": "The admin token `seen-braze serve` requires (--admin-token or "
                f"${ADMIN_TOKEN_ENV}); empty when it requires none.",
            }
        ],
        "item": [
            folder(
                "SEEN", "SEEN's receivers API, as Braze's webhook calls it.", seen.api_requests()
            ),
            folder(
                "SEEN admin",
                "The SEEN mock's admin API (emulator only: not on SEEN). Ends with a reset.",
                seen.admin_requests(),
            ),
            folder(
                "Braze admin",
                "The Braze mock's admin API (emulator only: not on Braze). Starts with a reset, "
                "then seeds a user, creates the Data Transformation, a Content Block and a webhook "
                "campaign.",
                braze.admin_requests(scenario),
            ),
            folder(
                "Braze",
                "Braze's REST API and the Data Transformation webhook SEEN calls back.",
                braze.api_requests(scenario),
            ),
        ],
    }
