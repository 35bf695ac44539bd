"""A Liquid engine that parses and renders as Shopify's Ruby Liquid 5.4 does.

Braze renders every template with Ruby Liquid, in lax mode. Lax mode is a set of regular
expressions that accept markup a strict grammar would refuse, and what they make of it is what
Braze sends; so this engine reproduces Ruby Liquid's own parsing, both its strict parser and
its lax fallback, its tags, its conditions and its render loop, with Ruby's value semantics from
`liquid.ruby` and its filters from `liquid.filters`.

- `template.py`: `Template`, parsed in one of the error modes (`MODES`) and rendered.
- `grammar.py`: Ruby Liquid's regular expressions and its strict Lexer and Parser.
- `parsing.py`: tokens, the tree (`Body`, `Node`, `Output`), blocks and the error modes.
- `expressions.py`: literals, ranges, variable look-ups; outputs and their filters.
- `conditions.py`: conditions and the tags that branch on them (`if`, `unless`, `case`).
- `loops.py`: `for` (with `break`, `continue`) and `tablerow`, and their drops.
- `tags.py`: the other tags, and every standard tag by name (`STANDARD_TAGS`).
- `context.py`: one render's state (`Context`) and its bounds (`Limits`).
- `errors.py`: syntax, render and limit errors.
"""
