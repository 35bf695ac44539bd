"""The tags that loop: `for` (with `break` and `continue`) and `tablerow`, and the drops
they give the body (`forloop`, `tablerowloop`)."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from seen_braze_harness.mocks.braze.liquid.engine.errors import LiquidRenderError, LiquidSyntaxError
from seen_braze_harness.mocks.braze.liquid.engine.expressions import evaluate, parse_expression
from seen_braze_harness.mocks.braze.liquid.engine.grammar import (
    QUOTED_FRAGMENT,
    TAG_ATTRIBUTES,
    VARIABLE_SEGMENT,
    Parser,
)
from seen_braze_harness.mocks.braze.liquid.engine.parsing import (
    END_OF_BLOCK,
    Body,
    Node,
    Parsing,
    parse_block,
)
from seen_braze_harness.mocks.braze.liquid.ruby.numbers import ruby_to_i, to_integer
from seen_braze_harness.mocks.braze.liquid.ruby.values import Drop, RubyRange

if TYPE_CHECKING:
    from seen_braze_harness.mocks.braze.liquid.engine.context import Context


_A = re.ASCII


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
        parser = Parser(markup)
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
