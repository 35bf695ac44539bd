"""The files a run's report is written to: the JSON report and JUnit XML, each replaced
atomically.

The JSON report is the whole run (`schemas/harness/run-report.json` describes it), and
`read_json_report` reads it back. JUnit mapping (read by Jenkins, GitLab and GitHub test
reporters):

- `<testsuites name="seen-braze: <scenario>">` holds one `<testsuite>` per check, named
  `seen-braze: <scenario> / <check>`, in the order the run reports its checks (a finding whose
  check is not listed gets a suite of its own).
- In each suite, one `<testcase>` per failure group, failing with
  `<failure message="<message>" type="failure">` whose text gives the check, hop, pointer,
  count, hint and examples (user, exchange, message);
- one `<testcase>` per warning group, passing with the same details in `<system-out>`, or
  failing with `type="warning"` when `strict`;
- one passing `<testcase name="passing subjects">` when subjects passed the check (or the check
  has no findings at all), its counts in `<system-out>`;
- a failing `<testcase name="failures without details">` when the check counted failures that
  no finding explains.
- `classname` is `seen-braze.<scenario slug>.<check>`, so two scenarios in one pipeline do not
  collide. `errors` and `skipped` are always 0 (a run that crashed produces no result to
  report); `time` is the run's wall time on `<testsuites>` and 0 below it, as checks are not
  timed one by one. Characters XML 1.0 forbids are replaced by their `\\xNN` escape.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path
from typing import Any

from seen_braze_harness.harness.report.groups import FindingGroup, group_findings
from seen_braze_harness.harness.report.wording import escape, plural, thousands
from seen_braze_harness.harness.results import CheckResult, Finding, HopStats, RunResult

FORMAT_VERSION = 1
"""Version of the JSON report's layout (`schemas/harness/run-report.json`)."""

DISTRIBUTION = "seen-braze-harness"


# -- JSON -------------------------------------------------------------------------------------


def generated_by() -> str:
    """`seen-braze <version>` of the installed distribution, or without a version if unknown."""
    try:
        return f"seen-braze {metadata.version(DISTRIBUTION)}"
    except metadata.PackageNotFoundError:
        return "seen-braze"


def json_report(result: RunResult) -> dict[str, Any]:
    """The run as a JSON document that `schemas/harness/run-report.json` describes."""
    return {"format_version": FORMAT_VERSION, "generated_by": generated_by(), **result.to_dict()}


def write_json_report(result: RunResult, path: str | os.PathLike[str]) -> Path:
    """Write the JSON report (UTF-8, parent folders created, replaced atomically)."""
    text = json.dumps(json_report(result), ensure_ascii=False, indent=2) + "\n"
    # A lone surrogate can only sit inside a JSON string, where `\udXXX` is a valid escape.
    return _write_atomically(Path(path), text.encode("utf-8", "backslashreplace"))


def read_json_report(path: str | os.PathLike[str]) -> RunResult:
    """The run a JSON report describes (the inverse of `write_json_report`)."""
    document = json.loads(Path(path).read_text("utf-8"))
    if document.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{path}: format_version {document.get('format_version')!r}, expected {FORMAT_VERSION}"
        )
    return RunResult(
        scenario=document["scenario"],
        source=document["source"],
        mode=document["mode"],
        seed=document["seed"],
        users=document["users"],
        probe_users=document["probe_users"],
        wall_seconds=document["wall_seconds"],
        virtual_seconds=document["virtual_seconds"],
        peak_rss_bytes=document.get("peak_rss_bytes"),
        js_worker_peak_rss_bytes=document.get("js_worker_peak_rss_bytes"),
        phases=dict(document.get("phases", {})),
        hops=[HopStats(**hop) for hop in document["hops"]],
        checks=[CheckResult(**check) for check in document["checks"]],
        findings=[Finding(**finding) for finding in document["findings"]],
    )


def _write_atomically(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


# -- JUnit ------------------------------------------------------------------------------------

_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_JUNIT_EXAMPLES = 20


def _xml(text: str, limit: int | None = None) -> str:
    """Text XML 1.0 can carry: forbidden characters become their `\\xNN` escape."""
    text = _XML_FORBIDDEN.sub(escape, text)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower() or "scenario"


def write_junit(
    result: RunResult,
    path: str | os.PathLike[str],
    *,
    strict: bool = False,
    examples: int = _JUNIT_EXAMPLES,
) -> Path:
    """Write the run as JUnit XML (mapping in the module docstring); `strict` fails warnings."""
    root = junit_tree(result, strict=strict, examples=examples)
    ET.indent(root)
    data = ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
    return _write_atomically(Path(path), data)


def junit_tree(
    result: RunResult, *, strict: bool = False, examples: int = _JUNIT_EXAMPLES
) -> ET.Element:
    """The JUnit `<testsuites>` element for `result`."""
    scenario = _xml(result.scenario)
    root = ET.Element("testsuites", name=f"seen-braze: {scenario}")
    checks: dict[str, CheckResult] = {check.name: check for check in result.checks}
    by_check: dict[str, list[Finding]] = {name: [] for name in checks}
    for finding in result.findings:
        by_check.setdefault(finding.check, []).append(finding)
    classbase = f"seen-braze.{_slug(result.scenario)}"
    totals = {"tests": 0, "failures": 0}
    for name, findings in by_check.items():
        check = checks.get(name) or CheckResult(name=name, description="")
        suite = _junit_suite(result, check, findings, f"{classbase}.{_xml(name)}", strict, examples)
        root.append(suite)
        totals["tests"] += int(suite.get("tests", "0"))
        totals["failures"] += int(suite.get("failures", "0"))
    if not by_check:
        root.append(_suite_element(f"seen-braze: {scenario}", tests=0, failures=0))
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", "0")
    root.set("skipped", "0")
    root.set("time", f"{result.wall_seconds:.3f}")
    return root


def _suite_element(name: str, *, tests: int, failures: int) -> ET.Element:
    return ET.Element(
        "testsuite",
        name=name,
        tests=str(tests),
        failures=str(failures),
        errors="0",
        skipped="0",
        time="0.000",
    )


def _junit_suite(
    result: RunResult,
    check: CheckResult,
    findings: list[Finding],
    classname: str,
    strict: bool,
    examples: int,
) -> ET.Element:
    cases: list[ET.Element] = []
    names: dict[str, int] = {}

    def case(name: str) -> ET.Element:
        name = _xml(name, 200)
        names[name] = names.get(name, 0) + 1
        if names[name] > 1:  # readers key test history on (classname, name)
            name = f"{name} ({names[name]})"
        element = ET.Element("testcase", classname=classname, name=name, time="0.000")
        cases.append(element)
        return element

    failures = [f for f in findings if f.severity == "failure"]
    warnings = [f for f in findings if f.severity != "failure"]
    failed = 0
    for group in group_findings(failures):
        element = case(_case_name(group))
        _fail(element, "failure", group.message, _group_text(group, examples))
        failed += 1
    for group in group_findings(warnings):
        element = case("warning: " + _case_name(group))
        if strict:
            _fail(element, "warning", group.message, _group_text(group, examples))
            failed += 1
        else:
            ET.SubElement(element, "system-out").text = _group_text(group, examples)
    if check.failed and not failures:
        element = case("failures without details")
        message = f"{plural(check.failed, 'subject')} failed; no finding explains why"
        _fail(element, "failure", message, message)
        failed += 1
    if check.passed or not cases:
        element = case("passing subjects")
        ET.SubElement(element, "system-out").text = _xml(
            f"{check.description}\n" if check.description else ""
        ) + (
            f"passed {thousands(check.passed)}, failed {thousands(check.failed)},"
            f" warned {thousands(check.warned)}"
        )
    suite = _suite_element(
        f"seen-braze: {_xml(result.scenario)} / {_xml(check.name)}",
        tests=len(cases),
        failures=failed,
    )
    suite.extend(cases)
    return suite


def _case_name(group: FindingGroup) -> str:
    where = f"{group.hop or 'run'} {group.pointer or '/'}"
    return f"{where}: {group.message}"


def _fail(element: ET.Element, kind: str, message: str, text: str) -> None:
    failure = ET.SubElement(element, "failure", message=_xml(message, 1000), type=kind)
    failure.text = text


def _group_text(group: FindingGroup, examples: int) -> str:
    lines = [
        f"check    {group.check}",
        f"hop      {group.hop or '-'}",
        f"pointer  {group.pointer or '-'}",
        f"count    {plural(group.count, 'finding')}, {plural(group.users, 'user')}",
    ]
    if group.probes:
        lines.append(f"probe    {', '.join(group.probes)}")
    lines.append(f"message  {group.message}")
    if group.hint:
        lines.append(f"fix: {group.hint}")
    chosen = group.findings[: max(examples, 0)]
    if chosen:
        lines.append("examples:")
        for finding in chosen:
            parts = [f"user {finding.user}" if finding.user else "no user"]
            if finding.exchange_id is not None:
                parts.append(f"exchange {finding.exchange_id}")
            if finding.service:
                parts.append(f"service {finding.service}")
            if finding.probe:
                parts.append(f"probe {finding.probe!r}")
            if finding.message != group.message:
                parts.append(finding.message)
            lines.append("  " + "  ".join(parts))
        if group.count > len(chosen):
            lines.append(f"  … and {thousands(group.count - len(chosen))} more")
    return _xml("\n".join(lines))
