"""The terminal summary of a run: header, hops, checks, grouped findings and the verdict.

What a person or a CI log reads: text safe for a terminal (control characters escaped, wide
characters measured), colours only when asked for, the largest groups of findings with a few
examples each (the JSON report lists them all).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable

from seen_braze_harness.harness.report.groups import FindingGroup, group_findings, ordered_hops
from seen_braze_harness.harness.report.wording import escape, plural, thousands
from seen_braze_harness.harness.results import RunResult

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_RESET = "\033[0m"
_STYLES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}


def _printable(text: str, limit: int = 240) -> str:
    """Text safe for a terminal (control characters escaped) and at most `limit` characters."""
    text = _UNPRINTABLE.sub(escape, text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _width(text: str) -> int:
    """Columns `text` takes in a terminal (wide characters count two, combining marks none)."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


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
        title = f"Failures: {thousands(len(failures))} in {plural(len(groups), 'group')}"
        lines += ["", paint(title, "bold", "red")]
        lines += _groups(groups, paint, max_groups=max_groups, examples=examples)
    if warnings:
        groups = group_findings(warnings)
        title = (
            f"Robustness warnings (edge-case probe): {thousands(len(warnings))}"
            f" in {plural(len(groups), 'group')}"
        )
        lines += ["", paint(title, "bold", "yellow")]
        lines += _groups(groups, paint, max_groups=max_groups, examples=examples)
    lines += ["", _verdict(result, paint, strict=strict)]
    return "\n".join(lines)


def _header(result: RunResult, paint: _Painter) -> list[str]:
    users = thousands(result.users)
    if result.probe_users:
        users += f" ({plural(result.probe_users, 'probe user')})"
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
            thousands(hop.exchanges),
            thousands(hop.succeeded),
            thousands(hop.failed),
            thousands(hop.schema_failures),
            f"{hop.seconds * 1000 / hop.exchanges:.2f}" if hop.exchanges else "-",
        ]
        for hop in ordered_hops(result.hops)
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
            thousands(check.passed),
            thousands(check.failed),
            thousands(check.warned),
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
        count = f"({plural(group.count, 'finding')})"
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
            f"  … and {plural(len(hidden), 'more group')} ({plural(findings, 'finding')});"
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
        lines.append("       " + paint(f"… and {thousands(rest)} more", "dim"))
    return lines


def _verdict(result: RunResult, paint: _Painter, *, strict: bool) -> str:
    failures, warnings = result.failures, result.warnings
    warned = f"{plural(len(warnings), 'warning')}"
    if failures:
        checks = len({f.check for f in failures})
        users = len({f.user for f in failures if f.user is not None})
        line = f"FAILED: {plural(len(failures), 'failure')} in {plural(checks, 'check')}"
        if users:
            line += f" ({thousands(users)} of {thousands(result.users)} users)"
        if warnings:
            line += f"; {warned}" + (" (fail under --strict)" if strict else "")
        return paint(line, "bold", "red")
    if strict and warnings:
        checks = len({f.check for f in warnings})
        line = f"FAILED (--strict): {warned} in {plural(checks, 'check')}, no failures"
        return paint(line, "bold", "red")
    line = (
        f"PASSED: {plural(len(result.checks), 'check')} over {plural(result.users, 'user')},"
        " no failures"
    )
    if warnings:
        line += f"; {warned} (--strict would fail)"
        return paint(line, "bold", "yellow")
    return paint(line, "bold", "green")
