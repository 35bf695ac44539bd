"""The Ruby Liquid oracle for the differential tests: skipped, or failed in CI, without Ruby."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.liquid import ruby

COMPARED: dict[str, int] = {}
"""How many cases each differential suite compared with Ruby Liquid, for the summary."""


@pytest.fixture(scope="session")
def ruby_liquid() -> Iterator[Any]:
    """`ruby.render_all`, once Ruby Liquid is known to run here."""
    why = ruby.unavailable()
    if why is not None:
        if os.environ.get(ruby.REQUIRE_VARIABLE):
            pytest.fail(f"{ruby.REQUIRE_VARIABLE} is set: {why}")
        pytest.skip(why)
    yield ruby.render_all


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for suite, count in COMPARED.items():
        terminalreporter.write_line(f"differential Liquid: {suite}: {count:,} cases compared")
