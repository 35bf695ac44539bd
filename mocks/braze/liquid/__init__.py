"""Braze's Liquid: Shopify's Ruby Liquid 5.4 as Braze runs it, plus Braze's tags and filters.

- `template.py`: Braze's layer (`${…}` tags, Content Blocks, error modes, warnings, limits).
- `braze_filters.py`: the filters Braze adds.
- `engine/`: Ruby Liquid 5.4's parser, tags and render loop.
- `filters/`: Liquid 5's standard filters with Ruby's semantics.
- `ruby/`: Ruby's semantics for values, `Time.parse`/`strftime` and `Array#sort`.
"""

from seen_braze_harness.mocks.braze.liquid.template import (
    BRAZE_LIQUID_FILTERS,
    LOOP_ITERATION_LIMIT,
    OUTPUT_LIMIT,
    UNSENT_DISPATCH_ID,
    AbortMessage,
    BrazeTemplate,
    LiquidError,
    LiquidWarning,
    compile_template,
    random_bucket_number,
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
