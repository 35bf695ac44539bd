"""Reports of a run: terminal summary, JSON report and its schema, JUnit XML, progress bar."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path

import pytest

from seen_braze_harness import schemas
from seen_braze_harness.harness.report import (
    Progress,
    group_findings,
    json_report,
    read_json_report,
    render_terminal,
    terminal,
    write_json_report,
    write_junit,
)
from seen_braze_harness.harness.results import CheckResult, Finding, HopStats, RunResult

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(findings: list[Finding] | None = None, *, users: int = 10_012) -> RunResult:
    return RunResult(
        scenario='SEEN "onboarding" video',
        source="fixtures/default.toml",
        mode="in-process",
        seed=42,
        users=users,
        probe_users=12,
        wall_seconds=4.87,
        virtual_seconds=3723.0,
        hops=[  # deliberately out of flow order
            HopStats("braze.profile", "braze", "inbound", 10, 10, 0, 0, 0.01),
            HopStats("seen.callback", "seen", "outbound", 10_012, 10_012, 0, 0, 0.9),
            HopStats("braze.webhook", "braze", "outbound", 10_012, 10_012, 0, 0, 3.1),
            HopStats("seen.receivers", "seen", "inbound", 10_012, 10_000, 12, 12, 1.2),
        ],
        checks=[
            CheckResult("receivers-request", "receivers requests match SEEN's schema", 10_012),
            CheckResult("profile-attributes", "profiles get the video URLs", 12, 10_000, 3),
        ],
        findings=findings or [],
    )


def missing_thumbnail(count: int) -> list[Finding]:
    return [
        Finding(
            "profile-attributes",
            "failure",
            "email_thumbnail_url was not set on the profile",
            hop="braze.transformation",
            user=f"u-{i:05d}",
            pointer="/attributes/0/email_thumbnail_url",
            hint="copy payload.email_thumbnail_url into the attributes",
            exchange_id=3 * i + 2,
        )
        for i in range(count)
    ]


def probe_warnings() -> list[Finding]:
    return [
        Finding(
            "profile-attributes",
            "warning",
            "first_name broke the JSON body",
            hop="braze.webhook",
            user=f"probe-{i}",
            pointer="/0/first_name",
            hint="use | json_escape in the template",
            exchange_id=i,
            probe=label,
        )
        for i, label in enumerate(["quote in first name", "emoji 🎉 in first name"])
    ]


# -- terminal ---------------------------------------------------------------------------------


def test_a_passing_run_reads_header_hops_checks_and_passed() -> None:
    result = run()
    result.checks[1] = CheckResult("profile-attributes", "profiles get the video URLs", 10_012)
    lines = render_terminal(result).splitlines()

    assert lines[:8] == [
        'seen-braze run: SEEN "onboarding" video',
        "  source        fixtures/default.toml",
        "  mode          in-process",
        "  users         10,012 (12 probe users)",
        "  seed          42",
        "  wall time     4.87 s",
        "  virtual time  1 h 02 min 03 s on the mocks' clock",
        "",
    ]
    hops = lines[lines.index("Hops") + 1 : lines.index("Checks") - 1]
    assert hops == [
        "  hop             exchanges  succeeded  failed  schema failures  ms/exchange",
        "  braze.webhook      10,012     10,012       0                0         0.31",
        "  seen.receivers     10,012     10,000      12               12         0.12",
        "  seen.callback      10,012     10,012       0                0         0.09",
        "  braze.profile          10         10       0                0         1.00",
    ]
    assert (
        "  profile-attributes  profiles get the video URLs             10,012       0       0"
        in (lines)
    )
    assert "Failures" not in "\n".join(lines)
    assert lines[-1] == "PASSED: 2 checks over 10,012 users, no failures"


def test_ten_thousand_identical_failures_make_one_group_with_three_examples() -> None:
    text = render_terminal(run(missing_thumbnail(10_000)))
    lines = text.splitlines()

    assert "Failures: 10,000 in 1 group" in lines
    start = lines.index("  1) profile-attributes (10,000 findings)")
    assert lines[start + 1 : start + 10] == [
        "     hop      braze.transformation",
        "     pointer  /attributes/0/email_thumbnail_url",
        "     message  email_thumbnail_url was not set on the profile",
        "     fix: copy payload.email_thumbnail_url into the attributes",
        "     examples",
        "       user u-00000  exchange 2",
        "       user u-00001  exchange 5",
        "       user u-00002  exchange 8",
        "       … and 9,997 more",
    ]
    assert "  2)" not in text
    assert lines[-1] == "FAILED: 10,000 failures in 1 check (10,000 of 10,012 users)"


def test_examples_and_groups_are_limited_and_the_rest_counted() -> None:
    findings = [
        Finding("schema", "failure", f"bad field {i}", hop="seen.receivers", pointer=f"/0/f{i}")
        for i in range(25)
    ]
    findings += missing_thumbnail(5)
    text = render_terminal(run(findings), max_groups=2, examples=1)

    assert "Failures: 30 in 26 groups" in text
    assert "  1) profile-attributes (5 findings)" in text  # the largest group comes first
    assert "  2) schema (1 finding)" in text and "  3)" not in text
    assert "  … and 24 more groups (24 findings); the JSON report lists them all" in text
    assert text.count("       user u-") == 1
    assert "       … and 4 more" in text


def test_differing_messages_in_a_group_show_in_the_examples() -> None:
    findings = [
        Finding("liquid", "failure", f"{name} is not valid JSON", hop="braze.webhook", user=name)
        for name in ("ada", "grace")
    ]
    text = render_terminal(run(findings))
    assert "     message  ada is not valid JSON" in text
    assert "       user ada\n" in text
    assert "       user grace  grace is not valid JSON\n" in text


def test_warnings_are_grouped_with_their_probe_and_strict_would_fail() -> None:
    result = run(probe_warnings())
    lines = render_terminal(result).splitlines()

    start = lines.index("Robustness warnings (edge-case probe): 2 in 1 group")
    assert lines[start + 1 : start + 10] == [
        "  1) profile-attributes (2 findings)",
        "     hop      braze.webhook",
        "     pointer  /0/first_name",
        "     probe    quote in first name, emoji 🎉 in first name",
        "     message  first_name broke the JSON body",
        "     fix: use | json_escape in the template",
        "     examples",
        "       user probe-0  exchange 0  probe 'quote in first name'",
        "       user probe-1  exchange 1  probe 'emoji 🎉 in first name'",
    ]
    assert lines[-1] == (
        "PASSED: 2 checks over 10,012 users, no failures; 2 warnings (--strict would fail)"
    )
    strict = render_terminal(result, strict=True).splitlines()[-1]
    assert strict == "FAILED (--strict): 2 warnings in 1 check, no failures"


def test_failures_and_warnings_together() -> None:
    text = render_terminal(run(missing_thumbnail(2) + probe_warnings()))
    assert text.index("Failures: 2") < text.index("Robustness warnings")
    assert text.splitlines()[-1] == "FAILED: 2 failures in 1 check (2 of 10,012 users); 2 warnings"


def test_color_only_when_asked_and_it_never_shifts_a_column() -> None:
    result = run(missing_thumbnail(3) + probe_warnings())
    plain = render_terminal(result)
    colored = render_terminal(result, color=True)

    assert "\x1b" not in plain
    assert "\x1b[1;31mFAILED" in colored
    assert ANSI.sub("", colored) == plain
    assert not plain.endswith("\n")  # ready for print()


def test_control_characters_from_user_data_are_escaped() -> None:
    finding = Finding(
        "liquid", "failure", "bad\x1b[2Jname\nnext", user="u\r1", hint="trim \u202e it"
    )
    text = render_terminal(run([finding]))
    assert "\x1b" not in text and "\r" not in text and "\u202e" not in text
    assert "     message  bad\\x1b[2Jname\\nnext" in text
    assert "       user u\\r1" in text
    assert "fix: trim \\u202e it" in text


def test_group_findings_keys_on_check_hop_pointer_and_hint() -> None:
    base = missing_thumbnail(1)[0]
    other_hint = Finding(**{**base.to_dict(), "hint": "another fix"})
    other_pointer = Finding(**{**base.to_dict(), "pointer": "/x"})
    other_message = Finding(**{**base.to_dict(), "message": "same cause, other words"})
    groups = group_findings([base, other_hint, other_pointer, other_message, base])
    assert [g.count for g in groups] == [3, 1, 1]
    assert groups[0].message == base.message
    assert groups[0].users == 1


def test_durations_read_naturally() -> None:
    assert terminal._duration(0.4) == "0.40 s"
    assert terminal._duration(42.25) == "42.2 s"
    assert terminal._duration(125) == "2 min 05 s"
    assert terminal._duration(90_061) == "1 d 1 h 01 min"


# -- JSON -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "result",
    [run(), run(missing_thumbnail(3) + probe_warnings()), RunResult("s", "f", "http", 0, 0, 0)],
)
def test_json_report_validates_against_its_schema_and_round_trips(
    result: RunResult, tmp_path: Path
) -> None:
    path = write_json_report(result, tmp_path / "reports" / "run.json")

    document = json.loads(path.read_text("utf-8"))
    assert document == json_report(result)
    assert schemas.check("harness/run-report", document) == []
    assert document["format_version"] == 1
    assert document["generated_by"] == f"seen-braze {metadata.version('seen-braze-harness')}"
    assert read_json_report(path) == result


def test_the_schema_is_strict() -> None:
    document = json_report(run(missing_thumbnail(1)))
    document["extra"] = 1
    document["findings"][0]["severity"] = "info"
    document["hops"][0]["seconds"] = -1
    issues = {(i.pointer, i.rule) for i in schemas.check("harness/run-report", document)}
    assert issues == {("", "additionalProperties"), ("/findings/0/severity", "enum"),
                      ("/hops/0/seconds", "minimum")}  # fmt: skip


def test_generated_by_falls_back_without_the_distribution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing(name: str) -> str:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    document = json_report(run())
    assert document["generated_by"] == "seen-braze"
    assert schemas.check("harness/run-report", document) == []


def test_json_report_survives_odd_text(tmp_path: Path) -> None:
    finding = Finding("liquid", "failure", 'emoji 🎉, quote ", nul \x00, lone \udc80')
    path = write_json_report(run([finding]), tmp_path / "run.json")
    message = json.loads(path.read_text("utf-8"))["findings"][0]["message"]
    assert message == finding.message


# -- JUnit ------------------------------------------------------------------------------------


def parse(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def test_junit_has_one_suite_per_check_and_counts_add_up(tmp_path: Path) -> None:
    result = run(missing_thumbnail(10_000) + probe_warnings())
    root = parse(write_junit(result, tmp_path / "junit.xml"))

    assert root.tag == "testsuites"
    assert root.get("name") == 'seen-braze: SEEN "onboarding" video'
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        'seen-braze: SEEN "onboarding" video / receivers-request',
        'seen-braze: SEEN "onboarding" video / profile-attributes',
    ]
    clean, attributes = suites
    assert [c.get("name") for c in clean] == ["passing subjects"]
    assert clean.get("tests") == "1" and clean.get("failures") == "0"

    cases = attributes.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "braze.transformation /attributes/0/email_thumbnail_url:"
        " email_thumbnail_url was not set on the profile",
        "warning: braze.webhook /0/first_name: first_name broke the JSON body",
        "passing subjects",
    ]
    assert {c.get("classname") for c in cases} == {
        "seen-braze.seen-onboarding-video.profile-attributes"
    }
    assert (attributes.get("tests"), attributes.get("failures")) == ("3", "1")
    for element in (root, *suites):
        assert element.get("errors") == "0" and element.get("skipped") == "0"
    assert root.get("tests") == "4" and root.get("failures") == "1"
    assert root.get("time") == "4.870"

    failure = cases[0].find("failure")
    assert failure is not None and failure.text is not None
    assert failure.get("type") == "failure"
    assert failure.get("message") == "email_thumbnail_url was not set on the profile"
    assert "hop      braze.transformation" in failure.text
    assert "pointer  /attributes/0/email_thumbnail_url" in failure.text
    assert "fix: copy payload.email_thumbnail_url into the attributes" in failure.text
    assert "  user u-00000  exchange 2\n" in failure.text
    assert failure.text.endswith("… and 9,980 more")

    assert cases[1].find("failure") is None
    out = cases[1].findtext("system-out")
    assert out is not None and "probe    quote in first name, emoji 🎉 in first name" in out


def test_junit_strict_turns_warnings_into_failures(tmp_path: Path) -> None:
    result = run(probe_warnings())
    result.checks[1].failed = 0
    plain = parse(write_junit(result, tmp_path / "plain.xml"))
    assert plain.get("failures") == "0"
    root = parse(write_junit(result, tmp_path / "junit.xml", strict=True))
    assert root.get("failures") == "1"
    warning = root.find(".//testcase[@name='warning: braze.webhook /0/first_name:"
                        " first_name broke the JSON body']/failure")  # fmt: skip
    assert warning is not None and warning.get("type") == "warning"


def test_junit_escapes_names_and_replaces_forbidden_characters(tmp_path: Path) -> None:
    text = 'a "quote" <tag> & \x00nul \x1besc \ufffe 🎉 \udc80'
    result = run([Finding(f"check {text}", "failure", text, user=text, hint=text)])
    result.scenario, result.checks = text, []
    path = write_junit(result, tmp_path / "junit.xml")
    root = parse(path)

    sane = 'a "quote" <tag> & \\x00nul \\x1besc \\ufffe 🎉 \\udc80'
    assert root.get("name") == f"seen-braze: {sane}"
    failure = root.find(".//failure")
    assert failure is not None and failure.text is not None
    assert failure.get("message") == sane
    assert f"user {sane}" in failure.text and f"fix: {sane}" in failure.text
    assert path.read_bytes().decode("utf-8")  # valid UTF-8 throughout


def test_junit_reports_counted_failures_without_findings_and_an_empty_run(
    tmp_path: Path,
) -> None:
    root = parse(write_junit(run(), tmp_path / "junit.xml"))
    case = root.find(".//testcase[@name='failures without details']")
    assert case is not None and case.find("failure") is not None
    assert root.get("failures") == "1"

    empty = parse(write_junit(RunResult("s", "f", "http", 0, 0, 0), tmp_path / "empty.xml"))
    assert empty.get("tests") == "0" and len(empty.findall("testsuite")) == 1


# -- progress ---------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_writes_nothing_when_disabled() -> None:
    stream = io.StringIO()  # not a terminal, so disabled by default
    with Progress(10_000, stream=stream) as progress:
        for done in range(1, 10_001):
            progress.update(done)
    assert progress.enabled is False
    assert stream.getvalue() == ""


def test_progress_redraws_at_most_ten_times_a_second_and_ends_the_line() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(1000, stream=stream, enabled=True, now=clock)
    for done in range(1, 1001):
        clock.now = done * 0.001  # one item per millisecond: one second in all
        progress.update(done)
    assert stream.getvalue().count("\r") == 10

    progress.close()
    progress.close()
    output = stream.getvalue()
    assert output.endswith("\n") and output.count("\n") == 1
    last = output.rstrip("\n").rsplit("\r", 1)[1].rstrip(" ")  # padded over a longer line
    assert last == "users [########################] 1,000/1,000 100%  1,000/s  done"


def test_progress_shows_rate_and_eta() -> None:
    stream, clock = io.StringIO(), FakeClock()
    progress = Progress(10_000, stream=stream, enabled=True, now=clock, label="probes")
    clock.now = 2.0
    progress.update(2500)
    assert (
        stream.getvalue()
        == "\rprobes [######..................] 2,500/10,000  25%  1,250/s  ETA 0:06"
    )


def test_updates_within_the_interval_write_nothing() -> None:
    stream = io.StringIO()
    progress = Progress(10_000, stream=stream, enabled=True, now=lambda: 0.0)
    progress.update(0)  # the one redraw; later updates fall inside the interval
    drawn = stream.getvalue()
    for done in range(10_000):
        progress.update(done)
    assert stream.getvalue() == drawn
