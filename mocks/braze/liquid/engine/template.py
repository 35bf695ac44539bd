"""A parsed template (Ruby Liquid's `Liquid::Template`), and the error modes it parses in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seen_braze_harness.mocks.braze.liquid.engine.context import Context, Limits
from seen_braze_harness.mocks.braze.liquid.engine.errors import LiquidSyntaxError
from seen_braze_harness.mocks.braze.liquid.engine.parsing import (
    Body,
    ParseWarning,
    Parsing,
    TagParser,
    parse_body,
    tokenize,
    unknown_tag,
)
from seen_braze_harness.mocks.braze.liquid.engine.tags import STANDARD_TAGS
from seen_braze_harness.mocks.braze.liquid.filters.calling import Filter
from seen_braze_harness.mocks.braze.liquid.filters.standard import STANDARD_FILTERS
from seen_braze_harness.mocks.braze.liquid.ruby.values import LiquidArgumentError

MODES = ("lax", "warn", "strict")


class Template:
    """A parsed template: render it with an environment (the variables it reads)."""

    def __init__(
        self,
        source: str,
        *,
        mode: str = "lax",
        tags: Mapping[str, TagParser] | None = None,
        filters: Mapping[str, Filter] | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"error mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.source = source
        self.mode = mode
        self.filters = dict(STANDARD_FILTERS if filters is None else filters)
        parsing = Parsing(source, mode, STANDARD_TAGS if tags is None else tags, self.filters)
        parsing.tokens = tokenize(source)
        self.body = Body()
        try:
            name, _, line = parse_body(parsing, self.body)
        except LiquidArgumentError as err:
            raise LiquidSyntaxError(str(err)) from None
        if name is not None:
            raise unknown_tag(name, None, "", line)
        self.warnings: list[ParseWarning] = parsing.warnings
        self.unknown_filters: list[tuple[str, int]] = parsing.unknown_filters
        self.used_filters: list[tuple[str, int]] = parsing.used_filters
        """Every filter the template applies, with its line, in source order."""

    def render(
        self, environment: Mapping[str, Any], *, now: float, limits: Limits | None = None
    ) -> str:
        ctx = Context(dict(environment), self.filters, now, limits or Limits())
        out: list[str] = []
        self.body.render(ctx, out)
        return "".join(out)
