"""`seen-braze transform`: every input bounded and every limit of the transformation runtime
refused where it is crossed, naming the limit, on stderr and in `--json`; exit 2 for unusable
input, never a traceback with exit 1 (issue #12)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from seen_braze_harness.harness import reading
from seen_braze_harness.harness.cli import main
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.transformations.jsruntime import RunLimits
from tests.harness.test_bounded_input import CODE, exit_2, fifo
from tests.servekit import seen_braze_command

# -- transform ------------------------------------------------------------------------------------


def transform_files(tmp_path: Path, payload: bytes = b'{"a": 1}') -> list[str]:
    (tmp_path / "code.js").write_text(CODE)
    (tmp_path / "payload.json").write_bytes(payload)
    return ["transform", str(tmp_path / "code.js"), "--payload", str(tmp_path / "payload.json")]


def refused_json(
    capsys: pytest.CaptureFixture[str], argv: list[str], *said: str
) -> dict[str, object]:
    """`--json`: exit 2, one JSON object whose error is of kind "input", and the same line on
    stderr."""
    report = json.loads(exit_2(capsys, [*argv, "--json"], *said))
    assert report["acceptable"] is False and report["output"] is None
    error = report["error"]
    assert error["kind"] == "input"
    for words in said:
        assert words.removeprefix("seen-braze transform: ") in error["message"]
    return dict(error)


def test_transform_refuses_inputs_that_are_not_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = transform_files(tmp_path)
    pipe = fifo(tmp_path)
    for index, flag in [(1, None), (3, "--payload")]:
        for path, what in [(str(pipe), "a FIFO"), ("/dev/zero", "a character device")]:
            given = [*argv[:index], path, *argv[index + 1 :]]
            where = path if flag is None else f"{flag} {path}"
            error = refused_json(
                capsys, given, f"seen-braze transform: {where}: cannot read: {what}"
            )
            assert error["limit"] is None and error["file"] == where
    exit_2(
        capsys,
        [*argv, "--headers", str(tmp_path)],
        f"seen-braze transform: --headers {tmp_path}: cannot read: a directory",
    )


def test_transform_refuses_code_over_the_code_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = transform_files(tmp_path)
    limit = RunLimits().code_chars
    (tmp_path / "code.js").write_text(CODE + "//" + "x" * limit)
    said = f"over the transformation runtime's limit of {limit:,} (code_chars, assumed)"
    error = refused_json(capsys, argv, said)
    assert error["limit"] == {"name": "code_chars", "value": limit}
    exit_2(capsys, argv, said)
    (tmp_path / "code.js").write_text("x" * (reading.CODE_BYTES + 1))
    error = refused_json(capsys, argv, "code.js: too large: ")
    assert error["limit"] == {"name": "CODE_BYTES", "value": reading.CODE_BYTES}


def test_transform_refuses_a_payload_over_the_webhook_body_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    limit = BrazeSettings().max_body_bytes
    argv = transform_files(tmp_path, json.dumps({"a": "x" * limit}).encode())
    error = refused_json(capsys, argv, "--payload ", "too large: ", "max_body_bytes")
    assert error["limit"] == {"name": "max_body_bytes", "value": limit}


@pytest.mark.parametrize(
    ("payload", "said"),
    [
        (b'{"a": NaN}', "Out of range float values are not JSON compliant: 'NaN'"),
        (b'{"a": Infinity}', "Infinity"),
        (b'{"a": "\\ud800"}', "lone surrogate"),
        (b'{"a": "\xff"}', "not UTF-8 text"),
        (b"{nope", "not JSON the webhook would take"),
    ],
    ids=["NaN", "Infinity", "lone-surrogate", "not-utf8", "not-json"],
)
def test_transform_refuses_a_payload_the_webhook_would_refuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], payload: bytes, said: str
) -> None:
    argv = transform_files(tmp_path, payload)
    refused_json(capsys, argv, f"seen-braze transform: --payload {argv[3]}: ", said)
    exit_2(capsys, argv, said)


@pytest.mark.parametrize("depth", [100_000, 51])
def test_transform_refuses_a_payload_deeper_than_the_depth_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int
) -> None:
    argv = transform_files(tmp_path, b"[" * depth + b"]" * depth)
    said = "JSON nested deeper than the webhook's limit of 50 levels (max_json_depth, assumed)"
    error = refused_json(capsys, argv, said)
    assert error["limit"] == {"name": "max_json_depth", "value": 50}
    exit_2(capsys, argv, said)


def test_a_payload_at_the_depth_limit_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = transform_files(tmp_path, b'{"a": ' + b"[" * 49 + b"]" * 49 + b"}")
    (tmp_path / "code.js").write_text(
        "return {attributes: [{external_id: 'a', n: JSON.stringify(payload).length}]}"
    )
    assert main(argv) == 0, capsys.readouterr()


def test_transform_refuses_headers_over_their_limits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = transform_files(tmp_path)
    headers = tmp_path / "headers.json"
    headers.write_text(json.dumps({"x-big": "x" * reading.HEADERS_BYTES}))
    error = refused_json(capsys, [*argv, "--headers", str(headers)], "--headers ", "too large")
    assert error["limit"] == {"name": "HEADERS_BYTES", "value": reading.HEADERS_BYTES}
    headers.write_text(json.dumps({"x": {"nested": "no"}}))
    exit_2(capsys, [*argv, "--headers", str(headers)], "must hold an object of strings")


def test_transform_refuses_payload_and_headers_over_the_runtime_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    limit = RunLimits().payload_bytes
    argv = transform_files(tmp_path, json.dumps({"a": "x" * (limit - 1000)}).encode())
    headers = tmp_path / "headers.json"
    headers.write_text(json.dumps({"x-big": "x" * 2000}))
    error = refused_json(
        capsys, [*argv, "--headers", str(headers)], "the runtime's payload_bytes, assumed"
    )
    assert error["limit"] == {"name": "payload_bytes", "value": limit}


@pytest.mark.parametrize(
    "argv",
    [
        ["transform", "{zero}", "--payload", "{fifo}"],
        ["transform", "{code}", "--payload", "{zero}"],
        ["transform", "{code}", "--payload", "{fifo}", "--json"],
        ["transform", "{code}", "--payload", "{payload}", "--headers", "{fifo}"],
    ],
    ids=["code-zero", "payload-zero", "payload-fifo-json", "headers-fifo"],
)
def test_the_installed_command_refuses_at_once(tmp_path: Path, argv: list[str]) -> None:
    (tmp_path / "code.js").write_text(CODE)
    (tmp_path / "payload.json").write_text('{"a": 1}')
    names = {"zero": "/dev/zero", "fifo": str(fifo(tmp_path)), "code": str(tmp_path / "code.js")}
    names["payload"] = str(tmp_path / "payload.json")
    given = [arg.format(**names) for arg in argv]
    done = subprocess.run(
        seen_braze_command(*given), capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 2, done
    refused = next(arg for arg in given if arg in ("/dev/zero", names["fifo"]))
    what = "a character device" if refused == "/dev/zero" else "a FIFO (named pipe)"
    flag = "" if given[1] == refused else given[given.index(refused) - 1] + " "
    assert f"seen-braze transform: {flag}{refused}: " in done.stderr
    assert f"{refused}: cannot read: {what}, not a regular file" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    if "--json" in given:
        assert json.loads(done.stdout)["error"]["kind"] == "input"


@pytest.mark.parametrize(
    ("code", "kind", "name"),
    [
        ("while (true) {}", "timeout", "timeout"),
        ("const a = []; while (true) a.push('x'.repeat(1000) + a.length);", "memory", "memory"),
        ("return {attributes: [{external_id: 'a', x: 'y'.repeat(5000000)}]}", "runtime", None),
    ],
    ids=["timeout", "memory", "output"],
)
def test_a_run_over_a_runtime_limit_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], code: str, kind: str, name: str | None
) -> None:
    argv = transform_files(tmp_path)
    (tmp_path / "code.js").write_text(code)
    limits = RunLimits()
    name = name or "output_chars"
    assert main([*argv, "--json"]) == 2
    out, err = capsys.readouterr()
    error = json.loads(out)["error"]
    assert error["kind"] == kind
    assert error["limit"] == {"name": name, "value": getattr(limits, name)}
    assert "Traceback" not in out + err
    assert main(argv) == 2
    out, _ = capsys.readouterr()
    assert out.startswith(f"FAILED ({kind}): ")
    if name == "output_chars":
        assert f"of {limits.output_chars:,} characters (the runtime's output_chars" in out
