"""Our Liquid against Ruby Liquid 5.4 itself, byte for byte, on the whole corpus.

Braze renders with Shopify's Ruby Liquid (lax mode, ActiveSupport loaded, UTC): every case of
`corpus.py` is rendered by `oracle.rb` and by the emulator, and the two must agree — the same
bytes where Ruby renders, an error where Ruby's `render!` raises. A deliberate difference must be
listed in known_differences.py with its reason; the list is empty, and a listed case that stops
differing fails too, so the list never goes stale.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from seen_braze_harness.mocks.braze.liquid import BrazeTemplate, LiquidError
from seen_braze_harness.mocks.braze.liquid.engine.errors import LiquidSyntaxError
from seen_braze_harness.mocks.braze.liquid.engine.tags import STANDARD_TAGS
from seen_braze_harness.mocks.braze.liquid.engine.template import Template
from seen_braze_harness.mocks.braze.liquid.filters.standard import STANDARD_FILTERS
from tests.liquid import corpus
from tests.liquid.conftest import COMPARED
from tests.liquid.known_differences import KNOWN_DIFFERENCES


def ours(case: corpus.Case) -> dict[str, Any]:
    """The emulator's result in the oracle's shape: {"output": bytes} or {"error": text}."""
    try:
        text = BrazeTemplate(case.template, case.mode).render_liquid(case.context, now=case.now)
    except LiquidError as err:
        return {"error": str(err)}
    return {"output": text.encode("utf-8", "surrogateescape")}


def differences(cases: list[corpus.Case], expected: dict[str, dict[str, Any]]) -> list[str]:
    found = []
    for case in cases:
        want, got = expected[case.id], ours(case)
        if ("output" in want) != ("output" in got) or want.get("output") != got.get("output"):
            ruby_said = want["output"] if "output" in want else f"error: {want['error']!r}"
            found.append(f"{case.id}: {case.template!r}\n    ruby: {ruby_said!r}\n    ours: {got}")
    return found


@pytest.fixture(scope="module")
def oracle(ruby_liquid: Any) -> dict[str, dict[str, Any]]:
    results: dict[str, dict[str, Any]] = ruby_liquid(corpus.cases())
    return results


def in_mode(mode: str) -> list[corpus.Case]:
    return [dataclasses.replace(case, mode=mode) for case in corpus.cases()]


def test_strict_mode_refuses_what_ruby_strict_refuses_and_renders_the_rest_alike(
    ruby_liquid: Any,
) -> None:
    cases = in_mode("strict")
    expected: dict[str, dict[str, Any]] = ruby_liquid(cases)
    found = differences(cases, expected)
    COMPARED["strict mode"] = len(cases)
    assert sum("error" in result for result in expected.values()) > 500
    assert not found, f"{len(found)} of {len(cases)} cases differ:\n" + "\n".join(found[:25])


def test_warn_mode_renders_as_ruby_and_warns_where_ruby_warns(ruby_liquid: Any) -> None:
    cases = in_mode("warn")
    expected: dict[str, dict[str, Any]] = ruby_liquid(cases)
    found = differences(cases, expected)
    warned = 0
    for case in cases:
        if "warnings" not in expected[case.id]:
            continue  # Ruby could not parse it at all
        want = sorted(expected[case.id]["warnings"])
        got = sorted(w.line for w in Template(case.template, mode="warn").warnings)
        warned += bool(want)
        if want != got:
            found.append(f"{case.id}: {case.template!r}: ruby warns at {want}, ours at {got}")
        try:  # lax mode (Braze's) warns at the same places, where it parses at all
            lax = sorted(w.line for w in Template(case.template).warnings)
        except LiquidSyntaxError:
            continue
        if lax != want:
            found.append(f"{case.id}: {case.template!r}: ruby warns at {want}, lax at {lax}")
    COMPARED["warn mode"] = len(cases)
    assert warned > 40
    assert not found, f"{len(found)} cases differ:\n" + "\n".join(found[:25])


def test_the_corpus_is_large_and_covers_every_standard_filter_and_tag() -> None:
    cases = corpus.cases()
    assert len(cases) > 5_000
    templates = "\n".join(case.template for case in cases)
    unused_filters = {f for f in STANDARD_FILTERS if not re.search(rf"\| {f}\b", templates)}
    assert unused_filters == set()
    unused_tags = {
        t for t in STANDARD_TAGS if not re.search(rf"{{%-?\s*{re.escape(t)}(?!\w)", templates)
    }
    assert unused_tags == set()


def test_every_case_renders_as_ruby_liquid_renders_it(oracle: dict[str, dict[str, Any]]) -> None:
    cases = corpus.cases()
    found = [d for d in differences(cases, oracle) if d.split(":")[0] not in KNOWN_DIFFERENCES]
    COMPARED["plain Liquid corpus"] = len(cases)
    assert not found, f"{len(found)} of {len(cases)} cases differ:\n" + "\n".join(found[:25])


def test_known_differences_still_differ(oracle: dict[str, dict[str, Any]]) -> None:
    cases = [case for case in corpus.cases() if case.id in KNOWN_DIFFERENCES]
    assert len(cases) == len(KNOWN_DIFFERENCES), "a known difference names no case"
    assert len(differences(cases, oracle)) == len(cases)


def test_ruby_errors_are_errors_here_too(oracle: dict[str, dict[str, Any]]) -> None:
    """The corpus exercises refusals as well as renders (a check that cannot pass vacuously)."""
    refused = [case for case in corpus.cases() if "error" in oracle[case.id]]
    assert len(refused) > 200
    assert all("error" in ours(case) for case in refused)
