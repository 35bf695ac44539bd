"""Liquid 5's standard filters with Ruby's semantics, as Shopify's `StandardFilters` has them.

Each filter takes the input and its arguments as Ruby Liquid passes them (keyword arguments as
one trailing dict) and answers what Ruby Liquid 5.4 with ActiveSupport answers, byte for byte:
text is Ruby text (strip leaves a no-break space, `split` drops trailing empty items), numbers
are Ruby numbers (decimal arithmetic on floats, integer division floors), arrays are flattened
where Ruby flattens them. The differential tests hold these modules to Ruby Liquid itself.

- `standard.py`: every standard filter by name (`STANDARD_FILTERS`), with `default` and `date`.
- `text.py`, `escaping.py` (HTML, URL, Base64), `arrays.py`, `numbers.py`: the filters by family.
- `calling.py`: how the render calls a filter (`FilterCall`, `Filter`, `make_filter`).
"""
