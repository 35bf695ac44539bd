"""Ruby Liquid as an oracle: one `ruby oracle.rb` process renders a whole batch of cases."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ORACLE = Path(__file__).with_name("oracle.rb")
REQUIRE_VARIABLE = "SEEN_BRAZE_REQUIRE_RUBY"
"""Set (as `.ci/run` does) to make a missing Ruby Liquid a failure instead of a skip."""
HOW_TO_GET = (
    "Ruby Liquid is not installed; the differential Liquid tests need it. On Debian or Ubuntu: "
    "sudo apt-get install ruby-liquid ruby-activesupport"
)


def unavailable() -> str | None:
    """Why the oracle cannot run here, or None when it can."""
    ruby = shutil.which("ruby")
    if ruby is None:
        return HOW_TO_GET
    probe = subprocess.run(
        [ruby, "-e", 'require "liquid"; require "active_support"; print Liquid::VERSION'],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return f"{HOW_TO_GET} ({probe.stderr.strip().splitlines()[-1:]})"
    return None


def render_all(cases: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """Each case's result by id: {"output": bytes} or {"error": bytes, "kind": class name}."""
    payload = "".join(case.to_json() + "\n" for case in cases)
    done = subprocess.run(
        ["ruby", str(ORACLE)],
        input=payload.encode(),
        capture_output=True,
        check=False,
        env={**os.environ, "TZ": "UTC", "LANG": "C.UTF-8"},
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the Ruby oracle failed: {done.stderr.decode(errors='replace')}")
    results: dict[str, dict[str, Any]] = {}
    for line in done.stdout.decode().splitlines():
        record = json.loads(line)
        case_id = str(record.pop("id"))
        results[case_id] = {
            key: base64.b64decode(value) if isinstance(value, str) and key != "kind" else value
            for key, value in record.items()
        }
    return results
