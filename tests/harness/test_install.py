"""A non-editable install carries everything it needs: code, schemas, the default scenario."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project installed (not editable) into a folder of its own, from a copy of the source,
    so concurrent runs never share setuptools' build folder."""
    source = tmp_path_factory.mktemp("source") / "project"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "build", "*.egg-info", "node_modules", ".prism", "__pycache__"
        ),
    )
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return target


def run_installed(target: Path, code: str, cwd: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_console_script_is_declared(installed: Path) -> None:
    (dist_info,) = installed.glob("seen_braze_harness-*.dist-info")
    entry_points = configparser.ConfigParser()
    entry_points.read(dist_info / "entry_points.txt")
    assert entry_points["console_scripts"]["seen-braze"] == "seen_braze_harness.harness.cli:main"
    assert entry_points["pytest11"]["seen_braze"] == "seen_braze_harness.harness.pytest_plugin"


def test_schemas_and_default_scenario_ship_as_package_data(installed: Path, tmp_path: Path) -> None:
    code = f"""
from seen_braze_harness import mocks, schemas
from seen_braze_harness.harness.scenario import load_scenario
assert mocks.__file__.startswith({str(installed)!r}), mocks.__file__
assert "seen/receivers-request" in schemas.names(), schemas.names()
scenario = load_scenario()
print(scenario.name, scenario.seen_settings().campaigns[0]["slug"])
print(schemas.check("seen/receivers-request", [{{"email": "x"}}])[0].pointer)
from seen_braze_harness import fixtures
import seen_braze_harness.mocks.braze.transformations.jsruntime.worker as worker
assert "braze_id" in fixtures.read_text(fixtures.SEEN_TRANSFORMATION)
assert worker.PRELUDE_PATH.read_text("utf-8")
"""
    out = run_installed(installed, code, tmp_path).splitlines()
    assert out == ["SEEN onboarding video, as Braze documents it onboarding", "/0"]


def test_serve_runs_from_any_directory(installed: Path, tmp_path: Path) -> None:
    code = (
        "from seen_braze_harness.harness.cli import main; "
        "raise SystemExit(main(['serve', '--help']))"
    )
    assert "--seen-port" in run_installed(installed, code, tmp_path)


FOLDERS = ("mocks", "harness", "schemas", "fixtures")


def test_every_file_of_the_four_folders_ships(installed: Path) -> None:
    """Each folder installs as seen_braze_harness.<folder>, with every module and data file:
    a subpackage missing from pyproject's `packages` list would be left out silently."""
    missing = [
        f"{folder}/{path.relative_to(ROOT / folder)}"
        for folder in FOLDERS
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and not (
            installed / "seen_braze_harness" / folder / path.relative_to(ROOT / folder)
        ).is_file()
    ]
    assert missing == []


def test_no_generic_top_level_name_is_installed(installed: Path) -> None:
    """Nothing but the namespace, the dist-info and the console script lands at the top, so an
    integrator's own `fixtures` or `mocks` package is never shadowed."""
    tops = {p.name for p in installed.iterdir()} - {"bin"}
    assert {t for t in tops if not t.startswith("seen_braze_harness")} == set()
