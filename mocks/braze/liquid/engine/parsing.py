"""The parse: Ruby Liquid's tokens, the tree they become (`Body`, `Node`, `Output`), and
blocks nested up to `end<block>`, each tag parsed by its `TagParser`.

Error modes, as Ruby Liquid's `error_mode`: `lax` accepts what Ruby's lax mode accepts and
records each place that only leniency accepted as a warning; `warn` parses strictly first and
falls back to lax with a warning (Ruby's `:warn`); `strict` refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from seen_braze_harness.mocks.braze.liquid.engine.errors import (
    LiquidRenderError,
    LiquidSyntaxError,
    failure_text,
)
from seen_braze_harness.mocks.braze.liquid.engine.expressions import (
    Variable,
    lax_variable,
    strict_variable,
)
from seen_braze_harness.mocks.braze.liquid.engine.grammar import (
    CONTENT_OF_VARIABLE,
    FULL_TOKEN,
    LIQUID_TAG_TOKEN,
    RUBY_WHITESPACE,
    WHITESPACE_OR_NOTHING,
)
from seen_braze_harness.mocks.braze.liquid.filters.calling import Filter
from seen_braze_harness.mocks.braze.liquid.ruby.printing import output_text
from seen_braze_harness.mocks.braze.liquid.ruby.values import LiquidArgumentError

if TYPE_CHECKING:
    from seen_braze_harness.mocks.braze.liquid.engine.context import Context


MAX_DEPTH = 100
"""Ruby Liquid's `Block::MAX_DEPTH`: nesting deeper is "Nesting too deep"."""


@dataclass(frozen=True)
class ParseWarning:
    """Markup that Ruby Liquid accepts only in lax mode, and what strict parsing said of it."""

    line: int
    message: str
    markup: str


# --- nodes ---------------------------------------------------------------------------------------


class Node:
    """A tag or output in a parsed template."""

    line: int = 0
    blank = False

    def render(self, ctx: Context, out: list[str]) -> None:
        raise NotImplementedError


class Body:
    """A list of text and nodes: Ruby Liquid's BlockBody."""

    __slots__ = ("blank", "nodes")

    def __init__(self) -> None:
        self.nodes: list[str | Node] = []
        self.blank = True

    def remove_blank_strings(self) -> None:
        self.nodes = [node for node in self.nodes if not isinstance(node, str)]

    def render(self, ctx: Context, out: list[str]) -> None:
        ctx.in_time()
        for node in self.nodes:
            if isinstance(node, str):
                out.append(node)
                ctx.wrote(node)
                continue
            try:
                node.render(ctx, out)
            except (LiquidRenderError, LiquidSyntaxError):
                raise
            except RecursionError:
                raise LiquidRenderError("the value is nested too deeply", node.line) from None
            except (ValueError, ArithmeticError, TypeError, LookupError) as exc:
                raise LiquidRenderError(failure_text(exc), node.line) from None
            if ctx.interrupts:
                break


class Output(Node):
    __slots__ = ("line", "variable")

    def __init__(self, variable: Variable) -> None:
        self.variable = variable
        self.line = variable.line

    def render(self, ctx: Context, out: list[str]) -> None:
        value = self.variable.render(ctx)
        if value is not None:
            text = output_text(value)
            out.append(text)
            ctx.wrote(text)


# --- the parse -----------------------------------------------------------------------------------


@dataclass
class Parsing:
    """One parse's options and what it found."""

    source: str
    mode: str
    tags: Mapping[str, Callable[[Parsing, str, str, int], Node]]
    filters: Mapping[str, Filter]
    tokens: list[tuple[str, int]] = field(default_factory=list)
    position: int = 0
    depth: int = 0
    trim_next: bool = False
    warnings: list[ParseWarning] = field(default_factory=list)
    unknown_filters: list[tuple[str, int]] = field(default_factory=list)
    used_filters: list[tuple[str, int]] = field(default_factory=list)

    def next_token(self) -> tuple[str, int] | None:
        if self.position >= len(self.tokens):
            return None
        token = self.tokens[self.position]
        self.position += 1
        return token

    def variable(self, markup: str, line: int) -> Variable:
        """Strict first, lax on failure (Ruby's fallback for every output, in every mode
        but strict). An error that is not a syntax error (a range bound `true`, which Ruby
        calls `to_i` on while parsing) fails the parse in every mode, as in Ruby."""
        try:
            try:
                variable = strict_variable(markup, line)
            except LiquidSyntaxError as err:
                if self.mode == "strict":
                    raise LiquidSyntaxError(f'{err.message} in "{{{{{markup}}}}}"', line) from None
                self.warn(line, err.message, f"{{{{{markup}}}}}")
                variable = lax_variable(markup, line)
        except LiquidArgumentError as err:
            raise LiquidSyntaxError(str(err), line) from None
        self._check_filters(variable)
        return variable

    def _check_filters(self, variable: Variable) -> None:
        for use in variable.filters:
            self.used_filters.append((use.name, use.line))
            if use.name not in self.filters:
                if self.mode == "strict":
                    raise LiquidSyntaxError(f"undefined filter {use.name}", use.line)
                self.unknown_filters.append((use.name, use.line))

    def selected(
        self,
        strict: Callable[[str], Any],
        lax: Callable[[str], Any],
        markup: str,
        line: int,
        tag: str,
    ) -> Any:
        """A tag's markup by Ruby's `parse_with_selected_parser`; in lax mode the strict
        parser only decides whether a warning is due."""
        try:
            if self.mode == "strict":
                try:
                    return strict(markup)
                except LiquidSyntaxError as err:
                    raise LiquidSyntaxError(f'{err.message} in "{markup.strip()}"', line) from None
            try:
                result = strict(markup)
            except LiquidSyntaxError as err:
                self.warn(line, err.message, f"{{% {tag} {markup.strip()} %}}")
                return lax(markup)
            except LiquidArgumentError as err:
                if self.mode != "lax":
                    raise
                # Ruby's lax mode never runs the strict parser, so its errors do not count
                self.warn(line, str(err), f"{{% {tag} {markup.strip()} %}}")
                return lax(markup)
            return lax(markup) if self.mode == "lax" else result
        except LiquidArgumentError as err:
            raise LiquidSyntaxError(str(err), line) from None

    def warn(self, line: int, message: str, markup: str) -> None:
        self.warnings.append(ParseWarning(line, message, markup))


TagParser = Callable[[Parsing, str, str, int], Node]
"""Parses one tag: (the parse, the tag's name, its markup, its line) to its node."""


_MARKUP_START = re.compile(r"\{[{%]")


def template_tokens(source: str, start: int = 0) -> list[tuple[int, int]]:
    """Ruby Liquid's tokens (`source.split(TemplateParser)`) as (start, end) spans, text and
    markup alike, in one linear pass: a `{%` runs to the first `%}` after it, a `{{` to the
    first `}` (or `}}`) after it, and one with no end is a token of its own two characters.
    (The regular expression rescans the rest of the text for every unclosed `{%`.)"""
    spans: list[tuple[int, int]] = []
    closes = {"{%": "%}", "{{": "}"}
    missing: set[str] = set()
    pos = start
    size = len(source)
    while (found := _MARKUP_START.search(source, pos)) is not None:
        at = found.start()
        if at > pos:
            spans.append((pos, at))
        opening = found.group()
        closing = closes[opening]
        end = -1 if closing in missing else source.find(closing, at + 2)
        if end < 0:
            missing.add(closing)
            end = at + 2
        else:
            end += len(closing)
            if opening == "{{" and source.startswith("}", end):
                end += 1
        spans.append((at, end))
        pos = end
    if pos < size:
        spans.append((pos, size))
    return spans


def tokenize(source: str) -> list[tuple[str, int]]:
    tokens: list[tuple[str, int]] = []
    line = 1
    for begin, end in template_tokens(source):
        piece = source[begin:end]
        tokens.append((piece, line))
        line += piece.count("\n")
    return tokens


def parse_body(parsing: Parsing, body: Body) -> tuple[str | None, str, int]:
    """Parse into `body` until a tag this level does not know: (its name, markup, line), or
    (None, '', line) at the end of the template."""
    while (token := parsing.next_token()) is not None:
        text, line = token
        if text.startswith("{%"):
            _whitespace(parsing, body, text)
            match = FULL_TOKEN.match(text)
            if match is None:
                raise LiquidSyntaxError(
                    f"Tag '{text}' was not properly terminated with regexp: /\\%\\}}/", line
                )
            name, markup = match.group(2), match.group(4)
            line += match.group(1).count("\n") + match.group(3).count("\n")
            if name == "liquid":
                _parse_liquid_tag(parsing, body, markup, line)
                continue
            tag = parsing.tags.get(name)
            if tag is None:
                return name, markup, line
            node = tag(parsing, name, markup, line)
            body.blank = body.blank and node.blank
            body.nodes.append(node)
        elif text.startswith("{{"):
            _whitespace(parsing, body, text)
            match = CONTENT_OF_VARIABLE.match(text)
            if match is None:
                raise LiquidSyntaxError(
                    f"Variable '{text}' was not properly terminated with regexp: /\\}}\\}}/",
                    line,
                )
            body.nodes.append(Output(parsing.variable(match.group(1), line)))
            body.blank = False
        else:
            if parsing.trim_next:
                text = text.lstrip(RUBY_WHITESPACE)
            parsing.trim_next = False
            body.nodes.append(text)
            body.blank = body.blank and WHITESPACE_OR_NOTHING.match(text) is not None
    return None, "", len(parsing.source.splitlines()) or 1


def _whitespace(parsing: Parsing, body: Body, token: str) -> None:
    if token[2:3] == "-" and body.nodes and isinstance(body.nodes[-1], str):
        body.nodes[-1] = body.nodes[-1].rstrip(RUBY_WHITESPACE)
    parsing.trim_next = token[-3:-2] == "-"


def _parse_liquid_tag(parsing: Parsing, body: Body, markup: str, line: int) -> None:
    """`{% liquid %}`: one tag a line, parsed with the same tags."""
    tokens = [
        (_liquid_line(text), line + offset)
        for offset, text in enumerate(markup.split("\n"))
        if not WHITESPACE_OR_NOTHING.match(text)
    ]
    inner = Parsing(
        parsing.source,
        parsing.mode,
        parsing.tags,
        parsing.filters,
        tokens=tokens,
        depth=parsing.depth,
        warnings=parsing.warnings,
        unknown_filters=parsing.unknown_filters,
        used_filters=parsing.used_filters,
    )
    name, _, at = parse_body(inner, body)
    if name is not None:
        raise unknown_tag(name, "liquid", "%}", at)


def _liquid_line(text: str) -> str:
    """One line of a `liquid` tag as the tag token it stands for."""
    match = LIQUID_TAG_TOKEN.match(text)
    if match is None:
        return "{%" + text + "%}"
    return "{%" + match.group(1) + " " + match.group(2) + "%}"


def unknown_tag(name: str, block: str | None, delimiter: str, line: int) -> LiquidSyntaxError:
    if block is None:
        if name in ("else", "end"):
            return LiquidSyntaxError(f"Unexpected outer '{name}' tag", line)
        return LiquidSyntaxError(f"Unknown tag '{name}'", line)
    if name == "else":
        return LiquidSyntaxError(f"{block} tag does not expect 'else' tag", line)
    if name.startswith("end"):
        return LiquidSyntaxError(
            f"'{name}' is not a valid delimiter for {block} tags. use {delimiter}", line
        )
    return LiquidSyntaxError(f"Unknown tag '{name}'", line)


END_OF_BLOCK = Body()
"""What a block's `on_tag` returns to end the block without its end tag (Ruby's for loop)."""


def parse_block(
    parsing: Parsing,
    block: str,
    body: Body,
    line: int,
    on_tag: Callable[[str, str, int], Body | None] | None = None,
) -> bool:
    """Parse a block's bodies up to `end<block>`; `on_tag` takes `else`/`when`/… and gives the
    body to go on in. Returns whether every body was blank."""
    if parsing.depth >= MAX_DEPTH:
        raise LiquidSyntaxError("Nesting too deep", line)
    parsing.depth += 1
    blank = True
    try:
        while True:
            name, markup, at = parse_body(parsing, body)
            blank = blank and body.blank
            if name == f"end{block}":
                return blank
            if name is None:
                raise LiquidSyntaxError(f"'{block}' tag was never closed", line)
            following = on_tag(name, markup, at) if on_tag is not None else None
            if following is None:
                raise unknown_tag(name, block, f"end{block}", at)
            if following is END_OF_BLOCK:
                return blank
            body = following
    finally:
        parsing.depth -= 1
