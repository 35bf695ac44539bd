"""Reports of an end-to-end run: the terminal summary, the JSON report, JUnit XML, progress."""

from seen_braze_harness.harness.report.terminal import (
    FLOW_ORDER,
    FORMAT_VERSION,
    FindingGroup,
    Progress,
    generated_by,
    group_findings,
    json_report,
    read_json_report,
    render_terminal,
    write_json_report,
    write_junit,
)

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
