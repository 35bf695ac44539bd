"""The values a Liquid template handles, as Ruby has them on Braze's Rails servers.

Braze renders Liquid with Shopify's Ruby implementation, with ActiveSupport loaded. What a value
prints as, what equals what, what is blank, how text becomes a number: each follows Ruby 3 (and
ActiveSupport where it adds a method), not Python. Values are the JSON types (None, bool, int,
float, str, list, dict) plus `RubyRange` and the loop drops the engine makes; this module has
the types beyond JSON's, and the error Liquid reports for what Ruby refuses.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any


class LiquidArgumentError(ValueError):
    """Ruby Liquid's `Liquid::ArgumentError` (and the errors it reports the same way)."""


class RubyRange:
    """`(1..5)`: an inclusive range of integers, as Ruby's Range prints and iterates."""

    __slots__ = ("first", "last")

    def __init__(self, first: int, last: int) -> None:
        self.first = first
        self.last = last

    def __len__(self) -> int:
        return max(0, min(self.last - self.first + 1, sys.maxsize))

    def to_list(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RubyRange) and (self.first, self.last) == (other.first, other.last)

    def __hash__(self) -> int:
        return hash((self.first, self.last))

    def __repr__(self) -> str:
        return f"{self.first}..{self.last}"


class TimeText(str):
    """Text that prints as given but is a time to the date filters: how Braze hands Canvas
    context date-times to Liquid (shown as sent, formatted in UTC)."""

    moment: datetime

    def __new__(cls, text: str, moment: datetime) -> TimeText:
        made = super().__new__(cls, text)
        made.moment = moment
        return made


class ObjectAsList(dict[str, Any]):
    """A hash that also answers `[0]` with itself, as Braze's nested custom attributes do."""


class Drop:
    """A Liquid drop (forloop, tablerowloop): readable attributes, printed as its class name."""

    ruby_class = "Liquid::Drop"

    def invoke(self, name: str) -> Any:
        """The attribute `name`, or None when the drop has none (as Ruby Liquid answers)."""
        return None


class MethodLiteral:
    """`blank` and `empty` in a condition: equal to whatever answers `blank?` / `empty?`."""

    __slots__ = ("method",)

    def __init__(self, method: str) -> None:
        self.method = method

    def __repr__(self) -> str:
        return self.method


BLANK = MethodLiteral("blank?")
EMPTY = MethodLiteral("empty?")
