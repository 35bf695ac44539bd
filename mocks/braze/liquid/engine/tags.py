"""Ruby Liquid 5.4's tags but those that branch (`conditions`) and loop (`loops`), and
`STANDARD_TAGS`, every tag it registers by name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from seen_braze_harness.mocks.braze.liquid.engine.conditions import Case, If
from seen_braze_harness.mocks.braze.liquid.engine.errors import LiquidRenderError, LiquidSyntaxError
from seen_braze_harness.mocks.braze.liquid.engine.expressions import (
    Variable,
    evaluate,
    parse_expression,
)
from seen_braze_harness.mocks.braze.liquid.engine.grammar import (
    QUOTED_FRAGMENT,
    QUOTED_STRING,
    RUBY_WHITESPACE,
    VARIABLE_SIGNATURE,
    WHITESPACE_OR_NOTHING,
)
from seen_braze_harness.mocks.braze.liquid.engine.loops import For, Interrupt, TableRow
from seen_braze_harness.mocks.braze.liquid.engine.parsing import (
    Body,
    Node,
    Output,
    Parsing,
    TagParser,
    parse_block,
)
from seen_braze_harness.mocks.braze.liquid.ruby.printing import output_text, to_s
from seen_braze_harness.mocks.braze.liquid.ruby.values import LiquidArgumentError

if TYPE_CHECKING:
    from seen_braze_harness.mocks.braze.liquid.engine.context import Context


_A = re.ASCII


class Assign(Node):
    __slots__ = ("source", "target")
    blank = True
    _SYNTAX = re.compile(rf"({VARIABLE_SIGNATURE}+)\s*=\s*(.*)\s*", re.DOTALL | _A)
    """Ruby Liquid's Assign::Syntax; searched as `_search` does, which is the same match."""
    _NAME_RUN = re.compile(rf"{VARIABLE_SIGNATURE}+", _A)
    _EQUALS = re.compile(r"\s*=\s*(.*)", re.DOTALL | _A)

    @classmethod
    def _search(cls, markup: str) -> tuple[str, str] | None:
        """The leftmost match of `_SYNTAX` in linear time: a name can only end where its run
        of name characters ends, so each run is tried once (the regular expression backtracks
        through every shorter name at every start, which is quadratic on a long name)."""
        for run in cls._NAME_RUN.finditer(markup):
            equals = cls._EQUALS.match(markup, run.end())
            if equals is not None:
                return run.group(), equals.group(1)
        return None

    def __init__(self, target: str, source: Variable, line: int) -> None:
        self.target = target
        self.source = source
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        match = cls._search(markup)
        if match is None:
            raise LiquidSyntaxError(
                "Syntax Error in 'assign' - Valid syntax: assign [var] = [source]", line
            )
        return cls(match[0], parsing.variable(match[1], line), line)

    def render(self, ctx: Context, out: list[str]) -> None:
        value = self.source.render(ctx)
        ctx.scopes[-1][self.target] = value
        ctx.assigned(self.target, value)


class Capture(Node):
    __slots__ = ("body", "line", "target")
    blank = True
    _SYNTAX = re.compile(rf"({VARIABLE_SIGNATURE}+)", _A)

    def __init__(self, target: str, body: Body, line: int) -> None:
        self.target = target
        self.body = body
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        match = cls._SYNTAX.search(markup)
        if match is None:
            raise LiquidSyntaxError("Syntax Error in 'capture' - Valid syntax: capture [var]", line)
        body = Body()
        parse_block(parsing, name, body, line)
        return cls(match.group(1), body, line)

    def render(self, ctx: Context, out: list[str]) -> None:
        captured: list[str] = []
        self.body.render(ctx, captured)
        value = "".join(captured)
        ctx.scopes[-1][self.target] = value
        ctx.assigned(self.target, value)


class Comment(Node):
    """`{% comment %}`: its body is parsed as any block's (so it must be well formed), every
    tag inside is accepted, and nothing renders."""

    blank = True

    def __init__(self, line: int) -> None:
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        body = Body()
        parse_block(parsing, name, body, line, lambda tag, tag_markup, at: body)
        return cls(line)

    def render(self, ctx: Context, out: list[str]) -> None:
        return None


RAW_END = re.compile(r"\A(.*)\{%\s*(\w+)\s*(.*)?%\}\Z", re.DOTALL | _A)
"""Ruby Liquid's `FullTokenPossiblyInvalid`: a token that may end a raw block."""


def _skip_raw(parsing: Parsing, line: int) -> str:
    collected: list[str] = []
    while (token := parsing.next_token()) is not None:
        text, _ = token
        match = RAW_END.match(text)
        if match and match.group(2) == "endraw":
            if match.group(1):
                collected.append(match.group(1))
            return "".join(collected)
        collected.append(text)
    raise LiquidSyntaxError("'raw' tag was never closed", line)


class Raw(Node):
    __slots__ = ("line", "text")

    def __init__(self, text: str, line: int) -> None:
        self.text = text
        self.line = line
        self.blank = text == ""

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        if not WHITESPACE_OR_NOTHING.match(markup):
            raise LiquidSyntaxError(f"Syntax Error in '{name}' - Valid syntax: {name}", line)
        return cls(_skip_raw(parsing, line), line)

    def render(self, ctx: Context, out: list[str]) -> None:
        out.append(self.text)
        ctx.wrote(self.text)


class InlineComment(Node):
    blank = True

    def __init__(self, line: int) -> None:
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        if re.search(r"\n\s*[^#\s]", markup, _A):
            raise LiquidSyntaxError(
                "Syntax error in tag '#' - Each line of comments must be prefixed by the "
                "'#' character",
                line,
            )
        return cls(line)

    def render(self, ctx: Context, out: list[str]) -> None:
        return None


class Echo(Node):
    __slots__ = ("line", "variable")

    def __init__(self, variable: Variable, line: int) -> None:
        self.variable = variable
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        return cls(parsing.variable(markup, line), line)

    def render(self, ctx: Context, out: list[str]) -> None:
        Output(self.variable).render(ctx, out)


class Counter(Node):
    """`{% increment x %}` / `{% decrement x %}`: counters kept apart from assigned values."""

    __slots__ = ("line", "step", "variable")

    def __init__(self, variable: str, step: int, line: int) -> None:
        self.variable = variable
        self.step = step
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        return cls(markup.strip(RUBY_WHITESPACE), 1 if name == "increment" else -1, line)

    def render(self, ctx: Context, out: list[str]) -> None:
        value = ctx.environment.get(self.variable)
        if value is None:
            value = 0
        if self.step > 0:
            ctx.environment[self.variable] = _increment(value)
            text = to_s(value)
        else:
            value = _increment(value, -1)
            ctx.environment[self.variable] = value
            text = to_s(value)
        out.append(text)
        ctx.wrote(text)


def _increment(value: Any, step: int = 1) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LiquidArgumentError(f"undefined method `+' for {to_s(value)}")
    return value + step


class Cycle(Node):
    __slots__ = ("line", "name", "values")
    _SIMPLE = re.compile(rf"\A{QUOTED_FRAGMENT}+", _A)
    _NAMED = re.compile(rf"\A({QUOTED_FRAGMENT})\s*\:\s*(.*)", re.DOTALL | _A)
    _ONE = re.compile(rf"\s*({QUOTED_FRAGMENT})\s*", _A)

    def __init__(self, name: Any, values: list[Any], line: int) -> None:
        self.name = name
        self.values = values
        self.line = line

    @classmethod
    def _values(cls, markup: str) -> list[Any]:
        values = []
        for piece in markup.split(","):
            match = cls._ONE.search(piece)
            if match:
                values.append(parse_expression(match.group(1)))
        values = [value for value in values if value is not None]  # Ruby compacts the list
        return values

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        named = cls._NAMED.match(markup)
        if named:
            return cls(parse_expression(named.group(1)), cls._values(named.group(2)), line)
        if cls._SIMPLE.match(markup):
            values = cls._values(markup)
            return cls(repr(values), values, line)  # Ruby's key: the list's own to_s
        raise LiquidSyntaxError(
            "Syntax Error in 'cycle' - Valid syntax: cycle [name :] var [, var2, var3 ...]",
            line,
        )

    def render(self, ctx: Context, out: list[str]) -> None:
        key = evaluate(self.name, ctx)
        cycles = ctx.registers.setdefault("cycle", {})
        register_key = repr(key)
        iteration = cycles.get(register_key, 0)
        value = evaluate(self.values[iteration], ctx) if iteration < len(self.values) else None
        text = output_text(value) if isinstance(value, list) else to_s(value)
        out.append(text)
        ctx.wrote(text)
        iteration += 1
        if iteration >= len(self.values):
            iteration = 0
        cycles[register_key] = iteration


class IfChanged(Node):
    __slots__ = ("body", "line")

    def __init__(self, body: Body, line: int) -> None:
        self.body = body
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        body = Body()
        node = cls(body, line)
        node.blank = parse_block(parsing, name, body, line)
        return node

    def render(self, ctx: Context, out: list[str]) -> None:
        captured: list[str] = []
        self.body.render(ctx, captured)
        text = "".join(captured)
        if text != ctx.registers.get("ifchanged"):
            ctx.registers["ifchanged"] = text
            out.append(text)


class Include(Node):
    """`include` and `render`: Braze has no template files, so rendering one fails."""

    __slots__ = ("line", "name")
    _SYNTAX: Mapping[str, re.Pattern[str]] = {
        "include": re.compile(rf"(?:{QUOTED_FRAGMENT})+", _A),
        "render": re.compile(rf"(?:{QUOTED_STRING})+", _A),
    }

    def __init__(self, name: str, line: int) -> None:
        self.name = name
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        if cls._SYNTAX[name].search(markup) is None:
            raise LiquidSyntaxError(f"Syntax Error in '{name}'", line)
        return cls(name, line)

    def render(self, ctx: Context, out: list[str]) -> None:
        raise LiquidRenderError(
            f"This liquid context does not allow includes ({{% {self.name} %}}).", self.line
        )


STANDARD_TAGS: dict[str, TagParser] = {
    "assign": Assign.parse,
    "capture": Capture.parse,
    "case": Case.parse,
    "comment": Comment.parse,
    "cycle": Cycle.parse,
    "decrement": Counter.parse,
    "increment": Counter.parse,
    "echo": Echo.parse,
    "for": For.parse,
    "break": Interrupt.parse,
    "continue": Interrupt.parse,
    "if": If.parse,
    "unless": If.parse,
    "ifchanged": IfChanged.parse,
    "raw": Raw.parse,
    "tablerow": TableRow.parse,
    "#": InlineComment.parse,
    "include": Include.parse,
    "render": Include.parse,
}
"""Every tag Ruby Liquid 5.4 registers (`liquid` is parsed by the body itself)."""
