"""Clients of the paged journal read all of it: `seen-braze journal --har` and the pytest
plugin's `LiveMocks.journal`, against mocks that serve two exchanges a page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seen_braze_harness.harness.cli import main
from seen_braze_harness.harness.live import LiveMocks
from tests.harness.test_run_http import scenario_file

pytestmark = pytest.mark.server

SMALL = "admin_page_limit = 2\n"


def live(tmp_path: Path) -> LiveMocks:
    path = scenario_file(
        tmp_path,
        replace={
            "[seen.settings]\n": f"[seen.settings]\n{SMALL}",
            "[braze.settings]\n": f"[braze.settings]\n{SMALL}",
        },
        virtual=False,
    )
    return LiveMocks(path)


def traffic(mocks: LiveMocks, count: int) -> None:
    for _ in range(count):
        mocks.http.get(f"{mocks.seen_url}/nowhere", timeout=5)
        mocks.http.get(f"{mocks.braze_url}/nowhere", timeout=5)


def test_the_plugins_journal_reads_every_page(tmp_path: Path) -> None:
    mocks = live(tmp_path)
    try:
        traffic(mocks, 5)
        assert len(mocks.journal()) == 10
        assert len(mocks.journal(service="seen")) == 5
    finally:
        mocks.close()


def test_the_plugins_receivers_reads_every_page(tmp_path: Path) -> None:
    mocks = live(tmp_path)
    try:
        for name in ("Ada", "Alan", "Grace", "Hedy", "Joan"):
            mocks.http.post(
                mocks.receivers_url(),
                json=[{"first_name": name}],
                headers={"Authorization": f"Token {mocks.token}"},
                timeout=5,
            )
        assert [r["fields"]["first_name"] for r in mocks.receivers()] == [
            "Ada",
            "Alan",
            "Grace",
            "Hedy",
            "Joan",
        ]
    finally:
        mocks.close()


def test_the_journal_command_merges_every_page(tmp_path: Path) -> None:
    mocks = live(tmp_path)
    try:
        traffic(mocks, 5)
        har = tmp_path / "run.har"
        argv = ["journal", "--har", str(har), "--seen-url", mocks.seen_url]
        assert main([*argv, "--braze-url", mocks.braze_url]) == 0
    finally:
        mocks.close()
    entries = json.loads(har.read_text("utf-8"))["log"]["entries"]
    assert len(entries) == 10 and "_next_cursor" not in json.loads(har.read_text("utf-8"))["log"]
