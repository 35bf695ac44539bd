"""Reports of an end-to-end run: the terminal summary, the JSON report, JUnit XML, a progress bar.

A run of 10,000 users can yield thousands of identical findings, so every report groups them:
findings with the same check, hop, JSON pointer and hint form one group, shown once with a
count and a few examples.

JUnit mapping (read by Jenkins, GitLab and GitHub test reporters):

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
import math
import os
import re
import sys
import tempfile
import time
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

from seen_braze_harness.harness.hops import FLOW
from seen_braze_harness.harness.results import CheckResult, Finding, HopStats, RunResult

__all__ = [
    "FLOW_ORDER",
    "FORMAT_VERSION",
    "FindingGroup",
    "Progress",
    "generated_by",
    "group_findings",
    "json_report",
    "read_json_report",
    "render_terminal",
    "write_json_report",
    "write_junit",
]

FORMAT_VERSION = 1
"""Version of the JSON report's layout (`schemas/harness/run-report.json`)."""

FLOW_ORDER = tuple(hop.name for hop in FLOW)
"""Hops in the order a user's data flows through them; other hops follow in run order."""

DISTRIBUTION = "seen-braze-harness"


# -- grouping ---------------------------------------------------------------------------------


@dataclass
class FindingGroup:
    """Findings that share check, hop, pointer and hint: one root cause, many users."""

    check: str
    hop: str | None
    pointer: str | None
    hint: str | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def message(self) -> str:
        """The first finding's message (examples show the others where they differ)."""
        return self.findings[0].message

    @property
    def probes(self) -> list[str]:
        """The distinct edge-case probe labels of the group, in order of appearance."""
        return list(dict.fromkeys(f.probe for f in self.findings if f.probe))

    @property
    def users(self) -> int:
        return len({f.user for f in self.findings if f.user is not None})


def group_findings(findings: Iterable[Finding]) -> list[FindingGroup]:
    """Group by (check, hop, pointer, hint); largest group first, ties in order of appearance."""
    groups: dict[tuple[str, str | None, str | None, str | None], FindingGroup] = {}
    for finding in findings:
        key = (finding.check, finding.hop, finding.pointer, finding.hint)
        group = groups.get(key)
        if group is None:
            group = groups[key] = FindingGroup(*key)
        group.findings.append(finding)
    return sorted(groups.values(), key=lambda g: -g.count)


def _ordered_hops(hops: list[HopStats]) -> list[HopStats]:
    rank = {hop: index for index, hop in enumerate(FLOW_ORDER)}
    return sorted(hops, key=lambda h: rank.get(h.hop, len(FLOW_ORDER)))


# -- terminal ---------------------------------------------------------------------------------

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_RESET = "\033[0m"
_STYLES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


def _escape(match: re.Match[str]) -> str:
    return match.group().encode("unicode_escape").decode("ascii")


def _printable(text: str, limit: int = 240) -> str:
    """Text safe for a terminal (control characters escaped) and at most `limit` characters."""
    text = _UNPRINTABLE.sub(_escape, text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (wide characters count two, combining marks none)."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def _count(number: int) -> str:
    return f"{number:,}"


def _plural(number: int, word: str) -> str:
    return f"{_count(number)} {word}{'' if number == 1 else 's'}"


def _duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return str(seconds)
    if seconds < 60:
        return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"
    whole = round(seconds)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h {minutes:02d} min"
    if hours:
        return f"{hours} h {minutes:02d} min {secs:02d} s"
    return f"{minutes} min {secs:02d} s"


class _Painter:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles or not text:
            return text
        codes = ";".join(_STYLES[s] for s in styles)
        return f"\033[{codes}m{text}{_RESET}"


def _table(
    header: list[str],
    rows: list[list[str]],
    *,
    numeric: set[int],
    paint: _Painter,
    styles: Callable[[int, int, str], tuple[str, ...]] = lambda row, col, cell: (),
) -> list[str]:
    """Rows padded to aligned columns (numbers right-aligned); styles never shift a column."""
    widths = [max(_width(r[c]) for r in [header, *rows]) for c in range(len(header))]
    lines = []
    for index, row in enumerate([header, *rows]):
        cells = []
        for col, cell in enumerate(row):
            pad = " " * (widths[col] - _width(cell))
            style = ("bold",) if index == 0 else styles(index - 1, col, cell)
            text = paint(cell, *style)
            cells.append(pad + text if col in numeric else text + pad)
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def render_terminal(
    result: RunResult,
    *,
    color: bool = False,
    max_groups: int = 20,
    examples: int = 3,
    strict: bool = False,
) -> str:
    """The summary a person or CI log reads: header, hops, checks, grouped findings, verdict.

    `strict` (as `--strict` does) makes warnings fail the run in the last line.
    """
    paint = _Painter(color)
    lines: list[str] = []
    lines += _header(result, paint)
    lines += ["", paint("Hops", "bold"), *_hop_table(result, paint)]
    lines += ["", paint("Checks", "bold"), *_check_table(result, paint)]
    failures, warnings = result.failures, result.warnings
    if failures:
        groups = group_findings(failures)
        title = f"Failures: {_count(len(failures))} in {_plural(len(groups), 'group')}"
        lines += ["", paint(title, "bold", "red")]
        lines += _groups(groups, paint, max_groups=max_groups, examples=examples)
    if warnings:
        groups = group_findings(warnings)
        title = (
            f"Robustness warnings (edge-case probe): {_count(len(warnings))}"
            f" in {_plural(len(groups), 'group')}"
        )
        lines += ["", paint(title, "bold", "yellow")]
        lines += _groups(groups, paint, max_groups=max_groups, examples=examples)
    lines += ["", _verdict(result, paint, strict=strict)]
    return "\n".join(lines)


def _header(result: RunResult, paint: _Painter) -> list[str]:
    users = _count(result.users)
    if result.probe_users:
        users += f" ({_plural(result.probe_users, 'probe user')})"
    fields = [
        ("source", result.source),
        ("mode", result.mode),
        ("users", users),
        ("seed", str(result.seed)),
        ("wall time", _duration(result.wall_seconds)),
        ("virtual time", f"{_duration(result.virtual_seconds)} on the mocks' clock"),
    ]
    width = max(len(name) for name, _ in fields)
    title = paint(f"seen-braze run: {_printable(result.scenario)}", "bold")
    return [title] + [f"  {name.ljust(width)}  {_printable(value)}" for name, value in fields]


def _hop_table(result: RunResult, paint: _Painter) -> list[str]:
    if not result.hops:
        return ["  (no exchanges recorded)"]
    header = ["hop", "exchanges", "succeeded", "failed", "schema failures", "ms/exchange"]
    rows = [
        [
            _printable(hop.hop, 60),
            _count(hop.exchanges),
            _count(hop.succeeded),
            _count(hop.failed),
            _count(hop.schema_failures),
            f"{hop.seconds * 1000 / hop.exchanges:.2f}" if hop.exchanges else "-",
        ]
        for hop in _ordered_hops(result.hops)
    ]

    def styles(row: int, col: int, cell: str) -> tuple[str, ...]:
        return ("red",) if col in (3, 4) and cell != "0" else ()

    return _table(header, rows, numeric={1, 2, 3, 4, 5}, paint=paint, styles=styles)


def _check_table(result: RunResult, paint: _Painter) -> list[str]:
    if not result.checks:
        return ["  (no checks ran)"]
    header = ["check", "description", "passed", "failed", "warned"]
    rows = [
        [
            _printable(check.name, 60),
            _printable(check.description, 60),
            _count(check.passed),
            _count(check.failed),
            _count(check.warned),
        ]
        for check in result.checks
    ]

    def styles(row: int, col: int, cell: str) -> tuple[str, ...]:
        if col == 3 and cell != "0":
            return ("red",)
        if col == 4 and cell != "0":
            return ("yellow",)
        return ()

    return _table(header, rows, numeric={2, 3, 4}, paint=paint, styles=styles)


def _groups(
    groups: list[FindingGroup], paint: _Painter, *, max_groups: int, examples: int
) -> list[str]:
    lines: list[str] = []
    shown = groups[: max(max_groups, 0)]
    for number, group in enumerate(shown, start=1):
        count = f"({_plural(group.count, 'finding')})"
        lines.append(f"  {number}) {paint(_printable(group.check, 80), 'bold')} {count}")
        details = [("hop", group.hop or "-"), ("pointer", group.pointer or "-")]
        if group.probes:
            details.append(("probe", ", ".join(group.probes[:5])))
            if len(group.probes) > 5:
                details[-1] = ("probe", details[-1][1] + f", … ({len(group.probes)} in all)")
        details.append(("message", group.message))
        lines += [f"     {name:<8} {_printable(value)}" for name, value in details]
        if group.hint:
            lines.append(f"     {paint('fix: ' + _printable(group.hint), 'cyan')}")
        lines += _examples(group, paint, examples)
    hidden = groups[len(shown) :]
    if hidden:
        findings = sum(g.count for g in hidden)
        lines.append(
            f"  … and {_plural(len(hidden), 'more group')} ({_plural(findings, 'finding')});"
            " the JSON report lists them all"
        )
    return lines


def _examples(group: FindingGroup, paint: _Painter, examples: int) -> list[str]:
    chosen = group.findings[: max(examples, 0)]
    if not chosen:
        return []
    lines = ["     examples"]
    for finding in chosen:
        parts = [f"user {_printable(finding.user, 60)}" if finding.user else "no user"]
        if finding.exchange_id is not None:
            parts.append(f"exchange {finding.exchange_id}")
        if finding.probe:
            parts.append(f"probe {_printable(finding.probe, 60)!r}")
        if finding.message != group.message:
            parts.append(_printable(finding.message, 160))
        lines.append("       " + paint("  ".join(parts), "dim"))
    rest = group.count - len(chosen)
    if rest:
        lines.append("       " + paint(f"… and {_count(rest)} more", "dim"))
    return lines


def _verdict(result: RunResult, paint: _Painter, *, strict: bool) -> str:
    failures, warnings = result.failures, result.warnings
    warned = f"{_plural(len(warnings), 'warning')}"
    if failures:
        checks = len({f.check for f in failures})
        users = len({f.user for f in failures if f.user is not None})
        line = f"FAILED: {_plural(len(failures), 'failure')} in {_plural(checks, 'check')}"
        if users:
            line += f" ({_count(users)} of {_count(result.users)} users)"
        if warnings:
            line += f"; {warned}" + (" (fail under --strict)" if strict else "")
        return paint(line, "bold", "red")
    if strict and warnings:
        checks = len({f.check for f in warnings})
        line = f"FAILED (--strict): {warned} in {_plural(checks, 'check')}, no failures"
        return paint(line, "bold", "red")
    line = (
        f"PASSED: {_plural(len(result.checks), 'check')} over {_plural(result.users, 'user')},"
        " no failures"
    )
    if warnings:
        line += f"; {warned} (--strict would fail)"
        return paint(line, "bold", "yellow")
    return paint(line, "bold", "green")


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
    text = _XML_FORBIDDEN.sub(_escape, text)
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
        message = f"{_plural(check.failed, 'subject')} failed; no finding explains why"
        _fail(element, "failure", message, message)
        failed += 1
    if check.passed or not cases:
        element = case("passing subjects")
        ET.SubElement(element, "system-out").text = _xml(
            f"{check.description}\n" if check.description else ""
        ) + (
            f"passed {_count(check.passed)}, failed {_count(check.failed)},"
            f" warned {_count(check.warned)}"
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
        f"count    {_plural(group.count, 'finding')}, {_plural(group.users, 'user')}",
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
            lines.append(f"  … and {_count(group.count - len(chosen))} more")
    return _xml("\n".join(lines))


# -- progress ---------------------------------------------------------------------------------


class Progress:
    """A one-line progress bar for long runs, redrawn in place at most every `interval` s.

    Disabled (the default when `stream` is not a terminal) it writes nothing; an `update()`
    that does not redraw costs a clock read and a comparison.
    """

    BAR = 24

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        label: str = "users",
        now: Callable[[], float] = time.monotonic,
        interval: float = 0.1,
    ) -> None:
        self.total = max(total, 0)
        self.stream = sys.stderr if stream is None else stream
        self.enabled = _isatty(self.stream) if enabled is None else enabled
        self.label = label
        self.done = 0
        self._now = now
        self._interval = interval
        self._start = now() if self.enabled else 0.0
        self._next = self._start  # the first update draws
        self._drawn = 0
        self._closed = False

    def update(self, done: int) -> None:
        """Record that `done` items are finished; redraws if the last redraw is old enough."""
        self.done = done
        if not self.enabled:
            return
        moment = self._now()
        if moment < self._next:
            return
        self._next = moment + self._interval
        self._draw(moment)

    def close(self) -> None:
        """Draw the final state and end the line (once)."""
        if self._closed:
            return
        self._closed = True
        if self.enabled:
            self._draw(self._now())
            self._write("\n")

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def line(self, moment: float) -> str:
        """The bar as it reads at clock time `moment`."""
        done, total = self.done, self.total
        fraction = min(done / total, 1.0) if total else 1.0
        filled = int(fraction * self.BAR)
        bar = "#" * filled + "." * (self.BAR - filled)
        elapsed = moment - self._start
        rate = done / elapsed if elapsed > 0 else 0.0
        if done >= total:
            eta = "done"
        elif rate > 0:
            eta = "ETA " + _clock((total - done) / rate)
        else:
            eta = "ETA --:--"
        return (
            f"{self.label} [{bar}] {_count(done)}/{_count(total)} {fraction * 100:3.0f}%"
            f"  {rate:,.0f}/s  {eta}"
        )

    def _draw(self, moment: float) -> None:
        text = self.line(moment)
        padding = " " * max(self._drawn - len(text), 0)  # wipe what a longer line left
        self._drawn = len(text)
        self._write("\r" + text + padding)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stream must not stop the run
            self.enabled = False


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _clock(seconds: float) -> str:
    whole = int(seconds + 0.5)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
