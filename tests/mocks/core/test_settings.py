"""How a setting is declared and checked: its type, its bounds, its rules (mocks.core.settings)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import pytest

from seen_braze_harness.mocks.core.settings import CoreSettings, SettingsError, setting


def _no_spaces(name: str, value: str | None) -> str | None:
    return f"{name}: no spaces, please" if value is not None and " " in value else None


# `setting()` returns a dataclasses.Field, as `field()` does: no default value is shared.


@dataclass
class Knobs(CoreSettings):
    retries: int = setting(5, minimum=0, maximum=100)
    mode: Literal["fast", "slow"] = "fast"
    ratio: float = setting(0.5, above=0)
    hosts: list[str] = setting(factory=list, wrong_type="{name}: must be a list of host names")
    ports: list[int] = setting(factory=list, minimum=1, maximum=65535)
    label: str | None = setting(None, rules=(_no_spaces,))
    low: int = setting(1, minimum=1, not_above="high")
    high: int = setting(10, minimum=1)
    anything: Any = setting(None, check_type=False)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"retries": 101}, "retries: must be a whole number from 0 to 100, not 101"),
        ({"retries": True}, "retries: must be a whole number from 0 to 100, not True"),
        ({"retries": 2.0}, "retries: must be a whole number from 0 to 100, not 2.0"),
        ({"mode": "medium"}, "mode: must be one of fast, slow"),
        ({"ratio": 0}, "ratio: must be a number above 0, not 0"),
        ({"ratio": math.nan}, "ratio: must be a number above 0, not nan"),
        ({"ratio": "1"}, "ratio: must be a number above 0, not '1'"),
        ({"hosts": ["a", 1]}, "hosts: must be a list of host names"),
        ({"ports": [80, 0]}, "ports: must be list[int], not [80, 0]"),
        ({"label": 3}, "label: must be a string"),
        ({"label": "a b"}, "label: no spaces, please"),
        ({"low": 11}, "low: 11 is above high (10)"),
        ({"low": 11, "high": 0}, "high: must be a whole number of at least 1, not 0"),
        ({"high": 0, "retries": -1}, "retries: must be a whole number from 0 to 100, not -1"),
    ],
)
def test_a_declared_setting_is_checked_by_its_type_bounds_and_rules(
    values: dict[str, Any], message: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        Knobs.from_dict(values)
    assert str(raised.value) == message


def test_what_the_declarations_allow_is_taken_as_given() -> None:
    knobs = Knobs(retries=0, ratio=2, ports=[1, 65535], label=None, low=10, anything=object())
    assert (knobs.retries, knobs.ratio, knobs.ports, knobs.label) == (0, 2, [1, 65535], None)
    assert knobs.replace(mode="slow").mode == "slow"


def test_a_setting_the_validator_cannot_check_is_refused_when_first_used() -> None:
    @dataclass
    class Odd(CoreSettings):
        tags: frozenset[str] = frozenset()

    with pytest.raises(TypeError, match="has no check; declare it check_type=False"):
        Odd()

    @dataclass
    class Unbounded(CoreSettings):
        size: int = setting(1, minimum=1, check_type=False)

    with pytest.raises(TypeError, match="size: bounds are checked with the type"):
        Unbounded()
