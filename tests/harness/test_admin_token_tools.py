"""The tools that drive a served mock send its admin token from $SEEN_BRAZE_ADMIN_TOKEN."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from seen_braze_harness.harness.cli import main
from seen_braze_harness.harness.run import RemoteError, RemoteOptions, run_remote
from seen_braze_harness.harness.scenario import load_scenario
from tests.harness.test_run_http import scenario_file
from tests.servekit import ServeProcess

TOKEN = "s3cret-admin-token"

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    path = scenario_file(tmp_path_factory.mktemp("guarded"))
    with ServeProcess("--scenario", str(path), env={"SEEN_BRAZE_ADMIN_TOKEN": TOKEN}) as served:
        yield served


def test_a_remote_run_sends_the_token_and_passes(
    guarded: ServeProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEN_BRAZE_ADMIN_TOKEN", TOKEN)
    options = RemoteOptions(seen_url=guarded.url, braze_url=guarded.braze_url)
    result = run_remote(load_scenario(scenario_file(tmp_path)), options)
    assert result.passed


def test_a_remote_run_without_the_token_says_the_mock_refused_it(
    guarded: ServeProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SEEN_BRAZE_ADMIN_TOKEN", raising=False)
    options = RemoteOptions(seen_url=guarded.url, braze_url=guarded.braze_url)
    with pytest.raises(RemoteError, match="401"):
        run_remote(load_scenario(scenario_file(tmp_path)), options)


def test_the_journal_command_sends_the_token(
    guarded: ServeProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEN_BRAZE_ADMIN_TOKEN", TOKEN)
    har = tmp_path / "journal.har"
    args = [
        "journal",
        "--har",
        str(har),
        "--seen-url",
        guarded.url,
        "--braze-url",
        guarded.braze_url,
    ]
    assert main(args) == 0
    assert har.read_text("utf-8").startswith("{")
