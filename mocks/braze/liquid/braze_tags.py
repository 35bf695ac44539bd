"""Braze's tags beside Ruby Liquid's: `abort_message`, `message_extras`, and
`connected_content`, which the emulator refuses."""

from __future__ import annotations

import re
from collections.abc import Mapping

from seen_braze_harness.mocks.braze.liquid.engine.context import Context
from seen_braze_harness.mocks.braze.liquid.engine.errors import LiquidSyntaxError
from seen_braze_harness.mocks.braze.liquid.engine.parsing import Node, Parsing, TagParser
from seen_braze_harness.mocks.braze.liquid.engine.tags import STANDARD_TAGS


class AbortMessage(Exception):
    """`{% abort_message %}` stopped the send for this user; `reason` is what Braze logs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_ABORT_ARGUMENT = re.compile(r"\(\s*(?:(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)')\s*)?\)")


class _AbortNode(Node):
    """Raises `AbortMessage` when rendering reaches it."""

    __slots__ = ("line", "reason")

    def __init__(self, reason: str, line: int) -> None:
        self.reason = reason
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        """`{% abort_message("reason") %}`, `{% abort_message() %}` or `{% abort_message %}`."""
        reason = "{% abort_message %} called"
        if markup.strip():
            argument = _ABORT_ARGUMENT.fullmatch(markup.strip())
            if argument is None:
                raise LiquidSyntaxError(
                    "abort_message takes an optional reason in straight quotes, "
                    'e.g. {% abort_message("no video yet") %}',
                    line,
                )
            given = argument.group("double")
            given = argument.group("single") if given is None else given
            if given:
                reason = given
        return cls(reason, line)

    def render(self, ctx: Context, out: list[str]) -> None:
        raise AbortMessage(self.reason)


_EXTRA = re.compile(r":(key|value)\s+((?:'[^']*'|\"[^\"]*\"|[^\s:])+)")


class _MessageExtras(Node):
    """`{% message_extras :key k :value v %}`: renders nothing; Braze adds the pair to the
    send event's `message_extras` (Currents), which the emulator keeps in the render's
    registers only."""

    __slots__ = ("line", "pairs")
    blank = True

    def __init__(self, pairs: list[tuple[str, str]], line: int) -> None:
        self.pairs = pairs
        self.line = line

    @classmethod
    def parse(cls, parsing: Parsing, name: str, markup: str, line: int) -> Node:
        found = _EXTRA.findall(markup)
        keys = [text for kind, text in found if kind == "key"]
        values = [text for kind, text in found if kind == "value"]
        return cls(list(zip(keys, values, strict=False)), line)

    def render(self, ctx: Context, out: list[str]) -> None:
        extras = ctx.registers.setdefault("message_extras", {})
        for key, value in self.pairs:
            extras.setdefault(key.strip("'\"").strip(), value.strip("'\"").strip())


def _connected_content(parsing: Parsing, name: str, markup: str, line: int) -> Node:
    """`{% connected_content %}` is refused: the emulator never fetches URLs while rendering."""
    raise LiquidSyntaxError(
        "{% connected_content %} is not supported: the emulator does not fetch URLs "
        "while rendering; put the values on the user profile or in trigger properties",
        line,
    )


BRAZE_TAGS: Mapping[str, TagParser] = {
    **STANDARD_TAGS,
    "abort_message": _AbortNode.parse,
    "message_extras": _MessageExtras.parse,
    "connected_content": _connected_content,
}
"""Ruby Liquid's tags plus Braze's."""
