"""Random templates against Ruby Liquid 5.4: the fuzzer's cases must render alike too.

`fuzz.cases` makes Liquid-shaped templates, some slightly broken, from a fixed seed; each is
rendered by `oracle.rb` and by the emulator, and compared as `test_differential.py` compares
the corpus: the same bytes where Ruby renders, a `LiquidError` where Ruby's `render!` raises.
Any other exception from the emulator (a crash) counts as a difference too. (Speed is the
business of benchmarks/liquid_render.py, not of a timed test.)

One family is left out on purpose: output braces nested inside a tag or an output
(`{% if {{x}} %}`, `{{ a | plus: {{b}} }}`), which the emulator reads as Braze does (as the
value they hold) and plain Ruby Liquid does not.
"""

from __future__ import annotations

import re
from typing import Any

from seen_braze_harness.mocks.braze.liquid import AbortMessage, BrazeTemplate, LiquidError
from seen_braze_harness.mocks.braze.liquid.engine.grammar import TEMPLATE_PARSER
from tests.liquid import fuzz
from tests.liquid.conftest import COMPARED
from tests.liquid.corpus import Case

SEED = 5_400
COUNT = 3_000


def braze_nesting(template: str) -> bool:
    """Whether a tag or an output, as Ruby Liquid tokenizes the template, holds `{{`."""
    return any(
        token.startswith(("{{", "{%")) and "{{" in token[2:]
        for token in TEMPLATE_PARSER.split(template)
    )


def ours(case: Case) -> dict[str, Any]:
    """{"output": bytes}, {"error": text} or {"crash": text}."""
    result: dict[str, Any]
    try:
        text = BrazeTemplate(case.template, case.mode).render_liquid(case.context, now=case.now)
        result = {"output": text.encode("utf-8", "surrogateescape")}
    except (LiquidError, AbortMessage) as err:
        result = {"error": str(err)}
    except Exception as exc:  # a crash: reported, not raised, so every case is compared
        result = {"crash": f"{type(exc).__module__}.{type(exc).__qualname__}: {exc}"}
    return result


def difference(case: Case, want: dict[str, Any]) -> str | None:
    """How our render of `case` differs from Ruby's `want`, or None."""
    got = ours(case)
    ruby_said = want["output"] if "output" in want else f"error: {want['error']!r}"
    if "crash" in got:
        problem = f"crash: {got['crash']}"
    elif ("output" in want) != ("output" in got) or want.get("output") != got.get("output"):
        problem = f"ours: {got.get('output', got.get('error'))!r}"
    else:
        return None
    context = {key: case.context[key] for key in sorted(case.context)}
    return (
        f"{case.id}: {case.template!r}\n    context: {context}\n"
        f"    ruby: {ruby_said!r}\n    {problem}"
    )


def test_random_templates_render_as_ruby_liquid_renders_them(ruby_liquid: Any) -> None:
    cases = [case for case in fuzz.cases(SEED, COUNT) if not braze_nesting(case.template)]
    assert len(cases) > COUNT * 0.85, "the Braze-only nesting leaves too few cases"
    expected: dict[str, dict[str, Any]] = ruby_liquid(cases)
    found = [d for case in cases if (d := difference(case, expected[case.id])) is not None]
    COMPARED["fuzz"] = len(cases)
    assert sum("error" in result for result in expected.values()) > len(cases) // 50
    assert not found, f"{len(found)} of {len(cases)} cases differ:\n" + "\n".join(found[:25])


def test_the_fuzzer_is_deterministic_and_uses_every_standard_filter_and_tag() -> None:
    first, again = fuzz.cases(SEED, 300), fuzz.cases(SEED, 300)
    assert [(c.template, c.context) for c in first] == [(c.template, c.context) for c in again]
    templates = "\n".join(case.template for case in fuzz.cases(SEED, COUNT))
    assert all(f"| {name}" in templates for name in fuzz.FILTER_ARITY)
    tags = "if elsif else unless case when for break continue assign capture cycle increment"
    tags += " decrement tablerow ifchanged raw comment # liquid echo include render"
    unused = {
        name for name in tags.split() if not re.search(rf"(?:\{{%-?|\n)\s*{name}(?!\w)", templates)
    }
    assert unused == set()
