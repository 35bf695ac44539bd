"""Every file the command line reads is bounded: no FIFO, device or directory, no more than its
documented size, UTF-8 only; exit 2 with `seen-braze COMMAND: FILE: what is wrong`, never a
traceback (issue #12)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from seen_braze_harness.harness import reading
from seen_braze_harness.harness.cli import main
from seen_braze_harness.harness.reading import FileReadError, read_text
from seen_braze_harness.mocks.braze.campaigns import CONTENT_BLOCK_MAX_BYTES
from seen_braze_harness.mocks.braze.transformations.jsruntime import RunLimits
from tests.servekit import seen_braze_command

MINIMAL = "[seen.campaign]\nslug = 'onboarding'\ntoken = 'abc'\n"
CODE = "return {attributes: [{external_id: 'a', seen: payload.a}]}"


def fifo(tmp_path: Path, name: str = "pipe") -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


def exit_2(capsys: pytest.CaptureFixture[str], argv: list[str], *said: str) -> str:
    """Run the CLI in-process; assert exit 2, every `said` on stderr, no traceback."""
    assert main(argv) == 2
    out, err = capsys.readouterr()
    for words in said:
        assert words in err, err
    assert "Traceback" not in out + err
    assert err.count("\n") == 1, err  # one line
    return out


# -- the helper ---------------------------------------------------------------------------------


def test_reads_a_regular_file_with_universal_newlines(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes("a\r\nb\rc\né".encode())
    assert read_text(path, 100, "a test file") == "a\nb\nc\né"


def test_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    for path, what in [
        (fifo(tmp_path), "a FIFO (named pipe)"),
        (Path("/dev/zero"), "a character device"),
        (tmp_path, "a directory"),
    ]:
        with pytest.raises(
            FileReadError, match=re.escape(f"cannot read: {what}, not a regular file")
        ):
            read_text(path, 100, "a test file")


def test_refuses_a_file_over_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"x" * 101)
    with pytest.raises(FileReadError) as caught:
        read_text(path, 100, "a test file")
    assert (
        str(caught.value)
        == "too large: 101 bytes, over the 100-byte (100 bytes) limit for a test file"
    )
    path.write_bytes(b"x" * 100)
    assert read_text(path, 100, "a test file") == "x" * 100


def test_refuses_text_that_is_not_utf8_and_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_bytes(b"ok\xff")
    with pytest.raises(FileReadError, match=r"not UTF-8 text \(invalid start byte at byte 2\)"):
        read_text(path, 100, "a test file")
    with pytest.raises(FileReadError, match="cannot read: No such file or directory"):
        read_text(tmp_path / "nope", 100, "a test file")


def test_the_documented_limits() -> None:
    assert reading.SCENARIO_BYTES == reading.TEMPLATE_BYTES == reading.JSON_BYTES == 4 * 2**20
    assert 4 * RunLimits().code_chars == reading.CODE_BYTES  # UTF-8: at most 4 bytes a char
    assert reading.HEADERS_BYTES == 256 * 1024


# -- scenarios: run, serve, bench ----------------------------------------------------------------


@pytest.mark.parametrize("command", [["run"], ["serve", "--scenario"], ["bench", "--scenario"]])
def test_a_scenario_that_is_not_a_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    name = command[0]
    for path, what in [
        (str(fifo(tmp_path)), "a FIFO (named pipe), not a regular file"),
        ("/dev/zero", "a character device, not a regular file"),
        (str(tmp_path), "a directory, not a regular file"),
    ]:
        exit_2(capsys, [*command, path], f"seen-braze {name}: {path}: cannot read: {what}")


def test_a_scenario_over_its_limit_or_not_utf8_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = tmp_path / "big.toml"
    big.write_text(MINIMAL + "#" * reading.SCENARIO_BYTES)
    exit_2(capsys, ["run", str(big)], f"seen-braze run: {big}: too large: ", "4 MiB")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(MINIMAL.encode() + b"# \xff\n")
    exit_2(capsys, ["run", str(bad)], f"seen-braze run: {bad}: not UTF-8 text")


def test_a_code_file_that_is_not_a_file_or_too_long_is_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "s.toml"
    fifo(tmp_path, "code.js")
    scenario.write_text(MINIMAL + "[braze.transformation]\ncode_file = 'code.js'\n")
    exit_2(
        capsys,
        ["run", str(scenario)],
        f"[braze.transformation] code_file: cannot read {tmp_path}/code.js: a FIFO",
    )
    os.unlink(tmp_path / "code.js")
    limit = RunLimits().code_chars
    (tmp_path / "code.js").write_text("//" + "é" * limit)
    exit_2(
        capsys,
        ["run", str(scenario)],
        f"[braze.transformation] code_file: {tmp_path}/code.js: {limit + 2:,} characters of "
        f"code, over the transformation runtime's limit of {limit:,} (code_chars)",
    )
    (tmp_path / "code.js").write_text("x" * (reading.CODE_BYTES + 1))
    exit_2(capsys, ["run", str(scenario)], "code.js: too large: ")


def test_inline_code_over_the_code_limit_is_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "s.toml"
    code = "//" + "x" * RunLimits().code_chars
    scenario.write_text(MINIMAL + f"[braze.transformation]\ncode = '{code}'\n")
    exit_2(capsys, ["run", str(scenario)], "[braze.transformation] code: 1,048,578 characters")


# -- render ---------------------------------------------------------------------------------------


def render_files(tmp_path: Path) -> tuple[Path, Path]:
    template, user = tmp_path / "body.liquid", tmp_path / "user.json"
    template.write_text("Hi {{${first_name}}}")
    user.write_text(json.dumps({"external_id": "u1", "first_name": "Ann"}))
    return template, user


def test_render_refuses_inputs_that_are_not_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template, user = render_files(tmp_path)
    pipe = fifo(tmp_path)
    for argv, said in [
        (["/dev/zero", "--user", str(user)], "seen-braze render: /dev/zero: cannot read: a char"),
        ([str(pipe), "--user", str(user)], f"seen-braze render: {pipe}: cannot read: a FIFO"),
        ([str(template), "--user", str(pipe)], f"render: --user {pipe}: cannot read: a FIFO"),
        ([str(template), "--user", "/dev/zero"], "render: --user /dev/zero: cannot read: a char"),
        (
            [str(template), "--user", str(user), "--trigger-properties", f"@{pipe}"],
            f"render: --trigger-properties {pipe}: cannot read: a FIFO",
        ),
        (
            [str(template), "--user", str(user), "--context", "@/dev/zero"],
            "render: --context /dev/zero: cannot read: a character device",
        ),
        (
            [str(template), "--user", str(user), "--content-block", f"b={tmp_path}"],
            f"render: --content-block b={tmp_path}: cannot read: a directory",
        ),
    ]:
        exit_2(capsys, ["render", *argv], said)


def test_render_refuses_inputs_over_their_limits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template, user = render_files(tmp_path)
    big = tmp_path / "big.liquid"
    big.write_text("x" * (reading.TEMPLATE_BYTES + 1))
    exit_2(capsys, ["render", str(big), "--user", str(user)], f"{big}: too large: ", "4 MiB")
    big_user = tmp_path / "big.json"
    big_user.write_text(json.dumps({"first_name": "x" * reading.JSON_BYTES}))
    exit_2(capsys, ["render", str(template), "--user", str(big_user)], "--user ", "too large")
    block = tmp_path / "block.liquid"
    block.write_text("x" * (CONTENT_BLOCK_MAX_BYTES + 1))
    exit_2(
        capsys,
        ["render", str(template), "--user", str(user), "--content-block", f"b={block}"],
        f"--content-block b={block}: too large: 51,201 bytes, over the 51,200-byte (50 KiB) "
        "limit for a Braze Content Block",
    )
    block.write_text("x" * CONTENT_BLOCK_MAX_BYTES)
    assert (
        main(["render", str(template), "--user", str(user), "--content-block", f"b={block}"]) == 0
    )


# -- the installed command, under a timeout: nothing reads forever or waits for a writer --------


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "{zero}"],
        ["run", "{fifo}"],
        ["render", "{fifo}", "--user", "{zero}"],
        ["render", "{code}", "--user", "{fifo}"],
    ],
    ids=[
        "run-zero",
        "run-fifo",
        "render-template",
        "render-user",
    ],
)
def test_the_installed_command_refuses_at_once(tmp_path: Path, argv: list[str]) -> None:
    (tmp_path / "code.js").write_text(CODE)
    names = {"zero": "/dev/zero", "fifo": str(fifo(tmp_path)), "code": str(tmp_path / "code.js")}
    given = [arg.format(**names) for arg in argv]
    done = subprocess.run(
        seen_braze_command(*given), capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert done.returncode == 2, done
    refused = next(arg for arg in given if arg in ("/dev/zero", names["fifo"]))
    what = "a character device" if refused == "/dev/zero" else "a FIFO (named pipe)"
    assert f"seen-braze {argv[0]}: " in done.stderr
    assert f"{refused}: cannot read: {what}, not a regular file" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_each_read_error_is_typed_so_callers_never_match_its_text(tmp_path: Path) -> None:
    """`seen-braze transform` names the crossed limit, and the scenario loader says "cannot read
    FILE: why", by the error's class (they matched its message's first words before)."""
    big = tmp_path / "big.json"
    big.write_bytes(b"x" * 11)
    with pytest.raises(reading.FileTooLarge, match=r"^too large: 11 bytes, over the 10-byte"):
        read_text(big, 10, "a test file")
    with pytest.raises(reading.FileUnreadable) as missing:
        read_text(tmp_path / "missing.json", 10, "a test file")
    assert str(missing.value) == f"cannot read: {missing.value.reason}"
    assert missing.value.reason == "No such file or directory"
    with pytest.raises(reading.FileUnreadable, match=r"^cannot read: a directory, not a regular"):
        read_text(tmp_path, 10, "a test file")
    with pytest.raises(FileReadError) as latin:
        big.write_bytes(b"\xff")
        read_text(big, 10, "a test file")
    assert type(latin.value) is FileReadError and str(latin.value).startswith("not UTF-8 text")
