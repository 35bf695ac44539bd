"""A compiled Braze template (`BrazeTemplate`): rendered for one user as a send would.

A Braze template is translated once into plain Liquid, where every `${…}` reference becomes a
generated variable and output braces nested in a tag or an output (`{{ a | plus: {{b}} }}`,
which Braze documents) hold the value they wrap; then `liquid.engine` parses it as Ruby Liquid
5.4 does, in Braze's lax mode. Rendering resolves only the references the template uses, so
one user costs a few dictionary look-ups plus the Liquid render.

**Assumed** (Braze documents no more; the emulator's choice):

- Rendering is bounded, so a template cannot stall a send: per render at most
  `LOOP_ITERATION_LIMIT` (100,000) loop iterations (nested loops multiply), `OUTPUT_LIMIT`
  (1,000,000 bytes of UTF-8) of output, `LOCAL_NAMESPACE_LIMIT` (1,000,000) bytes of assigned
  and captured values as they stand, `CONTEXT_DEPTH_LIMIT` (30) nested loop scopes, and Ruby
  Liquid's own 100 nested blocks; no one filter may return more than 1,000,000 characters or
  be given a range of more than 100,000 items. Going over a limit is a Liquid error, as is any
  failure inside a filter (named, with its line) or while printing a value.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from seen_braze_harness.mocks.braze.liquid.braze_filters import (
    BRAZE_LIQUID_FILTERS,
    BRAZE_UNSUPPORTED_FILTERS,
)
from seen_braze_harness.mocks.braze.liquid.braze_tags import BRAZE_TAGS
from seen_braze_harness.mocks.braze.liquid.engine.context import Deferred, Limits
from seen_braze_harness.mocks.braze.liquid.engine.errors import (
    LiquidRenderError,
    LiquidSyntaxError,
    failure_text,
)
from seen_braze_harness.mocks.braze.liquid.engine.template import Template
from seen_braze_harness.mocks.braze.liquid.references import MISSING
from seen_braze_harness.mocks.braze.liquid.ruby.encoding import as_utf8
from seen_braze_harness.mocks.braze.liquid.translation import (
    VARIABLE,
    VARIABLE_NAME,
    Translation,
    translate,
)

LOOP_ITERATION_LIMIT = 100_000
"""*Assumed.* Most loop iterations one render may make (nested loops multiply)."""
OUTPUT_LIMIT = 1_000_000
"""*Assumed.* Most bytes of UTF-8 one render may produce, and most characters one filter may."""
LOCAL_NAMESPACE_LIMIT = 1_000_000
"""*Assumed.* Most bytes of text (Ruby Liquid's assign score) a render's variables may hold."""
CONTEXT_DEPTH_LIMIT = 30
"""*Assumed.* Most nested loop scopes (`for`, `tablerow`) in one render."""


class LiquidError(ValueError):
    """A template that cannot be parsed or rendered; `line` is in the template as written."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line
        self.problem = message


LIMITS = Limits(
    loop_iterations=LOOP_ITERATION_LIMIT,
    output_bytes=OUTPUT_LIMIT,
    assign_score=LOCAL_NAMESPACE_LIMIT,
    scope_depth=CONTEXT_DEPTH_LIMIT,
)


def _failure(exc: BaseException) -> str:
    """An exception in a few words: its kind and message, cut short."""
    if isinstance(exc, RecursionError):
        return "the value is nested too deeply"
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


@dataclass(frozen=True)
class _Inputs:
    """What one render reads besides the template (a Content Block renders with the same)."""

    profile: Mapping[str, Any]
    custom: Mapping[str, Any] | None
    campaign: Mapping[str, Any] | None
    properties: Mapping[str, Mapping[str, Any]] | None
    content_blocks: Mapping[str, str] | None
    now: float | None
    limits: Limits


@dataclass(frozen=True)
class LiquidWarning:
    """Markup that renders only because Braze's Liquid is lenient (lax mode), at `line`."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class BrazeTemplate:
    """A compiled Braze template; `render` fills it for one user as a send would.

    `mode` is Ruby Liquid's error mode: `lax` (Braze's: what Ruby accepts renders as Ruby
    renders it, and each leniency is a warning), `warn` (strict parse first, lax fallback) or
    `strict` (leniencies and unknown filters are errors).
    """

    def __init__(self, source: str, mode: str = "lax") -> None:
        self.source = source
        self.mode = mode
        translation = translate(source)
        self._references = translation.references
        self.references: tuple[str, ...] = tuple(ref.tag for ref in translation.references)
        """The personalisation tags used, in order of first use, e.g. `${first_name}`."""
        self.literal_text = "".join(translation.text)
        """The template's text outside Liquid markup (tells whether the body is JSON)."""
        try:
            self._template = Template(
                translation.source, mode=mode, tags=BRAZE_TAGS, filters=BRAZE_LIQUID_FILTERS
            )
        except LiquidSyntaxError as err:
            raise LiquidError(self._tags(err.message), err.line) from None
        except RecursionError:
            raise LiquidError("the template nests too deeply to parse") from None
        except (ValueError, ArithmeticError, MemoryError) as exc:
            raise LiquidError(self._tags(failure_text(exc))) from None
        self.warnings: tuple[LiquidWarning, ...] = tuple(
            sorted(self._warnings(translation), key=lambda warning: warning.line)
        )
        """Where the template works only by Liquid's leniency, or uses what Braze documents as
        unsupported, by line."""
        self._lookups = [
            (VARIABLE.format(index), ref.lookup()) for index, ref in enumerate(self._references)
        ]
        self._blocks = [
            (VARIABLE.format(index), ref.name)
            for index, ref in enumerate(self._references)
            if ref.namespace == "content_blocks"
        ]
        self.content_block_names: tuple[str, ...] = tuple(name for _, name in self._blocks)
        """The Content Blocks the template includes (`{{content_blocks.${name}}}`)."""
        self._variables = {ref.tag: VARIABLE.format(i) for i, ref in enumerate(self._references)}
        self.filter_uses: tuple[tuple[str, int], ...] = tuple(self._template.used_filters)
        """Every filter the template applies, with its line, in source order."""
        self._plain_source = translation.source
        self._static = source if "{{" not in source and "{%" not in source else None
        """The text itself when there is no markup (most header values): nothing to render."""

    def _warnings(self, translation: Translation) -> list[LiquidWarning]:
        found = [
            LiquidWarning(
                w.line,
                self._tags(
                    f"{w.markup} is accepted only by Liquid's lax parsing ({w.message}); "
                    "Braze renders it as shown here, but it is fragile"
                ),
            )
            for w in self._template.warnings
        ]
        unknown = set(self._template.unknown_filters)
        for name, line in self._template.used_filters:
            if (name, line) in unknown:
                found.append(
                    LiquidWarning(
                        line,
                        f"unknown filter {name!r}: Braze's Liquid ignores it and passes the value "
                        "through unchanged"
                        + (
                            "; Braze's filter reference lists it as not supported"
                            if name in BRAZE_UNSUPPORTED_FILTERS
                            else ""
                        ),
                    )
                )
            elif name in BRAZE_UNSUPPORTED_FILTERS:
                found.append(
                    LiquidWarning(
                        line,
                        f"Braze's filter reference lists {name!r} as not supported; Ruby Liquid "
                        "has it, so it renders as shown here, but Braze does not promise it",
                    )
                )
        found.extend(
            LiquidWarning(
                line,
                f"this output uses {' and '.join(tags)}: Braze documents that one output "
                "cannot use two custom attributes; assign one to a variable first",
            )
            for line, tags in translation.crowded_outputs
        )
        return found

    def _tags(self, message: str) -> str:
        """A message with generated variable names turned back into the user's tags."""
        return VARIABLE_NAME.sub(lambda m: self._references[int(m.group(1))].tag, message)

    def render(
        self,
        profile: Mapping[str, Any],
        *,
        custom: Mapping[str, Any] | None = None,
        campaign: Mapping[str, Any] | None = None,
        properties: Mapping[str, Mapping[str, Any]] | None = None,
        content_blocks: Mapping[str, str] | None = None,
        now: float | None = None,
        limits: Limits | None = None,
    ) -> str:
        """The text Braze would send to this user; raises `AbortMessage` or `LiquidError`.

        `custom` None: `profile` is one flat `/users/track` object, its keys other than
        identifiers and standard fields the custom attributes. Else `profile` holds the
        standard values and `custom` the custom attributes. `content_blocks` maps a block's
        name to its Liquid; `now` (epoch seconds, the mock's clock) is what `now` and
        `today` mean, the real time when not given; `limits` bound the render (the module's
        defaults when not given).
        """
        limits = limits or LIMITS
        return self._fill(
            _Inputs(profile, custom, campaign, properties, content_blocks, now, limits), 0
        )

    def _fill(self, inputs: _Inputs, depth: int) -> str:
        if self._static is not None:
            return self._static
        return self._render(self._data(inputs, depth), inputs.now, inputs.limits)

    def _data(self, inputs: _Inputs, depth: int) -> dict[str, Any]:
        """The plain Liquid variables for one user: each tag's value, each block rendered."""
        data: dict[str, Any] = {}
        for variable, lookup in self._lookups:
            value = lookup(inputs.profile, inputs.custom, inputs.campaign, inputs.properties)
            if value is not MISSING and value is not None:
                data[variable] = value
        if self._blocks:
            blocks = inputs.content_blocks or {}
            for variable, name in self._blocks:
                source = blocks.get(name)
                if source is None:
                    raise LiquidError(f"Content Block {name!r} does not exist")
                if depth >= CONTENT_BLOCK_NESTING:
                    continue  # Braze: a block nested deeper does not expand
                block = compile_template(source, self.mode)
                data[variable] = Deferred(
                    functools.partial(block._included, name, inputs, depth + 1)
                )
        return data

    def _included(self, name: str, inputs: _Inputs, depth: int) -> str:
        """This template as a Content Block, rendered where the including one reads it."""
        try:
            return self._fill(inputs, depth)
        except LiquidError as err:
            raise LiquidRenderError(f"Content Block {name!r}: {err}") from None

    def as_plain_liquid(
        self,
        profile: Mapping[str, Any],
        *,
        custom: Mapping[str, Any] | None = None,
        campaign: Mapping[str, Any] | None = None,
        properties: Mapping[str, Mapping[str, Any]] | None = None,
        content_blocks: Mapping[str, str] | None = None,
        now: float | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """The template as plain Liquid and its variables for this user: what any Liquid
        renders to the same text (how the tests hand Braze examples to Ruby Liquid)."""
        inputs = _Inputs(profile, custom, campaign, properties, content_blocks, now, LIMITS)
        data = self._data(inputs, 0)
        return self._plain_source, {
            key: value.compute() if isinstance(value, Deferred) else value
            for key, value in data.items()
        }

    def resolve(
        self,
        profile: Mapping[str, Any],
        *,
        custom: Mapping[str, Any] | None = None,
        campaign: Mapping[str, Any] | None = None,
        properties: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The value of each personalisation tag for this user, by tag; missing ones left out."""
        values: dict[str, Any] = {}
        for ref in self._references:
            value = ref.lookup()(profile, custom, campaign, properties)
            if value is not MISSING and value is not None:
                values[ref.tag] = value
        return values

    def render_values(self, values: Mapping[str, Any], *, now: float | None = None) -> str:
        """Render with the tags' values given directly (by tag, as `resolve` returns them).

        Lets a diagnosis re-render with one value changed to see what it caused.
        """
        data = {
            self._variables[tag]: value for tag, value in values.items() if tag in self._variables
        }
        return self._render(data, now, LIMITS)

    def render_liquid(self, variables: Mapping[str, Any], *, now: float | None = None) -> str:
        """Render with plain Liquid variables as the globals (no `${…}` look-ups).

        How the differential tests hand one context to both this renderer and Ruby Liquid.
        """
        return self._render(dict(variables), now, LIMITS)

    def _render(self, data: dict[str, Any], now: float | None, limits: Limits) -> str:
        try:
            return as_utf8(
                self._template.render(data, now=time.time() if now is None else now, limits=limits)
            )
        except LiquidRenderError as err:
            raise LiquidError(self._tags(err.message), err.line) from None
        except _RENDER_FAILURES as exc:
            raise LiquidError(self._tags(_failure(exc))) from None

    def __repr__(self) -> str:
        return f"BrazeTemplate({self.source!r})"


CONTENT_BLOCK_NESTING = 2
"""Braze: Content Blocks nest one level deep (a block may include a block, which renders its
own Liquid but includes no further block: that renders as nothing, **assumed**)."""

_RENDER_FAILURES = (ValueError, TypeError, ArithmeticError, RecursionError, LookupError)
"""What a render may still raise on odd values; each is a Liquid error."""


@functools.lru_cache(maxsize=256)
def compile_template(source: str, mode: str = "lax") -> BrazeTemplate:
    """Compile once per source: campaigns render the same template for every user."""
    return BrazeTemplate(source, mode)
