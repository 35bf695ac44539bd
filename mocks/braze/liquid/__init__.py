"""Braze's Liquid: Shopify Liquid plus `${…}` personalisation tags, Braze filters and tags.

Braze's layer, in the order a template goes through it:

- `translation.py`: Braze's syntax (`${…}`, nested `{{…}}`) into plain Liquid.
- `references.py`: what each `${…}` tag reads from a user, a campaign, Canvas or trigger
  properties.
- `braze_tags.py`, `braze_filters.py`: the tags and filters Braze adds to Liquid's.
- `template.py`: `BrazeTemplate` and `compile_template`: Content Blocks, error modes,
  warnings, limits.

Under it, Shopify's Ruby Liquid 5.4 as Braze runs it:

- `engine/`: the parser, tags and render loop.
- `filters/`: the standard filters, by family.
- `ruby/`: Ruby's semantics for values, `Time.parse`/`strftime` and `Array#sort`.
"""

from seen_braze_harness.mocks.braze.liquid.braze_filters import BRAZE_LIQUID_FILTERS
from seen_braze_harness.mocks.braze.liquid.braze_tags import AbortMessage
from seen_braze_harness.mocks.braze.liquid.references import (
    UNSENT_DISPATCH_ID,
    random_bucket_number,
)
from seen_braze_harness.mocks.braze.liquid.template import (
    LOOP_ITERATION_LIMIT,
    OUTPUT_LIMIT,
    BrazeTemplate,
    LiquidError,
    LiquidWarning,
    compile_template,
)

__all__ = [
    "BRAZE_LIQUID_FILTERS",
    "LOOP_ITERATION_LIMIT",
    "OUTPUT_LIMIT",
    "UNSENT_DISPATCH_ID",
    "AbortMessage",
    "BrazeTemplate",
    "LiquidError",
    "LiquidWarning",
    "compile_template",
    "random_bucket_number",
]
