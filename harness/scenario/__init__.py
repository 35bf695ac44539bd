"""Scenario files (TOML): the integration under test, as the integrator configured it."""

from seen_braze_harness.harness.scenario.scenario import (
    DEFAULT_SCENARIO,
    DOCUMENTED_BODY,
    DOCUMENTED_RATE,
    Problem,
    Scenario,
    ScenarioError,
    check_data,
    load_scenario,
)

__all__ = [
    "DEFAULT_SCENARIO",
    "DOCUMENTED_BODY",
    "DOCUMENTED_RATE",
    "Problem",
    "Scenario",
    "ScenarioError",
    "check_data",
    "load_scenario",
]
