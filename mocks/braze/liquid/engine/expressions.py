"""What a template evaluates: literals, ranges and variable look-ups (Ruby Liquid's
`Expression.parse`), and output variables with their filters, parsed strictly or laxly."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from seen_braze_harness.mocks.braze.liquid.engine.errors import LiquidSyntaxError
from seen_braze_harness.mocks.braze.liquid.engine.grammar import (
    QUOTED_FRAGMENT,
    RUBY_WHITESPACE,
    TAG_ATTRIBUTES,
    VARIABLE_PARSER,
    Parser,
)
from seen_braze_harness.mocks.braze.liquid.ruby.lookups import (
    first,
    has_first,
    has_last,
    has_size,
    index,
    last,
    ruby_size,
)
from seen_braze_harness.mocks.braze.liquid.ruby.numbers import ruby_to_i, to_integer
from seen_braze_harness.mocks.braze.liquid.ruby.values import RubyRange

if TYPE_CHECKING:
    from seen_braze_harness.mocks.braze.liquid.engine.context import Context


_A = re.ASCII


class Expr:
    """Something evaluated at render time (a variable look-up, a range with variables)."""

    def evaluate(self, ctx: Context) -> Any:
        raise NotImplementedError


def evaluate(expression: Any, ctx: Context) -> Any:
    return expression.evaluate(ctx) if isinstance(expression, Expr) else expression


_INTEGER = re.compile(r"\A(-?\d+)\Z", _A)
_FLOAT = re.compile(r"\A(-?\d[\d\.]+)\Z", _A)
_RANGE = re.compile(r"\A\(\s*(\S+)\s*\.\.\s*(\S+)\s*\)\Z", _A)
INTEGER_DIGITS = 4_300
"""*Assumed.* The longest integer literal a template may hold (Python reads no longer)."""
_LITERALS: Mapping[str, Any] = {
    "nil": None,
    "null": None,
    "": None,
    "true": True,
    "false": False,
    "blank": "",
    "empty": "",
}
_COMMANDS = frozenset({"size", "first", "last"})


def _ruby_float(text: str) -> float:
    """`String#to_f` of what the float pattern matched (`1.2.3` is 1.2)."""
    match = re.match(r"-?\d+(?:\.\d+)?", text)
    return float(match.group(0)) if match else 0.0


def parse_expression(markup: str | None) -> Any:
    """Ruby Liquid's `Expression.parse`: a literal, a range or a variable look-up."""
    if markup is None:
        return None
    markup = markup.strip(RUBY_WHITESPACE)
    if len(markup) >= 2 and markup[0] == markup[-1] and markup[0] in "\"'":
        return markup[1:-1]
    if len(markup) == 1 and markup in "\"'":
        return ""  # Ruby's markup[1..-2] of one quote is empty
    if _INTEGER.match(markup):
        if len(markup) > INTEGER_DIGITS:
            raise LiquidSyntaxError(
                f"an integer of more than {INTEGER_DIGITS:,} digits (the emulator's limit)"
            )
        return int(markup)
    range_match = _RANGE.match(markup)
    if range_match:
        return _range(range_match.group(1), range_match.group(2))
    if _FLOAT.match(markup):
        return _ruby_float(markup)
    if markup in _LITERALS:
        return _LITERALS[markup]
    return Lookup.parse(markup)


def _range(start_markup: str, end_markup: str) -> Any:
    start, end = parse_expression(start_markup), parse_expression(end_markup)
    if isinstance(start, Expr) or isinstance(end, Expr):
        return RangeExpr(start, end)
    return RubyRange(ruby_to_i(start), ruby_to_i(end))


class RangeExpr(Expr):
    __slots__ = ("end", "start")

    def __init__(self, start: Any, end: Any) -> None:
        self.start = start
        self.end = end

    def evaluate(self, ctx: Context) -> RubyRange:
        return RubyRange(
            _range_bound(evaluate(self.start, ctx)), _range_bound(evaluate(self.end, ctx))
        )


def _range_bound(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if value is None or isinstance(value, str):
        return ruby_to_i(value)
    return to_integer(value)


class Lookup(Expr):
    """`name.key[expr].size`: Ruby Liquid's VariableLookup."""

    __slots__ = ("commands", "lookups", "name")

    def __init__(self, name: Any, lookups: list[Any], commands: frozenset[int]) -> None:
        self.name = name
        self.lookups = lookups
        self.commands = commands

    @classmethod
    def parse(cls, markup: str) -> Lookup:
        parts = VARIABLE_PARSER.findall(markup)
        name: Any = parts.pop(0) if parts else None
        if isinstance(name, str) and name.startswith("[") and name.endswith("]"):
            name = parse_expression(name[1:-1])
        lookups: list[Any] = []
        commands = set()
        for position, part in enumerate(parts):
            if part.startswith("[") and part.endswith("]"):
                lookups.append(parse_expression(part[1:-1]))
            else:
                lookups.append(part)
                if part in _COMMANDS:
                    commands.add(position)
        return cls(name, lookups, frozenset(commands))

    def evaluate(self, ctx: Context) -> Any:
        value = ctx.find_variable(evaluate(self.name, ctx))
        for position, lookup in enumerate(self.lookups):
            key = evaluate(lookup, ctx)
            found, item = index(value, key)
            if found:
                value = item
            elif position in self.commands and isinstance(key, str):
                value = _command(value, key)
                if value is _NO_METHOD:
                    return None
            else:
                return None
        return value


_NO_METHOD = object()


def _command(value: Any, name: str) -> Any:
    if name == "size":
        return ruby_size(value) if has_size(value) else _NO_METHOD
    if name == "first":
        return first(value) if has_first(value) else _NO_METHOD
    return last(value) if has_last(value) else _NO_METHOD


# --- output variables ----------------------------------------------------------------------------

_FILTER_MARKUP = re.compile(r"\|\s*(.*)", re.DOTALL)
_FILTER_PARSER = re.compile(rf"(?:\s+|{QUOTED_FRAGMENT}|,)+", _A)
_FILTER_ARGS = re.compile(rf"(?::|,)\s*((?:\w+\s*\:\s*)?{QUOTED_FRAGMENT})", _A)
_JUST_TAG_ATTRIBUTES = re.compile(rf"\A{TAG_ATTRIBUTES.pattern}\Z", _A)
_MARKUP_WITH_FRAGMENT = re.compile(rf"({QUOTED_FRAGMENT})(.*)", re.DOTALL | _A)
_WORD = re.compile(r"\w+", _A)


@dataclass(frozen=True)
class FilterUse:
    name: str
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...] | None
    line: int


@dataclass
class Variable:
    """`{{ name | filter: args }}`: an expression and its filters."""

    name: Any
    filters: list[FilterUse]
    line: int

    def render(self, ctx: Context) -> Any:
        value = evaluate(self.name, ctx)
        for use in self.filters:
            args = [evaluate(arg, ctx) for arg in use.args]
            if use.kwargs is not None:
                args.append({key: evaluate(expr, ctx) for key, expr in use.kwargs})
            value = ctx.invoke(use, value, args)
        return value


def _filter_use(name: str, arguments: list[str], line: int) -> FilterUse:
    args: list[Any] = []
    kwargs: dict[str, Any] | None = None
    for argument in arguments:
        keyword = _JUST_TAG_ATTRIBUTES.match(argument)
        if keyword:
            kwargs = kwargs or {}
            kwargs[keyword.group(1)] = parse_expression(keyword.group(2))
        else:
            args.append(parse_expression(argument))
    return FilterUse(name, tuple(args), None if kwargs is None else tuple(kwargs.items()), line)


def strict_variable(markup: str, line: int) -> Variable:
    parser = Parser(markup)
    if parser.look("end_of_string"):
        return Variable(None, [], line)
    name = parse_expression(parser.expression())
    filters = []
    while parser.consume_if("pipe") is not None:
        filter_name = parser.consume("id")
        arguments = []
        if parser.consume_if("colon") is not None:
            arguments.append(parser.argument())
            while parser.consume_if("comma") is not None:
                arguments.append(parser.argument())
        filters.append(_filter_use(filter_name, arguments, line))
    parser.consume("end_of_string")
    return Variable(name, filters, line)


def lax_variable(markup: str, line: int) -> Variable:
    match = _MARKUP_WITH_FRAGMENT.search(markup)
    if match is None:
        return Variable(None, [], line)
    name = parse_expression(match.group(1))
    filters = []
    filter_markup = _FILTER_MARKUP.search(match.group(2))
    if filter_markup:
        for piece in _FILTER_PARSER.findall(filter_markup.group(1)):
            word = _WORD.search(piece)
            if word is None:
                continue
            filters.append(_filter_use(word.group(0), _FILTER_ARGS.findall(piece), line))
    return Variable(name, filters, line)
