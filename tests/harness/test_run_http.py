"""`seen-braze run --seen-url --braze-url`: the end-to-end run over HTTP against live mocks
gives the same checks as the in-process run."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from seen_braze_harness import schemas
from seen_braze_harness.fixtures import read_text
from seen_braze_harness.harness.cli import main
from seen_braze_harness.harness.results import RunResult
from seen_braze_harness.harness.run import RemoteOptions, RunOptions, run_remote, run_scenario
from seen_braze_harness.harness.scenario import load_scenario
from tests.servekit import ServeProcess

pytestmark = pytest.mark.server

DEFAULT = read_text("default.toml")
VIRTUAL = {
    "[seen.settings]\n": '[seen.settings]\nclock = "virtual"\n',
    "[braze.settings]\n": '[braze.settings]\nclock = "virtual"\n',
}
WRONG_TOKEN = {
    'Authorization = "Token 5eeb5eeb0123456789abcdef0123456789abcdef"': (
        'Authorization = "Token 0000000000000000000000000000000000000000"'
    )
}
TYPO = ("landing_page_url: payload.landing_page_url", "landing_page_ur: payload.landing_page_url")
FEW = "[audience]\nusers = 3\nprobe = false\n"


def scenario_file(
    folder: Path,
    *,
    replace: dict[str, str] | None = None,
    append: str = "",
    code: str | None = None,
    virtual: bool = True,
) -> Path:
    """The default scenario (virtual clocks unless told otherwise), changed, beside its JS."""
    text = DEFAULT
    for old, new in {**(VIRTUAL if virtual else {}), **(replace or {})}.items():
        assert old in text, old
        text = text.replace(old, new)
    (folder / "seen_transformation.js").write_text(
        code if code is not None else read_text("seen_transformation.js"), "utf-8"
    )
    path = folder / "scenario.toml"
    path.write_text(f"{text}\n{append}", "utf-8")
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """Both mocks on virtual clocks, served once for the module (each run resets them)."""
    with ServeProcess("--scenario", str(scenario_file(tmp_path_factory.mktemp("served")))) as s:
        yield s


def over_http(served: ServeProcess, path: Path, **options: Any) -> RunResult:
    return run_remote(
        load_scenario(path),
        RemoteOptions(seen_url=served.url, braze_url=served.braze_url, **options),
    )


def in_process(path: Path, **options: Any) -> RunResult:
    return run_scenario(load_scenario(path), RunOptions(**options))


def findings(result: RunResult) -> list[dict[str, Any]]:
    """The findings without their exchange ids (a server's journal ids go on across resets)."""
    return [{**f.to_dict(), "exchange_id": None} for f in result.findings]


def hops(result: RunResult) -> list[tuple[str, int, int, int, int]]:
    return [(h.hop, h.exchanges, h.succeeded, h.failed, h.schema_failures) for h in result.hops]


def assert_same_run(http: RunResult, local: RunResult) -> None:
    assert http.mode == "http"
    assert local.mode == "in-process"
    assert (http.users, http.probe_users, http.seed) == (local.users, local.probe_users, local.seed)
    assert [c.to_dict() for c in http.checks] == [c.to_dict() for c in local.checks]
    assert findings(http) == findings(local)
    assert hops(http) == hops(local)
    assert http.virtual_seconds == pytest.approx(local.virtual_seconds, abs=0.01)


def test_the_default_integration_passes_over_http_as_it_does_in_process(
    served: ServeProcess, tmp_path: Path
) -> None:
    path = scenario_file(tmp_path)
    progress: list[tuple[int, int]] = []
    http = over_http(served, path, users=3, seed=2, progress=lambda *p: progress.append(p))
    assert http.passed(), [f.to_dict() for f in http.failures]
    assert http.warnings  # the edge-case probe warns over HTTP too
    assert_same_run(http, in_process(path, users=3, seed=2))
    assert progress[-1] == (http.users, http.users)
    checks = {c.name: c for c in http.checks}
    assert checks["profile.links"].passed >= 3
    assert checks["schemas"].passed > 0


@pytest.mark.parametrize(
    ("variant", "check", "expected"),
    [
        ({"replace": WRONG_TOKEN}, "webhook.delivered", "SEEN refused the credentials"),
        ({"code": read_text("seen_transformation.js").replace(*TYPO)}, "profile.links", "no "),
        (
            {"append": '[[faults]]\nservice = "seen"\nhop = "seen.callback"\nstatus = 503\n'},
            "callback.delivered",
            "3 attempts, last: HTTP 503",
        ),
    ],
    ids=["wrong-token", "transformation-typo", "callbacks-fail"],
)
def test_a_broken_integration_fails_over_http_as_it_does_in_process(
    served: ServeProcess, tmp_path: Path, variant: dict[str, Any], check: str, expected: str
) -> None:
    path = scenario_file(tmp_path, **{**variant, "append": FEW + variant.get("append", "")})
    http = over_http(served, path)
    assert_same_run(http, in_process(path))
    found = [f for f in http.failures if f.check == check]
    assert len(found) == 3, [f.to_dict() for f in http.findings]
    assert all(expected in f.message for f in found)


def test_the_cli_runs_over_http_and_writes_a_json_report(
    served: ServeProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    argv = ["run", str(scenario_file(tmp_path, append=FEW)), "--no-progress"]
    argv += ["--seen-url", served.url, "--braze-url", served.braze_url]
    assert main([*argv, "--json-report", str(report)]) == 0
    assert "mode          http" in capsys.readouterr().out
    document = json.loads(report.read_text("utf-8"))
    assert document["mode"] == "http"
    assert document["passed"] is True
    assert document["users"] == 3
    assert schemas.check("harness/run-report", document) == []


def test_run_help_says_the_servers_are_reset(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "--seen-url" in help_text and "--braze-url" in help_text and "--timeout" in help_text
    assert "resets both (POST /_mock/reset)" in help_text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_an_unreachable_mock_is_exit_2_naming_its_url(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    argv = ["run", "--no-progress", "--users", "1", "--seen-url", url, "--braze-url", url]
    assert main(argv) == 2
    error = capsys.readouterr().err
    assert f"the SEEN mock at {url} is unreachable" in error
    assert "--seen-url" in error


def test_swapped_urls_and_a_missing_url_are_exit_2(
    served: ServeProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["run", "--no-progress", "--users", "1"]
    swapped = ["--seen-url", served.braze_url, "--braze-url", served.url]
    assert main([*argv, *swapped]) == 2
    assert "swap --seen-url and --braze-url" in capsys.readouterr().err
    assert main([*argv, "--seen-url", served.url]) == 2
    assert "give --braze-url too" in capsys.readouterr().err


def test_real_clocks_are_polled_and_a_run_bigger_than_the_servers_keep_fails_with_a_hint(
    served: ServeProcess, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = scenario_file(
        tmp_path,
        virtual=False,
        replace={
            "[seen.settings]\n": "[seen.settings]\nrender_seconds = 0.05\nreceivers_cap = 3\n",
            "[braze.settings]\n": "[braze.settings]\ntransformation_log_cap = 2\n",
            "rate_per_minute = 10": "rate_per_minute = 1200",
        },
        append="[audience]\nusers = 5\nprobe = false\n",
    )
    with ServeProcess("--scenario", str(path)) as real:
        result = run_remote(
            load_scenario(path),
            RemoteOptions(seen_url=real.url, braze_url=real.braze_url, timeout=20),
        )
        argv = ["run", str(path), "--no-progress", "--seen-url", served.url]
        assert main([*argv, "--braze-url", real.braze_url]) == 2
    assert "runs a virtual clock" in capsys.readouterr().err
    assert not result.passed()
    by_check = {c.name: c for c in result.checks}
    assert by_check["profile.links"].passed == 2  # the users whose records are all kept
    unchecked = [f for f in result.failures if f.message.startswith("cannot be checked")]
    assert {f.user for f in unchecked} == {"user-00001", "user-00002", "user-00003"}
    hints = {f.hint for f in result.failures if f.check == "mocks.healthy"}
    assert any("receivers_cap in the scenario's [seen.settings]" in (h or "") for h in hints)
    assert any("transformation_log_cap" in (h or "") for h in hints)


def test_a_fault_that_never_fires_warns_over_http_as_in_process(
    served: ServeProcess, tmp_path: Path
) -> None:
    never = '[[faults]]\nservice = "seen"\nhop = "seen.callback"\nstatus = 500\nprobability = 0.0\n'
    path = scenario_file(tmp_path, append=FEW + never)
    http = over_http(served, path)
    assert_same_run(http, in_process(path))
    [warning] = [w for w in http.warnings if w.check == "mocks.healthy"]
    assert "never fired" in warning.message


def test_a_lenient_template_warns_the_same_over_http(served: ServeProcess, tmp_path: Path) -> None:
    body = '"first_name":"{{${first_name}}}"'
    path = scenario_file(tmp_path, replace={body: '"first_name":"{{${first_name} | upcase ) }}"'})
    remote, local = over_http(served, path), in_process(path)
    warned = [f for f in findings(remote) if f["check"] == "webhook.rendered" and not f.get("user")]
    assert warned == [
        f for f in findings(local) if f["check"] == "webhook.rendered" and not f.get("user")
    ]
    assert len(warned) == 1 and warned[0]["severity"] == "warning"
    assert "line 1" in warned[0]["message"] and "lax parsing" in warned[0]["message"]


def test_a_server_that_seeds_fewer_profiles_a_call_is_seeded_in_smaller_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from seen_braze_harness.harness.server import MockServer
    from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
    from seen_braze_harness.mocks.braze.track import views
    from seen_braze_harness.mocks.seen.app import create_app as create_seen_app

    monkeypatch.setattr(views, "SEED_BATCH_LIMIT", 2)
    path = scenario_file(tmp_path, append="[audience]\nusers = 5\nprobe = false\n")
    scenario = load_scenario(path)
    seen_app = create_seen_app(scenario.seen_settings())
    braze_app = create_braze_app(scenario.braze_settings())
    with MockServer(seen_app) as seen, MockServer(braze_app) as braze:
        http = run_remote(scenario, RemoteOptions(seen_url=seen.url, braze_url=braze.url))
    assert http.passed(), [f.to_dict() for f in http.failures]
    assert len(braze_app.extensions["braze"].profiles) == 5


def test_profiles_a_server_forgot_fail_the_run_with_a_hint() -> None:
    from seen_braze_harness.harness.checks import Tally
    from seen_braze_harness.harness.run.records import Records
    from seen_braze_harness.harness.run.verdicts import Health, check_health

    records = Records(
        messages=[],
        receivers={},
        logs=[],
        profiles={"a" * 24: {}},
        answers={},
        exchanges=[],
        journal_evicted={"seen": 0, "braze": 0},
        profiles_evicted=4,
    )
    tally = Tally()
    check_health(Health(), records, tally)
    (finding,) = tally.findings
    assert finding.message == (
        "the Braze mock kept 1 profiles and forgot 4; the run is bigger than the server keeps"
    )
    assert "raise profiles_cap in the scenario's [braze.settings]" in (finding.hint or "")


SMALL_PAGES = "admin_page_limit = 2\nadmin_page_max = 2\n"


def test_servers_with_small_pages_give_the_same_run(tmp_path: Path) -> None:
    """Every listing the run reads is followed page by page: nothing is missed."""
    path = scenario_file(
        tmp_path,
        replace={
            "[seen.settings]\n": f'[seen.settings]\nclock = "virtual"\n{SMALL_PAGES}',
            "[braze.settings]\n": f'[braze.settings]\nclock = "virtual"\n{SMALL_PAGES}',
        },
        virtual=False,
        append="[audience]\nusers = 5\n",
    )
    with ServeProcess("--scenario", str(path)) as small:
        http = run_remote(
            load_scenario(path), RemoteOptions(seen_url=small.url, braze_url=small.braze_url)
        )
    assert_same_run(http, in_process(path))
    assert http.passed(), [f.to_dict() for f in http.failures]
    assert {c.name: c for c in http.checks}["profile.links"].passed >= 5


@pytest.mark.parametrize("rule", ["drop = true", "status = 502"])
def test_receivers_whose_answers_were_lost_are_found_over_http_as_in_process(
    served: ServeProcess, tmp_path: Path, rule: str
) -> None:
    """SEEN created the receivers, but Braze never got the answers and retried: Braze's
    attempt and SEEN's record of the request are joined by their traceparent span, so the
    duplicates are found though the answer SEEN gave reached nobody. (A `delay` fault is not
    among them: a served mock on a virtual clock holds its answer in virtual time only, so
    the sender over HTTP gets it at once and never times out.)"""
    lost = f'[[faults]]\nservice = "seen"\nhop = "seen.receivers"\n{rule}\nprocessed = true\n'
    path = scenario_file(tmp_path, append=f"{FEW}{lost}times = 2\n")
    http = over_http(served, path)
    assert_same_run(http, in_process(path))
    found = [f for f in http.failures if f.check == "receiver.unique"]
    assert len(found) == 2, [f.to_dict() for f in http.findings]
    assert all("2 receivers" in f.message for f in found)
