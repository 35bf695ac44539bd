"""`seen-braze transform`: the offline Validate, with its exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.mocks.braze.test_transformations import CALLBACK, SEEN_CODE
from tests.servekit import seen_braze_command


def run(
    tmp_path: Path, code: str, *args: str, payload: object = None
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "code.js").write_text(code)
    (tmp_path / "payload.json").write_text(json.dumps(CALLBACK if payload is None else payload))
    return subprocess.run(
        seen_braze_command("transform", "code.js", "--payload", "payload.json", *args),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def test_acceptable_output_exits_0(tmp_path: Path) -> None:
    done = run(tmp_path, SEEN_CODE, payload={**CALLBACK, "customer_id": "b1"})
    assert done.returncode == 0, done.stderr
    assert '"braze_id": "b1"' in done.stdout
    assert done.stdout.rstrip().endswith("OK: an acceptable request for track-users")


def test_refused_output_exits_1_and_says_where(tmp_path: Path) -> None:
    code = "return {attributes: [{external_id: 'ok'}, {email: 'nope'}]}"
    done = run(tmp_path, code)
    assert done.returncode == 1
    assert "/attributes/1: 'email' is not a valid email address" in done.stdout


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("return {", "syntax"),
        ("const a = 1;\nreturn a.b.c;", "runtime"),
        ("while (true) {}", "timeout"),
    ],
)
def test_failing_code_exits_2(tmp_path: Path, code: str, kind: str) -> None:
    done = run(tmp_path, code)
    assert done.returncode == 2
    assert f"FAILED ({kind})" in done.stdout


def test_json_report(tmp_path: Path) -> None:
    (tmp_path / "headers.json").write_text(json.dumps({"x-seen-event": "video.ready"}))
    code = "console.log(headers['X-Seen-Event']); return {events: []}"
    done = run(tmp_path, code, "--headers", "headers.json", "--json")
    report = json.loads(done.stdout)
    assert report["console"] == [{"level": "log", "text": "video.ready"}]
    assert report["acceptable"] is False and report["errors"], "an empty request is refused"
    assert done.returncode == 1


def test_catalog_destination(tmp_path: Path) -> None:
    code = "return {catalog_name: 'videos', items: [{id: payload.customer_id || 'x'}]}"
    done = run(tmp_path, code, "--destination", "catalog-put")
    assert done.returncode == 0, done.stdout


def test_missing_files_are_a_clear_error(tmp_path: Path) -> None:
    done = subprocess.run(
        seen_braze_command("transform", "nope.js", "--payload", "nope.json"),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 2 and "nope.js" in done.stderr
