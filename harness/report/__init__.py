"""Reports of an end-to-end run, each grouping the findings by root cause (`groups.py`):

- `terminal.py`: the summary a person or a CI log reads;
- `files.py`: the JSON report (`schemas/harness/run-report.json`) and JUnit XML;
- `progress.py`: the progress bar of a long run.
"""

from seen_braze_harness.harness.report.files import (
    FORMAT_VERSION,
    generated_by,
    json_report,
    read_json_report,
    write_json_report,
    write_junit,
)
from seen_braze_harness.harness.report.groups import FLOW_ORDER, FindingGroup, group_findings
from seen_braze_harness.harness.report.progress import Progress
from seen_braze_harness.harness.report.terminal import render_terminal

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
