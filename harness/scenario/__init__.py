"""Scenario files (TOML): the integration under test, as the integrator configured it.

- `scenario.py`: `load_scenario` and the `Scenario` it returns, checked in full (its second
  stage: what the mocks' own parsers refuse);
- `problems.py`: `Problem` and `ScenarioError`, and the first stage: the scenario schema's
  errors in plain words, placed in TOML terms.
"""

from seen_braze_harness.harness.scenario.problems import Problem, ScenarioError, check_data
from seen_braze_harness.harness.scenario.scenario import (
    DEFAULT_SCENARIO,
    DOCUMENTED_BODY,
    DOCUMENTED_RATE,
    Scenario,
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
