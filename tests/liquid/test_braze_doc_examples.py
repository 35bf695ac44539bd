"""Every Liquid example on Braze's Liquid pages, rendered as Braze documents it.

`braze_doc_examples.json` holds the examples of Braze's Liquid documentation (braze-inc's
braze-docs, each with the page it comes from): the template as written, the user, properties,
Content Blocks and clock the example implies, and the output the page shows where it shows one.
Three checks hold the emulator to them:

- where the page shows an output, ours is the same (white space aside: the pages drop the blank
  lines tags leave) — unless the page is visibly wrong, which DOC_ERRATA lists with the reason;
  there Ruby Liquid wins;
- where the page says the message aborts, it aborts with that reason;
- every example that uses only Shopify's Liquid renders byte for byte as Ruby Liquid renders
  the same template (its `${…}` tags turned into plain variables with the user's values).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from seen_braze_harness.mocks.braze.liquid import (
    BRAZE_LIQUID_FILTERS,
    AbortMessage,
    BrazeTemplate,
    LiquidError,
    compile_template,
)
from seen_braze_harness.mocks.braze.liquid.filters.standard import STANDARD_FILTERS
from seen_braze_harness.mocks.braze.liquid.ruby.values import ObjectAsList, TimeText
from tests.liquid import corpus
from tests.liquid.conftest import COMPARED

EXAMPLES: list[dict[str, Any]] = json.loads(
    Path(__file__).with_name("braze_doc_examples.json").read_text("utf-8")
)
BY_ID = {example["id"]: example for example in EXAMPLES}

DOC_ERRATA: dict[str, str] = {
    "supported_tags/first-name-or-generic-unset": "the template prints a '!' the page leaves out",
    "filters/date-b-d": "'%b %d' is 'Jun 03' in strftime (and Ruby); the page shows '03 June'",
    "filters/date-unix-seconds": "1433351621 is 2015-06-03 17:13:41; the page's own date "
    "(2021-06-03 17:13:41 UTC) is 1622740421",
    "filters/time-zone-filter": "'%a %b %e %T' is 'Wed Aug  4 02:00:00' (abbreviated month, "
    "space-padded day, zero-padded hour); the page shows 'Wed August 4 2:00:00'",
    "advanced_filters/url-param-escape": "the page's template lacks a closing brace, so Ruby "
    "Liquid refuses it; the -fixed example renders the documented output",
    "advanced_filters/property-accessor": "the page's `hash` is a Liquid variable no template "
    "can build ('there is no way to instantiate a hash'); given one, it renders 42 (tested "
    "below)",
    "nested_custom_attributes/most-played-song-legacy-play-analytics-count": "the page's own "
    "/users/track example sets play_analytics.count to 1000; the page shows 50",
    "context_step/timestamp-date-utc": "'%l:%M %p' is ' 4:15 PM' (space-padded hour, upper-case "
    "PM); the page shows '4:15pm'",
    "context_step/timestamp-date-los-angeles": "on 5 August Los Angeles is on PDT (UTC-7): "
    "16:15 UTC is ' 9:15 AM' there; the page shows '8:15am'",
    "context_step/appointment-utc": "'%l:%M %p' is ' 4:15 PM', and the template has a straight "
    "apostrophe where the page's output has a curly one",
    "context_step/appointment-los-angeles": "16:15 UTC on 5 August is ' 9:15 AM' in Los Angeles "
    "(PDT); the page shows '8:15am'",
    "persistent_entry_properties/food-allergies-user-specific": "the request gives this user "
    "the array ['dairy', 'soy'], which Liquid prints as 'dairysoy'; the page shows 'dairy'",
}
"""Examples whose documented output Ruby Liquid contradicts, and why the page is wrong."""

ABORT_ERRATA: dict[str, str] = {
    "liquid_use_cases/event-purchased-two-categories-aborts": "a filter inside `if` is not "
    "applied (Braze's own pages say filters do not work in conditionals): `{% if {{uniq_cat | "
    "size}} == 1 %}` tests `uniq_cat` alone, which is true, so it prints instead of aborting",
}
"""Examples the page expects to abort where Ruby Liquid renders, and why."""

BRAZE_ONLY_TAGS = ("abort_message", "message_extras", "connected_content")


def epoch(text: str | None) -> float | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def inputs(example: dict[str, Any]) -> dict[str, Any]:
    return {
        "campaign": example.get("campaign"),
        "properties": example.get("properties"),
        "content_blocks": example.get("content_blocks"),
        "now": epoch(example.get("now")) or corpus.NOW,
    }


def render(example: dict[str, Any]) -> tuple[str, str]:
    """("output", text), ("abort", reason) or ("error", message) as the emulator renders it."""
    try:
        template = compile_template(example["template"])
        return "output", template.render(example.get("user") or {}, **inputs(example))
    except AbortMessage as abort:
        return "abort", abort.reason
    except LiquidError as err:
        return "error", str(err)


def loose(text: str) -> str:
    return " ".join(text.split())


def note(example: dict[str, Any]) -> str:
    return str(example.get("note") or "")


DOCUMENTED = [e for e in EXAMPLES if e.get("documented_output") is not None]
ABORTING = [e for e in EXAMPLES if note(e).startswith("EXPECT ABORT")]


def test_the_examples_cover_braze_liquid_documentation() -> None:
    assert len(EXAMPLES) > 300
    assert len({e["page"] for e in EXAMPLES}) >= 20
    assert len(DOCUMENTED) > 50 and len(ABORTING) > 10
    assert set(DOC_ERRATA) <= {e["id"] for e in DOCUMENTED}
    assert set(ABORT_ERRATA) <= {e["id"] for e in ABORTING}


@pytest.mark.parametrize("example", DOCUMENTED, ids=[e["id"] for e in DOCUMENTED])
def test_documented_output(example: dict[str, Any]) -> None:
    kind, got = render(example)
    documented = example["documented_output"]
    if example["id"] in DOC_ERRATA:
        assert (kind, loose(got)) != ("output", loose(documented)), "no longer an erratum"
        return
    if kind == "abort":
        assert got == documented
        return
    assert kind == "output", got
    assert loose(got) == loose(documented)


@pytest.mark.parametrize("example", ABORTING, ids=[e["id"] for e in ABORTING])
def test_documented_aborts(example: dict[str, Any]) -> None:
    kind, got = render(example)
    if example["id"] in ABORT_ERRATA:
        assert kind == "output"
        return
    assert kind == "abort", got
    reason = re.search("reason ['\"\u2018](.+?)['\"\u2019]\\.?$", note(example).split("\n")[0])
    if reason is not None:
        assert got == reason.group(1)


def test_property_accessor_reads_the_key_chosen_at_render_time() -> None:
    template = BrazeTemplate(BY_ID["advanced_filters/property-accessor"]["template"])
    assert template.render_liquid({"hash": {"a": 42, "b": 0}}) == "42"


def test_connected_content_examples_are_refused_clearly() -> None:
    needing = [e for e in EXAMPLES if "connected_content" in e["template"]]
    assert needing
    for example in needing:
        kind, got = render(example)
        assert kind == "error" and "connected_content" in got, example["id"]


def braze_only(example: dict[str, Any], template: BrazeTemplate, data: dict[str, Any]) -> bool:
    """Whether the example uses what Shopify's Liquid lacks (so Ruby cannot check it): Braze's
    filters and tags, Canvas context times, `[0]` on a nested custom attribute object."""
    filters = {name for name, _ in template.filter_uses}
    braze_filters = {f for f in filters if f in BRAZE_LIQUID_FILTERS and f not in STANDARD_FILTERS}
    return bool(
        braze_filters
        or any(tag in example["template"] for tag in BRAZE_ONLY_TAGS)
        or any(isinstance(value, TimeText) for value in data.values())
        or (
            "[0]" in example["template"]
            and any(isinstance(value, ObjectAsList) for value in data.values())
        )
    )


def test_every_plain_liquid_example_renders_as_ruby_liquid(ruby_liquid: Any) -> None:
    cases: list[corpus.Case] = []
    ours: dict[str, tuple[str, bytes]] = {}
    for example in EXAMPLES:
        try:
            template = compile_template(example["template"])
            source, data = template.as_plain_liquid(
                example.get("user") or {},
                campaign=example.get("campaign"),
                properties=example.get("properties"),
                content_blocks=example.get("content_blocks"),
            )
        except LiquidError:
            continue  # refused here; the cases Ruby accepts are the corpus's business
        if braze_only(example, template, data):
            continue
        now = example.get("now")
        case = corpus.Case(example["id"], source, data, int(epoch(now) or corpus.NOW))
        cases.append(case)
        kind, got = render(example)
        ours[case.id] = (kind, got.encode("utf-8", "surrogateescape"))
    ruby = ruby_liquid(cases)
    different = []
    for case in cases:
        want = ruby[case.id]
        kind, got = ours[case.id]
        if "output" in want:
            if (kind, got) != ("output", want["output"]):
                different.append(f"{case.id}: ruby {want['output']!r}, ours {kind} {got!r}")
        elif kind == "output":
            different.append(f"{case.id}: ruby refuses ({want['error']!r}), ours {got!r}")
    COMPARED["Braze's documented examples"] = len(cases)
    assert len(cases) > 150
    assert not different, "\n".join(different)
