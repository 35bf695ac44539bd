"""Fault rules: validation that names the bad key, glob matching, `times`, seeded draws."""

from __future__ import annotations

import math
from typing import Any

import pytest

from seen_braze_harness.mocks.core.faults import FaultRule, FaultRuleError, FaultSet


@pytest.mark.parametrize(
    ("data", "names"),
    [
        ({"hop": "seen.receivers", "status": 503, "colour": "red"}, "colour"),
        ({"hop": "x", "status": 500, "id": 3}, "id"),
        ({"hop": "x", "status": 500, "fired": 0}, "fired"),
        ({"hop": "x", "zzz": 1, "aaa": 2}, "aaa, zzz"),
        ({"status": 500}, "hop"),
        ({"hop": "", "status": 500}, "hop"),
        ({"hop": "   ", "status": 500}, "hop"),
        # white space as ECMAScript's `\s` has it, which the document's pattern uses
        ({"hop": "\u3000\ufeff\u00a0\t", "status": 500}, "hop"),
        ({"hop": "x", "status": 500, "drop": True, "times": None}, "status and drop"),
        ({"hop": "x", "status": None}, "status, delay, drop"),
        ({"hop": 5, "status": 500}, "hop"),
        ({"hop": None, "status": 500}, "hop"),
        ({"hop": "x", "status": 99}, "status"),
        ({"hop": "x", "status": 600}, "status"),
        ({"hop": "x", "status": "500"}, "status"),
        ({"hop": "x", "status": 500.5}, "status"),
        ({"hop": "x", "status": True}, "status"),
        ({"hop": "x", "delay": -1}, "delay"),
        ({"hop": "x", "delay": -0.001}, "delay"),
        ({"hop": "x", "delay": math.inf}, "delay"),
        ({"hop": "x", "delay": math.nan}, "delay"),
        ({"hop": "x", "delay": 3601}, "delay"),
        ({"hop": "x", "delay": "1"}, "delay"),
        ({"hop": "x", "delay": True}, "delay"),
        ({"hop": "x", "drop": "yes"}, "drop"),
        ({"hop": "x", "drop": 1}, "drop"),
        ({"hop": "x", "status": 500, "probability": 1.5}, "probability"),
        ({"hop": "x", "status": 500, "probability": -0.1}, "probability"),
        ({"hop": "x", "status": 500, "probability": math.nan}, "probability"),
        ({"hop": "x", "status": 500, "probability": "0.5"}, "probability"),
        ({"hop": "x", "status": 500, "probability": True}, "probability"),
        ({"hop": "x", "status": 500, "times": 0}, "times"),
        ({"hop": "x", "status": 500, "times": -1}, "times"),
        ({"hop": "x", "status": 500, "times": 1.5}, "times"),
        ({"hop": "x", "status": 500, "times": True}, "times"),
        ({"hop": "x", "status": 500, "headers": {"Retry-After": 5}}, "headers"),
        ({"hop": "x", "status": 500, "headers": ["Retry-After"]}, "headers"),
        ({"hop": "x", "status": 500, "drop": True}, "status and drop"),
        ({"hop": "x"}, "status, delay, drop"),
        ({"hop": "x", "drop": False, "delay": 0}, "status, delay, drop"),
        ({"hop": "x", "body": {"a": 1}, "headers": {"A": "b"}}, "status, delay, drop"),
    ],
)
def test_from_dict_refuses_a_bad_rule_naming_the_key(data: dict[str, Any], names: str) -> None:
    with pytest.raises(FaultRuleError) as raised:
        FaultRule.from_dict(data)
    assert names in str(raised.value)


@pytest.mark.parametrize("data", [None, [], "seen.*", 5, [{"hop": "x", "status": 500}]])
def test_from_dict_wants_an_object(data: Any) -> None:
    with pytest.raises(FaultRuleError, match="JSON object"):
        FaultRule.from_dict(data)


def test_fault_rule_error_is_a_value_error() -> None:
    assert issubclass(FaultRuleError, ValueError)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"hop": "x", "status": 100}, {"status": 100}),
        ({"hop": "x", "status": 599}, {"status": 599}),
        ({"hop": "x", "delay": 3600}, {"delay": 3600}),
        ({"hop": "x", "delay": 0.5}, {"delay": 0.5}),
        ({"hop": "x", "drop": True}, {"drop": True}),
        ({"hop": "x", "drop": True, "delay": 2}, {"drop": True, "delay": 2}),
        ({"hop": "x", "status": 500, "delay": 2}, {"status": 500, "delay": 2}),
        ({"hop": "x", "status": 500, "probability": 0}, {"probability": 0}),
        ({"hop": "x", "status": 500, "probability": 1}, {"probability": 1}),
        ({"hop": "x", "status": 500, "times": 1}, {"times": 1}),
        # JSON (and JSON Schema's `integer`) does not tell 503 from 503.0
        ({"hop": "x", "status": 503.0, "times": 2.0}, {"status": 503, "times": 2}),
        ({"hop": "x", "status": None, "drop": True, "times": None}, {"drop": True, "times": None}),
        # U+001C is white space to Python's str.strip, not to ECMAScript (nor to the document)
        ({"hop": "\x1c", "status": 500}, {"hop": "\x1c"}),
        (
            {"hop": "x", "status": 429, "body": {"detail": "slow"}, "headers": {"A": "b"}},
            {"body": {"detail": "slow"}, "headers": {"A": "b"}},
        ),
    ],
)
def test_from_dict_accepts_a_good_rule(data: dict[str, Any], expected: dict[str, Any]) -> None:
    rule = FaultRule.from_dict(data)
    shown = rule.to_dict()
    assert {k: shown[k] for k in expected} == expected
    defaults = {
        "status": None,
        "body": None,
        "headers": {},
        "delay": 0.0,
        "drop": False,
        "processed": False,
        "probability": 1.0,
        "times": None,
        "id": 0,
        "fired": 0,
    }
    assert {k: v for k, v in shown.items() if k not in data and k != "hop"} == {
        k: v for k, v in defaults.items() if k not in data
    }


@pytest.mark.parametrize(
    ("pattern", "hop", "matches"),
    [
        ("seen.receivers", "seen.receivers", True),
        ("seen.receivers", "seen.callback", False),
        ("seen.*", "seen.receivers", True),
        ("seen.*", "seen.callback", True),
        ("seen.*", "braze.users_track", False),
        ("seen.*", "seen", False),
        ("*", "anything.at_all", True),
        ("*.callback", "seen.callback", True),
        ("seen.?allback", "seen.callback", True),
        ("seen.[rc]*", "seen.receivers", True),
        ("seen.[rc]*", "seen.unmatched", False),
        ("SEEN.*", "seen.receivers", False),
        ("seen.[x]", "seen.[x]", True),
    ],
)
def test_rules_match_hops_by_name_or_glob(pattern: str, hop: str, matches: bool) -> None:
    assert FaultRule(hop=pattern, status=500).matches(hop) is matches


# -- drawing ----------------------------------------------------------------------------------


def test_draw_picks_the_first_matching_rule_and_counts_it() -> None:
    faults = FaultSet(
        [
            {"hop": "braze.*", "status": 500},
            {"hop": "seen.callback", "status": 502},
            {"hop": "seen.*", "status": 503},
        ]
    )
    first = faults.draw("seen.callback")
    assert first is not None and first.status == 502 and first.fired == 1
    other = faults.draw("seen.receivers")
    assert other is not None and other.status == 503
    assert faults.draw("elsewhere") is None
    assert [r.fired for r in faults.rules()] == [0, 1, 1]


def test_times_exhausts_a_rule_and_the_next_one_takes_over() -> None:
    faults = FaultSet([{"hop": "h", "status": 500, "times": 2}, {"hop": "h", "status": 503}])
    statuses = [rule.status for rule in (faults.draw("h") for _ in range(4)) if rule]
    assert statuses == [500, 500, 503, 503]
    first, second = faults.rules()
    assert (first.fired, first.exhausted) == (2, True)
    assert (second.fired, second.exhausted) == (2, False)


def test_an_exhausted_rule_stays_listed() -> None:
    faults = FaultSet([{"hop": "h", "drop": True, "times": 1}])
    assert faults.draw("h") is not None
    assert faults.draw("h") is None
    (rule,) = faults.rules()
    assert rule.to_dict()["fired"] == 1


def test_add_gives_ids_and_copies_the_rule() -> None:
    faults = FaultSet()
    template = FaultRule(hop="h", status=500, times=1)
    one, two = faults.add(template), faults.add(template)
    assert (one.id, two.id) == (1, 2)
    assert one is not template and two is not one
    assert faults.draw("h") is one
    assert (one.fired, two.fired, template.fired) == (1, 0, 0)
    assert template.id == 0


def test_add_refuses_a_bad_mapping() -> None:
    faults = FaultSet()
    with pytest.raises(FaultRuleError, match="status"):
        faults.add({"hop": "h", "status": 1000})
    assert faults.rules() == []


def test_remove_takes_out_one_rule_by_id() -> None:
    faults = FaultSet([{"hop": "a", "status": 500}, {"hop": "b", "status": 500}])
    assert faults.remove(1) is True
    assert faults.remove(1) is False
    assert faults.remove(99) is False
    assert [r.hop for r in faults.rules()] == ["b"]
    assert faults.add({"hop": "c", "status": 500}).id == 3, "ids are not reused"


def test_rules_returns_a_copy_of_the_list() -> None:
    faults = FaultSet([{"hop": "a", "status": 500}])
    faults.rules().clear()
    assert len(faults.rules()) == 1


# -- probability ------------------------------------------------------------------------------


def draws(seed: int, count: int = 64, probability: float = 0.5) -> list[bool]:
    faults = FaultSet([{"hop": "h", "status": 500, "probability": probability}], seed=seed)
    return [faults.draw("h") is not None for _ in range(count)]


@pytest.mark.parametrize("seed", [0, 1, 42, 2**40])
def test_the_same_seed_gives_the_same_draws(seed: int) -> None:
    assert draws(seed) == draws(seed)


def test_different_seeds_give_different_draws() -> None:
    sequences = {tuple(draws(seed)) for seed in range(5)}
    assert len(sequences) == 5


@pytest.mark.parametrize(("probability", "low", "high"), [(0.5, 420, 580), (0.1, 60, 140)])
def test_probability_is_roughly_the_rate_of_firing(probability: float, low: int, high: int) -> None:
    fired = sum(draws(7, count=1000, probability=probability))
    assert low <= fired <= high


@pytest.mark.parametrize(("probability", "fired"), [(0.0, 0), (1.0, 100)])
def test_probability_zero_never_fires_and_one_always_does(probability: float, fired: int) -> None:
    assert sum(draws(3, count=100, probability=probability)) == fired


def test_times_counts_only_firings_of_a_probabilistic_rule() -> None:
    faults = FaultSet([{"hop": "h", "status": 500, "probability": 0.5, "times": 3}], seed=11)
    outcomes = [faults.draw("h") is not None for _ in range(200)]
    assert sum(outcomes) == 3
    assert faults.rules()[0].fired == 3


def test_clear_removes_every_rule_and_restarts_the_generator() -> None:
    faults = FaultSet(seed=5)
    rule = {"hop": "h", "status": 500, "probability": 0.5}
    faults.add(rule)
    first = [faults.draw("h") is not None for _ in range(32)]
    faults.clear()
    assert faults.rules() == []
    assert faults.draw("h") is None
    faults.add(rule)
    again = [faults.draw("h") is not None for _ in range(32)]
    assert again == first
    assert faults.rules()[0].id == 2, "ids keep counting after clear"


def test_non_matching_hops_do_not_use_up_draws() -> None:
    rule = {"hop": "h", "status": 500, "probability": 0.5}
    quiet = FaultSet([rule], seed=9)
    noisy = FaultSet([rule], seed=9)
    quiet_draws = [quiet.draw("h") is not None for _ in range(32)]
    noisy_draws = []
    for _ in range(32):
        noisy.draw("other")
        noisy_draws.append(noisy.draw("h") is not None)
    assert noisy_draws == quiet_draws


def test_whole_floats_are_stored_as_integers() -> None:
    shown = FaultRule.from_dict({"hop": "x", "status": 503.0, "times": 2.0}).to_dict()
    assert (type(shown["status"]), type(shown["times"])) == (int, int)
