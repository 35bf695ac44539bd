"""The hop registries: each hop is declared once, the mocks and the harness take it from there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from seen_braze_harness.harness import hops as integration
from seen_braze_harness.harness.sandbox import KNOWN_HOPS
from seen_braze_harness.mocks.braze import hops as braze_hops
from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.core.hops import Hop, HopRegistry
from seen_braze_harness.mocks.seen import hops as seen_hops
from seen_braze_harness.mocks.seen.app import create_app as create_seen_app
from seen_braze_harness.mocks.seen.settings import SeenSettings

ROOT = Path(__file__).resolve().parents[3]
REGISTRIES = (seen_hops.HOPS, braze_hops.HOPS)
EVERY_HOP = [hop for registry in REGISTRIES for hop in registry]


def test_a_hop_belongs_to_its_service_and_is_declared_once() -> None:
    with pytest.raises(ValueError, match="not one of seen's"):
        HopRegistry("seen", (Hop("braze.webhook", "x", "outbound"),))
    twice = Hop("seen.receivers", "x", "inbound")
    with pytest.raises(ValueError, match="declared twice"):
        HopRegistry("seen", (twice, twice))
    assert len({hop.name for hop in EVERY_HOP}) == len(EVERY_HOP)


def test_the_harness_lists_come_from_the_registries() -> None:
    assert set(KNOWN_HOPS) == {hop.name for hop in EVERY_HOP if hop.journaled}
    assert integration.FAULT_HOPS == {
        "seen": ("seen.receivers", "seen.callback"),
        "braze": (
            "braze.webhook",
            "braze.webhook_test",
            "braze.transformation_webhook",
            "braze.users_track",
        ),
    }
    assert all(hop in EVERY_HOP for hop in integration.FLOW)


def test_each_mock_checks_its_hops_against_the_registrys_schemas() -> None:
    seen = create_seen_app(SeenSettings(clock="virtual"))
    braze = create_braze_app(BrazeSettings(clock="virtual"))
    try:
        for app, registry in ((seen, seen_hops.HOPS), (braze, braze_hops.HOPS)):
            journal = app.extensions["mock"].journal
            for hop in registry:
                assert journal.hop_schemas(hop.name) == hop.schemas, hop.name
    finally:
        for app in (seen, braze):
            app.extensions["mock"].close()


def test_the_integration_names_the_webhook_campaigns_schemas() -> None:
    """The Braze mock does not know whom its webhooks call; the harness says SEEN's receivers."""
    assert braze_hops.WEBHOOK.schemas is None
    wired = create_braze_app(
        BrazeSettings(clock="virtual"), webhook_schemas=integration.WEBHOOK_SCHEMAS
    )
    try:
        journal = wired.extensions["mock"].journal
        for hop in (braze_hops.WEBHOOK, braze_hops.WEBHOOK_TEST):
            assert journal.hop_schemas(hop.name) == seen_hops.RECEIVERS.schemas
    finally:
        wired.extensions["mock"].close()


HOP_LITERAL = re.compile(
    r"[\"'](?:" + "|".join(re.escape(hop.name) for hop in EVERY_HOP) + r")[\"']"
)
NOT_A_HOP = re.compile(r"(declare_methods|page_query)\(")
"""Flask endpoint names and cursor scopes that happen to read like hops."""
EXAMPLES = {
    "mocks/core/admin_openapi.py": "the example fault rule of the admin document both mocks share",
    "mocks/core/faults.py": "the example in the error for a blank hop, shared by both mocks",
}
"""Files of mocks/core/ (which imports neither service) that name a hop as an example."""


def test_no_hop_name_is_written_outside_the_registries() -> None:
    written = []
    for folder in ("mocks", "harness"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "hops.py" or str(path.relative_to(ROOT)) in EXAMPLES:
                continue
            for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                if HOP_LITERAL.search(line) and not NOT_A_HOP.search(line):
                    written.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert written == []
