"""Conditions (`a == b and c`), parsed strictly or laxly, and the tags that branch on them:
`if`, `unless` and `case`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from seen_braze_harness.mocks.braze.liquid.engine.errors import LiquidSyntaxError
from seen_braze_harness.mocks.braze.liquid.engine.expressions import evaluate, parse_expression
from seen_braze_harness.mocks.braze.liquid.engine.grammar import (
    QUOTED_FRAGMENT,
    RUBY_WHITESPACE,
    Parser,
)
from seen_braze_harness.mocks.braze.liquid.engine.parsing import Body, Node, Parsing, parse_block
from seen_braze_harness.mocks.braze.liquid.ruby.comparison import (
    compare,
    equal_variables,
    ruby_eq,
    truthy,
)
from seen_braze_harness.mocks.braze.liquid.ruby.encoding import check_compatible
from seen_braze_harness.mocks.braze.liquid.ruby.printing import to_s
from seen_braze_harness.mocks.braze.liquid.ruby.values import (
    BLANK,
    EMPTY,
    LiquidArgumentError,
    RubyRange,
)

if TYPE_CHECKING:
    from seen_braze_harness.mocks.braze.liquid.engine.context import Context


_A = re.ASCII

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
    parser = Parser(markup)
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


def _strict_comparison(parser: Parser) -> Condition:
    left = _condition_expression(parser.expression())
    operator = parser.consume_if("comparison")
    if operator is not None:
        return Condition(left, operator, _condition_expression(parser.expression()))
    return Condition(left)


# --- the tags that branch ------------------------------------------------------------------------


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
