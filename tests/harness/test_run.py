"""The end-to-end run: the default scenario passes; each broken variant fails with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seen_braze_harness.fixtures import read_text
from seen_braze_harness.harness.results import RunResult
from seen_braze_harness.harness.run import RunOptions, run_scenario
from seen_braze_harness.harness.scenario import ScenarioError, load_scenario
from seen_braze_harness.schemas import check

DEFAULT = read_text("default.toml")
DOCUMENTED_BODY = (
    '[{"first_name":"{{${first_name}}}","last_name":"{{${last_name}}}",'
    '"email":"{{${email_address}}}","customer_id":"{{${braze_id}}}"}]'
)
ESCAPED_BODY = (
    '[{"first_name":"{{${first_name} | json_escape}}",'
    '"last_name":"{{${last_name} | json_escape}}",'
    '"email":"{{${email_address} | json_escape}}","customer_id":"{{${braze_id}}}"}]'
)


def scenario_file(
    tmp_path: Path,
    *,
    replace: dict[str, str] | None = None,
    append: str = "",
    code: str | None = None,
) -> Path:
    """The default scenario with some text replaced and sections added, beside its JS."""
    text = DEFAULT
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    (tmp_path / "seen_transformation.js").write_text(
        code if code is not None else read_text("seen_transformation.js"), "utf-8"
    )
    path = tmp_path / "scenario.toml"
    path.write_text(text + "\n" + append, "utf-8")
    return path


def run(path: Path | None, **options: object) -> RunResult:
    return run_scenario(load_scenario(path), RunOptions(**options))  # type: ignore[arg-type]


def failures(result: RunResult, check: str) -> list[str]:
    return [
        f"{f.message} | {f.hint}"
        for f in result.findings
        if f.check == check and f.severity == "failure"
    ]


def test_the_default_scenario_passes_and_every_user_gets_their_links() -> None:
    result = run(None, users=25, seed=3)
    assert result.passed(), [f.to_dict() for f in result.failures]
    checks = {c.name: c for c in result.checks}
    ordinary = result.users - result.probe_users
    assert checks["profile.links"].passed >= ordinary
    assert checks["receiver.unique"].failed == 0
    assert checks["schemas"].passed > 0
    hops = {h.hop: h for h in result.hops}
    for hop in ("braze.webhook", "seen.receivers", "seen.callback", "braze.transformation"):
        assert hops[hop].exchanges >= ordinary, hop
    # 10 messages a minute: the campaign alone covers (users - 1) * 6 s of virtual time.
    assert result.virtual_seconds >= (result.users - 1) * 6


def test_the_probe_warns_that_the_documented_body_breaks_on_a_quote() -> None:
    result = run(None, users=5)
    assert result.passed()
    assert not result.passed(strict=True)
    quoted = [w for w in result.warnings if w.probe and "quote" in w.probe]
    assert quoted, [w.to_dict() for w in result.warnings]
    assert any("json_escape" in (w.hint or "") for w in quoted)


def test_a_quoted_name_without_json_escape_fails_and_says_why(tmp_path: Path) -> None:
    path = scenario_file(
        tmp_path,
        append="[audience]\nusers = 3\nprobe = false\n\n[[audience.profiles]]\n"
        'external_id = "rock"\nfirst_name = \'Dwayne "The Rock"\'\nlast_name = "Johnson"\n'
        'email = "rock@example.com"\n',
    )
    result = run(path)
    assert not result.passed()
    [finding] = [f for f in result.failures if f.user == "rock"]
    assert finding.check == "webhook.delivered"
    assert finding.hop == "seen.receivers"
    assert "${first_name}" in finding.message + (finding.hint or "")
    assert "json_escape" in (finding.hint or "")


def test_json_escape_in_the_template_makes_every_probe_user_json_safe(tmp_path: Path) -> None:
    path = scenario_file(tmp_path, replace={DOCUMENTED_BODY: ESCAPED_BODY})
    result = run(path, users=5)
    assert result.passed()
    broken_json = [w for w in result.warnings if "not JSON" in w.message]
    assert broken_json == []


def test_a_typo_in_the_transformation_leaves_profiles_without_links(tmp_path: Path) -> None:
    code = read_text("seen_transformation.js").replace(
        "landing_page_url: payload.landing_page_url", "landing_page_ur: payload.landing_page_url"
    )
    path = scenario_file(tmp_path, code=code)
    result = run(path, users=4)
    assert not result.passed()
    found = [f for f in result.failures if f.check == "profile.links"]
    assert len(found) == 4
    assert all(f.pointer == "/landing_page_url" for f in found)
    assert "`landing_page_ur`" in (found[0].hint or "")


def test_a_wrong_seen_token_fails_every_user_with_a_401(tmp_path: Path) -> None:
    path = scenario_file(
        tmp_path,
        replace={
            'Authorization = "Token 5eeb5eeb0123456789abcdef0123456789abcdef"': (
                'Authorization = "Token 0000000000000000000000000000000000000000"'
            )
        },
    )
    result = run(path, users=3)
    found = failures(result, "webhook.delivered")
    assert len(found) == 3
    assert all("credentials" in text and "Token" in text for text in found)
    # A 401 is final: one attempt per user, no retries.
    hops = {h.hop: h for h in result.hops}
    assert hops["braze.webhook"].exchanges == result.users


def test_a_rate_above_seens_limit_is_flagged_and_429s_are_retried(tmp_path: Path) -> None:
    path = scenario_file(
        tmp_path,
        replace={"rate_per_minute = 10": "rate_per_minute = 120"},
        append="[audience]\nusers = 12\nprobe = false\n",
    )
    text = path.read_text("utf-8").replace(
        "[seen.settings]\n", "[seen.settings]\nrate_limit = 5\n", 1
    )
    path.write_text(text, "utf-8")
    result = run(path)
    limited = [f for f in result.findings if f.check == "seen.rate_limit"]
    assert limited, result.findings
    assert any("lower its rate" in (f.hint or "") for f in limited)
    retried = [f for f in limited if "Braze's retries got it through" in f.message]
    assert retried  # 429s honoured Retry-After and got through later


def test_failing_callbacks_are_reported_on_the_callback_hop(tmp_path: Path) -> None:
    path = scenario_file(
        tmp_path,
        append='[audience]\nusers = 3\nprobe = false\n\n[[faults]]\nservice = "seen"\n'
        'hop = "seen.callback"\nstatus = 503\n',
    )
    result = run(path)
    found = [f for f in result.failures if f.check == "callback.delivered"]
    assert len(found) == 3
    assert all(f.hop == "seen.callback" and "3 attempts" in f.message for f in found)


def test_the_responses_transport_gives_the_same_result() -> None:
    wsgi = run(None, users=4, seed=9, transport="wsgi")
    mocked = run(None, users=4, seed=9, transport="responses")
    assert [c.to_dict() for c in wsgi.checks] == [c.to_dict() for c in mocked.checks]


@pytest.mark.parametrize("strict", [False, True])
def test_the_cli_runs_the_default_scenario_and_writes_both_reports(
    tmp_path: Path, strict: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    import xml.etree.ElementTree as ET

    from seen_braze_harness.harness.cli import main

    argv = ["run", "--users", "4", "--no-progress"]
    argv += ["--json-report", str(tmp_path / "r.json"), "--junit", str(tmp_path / "r.xml")]
    code = main([*argv, "--strict"] if strict else argv)
    out = capsys.readouterr().out
    assert code == (1 if strict else 0)
    assert "PASSED" in out or "FAILED" in out
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert report["users"] == 4 + report["probe_users"]
    assert check("harness/run-report", report) == []
    root = ET.parse(tmp_path / "r.xml").getroot()
    assert root.tag == "testsuites"


@pytest.mark.parametrize("transport", ["wsgi", "responses"])
def test_a_slow_seen_makes_braze_retry_and_duplicate_receivers(
    tmp_path: Path, transport: str
) -> None:
    path = scenario_file(
        tmp_path,
        append='[audience]\nusers = 2\nprobe = false\n\n[[faults]]\nservice = "seen"\n'
        'hop = "seen.receivers"\ndelay = 120\ntimes = 2\n',
    )
    result = run(path, transport=transport)
    found = [f for f in result.failures if f.check == "receiver.unique"]
    assert len(found) == 2, [f.to_dict() for f in result.findings]
    assert all("2 receivers" in f.message and "retried" in (f.hint or "") for f in found)


def test_a_dropped_connection_is_retried_like_a_timeout(tmp_path: Path) -> None:
    path = scenario_file(
        tmp_path,
        append='[audience]\nusers = 2\nprobe = false\n\n[[faults]]\nservice = "seen"\n'
        'hop = "seen.receivers"\ndrop = true\ntimes = 1\n',
    )
    result = run(path)
    assert result.passed(strict=True), [f.to_dict() for f in result.findings]
    hops = {h.hop: h for h in result.hops}
    assert hops["braze.webhook"].exchanges == 3  # one dropped, retried, then two delivered


def test_a_fault_that_never_fires_is_a_warning(tmp_path: Path) -> None:
    path = scenario_file(
        tmp_path,
        append='[audience]\nusers = 2\nprobe = false\n\n[[faults]]\nservice = "seen"\n'
        'hop = "seen.callback"\nstatus = 500\nprobability = 0.0\n',
    )
    result = run(path)
    assert result.passed() and not result.passed(strict=True)
    [warning] = result.warnings
    assert warning.check == "mocks.healthy" and "never fired" in warning.message


def test_a_template_that_renders_only_by_leniency_is_a_warning_naming_the_line(
    tmp_path: Path,
) -> None:
    lenient = DOCUMENTED_BODY.replace("{{${first_name}}}", "{{${first_name} | upcase ) }}")
    path = scenario_file(tmp_path, replace={DOCUMENTED_BODY: lenient})
    result = run(path)
    assert result.passed
    (warning,) = [f for f in result.findings if f.check == "webhook.rendered" and not f.user]
    assert warning.severity == "warning"
    assert warning.message.startswith("body, line 1: {{${first_name} | upcase ) }} is accepted")
    assert "liquid_error_mode" in (warning.hint or "")


def test_strict_liquid_refuses_the_same_template_before_sending(tmp_path: Path) -> None:
    lenient = DOCUMENTED_BODY.replace("{{${first_name}}}", "{{${first_name} | upcase ) }}")
    path = scenario_file(
        tmp_path,
        replace={
            DOCUMENTED_BODY: lenient,
            "[braze.settings]\n": ('[braze.settings]\nliquid_error_mode = "strict"\n'),
        },
    )
    with pytest.raises(ScenarioError, match=r"body: Liquid error: line 1: Expected end_of_string"):
        run(path)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("status = 503\n", "/users/track answered HTTP 503"),
        ("drop = true\nprocessed = true\n", "/users/track gave no answer: connection dropped"),
    ],
)
def test_a_users_track_fault_reaches_the_transformations_delivery(
    tmp_path: Path, rule: str, message: str
) -> None:
    path = scenario_file(
        tmp_path,
        append='[audience]\nusers = 2\nprobe = false\n\n[[faults]]\nservice = "braze"\n'
        f'hop = "braze.users_track"\n{rule}',
    )
    result = run(path)
    found = [f for f in result.failures if f.check == "track.accepted"]
    assert len(found) == 2, [f.to_dict() for f in result.findings]
    assert all(message in f.message for f in found)
    assert all(f.hop == "braze.transformation_delivery" for f in found)


@pytest.mark.parametrize("transport", ["wsgi", "responses"])
@pytest.mark.parametrize("rule", ["drop = true", "delay = 120", "status = 502"])
def test_receivers_created_then_their_answers_lost_are_duplicated_by_brazes_retry(
    tmp_path: Path, transport: str, rule: str
) -> None:
    path = scenario_file(
        tmp_path,
        append='[audience]\nusers = 2\nprobe = false\n\n[[faults]]\nservice = "seen"\n'
        f'hop = "seen.receivers"\n{rule}\nprocessed = true\ntimes = 2\n',
    )
    result = run(path, transport=transport)
    found = [f for f in result.failures if f.check == "receiver.unique"]
    assert len(found) == 2, [f.to_dict() for f in result.findings]
    assert all("2 receivers" in f.message for f in found)
