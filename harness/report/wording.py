"""How every report writes counts, and the characters it cannot show as they are."""

from __future__ import annotations

import re


def thousands(number: int) -> str:
    """`10,000`: the number with its thousands separated."""
    return f"{number:,}"


def plural(number: int, word: str) -> str:
    """`1 user`, `2 users`."""
    return f"{thousands(number)} {word}{'' if number == 1 else 's'}"


def escape(match: re.Match[str]) -> str:
    """The matched characters as their Python escapes (`\\x1b`, `\\u202e`), for `re.sub`."""
    return match.group().encode("unicode_escape").decode("ascii")
