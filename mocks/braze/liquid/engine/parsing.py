"""A Liquid engine that parses and renders as Shopify's Ruby Liquid 5.4 does.

Braze renders every template with Ruby Liquid, in lax mode. Lax mode is a set of regular
expressions that accept markup a strict grammar would refuse, and what they make of it is what
Braze sends; so this engine reproduces Ruby Liquid's own parsing, both its strict parser and
its lax fallback, its tags, its conditions and its render loop, with Ruby's value semantics from
`liquid.ruby` and its filters from `liquid.filters`. The regular expressions below are Ruby
Liquid's, with `re.ASCII` because Ruby's `\\w`, `\\s` and `\\d` are ASCII-only.

Error modes, as Ruby Liquid's `error_mode`: `lax` accepts what Ruby's lax mode accepts and
records each place that only leniency accepted as a warning; `warn` parses strictly first and
falls back to lax with a warning (Ruby's `:warn`); `strict` refuses it.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from seen_braze_harness.mocks.braze.liquid.filters.calling import Filter, FilterCall
from seen_braze_harness.mocks.braze.liquid.filters.standard import STANDARD_FILTERS
from seen_braze_harness.mocks.braze.liquid.ruby.comparison import (
    compare,
    equal_variables,
    ruby_eq,
    truthy,
)
from seen_braze_harness.mocks.braze.liquid.ruby.encoding import (
    check_compatible,
    has_unicode,
    is_binary,
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
from seen_braze_harness.mocks.braze.liquid.ruby.printing import output_text, to_s
from seen_braze_harness.mocks.braze.liquid.ruby.values import (
    BLANK,
    EMPTY,
    Drop,
    LiquidArgumentError,
    RubyRange,
)

MODES = ("lax", "warn", "strict")

_A = re.ASCII
QUOTED_STRING = r"\"[^\"]*\"|'[^']*'"
QUOTED_FRAGMENT = rf"(?:{QUOTED_STRING}|(?:[^\s,\|'\"]|{QUOTED_STRING})+)"
TAG_ATTRIBUTES = re.compile(rf"(\w[\w-]*)\s*\:\s*({QUOTED_FRAGMENT})", _A)
VARIABLE_SIGNATURE = r"(?:\(?[\w\-\.\[\]]\)?)"
VARIABLE_SEGMENT = r"[\w\-]"
VARIABLE_PARSER = re.compile(r"\[[^\]]+\]|[\w\-]+\??", _A)
TEMPLATE_PARSER = re.compile(r"(\{%.*?%\}|\{\{.*?\}\}?|\{%|\{\{)", re.DOTALL)
FULL_TOKEN = re.compile(r"\A\{%-?(\s*)(#|\w+)(\s*)(.*?)-?%\}\Z", re.DOTALL | _A)
CONTENT_OF_VARIABLE = re.compile(r"\A\{\{-?(.*?)-?\}\}\Z", re.DOTALL)
LIQUID_TAG_TOKEN = re.compile(r"\A\s*(#|\w+)\s*(.*?)\Z", _A | re.DOTALL)
WHITESPACE_OR_NOTHING = re.compile(r"\A\s*\Z", _A)
RUBY_WHITESPACE = " \t\n\v\f\r\0"

MAX_DEPTH = 100
"""Ruby Liquid's `Block::MAX_DEPTH`: nesting deeper is "Nesting too deep"."""


class LiquidSyntaxError(Exception):
    """A template Ruby Liquid refuses to parse; `line` is 1-based."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class LiquidRenderError(Exception):
    """A render Ruby Liquid's `render!` would abort; `line` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class RenderLimitError(LiquidRenderError):
    """The render went over one of the emulator's limits (loops, output, assigned bytes)."""


@dataclass(frozen=True)
class ParseWarning:
    """Markup that Ruby Liquid accepts only in lax mode, and what strict parsing said of it."""

    line: int
    message: str
    markup: str


@dataclass
class Limits:
    """Bounds on one render, so a template cannot stall a send."""

    loop_iterations: int = 100_000
    output_bytes: int = 1_000_000
    assign_score: int = 1_000_000
    scope_depth: int = MAX_DEPTH
    integer_bits: int = 100_000
    """Largest integer arithmetic may make (Ruby's have no bound; squaring in a loop would
    take the machine)."""
    seconds: float = 5.0
    """Longest one render may take: work the other limits do not count (a filter on a large
    value in a long loop) still ends."""


# --- the strict grammar (Ruby Liquid's Lexer and Parser) -----------------------------------------

_LEXER = re.compile(
    r"""
    (?P<comparison>==|!=|<>|<=?|>=?|contains(?=\s))
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<id>[a-zA-Z_][\w-]*\??)
  | (?P<dotdot>\.\.)
  | (?P<special>[|.:,\[\]()?\-])
    """,
    re.VERBOSE | _A,
)
_SPECIALS = {
    "|": "pipe",
    ".": "dot",
    ":": "colon",
    ",": "comma",
    "[": "open_square",
    "]": "close_square",
    "(": "open_round",
    ")": "close_round",
    "?": "question",
    "-": "dash",
}


def _lex(markup: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    pos, size = 0, len(markup)
    while True:
        while pos < size and markup[pos] in " \t\n\v\f\r":
            pos += 1
        if pos >= size:
            break
        match = _LEXER.match(markup, pos)
        if match is None:
            raise LiquidSyntaxError(f"Unexpected character {markup[pos]}")
        kind = match.lastgroup
        assert kind is not None
        text = match.group(kind)
        tokens.append((_SPECIALS[text] if kind == "special" else kind, text))
        pos = match.end()
    tokens.append(("end_of_string", ""))
    return tokens


class _Parser:
    """Ruby Liquid's strict `Parser`: expressions come back as markup, as Ruby's do."""

    def __init__(self, markup: str) -> None:
        self.tokens = _lex(markup)
        self.p = 0

    def consume(self, kind: str | None = None) -> str:
        token = self.tokens[self.p]
        if kind is not None and token[0] != kind:
            raise LiquidSyntaxError(f"Expected {kind} but found {token[0]}")
        self.p += 1
        return token[1]

    def consume_if(self, kind: str) -> str | None:
        token = self.tokens[self.p]
        if token[0] != kind:
            return None
        self.p += 1
        return token[1]

    def id_is(self, word: str) -> bool:
        token = self.tokens[self.p]
        if token[0] == "id" and token[1] == word:
            self.p += 1
            return True
        return False

    def look(self, kind: str, ahead: int = 0) -> bool:
        at = self.p + ahead
        return at < len(self.tokens) and self.tokens[at][0] == kind

    def expression(self) -> str:
        kind = self.tokens[self.p][0]
        if kind == "id":
            return self.consume() + self.variable_lookups()
        if kind == "open_square":
            text = self.consume() + self.expression() + self.consume("close_square")
            return text + self.variable_lookups()
        if kind in ("string", "number"):
            return self.consume()
        if kind == "open_round":
            self.consume()
            start = self.expression()
            self.consume("dotdot")
            end = self.expression()
            self.consume("close_round")
            return f"({start}..{end})"
        raise LiquidSyntaxError(f"{_token_text(self.tokens[self.p])} is not a valid expression")

    def argument(self) -> str:
        text = ""
        if self.look("id") and self.look("colon", 1):
            text = self.consume() + self.consume() + " "
        return text + self.expression()

    def variable_lookups(self) -> str:
        text = ""
        while True:
            if self.look("open_square"):
                text += self.consume() + self.expression() + self.consume("close_square")
            elif self.look("dot"):
                text += self.consume() + self.consume("id")
            else:
                return text


def _token_text(token: tuple[str, str]) -> str:
    return f"[:{token[0]}, {token[1]!r}]" if token[1] else f"[:{token[0]}]"


# --- expressions ---------------------------------------------------------------------------------


class Deferred:
    """An environment value computed when the template first reads it (a Content Block,
    rendered only where the template uses it)."""

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[[], Any]) -> None:
        self.compute = compute


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


def _strict_variable(markup: str, line: int) -> Variable:
    parser = _Parser(markup)
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


def _lax_variable(markup: str, line: int) -> Variable:
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


# --- conditions ----------------------------------------------------------------------------------


@dataclass
class Condition:
    """`left op right`, chained to the next by `and`/`or` (evaluated right to left)."""

    left: Any = None
    operator: str | None = None
    right: Any = None
    relation: str | None = None
    child: Condition | None = None
    is_else: bool = False

    def evaluate(self, ctx: Context) -> Any:
        if self.is_else:
            return True
        condition: Condition | None = self
        result: Any = None
        while condition is not None:
            result = _interpret(condition, ctx)
            if condition.relation == "or":
                if truthy(result):
                    break
            elif condition.relation == "and":
                if not truthy(result):
                    break
            else:
                break
            condition = condition.child
        return result


def _interpret(condition: Condition, ctx: Context) -> Any:
    if condition.operator is None:
        return evaluate(condition.left, ctx)
    left = evaluate(condition.left, ctx)
    right = evaluate(condition.right, ctx)
    operator = condition.operator
    if operator == "==":
        return equal_variables(left, right)
    if operator in ("!=", "<>"):
        return not truthy(equal_variables(left, right))
    if operator == "contains":
        return _contains(left, right)
    if operator in ("<", ">", "<=", ">="):
        return compare(left, operator, right)
    raise LiquidArgumentError(f"Unknown operator {operator}")


def _contains(left: Any, right: Any) -> bool:
    if not (truthy(left) and truthy(right)):
        return False
    if isinstance(left, str):
        needle = to_s(right)
        check_compatible(left, needle)
        return needle in left
    if isinstance(left, list):
        return any(ruby_eq(item, right) for item in left)
    if isinstance(left, dict):
        return isinstance(right, str) and right in left
    if isinstance(left, RubyRange):
        if isinstance(right, int | float) and not isinstance(right, bool):
            return left.first <= right <= left.last
        return False
    return False


def _condition_expression(markup: str | None) -> Any:
    if markup == "blank":
        return BLANK
    if markup == "empty":
        return EMPTY
    return parse_expression(markup)


_IF_SYNTAX = re.compile(rf"({QUOTED_FRAGMENT})\s*([=!<>a-z_]+)?\s*({QUOTED_FRAGMENT})?", _A)
_EXPRESSIONS_AND_OPERATORS = re.compile(
    rf"(?:\b(?:\s?and\s?|\s?or\s?)\b|(?:\s*(?!\b(?:\s?and\s?|\s?or\s?)\b)"
    rf"(?:{QUOTED_FRAGMENT}|\S+)\s*)+)",
    _A,
)


def _lax_condition(markup: str) -> Condition:
    expressions = _EXPRESSIONS_AND_OPERATORS.findall(markup)
    last = expressions.pop() if expressions else ""
    match = _IF_SYNTAX.search(last)
    if match is None:
        raise LiquidSyntaxError("Syntax Error in tag 'if' - Valid syntax: if [expression]")
    condition = _condition_from(match)
    while expressions:
        operator = expressions.pop().strip(RUBY_WHITESPACE)
        piece = expressions.pop() if expressions else ""
        match = _IF_SYNTAX.search(piece)
        if match is None or operator not in ("and", "or"):
            raise LiquidSyntaxError("Syntax Error in tag 'if' - Valid syntax: if [expression]")
        new = _condition_from(match)
        new.relation, new.child = operator, condition
        condition = new
    return condition


def _condition_from(match: re.Match[str]) -> Condition:
    return Condition(
        _condition_expression(match.group(1)),
        match.group(2),
        _condition_expression(match.group(3)),
    )


def _strict_condition(markup: str) -> Condition:
    parser = _Parser(markup)
    condition = _strict_comparison(parser)
    head = condition
    while True:
        if parser.id_is("and"):
            operator = "and"
        elif parser.id_is("or"):
            operator = "or"
        else:
            break
        child = _strict_comparison(parser)
        condition.relation, condition.child = operator, child
        condition = child
    parser.consume("end_of_string")
    return head


def _strict_comparison(parser: _Parser) -> Condition:
    left = _condition_expression(parser.expression())
    operator = parser.consume_if("comparison")
    if operator is not None:
        return Condition(left, operator, _condition_expression(parser.expression()))
    return Condition(left)


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


def failure_text(exc: BaseException) -> str:
    """An error in a few words: Liquid's own by its message, Python's with its kind."""
    if isinstance(exc, LiquidArgumentError):
        return str(exc)
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


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
                variable = _strict_variable(markup, line)
            except LiquidSyntaxError as err:
                if self.mode == "strict":
                    raise LiquidSyntaxError(f'{err.message} in "{{{{{markup}}}}}"', line) from None
                self.warn(line, err.message, f"{{{{{markup}}}}}")
                variable = _lax_variable(markup, line)
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


def _tokenize(source: str) -> list[tuple[str, int]]:
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
        raise _unknown_tag(name, "liquid", "%}", at)


def _liquid_line(text: str) -> str:
    """One line of a `liquid` tag as the tag token it stands for."""
    match = LIQUID_TAG_TOKEN.match(text)
    if match is None:
        return "{%" + text + "%}"
    return "{%" + match.group(1) + " " + match.group(2) + "%}"


def _unknown_tag(name: str, block: str | None, delimiter: str, line: int) -> LiquidSyntaxError:
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
                raise _unknown_tag(name, block, f"end{block}", at)
            if following is END_OF_BLOCK:
                return blank
            body = following
    finally:
        parsing.depth -= 1


# --- tags ----------------------------------------------------------------------------------------


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


class If(Node):
    """`if`/`elsif`/`else`, and `unless` (its first condition negated)."""

    __slots__ = ("blocks", "line", "negate_first")

    def __init__(self, blocks: list[tuple[Condition, Body]], negate_first: bool, line: int):
        self.blocks = blocks
        self.negate_first = negate_first
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        blocks: list[tuple[Condition, Body]] = []

        def push(tag: str, tag_markup: str, at: int) -> Body:
            if tag == "else":
                condition = Condition(is_else=True)
            else:
                condition = parsing.selected(_strict_condition, _lax_condition, tag_markup, at, tag)
            body = Body()
            blocks.append((condition, body))
            return body

        def on_tag(tag: str, tag_markup: str, at: int) -> Body | None:
            return push(tag, tag_markup, at) if tag in ("elsif", "else") else None

        first_body = push("if", markup, line)
        blank = parse_block(parsing, name, first_body, line, on_tag)
        node = cls(blocks, name == "unless", line)
        node.blank = blank
        if blank:
            for _, body in blocks:
                body.remove_blank_strings()
        return node

    def render(self, ctx: Context, out: list[str]) -> None:
        for position, (condition, body) in enumerate(self.blocks):
            result = truthy(condition.evaluate(ctx))
            if position == 0 and self.negate_first:
                result = not result
            if result:
                body.render(ctx, out)
                return


class Case(Node):
    __slots__ = ("blocks", "left", "line")
    _SYNTAX = re.compile(rf"({QUOTED_FRAGMENT})", _A)
    _WHEN = re.compile(
        rf"({QUOTED_FRAGMENT})(?:(?:\s+or\s+|\s*\,\s*)({QUOTED_FRAGMENT}.*))?", re.DOTALL | _A
    )

    def __init__(self, left: Any, blocks: list[tuple[Condition, Body]], line: int) -> None:
        self.left = left
        self.blocks = blocks
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        match = cls._SYNTAX.search(markup)
        if match is None:
            raise LiquidSyntaxError(
                "Syntax Error in tag 'case' - Valid syntax: case [condition]", line
            )
        left = parse_expression(match.group(1))
        blocks: list[tuple[Condition, Body]] = []

        def on_tag(tag: str, tag_markup: str, at: int) -> Body | None:
            body = Body()
            if tag == "when":
                rest: str | None = tag_markup
                while rest:
                    when = cls._WHEN.search(rest)
                    if when is None:
                        raise LiquidSyntaxError(
                            "Syntax Error in tag 'case' - Valid when condition: "
                            "{% when [condition] [or condition2...] %}",
                            at,
                        )
                    rest = when.group(2)
                    blocks.append(
                        (Condition(left, "==", _condition_expression(when.group(1))), body)
                    )
                return body
            if tag == "else":
                if tag_markup.strip(RUBY_WHITESPACE):
                    raise LiquidSyntaxError(
                        "Syntax Error in tag 'case' - Valid else condition: {% else %} "
                        "(no parameters) ",
                        at,
                    )
                blocks.append((Condition(is_else=True), body))
                return body
            return None

        blank = parse_block(parsing, name, Body(), line, on_tag)
        node = cls(left, blocks, line)
        node.blank = blank
        if blank:
            for _, body in blocks:
                body.remove_blank_strings()
        return node

    def render(self, ctx: Context, out: list[str]) -> None:
        run_else = True
        for condition, body in self.blocks:
            if condition.is_else:
                if run_else:
                    body.render(ctx, out)
                continue
            if truthy(condition.evaluate(ctx)):
                run_else = False
                body.render(ctx, out)


class ForloopDrop(Drop):
    ruby_class = "Liquid::ForloopDrop"

    def __init__(self, name: str, length: int, parent: ForloopDrop | None) -> None:
        self.name = name
        self.length = length
        self.parent = parent
        self.index = 0

    def invoke(self, name: str) -> Any:
        values = {
            "length": self.length,
            "parentloop": self.parent,
            "name": self.name,
            "index": self.index + 1,
            "index0": self.index,
            "rindex": self.length - self.index,
            "rindex0": self.length - self.index - 1,
            "first": self.index == 0,
            "last": self.index == self.length - 1,
        }
        return values.get(name)


class TablerowloopDrop(Drop):
    ruby_class = "Liquid::TablerowloopDrop"

    def __init__(self, length: int, cols: int) -> None:
        self.length = length
        self.cols = cols
        self.row = 1
        self.col = 1
        self.index = 0

    def invoke(self, name: str) -> Any:
        values = {
            "length": self.length,
            "col": self.col,
            "row": self.row,
            "index": self.index + 1,
            "index0": self.index,
            "col0": self.col - 1,
            "rindex": self.length - self.index,
            "rindex0": self.length - self.index - 1,
            "first": self.index == 0,
            "last": self.index == self.length - 1,
            "col_first": self.col == 1,
            "col_last": self.col == self.cols,
        }
        return values.get(name)

    def increment(self) -> None:
        self.index += 1
        if self.col == self.cols:
            self.col = 1
            self.row += 1
        else:
            self.col += 1


def slice_collection(collection: Any, start: int, stop: int | None) -> Sequence[Any]:
    """Ruby Liquid's `Utils.slice_collection`: items from index `start` up to `stop`; text is
    one item whatever the bounds, a hash iterates as [key, value] pairs, a range lazily."""
    if isinstance(collection, str):
        return [] if collection == "" else [collection]
    if isinstance(collection, list):
        items: Sequence[Any] = collection
    elif isinstance(collection, dict):
        items = [[key, value] for key, value in collection.items()]
    elif isinstance(collection, RubyRange):
        if collection.last - collection.first >= sys.maxsize:
            raise LiquidRenderError(f"the range ({collection!r}) is too large to iterate")
        items = range(collection.first, collection.last + 1)
    else:
        return []
    low = max(start, 0)
    high = len(items) if stop is None else min(stop, len(items))
    return items[low:high] if high > low else []


class For(Node):
    __slots__ = (
        "collection",
        "else_body",
        "limit",
        "line",
        "loop_body",
        "name",
        "offset",
        "reversed",
        "variable",
    )
    _SYNTAX = re.compile(
        rf"\A({VARIABLE_SEGMENT}+)\s+in\s+((?:{QUOTED_FRAGMENT})+)\s*(reversed)?", _A
    )

    def __init__(self, line: int) -> None:
        self.line = line
        self.variable = ""
        self.collection: Any = None
        self.name = ""
        self.reversed = False
        self.limit: Any = None
        self.offset: Any = None
        self.loop_body = Body()
        self.else_body: Body | None = None

    def _lax(self, markup: str) -> For:
        match = self._SYNTAX.match(markup)
        if match is None:
            raise LiquidSyntaxError(
                "Syntax Error in 'for loop' - Valid syntax: for [item] in [collection]"
            )
        self.variable = match.group(1)
        self.name = f"{self.variable}-{match.group(2)}"
        self.collection = parse_expression(match.group(2))
        self.reversed = match.group(3) is not None
        self.limit = self.offset = None
        for key, value in TAG_ATTRIBUTES.findall(markup):
            self._attribute(key, value)
        return self

    def _strict(self, markup: str) -> For:
        parser = _Parser(markup)
        self.variable = parser.consume("id")
        if not parser.id_is("in"):
            raise LiquidSyntaxError("For loops require an 'in' clause")
        collection = parser.expression()
        self.collection = parse_expression(collection)
        self.name = f"{self.variable}-{collection}"
        self.reversed = parser.id_is("reversed")
        self.limit = self.offset = None
        while parser.look("id") and parser.look("colon", 1):
            if parser.id_is("limit"):
                attribute = "limit"
            elif parser.id_is("offset"):
                attribute = "offset"
            else:
                raise LiquidSyntaxError(
                    "Invalid attribute in for loop. Valid attributes are limit and offset"
                )
            parser.consume()
            self._attribute(attribute, parser.expression())
        parser.consume("end_of_string")
        return self

    def _attribute(self, key: str, value: str) -> None:
        if key == "offset":
            self.offset = "continue" if value == "continue" else _Continue(parse_expression(value))
        elif key == "limit":
            self.limit = parse_expression(value)

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        node = cls(line)
        parsing.selected(node._strict, node._lax, markup, line, name)

        def on_tag(tag: str, tag_markup: str, at: int) -> Body | None:
            if tag != "else":
                return None
            first = node.else_body is None
            node.else_body = Body()
            # Ruby parses a for loop's body and one else body only: a second `else` starts
            # an empty else body, and the tokens after it belong to the block around the loop
            return node.else_body if first else END_OF_BLOCK

        blank = parse_block(parsing, name, node.loop_body, line, on_tag)
        node.blank = blank
        if blank:
            node.loop_body.remove_blank_strings()
            if node.else_body is not None:
                node.else_body.remove_blank_strings()
        return node

    def render(self, ctx: Context, out: list[str]) -> None:
        offsets = ctx.registers.setdefault("for", {})
        if self.offset == "continue":
            start = ruby_to_i(offsets.get(self.name))
        else:
            value = evaluate(self.offset.value, ctx) if isinstance(self.offset, _Continue) else None
            start = 0 if value is None else to_integer(value)
        collection = evaluate(self.collection, ctx)
        limit = evaluate(self.limit, ctx)
        stop = None if limit is None else to_integer(limit) + start
        segment = slice_collection(collection, start, stop)
        if self.reversed:
            segment = segment[::-1]
        offsets[self.name] = start + len(segment)
        if not segment:
            if self.else_body is not None:
                self.else_body.render(ctx, out)
            return
        stack = ctx.registers.setdefault("for_stack", [])
        loop = ForloopDrop(self.name, len(segment), stack[-1] if stack else None)
        outer = ctx.enter_loop(len(segment))
        stack.append(loop)
        ctx.push({"forloop": loop})
        try:
            for item in segment:
                ctx.scopes[0][self.variable] = item
                self.loop_body.render(ctx, out)
                loop.index += 1
                if ctx.interrupts:
                    interrupt = ctx.interrupts.pop()
                    if interrupt == "break":
                        break
        finally:
            stack.pop()
            ctx.pop()
            ctx.loop_factor = outer


@dataclass(frozen=True)
class _Continue:
    value: Any


class Interrupt(Node):
    __slots__ = ("kind", "line")

    def __init__(self, kind: str, line: int) -> None:
        self.kind = kind
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        return cls(name, line)

    def render(self, ctx: Context, out: list[str]) -> None:
        ctx.interrupts.append(self.kind)


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


class TableRow(Node):
    __slots__ = ("attributes", "body", "collection", "line", "variable")
    _SYNTAX = re.compile(rf"(\w+)\s+in\s+((?:{QUOTED_FRAGMENT})+)", _A)

    def __init__(self, variable: str, collection: Any, attributes: dict[str, Any], line: int):
        self.variable = variable
        self.collection = collection
        self.attributes = attributes
        self.body = Body()
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        match = cls._SYNTAX.search(markup)
        if match is None:
            raise LiquidSyntaxError(
                "Syntax Error in 'table_row loop' - Valid syntax: table_row [item] in "
                "[collection] cols=3",
                line,
            )
        attributes = {key: parse_expression(value) for key, value in TAG_ATTRIBUTES.findall(markup)}
        node = cls(match.group(1), parse_expression(match.group(2)), attributes, line)
        node.blank = parse_block(parsing, name, node.body, line)
        return node

    def render(self, ctx: Context, out: list[str]) -> None:
        collection = evaluate(self.collection, ctx)
        if collection is None or collection is False:
            return
        start = (
            ruby_to_i(evaluate(self.attributes["offset"], ctx))
            if "offset" in self.attributes
            else 0
        )
        stop = (
            start + ruby_to_i(evaluate(self.attributes["limit"], ctx))
            if "limit" in self.attributes
            else None
        )
        items = slice_collection(collection, start, stop)
        cols = ruby_to_i(evaluate(self.attributes.get("cols"), ctx))
        out.append('<tr class="row1">\n')
        ctx.wrote('<tr class="row1">\n')
        loop = TablerowloopDrop(len(items), cols)
        outer = ctx.enter_loop(len(items))
        ctx.push({"tablerowloop": loop})
        try:
            for item in items:
                ctx.scopes[0][self.variable] = item
                cell = f'<td class="col{loop.col}">'
                out.append(cell)
                ctx.wrote(cell)
                self.body.render(ctx, out)
                out.append("</td>")
                ctx.wrote("</td>")
                if loop.col == cols and loop.index != len(items) - 1:
                    row = f'</tr>\n<tr class="row{loop.row + 1}">'
                    out.append(row)
                    ctx.wrote(row)
                loop.increment()
        finally:
            ctx.pop()
            ctx.loop_factor = outer
        out.append("</tr>\n")
        ctx.wrote("</tr>\n")


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


TagParser = Callable[[Parsing, str, str, int], Node]

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


# --- the render ----------------------------------------------------------------------------------


class Context:
    """One render's state: scopes (innermost first), the environment, registers, limits."""

    __slots__ = (
        "assign_sizes",
        "assign_total",
        "call",
        "deadline",
        "environment",
        "filters",
        "interrupts",
        "limits",
        "loop_factor",
        "registers",
        "scopes",
        "seen_binary",
        "seen_unicode",
        "written",
    )

    def __init__(
        self,
        environment: dict[str, Any],
        filters: Mapping[str, Filter],
        now: float,
        limits: Limits,
    ) -> None:
        self.environment = environment
        self.scopes: list[dict[Any, Any]] = [{}]
        self.filters = filters
        self.call = FilterCall(now, limits.output_bytes, limits.integer_bits)
        self.deadline = time.monotonic() + limits.seconds
        self.registers: dict[str, Any] = {}
        self.interrupts: list[str] = []
        self.limits = limits
        self.loop_factor = 1
        self.written = 0
        self.seen_binary = False
        self.seen_unicode = False
        self.assign_sizes: dict[str, int] = {}
        self.assign_total = 0

    def find_variable(self, name: Any) -> Any:
        for scope in self.scopes:
            if name in scope:
                return scope[name]
        if isinstance(name, str):
            value = self.environment.get(name)
            if type(value) is Deferred:
                value = self.environment[name] = value.compute()
            return value
        return None

    def in_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderLimitError(
                f"the render took more than {self.limits.seconds:g} seconds (the emulator's limit)"
            )

    def push(self, scope: dict[str, Any]) -> None:
        if len(self.scopes) >= self.limits.scope_depth:
            raise LiquidRenderError("Nesting too deep")
        self.scopes.insert(0, scope)

    def pop(self) -> None:
        self.scopes.pop(0)

    def invoke(self, use: FilterUse, value: Any, args: list[Any]) -> Any:
        """Apply a filter within the limits: no range longer than a loop may be, no result
        longer than the whole output may be."""
        function = self.filters.get(use.name)
        if function is None:
            return value
        if type(value) is RubyRange or any(type(arg) is RubyRange for arg in args):
            for given in (value, *args):
                if type(given) is RubyRange and len(given) > self.limits.loop_iterations:
                    raise RenderLimitError(
                        f"{use.name}: a range of more than {self.limits.loop_iterations:,} items "
                        "(the emulator's limit)",
                        use.line,
                    )
        try:
            result = function(self.call, value, args)
        except LiquidRenderError:
            raise
        except RecursionError:
            raise LiquidRenderError(
                f"{use.name}: the value is nested too deeply", use.line
            ) from None
        except (ValueError, ArithmeticError, TypeError, LookupError) as exc:
            raise LiquidRenderError(f"{use.name}: {failure_text(exc)}", use.line) from None
        if type(result) is str and len(result) > self.limits.output_bytes:
            raise RenderLimitError(
                f"{use.name}: the result is longer than {self.limits.output_bytes:,} characters "
                "(the emulator's output limit)",
                use.line,
            )
        return result

    def enter_loop(self, length: int) -> int:
        """Count a loop of `length` items inside the loops around it; returns the factor to
        restore when it ends."""
        outer = self.loop_factor
        total = outer * length
        if total > self.limits.loop_iterations:
            raise RenderLimitError(
                f"the template loops more than {self.limits.loop_iterations:,} times "
                "(the emulator's limit; nested loops multiply)"
            )
        self.loop_factor = total or outer
        return outer

    def wrote(self, text: str) -> None:
        """Count what was written, and refuse binary text beside UTF-8 text as Ruby's output
        buffer does (its encoding becomes the first one that is not ASCII)."""
        if not text.isascii():
            binary, unicode = is_binary(text), has_unicode(text)
            if (binary and (unicode or self.seen_unicode)) or (unicode and self.seen_binary):
                raise LiquidRenderError(
                    "incompatible character encodings: UTF-8 and ASCII-8BIT (binary text from "
                    "base64_decode next to text beyond ASCII)"
                )
            self.seen_binary = self.seen_binary or binary
            self.seen_unicode = self.seen_unicode or unicode
        self.written += len(text.encode("utf-8", "surrogateescape"))
        if self.written > self.limits.output_bytes:
            raise RenderLimitError(
                f"the rendered text is longer than {self.limits.output_bytes:,} bytes "
                "(the emulator's limit)"
            )

    def assigned(self, name: str, value: Any) -> None:
        """Keep the assigned values within the limit (their current size, as text)."""
        size = _assign_score(value)
        self.assign_total += size - self.assign_sizes.get(name, 0)
        self.assign_sizes[name] = size
        if self.assign_total > self.limits.assign_score:
            raise RenderLimitError(
                f"the values the template assigns take more than {self.limits.assign_score:,} "
                "bytes (the emulator's limit)"
            )


def _assign_score(value: Any) -> int:
    """Ruby Liquid's assign score: text by its bytes, containers by their items."""
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogateescape"))
    if isinstance(value, list):
        return 1 + sum(_assign_score(item) for item in value)
    if isinstance(value, dict):
        return 1 + sum(_assign_score(k) + _assign_score(v) for k, v in value.items())
    return 1


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
        parsing.tokens = _tokenize(source)
        self.body = Body()
        try:
            name, _, line = parse_body(parsing, self.body)
        except LiquidArgumentError as err:
            raise LiquidSyntaxError(str(err)) from None
        if name is not None:
            raise _unknown_tag(name, None, "", line)
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
