"""`ruby_sort` against Ruby's own `Array#sort` with a block: same order, same comparator calls.

One `ruby` process sorts a batch of arrays of `[key, id]` pairs, compared by key only (or by
a comparator that ignores keys), and prints the ids in the order Ruby leaves them, the pairs of
ids the block was called with, and the pair at which Liquid's comparator raised, if it did.
The comparators include Liquid 5.4's own `nil_safe_compare` (the `sort` filter's, which raises
for incompatible types) and `nil_safe_casecmp` (`sort_natural`'s, which says nil > nil), called
on the Ruby side from `Liquid::StandardFilters` itself.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from seen_braze_harness.mocks.braze.liquid.ruby.sort import ruby_sort
from tests.liquid.conftest import COMPARED

Key = int | str | None
Item = tuple[Key, int]

RUBY_SORTER = r"""
require "json"
require "liquid"

LIQUID = Object.new.extend(Liquid::StandardFilters)

def table(seed, a, b)
  ((a * 73856093) ^ (b * 19349663) ^ (seed * 83492791)) % 3 - 1
end

COMPARATORS = {
  "key" => ->(a, b, _) { a[0] <=> b[0] },
  "reverse" => ->(a, b, _) { b[0] <=> a[0] },
  "one" => ->(_, _, _) { 1 },
  "minus_one" => ->(_, _, _) { -1 },
  "zero" => ->(_, _, _) { 0 },
  "nil_safe_casecmp" => ->(a, b, _) { LIQUID.send(:nil_safe_casecmp, a[0], b[0]) },
  "nil_safe_compare" => ->(a, b, _) { LIQUID.send(:nil_safe_compare, a[0], b[0]) },
  "table" => ->(a, b, seed) { table(seed, a[1], b[1]) },
}

$stdin.each_line do |line|
  c = JSON.parse(line)
  items = c["keys"].each_with_index.map { |key, id| [key, id] }
  compare = COMPARATORS.fetch(c["cmp"])
  calls = []
  result = { "id" => c["id"] }
  begin
    sorted = items.sort do |a, b|
      calls << [a[1], b[1]]
      compare.call(a, b, c["seed"])
    end
    result["order"] = sorted.map { |item| item[1] }
  rescue Liquid::ArgumentError
    result["error"] = calls.last
  end
  result["calls"] = calls if c["log"]
  puts JSON.generate(result)
end
"""


class Incompatible(Exception):
    """Stands for `Liquid::ArgumentError: cannot sort values of incompatible types`."""


def _spaceship(a: Key, b: Key) -> int | None:
    """Ruby's `a <=> b` for nil, Integer and (ASCII) String: nil when they don't compare."""
    if a is None or b is None:
        return 0 if a is b else None
    if isinstance(a, int) and isinstance(b, int):
        return (a > b) - (a < b)
    if isinstance(a, str) and isinstance(b, str):
        return (a > b) - (a < b)
    return None


def _nil_safe_compare(a: Key, b: Key) -> int:
    """Liquid 5.4's `StandardFilters#nil_safe_compare`."""
    result = _spaceship(a, b)
    if result is not None:
        return result
    if a is None:
        return 1
    if b is None:
        return -1
    raise Incompatible("cannot sort values of incompatible types")


def _nil_safe_casecmp(a: Key, b: Key) -> int:
    """Liquid 5.4's `StandardFilters#nil_safe_casecmp` (`to_s.casecmp`, ASCII keys only)."""
    if a is not None and b is not None:
        x, y = str(a).lower(), str(b).lower()
        return (x > y) - (x < y)
    return 1 if a is None else -1


def _table(seed: int, a: int, b: int) -> int:
    return ((a * 73856093) ^ (b * 19349663) ^ (seed * 83492791)) % 3 - 1


COMPARATORS: dict[str, Callable[[Item, Item, int], int]] = {
    "key": lambda a, b, _: _nil_safe_compare(a[0], b[0]),  # int keys only: plain <=>
    "reverse": lambda a, b, _: _nil_safe_compare(b[0], a[0]),
    "one": lambda a, b, _: 1,
    "minus_one": lambda a, b, _: -1,
    "zero": lambda a, b, _: 0,
    "nil_safe_casecmp": lambda a, b, _: _nil_safe_casecmp(a[0], b[0]),
    "nil_safe_compare": lambda a, b, _: _nil_safe_compare(a[0], b[0]),
    "table": lambda a, b, seed: _table(seed, a[1], b[1]),
}

WORDS: list[Key] = ["a", "A", "b", "B", "ab", "Ab", "aB", "c", "", "10", "9"]


@dataclass(frozen=True)
class Case:
    id: int
    keys: list[Key]
    cmp: str
    seed: int
    log: bool

    def to_json(self) -> str:
        return json.dumps(
            {"id": self.id, "keys": self.keys, "cmp": self.cmp, "seed": self.seed, "log": self.log}
        )


def _keys(rng: random.Random, cmp: str, length: int) -> list[Key]:
    """Keys with many ties; nils and words where the comparator takes them."""
    distinct = rng.choice([1, 2, 3, 5, 10, length + 1])
    ints: list[Key] = [rng.randrange(distinct) for _ in range(length)]
    if cmp == "nil_safe_casecmp":
        pool: list[Key] = [*WORDS[: rng.randint(1, len(WORDS))], None, 7, 12]
        return [rng.choice(pool) for _ in range(length)]
    if cmp == "nil_safe_compare":
        nils = rng.random() < 0.7
        strings = rng.random() < 0.3  # then ints and strings meet, and Liquid raises
        return [
            None
            if nils and rng.random() < 0.25
            else (rng.choice(WORDS) if strings and rng.random() < 0.2 else key)
            for key in ints
        ]
    return ints


def _cases() -> list[Case]:
    rng = random.Random(20240531)
    lengths = [*range(41)] * 8 + [100, 128, 199, 200, 201, 256, 300]
    cases: list[Case] = []
    for index, length in enumerate(lengths):
        for cmp in COMPARATORS:
            if cmp in {"one", "minus_one", "zero"} and index % 4:
                continue  # constant comparators depend only on the length: fewer of them
            case_id = len(cases)
            cases.append(
                Case(case_id, _keys(rng, cmp, length), cmp, rng.randrange(1000), case_id % 2 == 0)
            )
    return cases


def _python_result(case: Case) -> dict[str, Any]:
    items: list[Item] = [(key, index) for index, key in enumerate(case.keys)]
    calls: list[list[int]] = []
    compare = COMPARATORS[case.cmp]

    def logged(a: Item, b: Item) -> int:
        calls.append([a[1], b[1]])
        return compare(a, b, case.seed)

    result: dict[str, Any] = {"id": case.id}
    try:
        result["order"] = [item[1] for item in ruby_sort(items, logged)]
    except Incompatible:
        result["error"] = calls[-1]
    if case.log:
        result["calls"] = calls
    return result


def _ruby_results(cases: list[Case]) -> dict[int, dict[str, Any]]:
    done = subprocess.run(
        ["ruby", "-e", RUBY_SORTER],
        input="".join(case.to_json() + "\n" for case in cases),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LANG": "C.UTF-8"},
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the Ruby sorter failed: {done.stderr}")
    records = [json.loads(line) for line in done.stdout.splitlines()]
    return {record["id"]: record for record in records}


def test_ruby_sort_matches_ruby_array_sort(ruby_liquid: Any) -> None:
    cases = _cases()
    ruby = _ruby_results(cases)
    assert len(ruby) == len(cases)
    differences = [
        (case, ruby[case.id], mine)
        for case in cases
        if (mine := _python_result(case)) != ruby[case.id]
    ]
    COMPARED["Array#sort order and comparator calls"] = len(cases)
    assert not differences, "\n".join(
        f"{case}\n  ruby:   {theirs}\n  python: {mine}" for case, theirs, mine in differences[:5]
    )


def test_the_batch_covers_what_it_claims() -> None:
    cases = _cases()
    assert 1000 <= len(cases) <= 5000
    assert {case.cmp for case in cases} == set(COMPARATORS)
    assert any(case.cmp == "nil_safe_compare" and "error" in _python_result(case) for case in cases)
    assert max(len(case.keys) for case in cases) == 300


# Pinned from Ruby 3.1.2 on Debian (glibc 2.36 qsort_r), so these hold without Ruby too.


def test_ties_keep_their_order() -> None:
    items = [(1, "a"), (0, "b"), (1, "c"), (0, "d"), (1, "e")]
    assert ruby_sort(items, lambda x, y: (x[0] > y[0]) - (x[0] < y[0])) == [
        (0, "b"),
        (0, "d"),
        (1, "a"),
        (1, "c"),
        (1, "e"),
    ]


def test_constant_comparators() -> None:
    # ruby -e 'p (0..9).to_a.sort{1}' => [9, 8, ..., 0]; {-1} and {0} keep the order.
    assert ruby_sort(range(10), lambda a, b: 1) == list(range(9, -1, -1))
    assert ruby_sort(range(10), lambda a, b: -1) == list(range(10))
    assert ruby_sort(range(10), lambda a, b: 0) == list(range(10))
    # sort_natural's nil vs nil is 1 both ways round, like the constant 1.
    nils: list[tuple[None, int]] = [(None, i) for i in range(5)]
    assert [i for _, i in ruby_sort(nils, lambda a, b: _nil_safe_casecmp(a[0], b[0]))] == [
        4,
        3,
        2,
        1,
        0,
    ]


def test_comparator_calls() -> None:
    # c = []; (0..5).to_a.sort { |a, b| c << [a, b]; 0 }; p c
    calls: list[tuple[int, int]] = []

    def compare(a: int, b: int) -> int:
        calls.append((a, b))
        return 0

    ruby_sort(range(6), compare)
    assert calls == [(1, 2), (0, 1), (4, 5), (3, 4), (0, 3), (1, 3), (2, 3)]
    calls.clear()
    assert ruby_sort([], compare) == [] and ruby_sort([7], compare) == [7] and calls == []


def test_a_raising_comparator_propagates_and_leaves_the_input_alone() -> None:
    items: list[Key] = [3, "x", None, 1, 2]
    with pytest.raises(Incompatible):
        ruby_sort(items, _nil_safe_compare)
    assert items == [3, "x", None, 1, 2]
