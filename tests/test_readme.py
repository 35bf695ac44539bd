"""Every example in README.md runs, and gives what the README says it gives."""

from __future__ import annotations

import inspect
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from seen_braze_harness.mocks.seen.links import video_links
from tests.servekit import ServeProcess, seen_braze_command

README = Path(__file__).resolve().parent.parent / "README.md"
CI_SCRIPT = README.parent / ".ci" / "run"
SCRIPTS = os.path.dirname(sys.executable)
"""Where `seen-braze` is installed: the README's commands call it by name."""
README_PORT = "127.0.0.1:8801"
README_BRAZE_PORT = "127.0.0.1:8802"


def blocks(language: str) -> list[str]:
    """The README's fenced blocks of `language` ("" for plain fences), in order."""
    found: list[str] = []
    current: list[str] | None = None
    fence = ""
    for line in README.read_text("utf-8").splitlines(keepends=True):
        if current is None:
            if line.startswith("```"):
                fence = line[3:].strip()
                current = []
        elif line.rstrip("\n") == "```":
            if fence == language:
                found.append("".join(current))
            current = None
        else:
            current.append(line)
    return found


def console_examples() -> list[tuple[str, str]]:
    """(command, expected output) pairs from the README's ```console blocks, in order."""
    examples: list[tuple[str, str]] = []
    for block in blocks("console"):
        command: list[str] = []
        output: list[str] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                if command:
                    examples.append(("\n".join(command), "\n".join(output)))
                command, output = [line[2:]], []
            elif command and not output and not complete("\n".join(command)):
                command.append(line)
            else:
                output.append(line)
        if command:
            examples.append(("\n".join(command), "\n".join(output)))
    return examples


def served_text(text: str, served: ServeProcess) -> str:
    """README text with the ports `seen-braze serve` really got."""
    return text.replace(README_PORT, served.address).replace(
        README_BRAZE_PORT, served.braze_address
    )


def complete(command: str) -> bool:
    """Whether a shell command is whole: no trailing backslash, no quote left open."""
    if command.endswith("\\"):
        return False
    try:
        shlex.split(command)
    except ValueError:
        return False
    return True


def matches(expected: str, actual: str) -> bool:
    """Exact, except that `...` in the expected text stands for any text."""
    pattern = ".*".join(re.escape(part) for part in expected.split("..."))
    return re.fullmatch(pattern, actual, flags=re.S) is not None


def test_readme_starts_with_the_two_commands() -> None:
    first_two = blocks("sh")[:2]
    assert first_two[0].strip() == (
        "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/seen-braze run"
    )
    assert first_two[1].strip() == (
        "python3 -m venv .venv && .venv/bin/pip install '.[test]' && .venv/bin/pytest"
    )
    text = README.read_text("utf-8")
    assert text.index("```sh") < text.index("##"), "the commands come before any section"


def test_ci_runs_the_readmes_test_command() -> None:
    test_command = blocks("sh")[1].strip()
    assert test_command in CI_SCRIPT.read_text("utf-8").splitlines()


@pytest.mark.server
def test_console_examples_against_seen_braze_serve(tmp_path: Path) -> None:
    assert shutil.which("curl"), "the README's examples use curl; install it"
    examples = console_examples()
    assert len(examples) >= 10
    with ServeProcess() as served:
        banner = next(b for b in blocks("") if b.startswith("scenario"))
        assert served.banner == served_text(banner, served).rstrip("\n")
        for command, expected in examples:
            run = subprocess.run(
                ["bash", "-c", served_text(command, served)],
                capture_output=True,
                text=True,
                timeout=30,
                cwd=tmp_path,
                env={**os.environ, "PATH": f"{SCRIPTS}{os.pathsep}{os.environ['PATH']}"},
            )
            assert run.returncode == 0, (command, run.stderr)
            actual = run.stdout.rstrip("\n")
            wanted = served_text(expected, served)
            assert matches(wanted, actual), f"\n$ {command}\nexpected: {wanted}\nactual:   {actual}"


def test_python_examples_run() -> None:
    """Every Python block runs; the tests it defines that need no fixture run here too (those
    that take the plugin's fixtures run in tests/harness/test_pytest_plugin.py)."""
    examples = blocks("python")
    assert examples
    ran = 0
    for source in examples:
        namespace: dict[str, object] = {"__name__": "readme_example"}
        exec(compile(source, str(README), "exec"), namespace)
        for name, value in namespace.items():
            runnable = name.startswith("test_") and callable(value)
            if runnable and not inspect.signature(value).parameters:
                value()
                ran += 1
    assert ran >= 4


def test_json_callback_example_shows_the_generated_links() -> None:
    (example,) = blocks("json")
    links = video_links("seen-braze-harness", "onboarding", 1)
    assert links.landing_page_url in example
    assert links.video_url in example
    folder = links.video_url.rsplit("/", 3)[1][:8]
    assert f"https://motions.seen.io/{folder}-…/thumbnail.jpg" in example


@pytest.mark.parametrize("command", ["run", "serve", "transform", "render", "bench", "postman"])
def test_usage_lines_list_real_flags(command: str) -> None:
    usage = next(b for b in blocks("") if b.startswith(f"seen-braze {command}"))
    flags = set(re.findall(r"--[a-z-]+", usage))
    help_text = subprocess.run(
        seen_braze_command(command, "--help"), capture_output=True, text=True, check=True
    ).stdout
    assert flags and all(flag in help_text for flag in flags)


def test_scenario_examples_load_and_pass(tmp_path: Path) -> None:
    from seen_braze_harness.harness.run import RunOptions, run_scenario
    from seen_braze_harness.harness.scenario import load_scenario

    examples = blocks("toml")
    assert examples
    for index, text in enumerate(examples):
        path = tmp_path / f"example-{index}.toml"
        path.write_text(text, "utf-8")
        result = run_scenario(load_scenario(path), RunOptions(users=3))
        assert result.passed(strict=True), [f.to_dict() for f in result.findings]
