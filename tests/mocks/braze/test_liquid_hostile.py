"""Hostile templates and values: no input may crash, hang or exhaust the Liquid engine.

Templates reach the engine from untrusted places (the admin API's campaigns, Content Blocks and
Test sends, `seen-braze render`, scenario files), so every bad input must end in a clear
`LiquidError` (or `AbortMessage`), within the render limits, quickly and in bounded memory.

Each hostile case runs in a forked child with a memory ceiling and a deadline, so a case that
hangs or allocates gigabytes fails its own test instead of stalling or killing the suite. The
deadlines are generous (several times what a linear implementation takes); where a limit or an
error can be asserted instead, the test asserts that.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import subprocess
import sys
import time
import traceback
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from seen_braze_harness.mocks.braze.liquid import (
    LOOP_ITERATION_LIMIT,
    OUTPUT_LIMIT,
    AbortMessage,
    BrazeTemplate,
    LiquidError,
)

ROOT = Path(__file__).resolve().parents[3]
NOW = 1_700_000_000.0
MEMORY_CEILING = 2 * 1024**3
"""Address space a hostile case's child may use beyond what it inherits (then MemoryError)."""

HUGE_DIGITS = "9" * 5000
"""An integer literal longer than Python's 4,300-digit int/str conversion limit."""


# --- running a hostile case safely ---------------------------------------------------------------


def _child(conn: Any, function: Callable[[], Any]) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        used = int(statm.read().split()[0]) * resource.getpagesize()
    ceiling = used + MEMORY_CEILING
    if hard == resource.RLIM_INFINITY or ceiling < hard:
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    started = time.perf_counter()
    try:
        result: tuple[str, Any] = ("ok", function())
    except (LiquidError, AbortMessage) as exc:
        result = (type(exc).__name__, str(exc))
    except BaseException as exc:  # the point is to see what escapes
        result = ("escaped", f"{type(exc).__name__}: {exc}"[:500] + "\n" + traceback.format_exc())
    conn.send((result, time.perf_counter() - started))
    conn.close()


def bounded(function: Callable[[], Any], seconds: float = 10.0) -> tuple[str, Any, float]:
    """Run `function` in a forked child: (outcome, value or message, seconds taken).

    The outcome is "ok" (the function's result), "LiquidError"/"AbortMessage" (its message),
    "escaped" (any other exception: a 500 or a traceback in production), or "hang" when the
    child did not answer within `seconds`.
    """
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(child, function))
    started = time.perf_counter()
    process.start()
    child.close()
    if not parent.poll(seconds):
        process.kill()
        process.join()
        return "hang", f"no answer within {seconds:g} s", time.perf_counter() - started
    try:
        (outcome, value), taken = parent.recv()
    except EOFError:
        process.join()
        return "escaped", f"the child died (exit code {process.exitcode})", 0.0
    process.join()
    return outcome, value, taken


def render(source: str, user: dict[str, Any] | None = None, **kwargs: Any) -> str:
    return BrazeTemplate(source).render(user or {}, now=NOW, **kwargs)


def compile_only(source: str) -> None:
    """Compile and drop the result (a template need not travel back from the child)."""
    BrazeTemplate(source)


def outcome_of(source: str, seconds: float = 10.0, **kwargs: Any) -> tuple[str, Any, float]:
    return bounded(lambda: render(source, **kwargs), seconds)


def assert_liquid_error(source: str, *words: str, seconds: float = 10.0, **kwargs: Any) -> str:
    outcome, value, taken = outcome_of(source, seconds, **kwargs)
    assert outcome == "LiquidError", (outcome, str(value)[:600], f"{taken:.2f}s")
    for word in words:
        assert word in value, value
    return str(value)


def assert_handled(source: str, seconds: float = 10.0, **kwargs: Any) -> tuple[str, Any]:
    """It renders or it is a Liquid error: never anything else, never a hang."""
    outcome, value, _ = outcome_of(source, seconds, **kwargs)
    assert outcome in ("ok", "LiquidError", "AbortMessage"), (outcome, str(value)[:600])
    return outcome, value


def peak_memory(function: Callable[[], Any]) -> int:
    """Peak bytes Python allocated while `function` ran (its exception ignored)."""
    tracemalloc.start()
    try:
        function()
    except Exception:  # only the memory matters here
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def _doubled(seed: str, times: int, name: str = "s") -> str:
    """Liquid that leaves `name` holding `seed` doubled `times` times."""
    return (
        f"{{% assign {name} = '{seed}' %}}{{% for i in (1..{times}) %}}"
        f"{{% assign {name} = {name} | append: {name} %}}{{% endfor %}}"
    )


def _rep(text: str, size: int) -> str:
    return (text * (size // len(text) + 1))[:size]


# --- parsing: every bad template is a LiquidError ------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "{{ " + HUGE_DIGITS + " }}",
        "{% if a == " + HUGE_DIGITS + " %}x{% endif %}",
        "{% for i in (1.." + HUGE_DIGITS + ") %}{% endfor %}",
        "{{ 1 | plus: " + HUGE_DIGITS + " }}",
        "{% assign x = " + HUGE_DIGITS + " %}",
        "{% case a %}{% when " + HUGE_DIGITS + " %}{% endcase %}",
    ],
    ids=["output", "if", "range", "filter-argument", "assign", "when"],
)
def test_an_integer_literal_too_long_for_python_is_a_liquid_error(source: str) -> None:
    # Python refuses int() of more than 4,300 digits with a ValueError while parsing
    # (engine.expressions.parse_expression / _range); compile_template lets it escape as a 500
    outcome, value, _ = bounded(lambda: compile_only(source))
    assert outcome == "LiquidError", (outcome, str(value)[:300])
    assert "set_int_max_str_digits" not in value


def test_an_integer_text_too_long_for_python_is_a_liquid_error_at_render() -> None:
    assert_liquid_error("{{ '" + HUGE_DIGITS + "' | plus: 1 }}", "plus")
    assert_liquid_error("{% for i in (1..3) limit: '" + HUGE_DIGITS + "' %}{% endfor %}")


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("{% if a %}" * 1000 + "{% endif %}" * 1000, "Nesting too deep"),
        ("{% for a in b %}" * 1000 + "{% endfor %}" * 1000, "Nesting too deep"),
        ("{% liquid " + "if a\n" * 1000 + "endif\n" * 1000 + "%}", "Nesting too deep"),
        ("{{ " + "(" * 5000 + "1..2" + ")" * 5000 + " }}", "nests too deeply"),
        ("{% if " + "a[" * 5000 + "1" + "]" * 5000 + " %}{% endif %}", "nests too deeply"),
        ("{% for x in " + "a[" * 5000 + "1" + "]" * 5000 + " %}{% endfor %}", "nests too deeply"),
        ("{% assign x = " + "a[" * 5000 + "1" + "]" * 5000 + " %}", "nests too deeply"),
        ("{{ " + "a[" * 5000 + "1" + "]" * 5000 + " | | }}", "nests too deeply"),
    ],
    ids=[
        "if",
        "for",
        "liquid-tag",
        "parentheses",
        "if-brackets",
        "for-brackets",
        "assign-brackets",
        "lax-brackets",
    ],
)
def test_deep_nesting_is_a_clear_parse_error(source: str, words: str) -> None:
    outcome, value, _ = bounded(lambda: compile_only(source))
    assert outcome == "LiquidError", (outcome, str(value)[:300])
    assert words in value


def test_nested_output_braces_and_cycles_do_not_recurse() -> None:
    for source in (
        "{{ " + "{{ " * 5000 + "a" + " }}" * 5000 + " }}",
        "{% cycle " + "a[" * 5000 + "1" + "]" * 5000 + " %}",
    ):
        assert_handled(source)


# --- parsing: linear time on adversarial markup --------------------------------------------------

PARSE_SECONDS = 3.0
"""What compiling one 50-100 KB template may take (a linear parse takes well under 0.5 s)."""


@pytest.mark.parametrize(
    "source",
    [
        "{% assign " + "a" * 50_000 + " %}",  # Content Blocks may be 50 KB: ~55 s on HEAD
        "{% assign " + _rep("(a)", 30_000) + " %}",
        "{% assign = " + "a" * 30_000 + " %}",
        "{% assign " + "a" * 15_000 + " b = 1 %}",
    ],
    ids=["no-equals", "parenthesised", "equals-first", "two-names"],
)
def test_lax_assign_parse_is_linear(source: str) -> None:
    # Assign._SYNTAX.search backtracks over the whole variable signature from every start
    # position: quadratic (Ruby's Onigmo answers these in a millisecond)
    outcome, value, taken = bounded(lambda: compile_only(source), PARSE_SECONDS)
    assert outcome in ("ok", "LiquidError"), (outcome, str(value)[:300], f"{taken:.2f}s")


@pytest.mark.parametrize(
    "source",
    [
        _rep("{%", 400_000),
        _rep("{%# x", 400_000),
        "{% raw %}" + _rep("{% x ", 400_000),
        "{{ " + _rep("'{{", 400_000) + " }}",
    ],
    ids=["open-tags", "inline-comments", "raw-unclosed", "quoted-braces"],
)
def test_tokenizer_is_linear_on_unterminated_tags(source: str) -> None:
    # TEMPLATE_PARSER's `\{%.*?%\}` scans to the end for every unterminated `{%`: quadratic;
    # a campaign body may be 4 MB (max_body_bytes)
    outcome, value, taken = bounded(lambda: compile_only(source), PARSE_SECONDS)
    assert outcome == "LiquidError", (outcome, str(value)[:300], f"{taken:.2f}s")


def test_abort_message_argument_parse_is_linear() -> None:
    # _ABORT_ARGUMENT's `\(\s*(…)?\s*\)` tries every split of a run of blanks: quadratic
    source = "{% abort_message(" + " " * 400_000 + "x %}"
    outcome, value, taken = bounded(lambda: compile_only(source), PARSE_SECONDS)
    assert outcome == "LiquidError", (outcome, str(value)[:300], f"{taken:.2f}s")
    assert "abort_message takes an optional reason" in value


LINEAR_MARKUP: dict[str, Callable[[int], str]] = {
    "output-quotes": lambda n: "{{ a " + _rep("'", n) + " }}",
    "output-commas": lambda n: "{{ a | f: " + _rep(",", n) + " }}",
    "output-pipes": lambda n: "{{ a " + _rep("|", n) + " }}",
    "output-brackets": lambda n: "{{ " + _rep("[a]", n) + " }}",
    "output-unclosed-string": lambda n: '{{ a | f: "' + _rep("x", n) + " }}",
    "output-keywords": lambda n: "{{ a | f: " + _rep("k:", n) + "' }}",
    "output-arguments": lambda n: "{{ a | f: " + _rep("x, ", n) + " }}",
    "if-and": lambda n: "{% if " + _rep("a and ", n) + "b %}{% endif %}",
    "if-and-no-blanks": lambda n: "{% if " + _rep("and", n) + " %}{% endif %}",
    "if-or": lambda n: "{% if " + _rep(" or", n) + " %}{% endif %}",
    "if-quote-fragments": lambda n: "{% if " + _rep("a'", n) + " %}{% endif %}",
    "for-fragments": lambda n: "{% for x in " + _rep("a'", n) + " %}{% endfor %}",
    "for-attributes": lambda n: "{% for x in a " + _rep("k:'", n) + " %}{% endfor %}",
    "tablerow-fragments": lambda n: "{% tablerow x in " + _rep("a'", n) + " %}{% endtablerow %}",
    "capture-signature": lambda n: "{% capture " + _rep("(a)-", n) + "! %}{% endcapture %}",
    "cycle-fragments": lambda n: "{% cycle " + _rep("a'", n) + " %}",
    "case-when-commas": lambda n: "{% case a %}{% when " + _rep("a,", n) + " %}{% endcase %}",
    "message-extras": lambda n: "{% message_extras :key " + _rep("'", n) + " %}",
    "personalisation-dots": lambda n: "{{ " + _rep("a.", n) + " }}",
    "nested-output-braces": lambda n: _rep("{{ ", n) + _rep(" }}", n),
    "open-outputs": lambda n: _rep("{{", n),
    "liquid-tag-lines": lambda n: "{% liquid " + _rep("echo a | upcase\n", n) + " %}",
}


@pytest.mark.parametrize("name", sorted(LINEAR_MARKUP))
def test_lax_regexes_stay_linear_on_100k_of_markup(name: str) -> None:
    source = LINEAR_MARKUP[name](100_000)
    outcome, value, taken = bounded(lambda: compile_only(source), PARSE_SECONDS)
    assert outcome in ("ok", "LiquidError"), (outcome, str(value)[:300], f"{taken:.2f}s")


# --- rendering: every limit holds ----------------------------------------------------------------


def test_loops_are_bounded_and_nested_loops_multiply() -> None:
    assert_liquid_error("{% for i in (1..100000000000000) %}{% endfor %}", "loops more than")
    assert_liquid_error(
        "{% for a in (1..1000) %}{% for b in (1..1000) %}{% endfor %}{% endfor %}",
        "loops more than",
    )
    assert_liquid_error(
        "{% tablerow i in (1..100000000000000) %}{% endtablerow %}", "loops more than"
    )
    assert_liquid_error(
        "{% for i in (-9223372036854775808..9223372036854775807) %}{% endfor %}", "too large"
    )


def test_a_range_given_to_a_filter_is_bounded() -> None:
    for source in (
        "{{ (1..100000000000000) | size }}",
        "{{ x | default: (1..100000000000000) | size }}",
        "{% assign l = 'a' | split: ',' %}{{ l | concat: (1..100000000000000) }}",
    ):
        assert_liquid_error(source, "a range of more than")


def test_a_huge_range_prints_and_answers_without_being_listed() -> None:
    source = (
        "{% assign r = (1..100000000000000) %}{{ r }} {{ r.first }} {{ r.last }} {{ r.size }}"
        "{% if r contains 5 %} in{% endif %}{% for i in r limit: 2 %} {{ i }}{% endfor %}"
    )
    outcome, value, _ = outcome_of(source)
    assert (outcome, value) == (
        "ok",
        "1..100000000000000 1 100000000000000 100000000000000 in 1 2",
    )


@pytest.mark.parametrize(
    "source",
    [
        "{% assign r = (1..1000000000000) %}{{ r[5] }}",
        "{% assign r = (1..100000000) %}{{ r[5] }}",
        "{% assign r = (1..100000000000000) %}{{ r[-1] }}",
    ],
)
def test_indexing_a_huge_range_does_not_list_it(source: str) -> None:
    # ruby.lookups.index materialises the range (RubyRange.to_list) to index it: a MemoryError
    # that escapes as a traceback, or gigabytes. Ruby's Range has no `[]` in Liquid: nil.
    outcome, value, taken = outcome_of(source)
    assert (outcome, value) == ("ok", ""), (outcome, str(value)[:300], f"{taken:.2f}s")


def test_output_is_bounded() -> None:
    assert_liquid_error(
        "{% assign a = 'x' %}{% for i in (1..30) %}{% capture a %}{{a}}{{a}}{% endcapture %}"
        "{% endfor %}",
        "longer than",
    )
    assert_liquid_error("{% for i in (1..100000) %}" + "x" * 20 + "{% endfor %}", "longer than")


def test_tablerow_markup_counts_toward_the_output_limit() -> None:
    # TableRow.render appends its <tr>/<td> markup without ctx.wrote: ~4.9 MB get through
    source = "{% tablerow i in (1..100000) cols: 1 %}{% endtablerow %}"
    outcome, value, _ = outcome_of(source)
    if outcome == "ok":
        assert len(value.encode()) <= OUTPUT_LIMIT, f"{len(value):,} bytes of output"
    else:
        assert outcome == "LiquidError" and "longer than" in value, (outcome, str(value)[:300])


def test_assigned_values_are_bounded() -> None:
    assert_liquid_error(
        _doubled("xxxxxxxx", 16) + "{% assign t = s | append: 'y' %}", "assigns take more than"
    )
    assert_liquid_error(
        "{% assign a = 'x,y' | split: ',' %}{% for i in (1..25) %}"
        "{% assign a = a | concat: a %}{% endfor %}",
        "assigns take more than",
    )


def test_loop_scopes_are_bounded() -> None:
    assert_liquid_error("{% for a in (1..1) %}" * 40 + "{% endfor %}" * 40, "Nesting too deep")


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' " + "| append: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'" * 30_000 + " }}",
        "{{ '" + "x" * 40_000 + "' | replace: '', '" + "y" * 40_000 + "' }}",
        "{{ '" + "x" * 40_000 + "' | split: '' | join: '" + "y" * 40_000 + "' }}",
        _doubled("&", 19) + "{{ s | escape_once }}",
    ],
    ids=["append-chain", "replace-empty", "join", "escape-once"],
)
def test_a_filter_result_is_bounded(source: str) -> None:
    assert_liquid_error(source, "longer than")


def test_replace_with_an_empty_pattern_is_refused_before_it_is_built() -> None:
    # `"x" * 327,680 | replace: "", same` builds 10**11 characters before Context.invoke
    # checks the result's length: MemoryError (not a Liquid error), or the machine's memory
    source = _doubled("xxxxxxxxxx", 15, "a") + "{{ a | replace: '', a | size }}"
    assert_liquid_error(source, "longer than")


def test_integer_arithmetic_is_bounded() -> None:
    # plus/times on Python ints have no size limit: squaring 24 times makes a 16-million-digit
    # number (~15 s), 30 times takes hours and gigabytes, and an Integer's assign score is 1
    source = (
        "{% assign x = 10 %}{% for i in (1..30) %}{% assign x = x | times: x %}{% endfor %}"
        "{{ x | modulo: 7 }}"
    )
    outcome, value, taken = outcome_of(source, seconds=10)
    assert outcome == "LiquidError", (outcome, str(value)[:300], f"{taken:.2f}s")


@pytest.mark.parametrize("places", [-10_000_000, -100_000_000, -(10**12)])
def test_rounding_to_a_huge_negative_place_is_cheap(places: int) -> None:
    # _integer_round computed 10**-places: 5 s at -10**7, minutes at -10**8
    outcome, value, taken = outcome_of(f"{{{{ 5 | round: {places} }}}}", seconds=5)
    assert outcome in ("ok", "LiquidError"), (outcome, value, f"{taken:.2f}s")
    if outcome == "ok":
        assert value == "0"


@pytest.mark.parametrize(
    "fmt",
    [
        "%999999999d",
        "%2147483647d",
        "%999999999%",
        "%999999999a",
        "%999999999c",
        "%999999999z",
        "%_999999999:z",
        "%10000000N",
        "%999999999N",
    ],
)
def test_a_strftime_width_is_refused_before_it_is_allocated(fmt: str) -> None:
    # ruby.strftime._strftime pads to any width up to 2**31-1 (and %N computes 10**width) before
    # Context.invoke checks the result: seconds, a gigabyte or a MemoryError per directive.
    # Ruby raises Errno::ERANGE for such widths.
    source = f"{{{{ 'now' | date: '{fmt}' }}}}"
    outcome, value, taken = outcome_of(source, seconds=5)
    assert outcome == "LiquidError", (outcome, str(value)[:300], f"{taken:.2f}s")
    peak = peak_memory(lambda: render(source)) if taken < 1 else None
    assert peak is None or peak < 50 * 1024**2, f"{peak:,} bytes allocated"
    assert taken < 1, f"{taken:.2f}s"


def test_a_wide_strftime_within_the_output_limit_renders() -> None:
    outcome, value, _ = outcome_of("{{ 'now' | date: '%100000N' | size }}")
    assert (outcome, value) == ("ok", "100000")


@pytest.mark.parametrize(
    "source",
    [
        "{{ '1000000000-01-01' | date: '%Y' }}",
        "{{ 99999999999999999999 | date: '%Y' }}",
        "{{ 1000000000000000000000000000000 | date: '%Y %s' }}",
        "{{ -99999999999999999999 | date: '%Y' }}",
        "{{ 1e400 | date: '%Y' }}",
        "{{ '" + "9" * 4000 + "' | date: '%Y' }}",
        "{{ '" + "9" * 10000 + "' | date: '%Y' }}",
        "{{ 'Jan 1 " + "9" * 4000 + "' | date: '%Y' }}",
        "{{ '1000000000-01-01' | time_zone: 'America/New_York' | date: '%Y %z' }}",
        "{{ 99999999999999 | time_zone: 'Asia/Tokyo' | date: '%Y %z' }}",
        "{{ 'now' | time_zone: '+99:99' | date: '%z' }}",
        "{{ 'now' | time_zone: '../../etc/passwd' | date: '%z' }}",
        "{{ 'now' | time_zone: 'a\x00b' | date: '%z' }}",
        "{{ 1.0 | divided_by: 0 | time_zone: 'UTC' | date: '%Y' }}",
        "{{ 0.0 | divided_by: 0 | date: '%Y' }}",
    ],
)
def test_absurd_times_render_or_fail_clearly(source: str) -> None:
    assert_handled(source, seconds=5)


@pytest.mark.parametrize(
    "source",
    [
        "{{ '" + HUGE_DIGITS + "' | money }}",
        "{{ '1" + "0" * 5000 + ".5' | money }}",
        "{{ 0.0 | divided_by: 0 | round }}",
        "{{ 0.0 | divided_by: 0 | money }}",
        "{{ 1.0 | divided_by: 0 | floor }}",
        "{{ 1.0 | divided_by: 0 | as_json_string }}",
        "{% assign z = 1.0 | divided_by: 0 %}{% for i in (1..z) %}{% endfor %}",
        "{% assign z = 1.0 | divided_by: 0 %}{{ 'abc' | truncate: z }}",
        "{{ 'abc' | slice: 1e400 }}",
        "{{ 'a b c' | truncatewords: 99999999999999999999 }}",
        "{% assign x = 10 %}{% for i in (1..14) %}{% assign x = x | times: x %}{% endfor %}"
        "{{ x | number_with_delimiter }}",
        "{% assign x = 10 %}{% for i in (1..14) %}{% assign x = x | times: x %}{% endfor %}{{ x }}",
    ],
)
def test_huge_and_non_finite_numbers_are_liquid_errors(source: str) -> None:
    assert_liquid_error(source, seconds=5)


def test_huge_numbers_that_fit_render() -> None:
    outcome, value, _ = outcome_of("{{ '" + "9" * 100_000 + "' | number_with_delimiter | size }}")
    assert (outcome, value) == ("ok", "133333")
    assert_handled(
        "{{ 'abc' | slice: 99999999999999999999999, 5 }}|"
        "{{ 'abc' | slice: '0x" + "f" * 100_000 + "' }}"
    )


def test_strip_html_is_linear() -> None:
    # _STRIP_HTML_TAGS `<.*?>` scans to the end from every `<` with no `>` after it: 65,536
    # `<` take ~13-24 s (a 1 MB attribute: about an hour). Ruby's regexp is quadratic too.
    for source in (
        _doubled("<", 16) + "{{ s | strip_html | size }}",
        _doubled("<script", 13) + "{{ s | strip_html | size }}",
        _doubled("<!--", 15) + "{{ s | strip_html | size }}",
    ):
        outcome, value, taken = outcome_of(source, seconds=3)
        assert outcome in ("ok", "LiquidError"), (outcome, str(value)[:200], f"{taken:.2f}s")


def test_render_work_is_bounded_not_only_loop_counts() -> None:
    # 100,000 iterations are allowed, each may run filters over ~1 MB: upcase of 512 KB in
    # every iteration takes ~20 s, split+sort of 512 K items ~1 s an iteration (hours in all)
    for source in (
        _doubled("xxxxxxxx", 16) + "{% for i in (1..100000) %}{{ s | upcase | size }}{% endfor %}",
        _doubled("ba", 18)
        + "{% for i in (1..100000) %}{% assign t = s | split: '' | sort | size %}{% endfor %}",
    ):
        outcome, value, taken = outcome_of(source, seconds=10)
        assert outcome in ("ok", "LiquidError"), (outcome, str(value)[:200], f"{taken:.2f}s")


def test_content_blocks_do_not_multiply_the_render_limits() -> None:
    # every included block renders with fresh limits, even when the output never shows it:
    # 10 blocks each including 10 more make 11 million loop iterations (~7.5 s) here
    loop = "{% for i in (1..100000) %}{% assign x = i %}{% endfor %}"
    blocks = {f"c{j}": loop for j in range(10)}
    inner = "".join(f"{{{{content_blocks.${{c{j}}}}}}}" for j in range(10))
    blocks.update({f"b{i}": loop + inner for i in range(10)})
    top = "{% if false %}" + "".join(f"{{{{content_blocks.${{b{i}}}}}}}" for i in range(10))
    top += "{% endif %}done"
    outcome, value, taken = outcome_of(top, seconds=3, content_blocks=blocks)
    assert outcome in ("ok", "LiquidError"), (outcome, str(value)[:200], f"{taken:.2f}s")


def test_content_blocks_nest_one_level_and_unknown_ones_are_errors() -> None:
    blocks = {"a": "A{{content_blocks.${b}}}", "b": "B{{content_blocks.${c}}}", "c": "C"}
    outcome, value, _ = outcome_of("{{content_blocks.${a}}}", content_blocks=blocks)
    assert (outcome, value) == ("ok", "AB")
    assert_liquid_error("{{content_blocks.${nope}}}", "does not exist", content_blocks={})


def test_sorting_mixed_types_is_a_liquid_error() -> None:
    assert_liquid_error("{{ '1,a' | split: ',' | concat: (1..3) }}", "concat")
    assert_liquid_error(
        "{% assign a = '1' | split: ',' %}{% assign b = 2 | concat: a %}{{ b | sort }}", "sort"
    )


# --- text that is not UTF-8 ---------------------------------------------------------------------


BINARY = "{% assign b = '/w==' | base64_decode %}"
"""`b` holds the byte 0xFF, which is not UTF-8 (Ruby: a binary string)."""


@pytest.mark.parametrize(
    "use",
    [
        "url_encode",
        "escape",
        "json_escape",
        "size",
        "upcase",
        "md5",
        "sha2",
        "url_escape",
        "url_param_escape",
        "base64_encode",
        "capitalize",
        "strip_html",
        "url_decode",
        "as_json_string",
        "json_parse",
        "hmac_sha256_hex: 'k'",
        "split: '' | sort | join",
        "append: ',a' | split: ',' | sort_natural | join",
        "split: ',' | uniq | join",
        "escape_once",
        "truncate: 1",
        "newline_to_br",
        "remove: 'x'",
        "slice: 0",
        "date: '%Y'",
        "time_zone: 'UTC'",
        "money",
        "number_with_delimiter",
    ],
)
def test_binary_text_through_any_filter_renders_or_fails_clearly(use: str) -> None:
    assert_handled(BINARY + "{{ b | " + use + " }}")


@pytest.mark.parametrize(
    "source",
    [
        BINARY + "{% if b > 'a' %}y{% endif %}{% if b contains 'x' %}{% endif %}{{ b }}",
        BINARY + "{{ 'x' | hmac_sha256_hex: b }}",
        BINARY + "{% assign l = b | split: ',' %}{{ l }}{{ l | inspect }}",
        "x\udcff{{ 'a\ud800' | upcase }}",
        "{{ 'a\ud800' | md5 }}",
        "{{ 'a\ud800' | url_encode }}{{ 'a\ud800' | url_escape }}",
        "{{ 'a\ud800' | json_escape }}{{ 'a\ud800' | as_json_string }}",
        "\x00{{ '\x00' | upcase }}{% if '\x00' %}{% endif %}",
    ],
)
def test_lone_surrogates_and_binary_text_never_escape(source: str) -> None:
    assert_handled(source)


def test_lone_surrogates_in_user_values_never_escape() -> None:
    user = {"external_id": "u", "s": "a\udcffb", "first_name": "\ud800"}
    for source in (
        "{{ custom_attribute.${s} | upcase }}",
        "{{ ${first_name} | url_encode }}",
        "{{ custom_attribute.${s} | size }}{{ custom_attribute.${s} | md5 }}",
    ):
        assert_handled(source, user=user)


# --- deeply nested data --------------------------------------------------------------------------


def _nested(depth: int) -> tuple[list[Any], dict[str, Any]]:
    array: list[Any] = []
    mapping: dict[str, Any] = {}
    for _ in range(depth):
        array, mapping = [array, "x"], {"k": mapping}
    return array, mapping


@pytest.mark.parametrize("depth", [99, 990, 5000])
@pytest.mark.parametrize(
    "use",
    [
        "{{ custom_attribute.${d} }}",
        "{{ custom_attribute.${d} | as_json_string | size }}",
        "{{ custom_attribute.${d} | join: ',' | size }}",
        "{{ custom_attribute.${d} | sort }}",
        "{{ custom_attribute.${d} | uniq | size }}",
        "{{ custom_attribute.${d} | inspect }}",
        "{% if custom_attribute.${d} == custom_attribute.${d} %}eq{% endif %}",
        "{{ custom_attribute.${o} }}",
        "{{ custom_attribute.${o} | as_json_string | size }}",
        "{% assign a = custom_attribute.${o} %}{{ a | size }}",
        "{{ custom_attribute.${d} | concat: custom_attribute.${d} | uniq | size }}",
    ],
)
def test_deeply_nested_values_never_hit_a_recursion_error(depth: int, use: str) -> None:
    array, mapping = _nested(depth)
    assert_handled(use, user={"external_id": "u", "d": array, "o": mapping})


def test_json_parse_refuses_deep_nesting() -> None:
    assert_liquid_error("{{ '" + "[" * 101 + "]" * 101 + "' | json_parse }}", "100 levels")


# --- the admin API never answers 500 -------------------------------------------------------------

HOOK = "http://127.0.0.1:9/hook"


def _app_client() -> Any:
    from seen_braze_harness.mocks.braze.app import create_app
    from seen_braze_harness.mocks.braze.settings import BrazeSettings

    app = create_app(BrazeSettings(clock="virtual"))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app, app.test_client()


HOSTILE_CAMPAIGNS: dict[str, dict[str, Any]] = {
    "body-integer-literal": {"body": "{{ " + HUGE_DIGITS + " }}"},
    "header-integer-literal": {
        "body": "x",
        "headers": {"X-A": "{{ 1 | plus: " + HUGE_DIGITS + " }}"},
    },
    "url-range-literal": {"url": HOOK + "?{{ (1.." + HUGE_DIGITS + ") }}", "method": "GET"},
    "deep-if": {"body": "{% if a %}" * 1000 + "{% endif %}" * 1000},
    "deep-parentheses": {"body": "{{ " + "(" * 5000 + "1..2" + ")" * 5000 + " }}"},
    "unterminated": {"body": "{% if x %}{{ a "},
    "json-body-integer": {"body": {"k": "{{ " + HUGE_DIGITS + " }}"}},
}


def _create_statuses() -> dict[str, tuple[int, str]]:
    app, client = _app_client()
    statuses = {}
    for name, fields in HOSTILE_CAMPAIGNS.items():
        response = client.post(
            "/_mock/campaigns", json={"name": name, "url": HOOK, "method": "POST", **fields}
        )
        statuses[name] = (response.status_code, response.get_data(as_text=True)[:300])
    statuses["still-serving"] = (client.get("/_mock/campaigns").status_code, "")
    app.extensions["braze"].close() if hasattr(app.extensions["braze"], "close") else None
    return statuses


def test_hostile_campaign_templates_are_400s_never_500s() -> None:
    outcome, statuses, _ = bounded(_create_statuses, seconds=30)
    assert outcome == "ok", statuses
    assert statuses.pop("still-serving")[0] == 200
    wrong = {name: got for name, got in statuses.items() if got[0] != 400}
    assert not wrong, wrong


def _block_statuses() -> dict[str, tuple[int, str]]:
    _, client = _app_client()
    results = {}
    for name, content in {
        "integer": "{% if a == " + HUGE_DIGITS + " %}{% endif %}",
        "deep": "{% if a %}" * 1000 + "{% endif %}" * 1000,
        "assign-50k": "{% assign " + "a" * 50_000 + " %}",
        "open-tags": _rep("{%", 50_000),
    }.items():
        started = time.perf_counter()
        response = client.post("/_mock/content_blocks", json={"name": name, "content": content})
        results[name] = (response.status_code, f"{time.perf_counter() - started:.1f}s")
    return results


def test_hostile_content_blocks_are_quick_400s_never_500s() -> None:
    # the 50 KB assign took ~55 s per request on HEAD; the integer literal was a 500
    outcome, results, taken = bounded(_block_statuses, seconds=30)
    assert outcome == "ok", (results, f"{taken:.1f}s")
    assert all(status == 400 for status, _ in results.values()), results


TEST_SEND_TEMPLATES = {
    "binary": BINARY + "{{ b }}{{ b | url_encode }}",
    "range-index": "{% assign r = (1..1000000000000) %}{{ r[5] }}",
    "loops": "{% for a in (1..1000) %}{% for b in (1..1000) %}{% endfor %}{% endfor %}",
    "output": _doubled("xxxxxxxxxx", 17) + "{{ s }}{{ s }}",
    "deep-user": "{{ custom_attribute.${deep} | as_json_string | size }}"
    "{{ custom_attribute.${deep} }}",
    "abort": "{% abort_message('no') %}",
    "replace": _doubled("xxxxxxxxxx", 15, "a") + "{{ a | replace: '', a | size }}",
}


def _test_sends() -> dict[str, tuple[int, str]]:
    _, client = _app_client()
    deep: list[Any] = []
    for _ in range(60):
        deep = [deep]
    results = {}
    for name, body in TEST_SEND_TEMPLATES.items():
        made = client.post(
            "/_mock/campaigns", json={"name": name, "url": HOOK, "method": "POST", "body": body}
        )
        if made.status_code != 201:
            results[name] = (made.status_code, made.get_data(as_text=True)[:200])
            continue
        response = client.post(
            f"/_mock/campaigns/{made.get_json()['id']}/test",
            json={"user": {"external_id": "u1", "deep": deep}},
        )
        results[name] = (response.status_code, response.get_data(as_text=True)[:300])
    results["still-serving"] = (client.get("/_mock/campaigns").status_code, "")
    return results


def test_test_sends_of_hostile_templates_answer_200_with_the_error() -> None:
    outcome, results, taken = bounded(_test_sends, seconds=60)
    assert outcome == "ok", (str(results)[:600], f"{taken:.1f}s")
    assert all(status == 200 for status, _ in results.values()), results
    for name in ("loops", "output", "abort", "replace", "range-index"):
        text = results[name][1]
        assert "Liquid" in text or "abort" in text.lower() or '""' in text, (name, text)
    assert "Traceback" not in str(results)


# --- seen-braze render ---------------------------------------------------------------------------


def _cli(tmp_path: Path, template: str, user: str = '{"external_id": "u"}') -> tuple[int, str]:
    (tmp_path / "t.liquid").write_text(template, encoding="utf-8", errors="surrogatepass")
    (tmp_path / "u.json").write_text(user)
    code = (
        "import resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_CEILING * 2}, {MEMORY_CEILING * 2}))\n"
        "from seen_braze_harness.harness.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                code,
                "render",
                str(tmp_path / "t.liquid"),
                "--user",
                str(tmp_path / "u.json"),
            ],
            capture_output=True,
            text=True,
            timeout=30,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    except subprocess.TimeoutExpired:
        return -1, "hang: no exit within 30 s"
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize(
    "template",
    [
        "{{ " + HUGE_DIGITS + " }}",
        "{% assign r = (1..1000000000000) %}{{ r[5] }}",
        "{% if a %}" * 1000 + "{% endif %}" * 1000,
        "{{ 'now' | date: '%2147483647d' }}",
        "{% for a in (1..1000) %}{% for b in (1..1000) %}{% endfor %}{% endfor %}",
        _doubled("xxxxxxxxxx", 15, "a") + "{{ a | replace: '', a | size }}",
    ],
    ids=["integer-literal", "range-index", "deep-if", "strftime-width", "loops", "replace"],
)
def test_seen_braze_render_exits_2_with_a_clear_message(tmp_path: Path, template: str) -> None:
    code, text = _cli(tmp_path, template)
    if code == 0:
        return  # rendering it is fine too (a huge range's [5] is nil, as in Ruby)
    assert code == 2, text[-800:]
    assert "Traceback" not in text, text[-800:]
    assert "set_int_max_str_digits" not in text, text[-400:]


def test_seen_braze_render_with_a_deep_user_exits_2(tmp_path: Path) -> None:
    code, text = _cli(
        tmp_path,
        "{{ custom_attribute.${deep} }}",
        '{"external_id": "u", "deep": ' + "[" * 5000 + "]" * 5000 + "}",
    )
    assert code == 2 and "Traceback" not in text, text[-800:]


def test_the_limits_are_the_documented_ones() -> None:
    assert (LOOP_ITERATION_LIMIT, OUTPUT_LIMIT) == (100_000, 1_000_000)
