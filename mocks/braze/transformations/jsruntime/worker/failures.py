"""What V8 says about an exception, as the parent reports it: the description, and the
position and stack in the user's code rather than in the script V8 ran."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SOURCE_URL = "transformation.js"
"""The name V8 gives the user's code in positions and stack frames."""


@dataclass(frozen=True)
class Failure:
    """A thrown exception as the parent reports it: description, user position, user stack."""

    error: str
    line: int | None = None
    column: int | None = None
    stack: str | None = None

    def as_dict(self, kind: str) -> dict[str, Any]:
        return {
            "kind": kind,
            "error": self.error,
            "line": self.line,
            "column": self.column,
            "stack": self.stack,
        }


_PREFIX = re.compile(r"(.*?):(-?\d+): ")
_CARET = re.compile(r" *\^+")
_FRAME = re.compile(re.escape(SOURCE_URL) + r":(\d+):(\d+)")
_FIRST_LINE_FRAME = re.compile(re.escape(SOURCE_URL) + r":1:(\d+)")


@dataclass(frozen=True)
class SourceMap:
    """Where the user's code sits in the script V8 saw: it starts at `first_line`, and its own
    first line is preceded there by `indent` characters of wrapper."""

    code: str
    first_line: int = 1
    indent: int = 0

    @property
    def lines(self) -> list[str]:
        return self.code.split("\n")

    def script_line(self, line: int) -> str | None:
        index = line - self.first_line
        lines = self.lines
        if not 0 <= index < len(lines):
            return None
        return (" " * self.indent if index == 0 else "") + lines[index]

    def to_user(self, line: int, column: int | None) -> tuple[int, int | None]:
        """A script position as a position in the user's code; one past the end of the code
        stands for positions in the wrapper after it (an unclosed brace, say)."""
        lines = self.lines
        user_line = line - self.first_line + 1
        if user_line > len(lines):
            return len(lines), len(lines[-1]) + 1
        user_line = max(user_line, 1)
        if column is not None and user_line == 1:
            column = max(column - self.indent, 1)
        return user_line, column

    def user_columns(self, text: str) -> str:
        """Frames on the user's first line in `text` with the user's columns."""
        if self.first_line != 1 or not self.indent or f"{SOURCE_URL}:1:" not in text:
            return text
        return _FIRST_LINE_FRAME.sub(
            lambda m: f"{SOURCE_URL}:1:{max(int(m.group(1)) - self.indent, 1)}", text
        )

    def user_stack(self, stack: str) -> str:
        """The stack without the runner's frames, columns on the first line made the user's."""
        kept = [
            line
            for line in stack.split("\n")
            if not line.startswith("    at ") or f"{SOURCE_URL}:" in line
        ]
        return self.user_columns("\n".join(kept))


def parse_exception(text: str, source: SourceMap, resource: str = SOURCE_URL) -> Failure:
    """mini-racer reports an exception as d8 prints it: "NAME:LINE: DESCRIPTION", the source
    line, a caret line, and (for Error objects) a blank line and the stack. `resource` is the
    script name V8 gives the code in `source`."""
    prefix = _PREFIX.match(text)
    if prefix is None:
        return Failure(text.strip() or "Error")
    name, line = prefix.group(1), int(prefix.group(2))
    rest = text[prefix.end() :].rstrip("\n").split("\n")
    expected = source.script_line(line) if name == resource else None
    caret = None
    for index in range(1, len(rest)):
        if _CARET.fullmatch(rest[index]) and (expected is None or rest[index - 1] == expected):
            caret = index
            break
    if caret is None and expected is not None:
        caret = next((i for i in range(1, len(rest)) if _CARET.fullmatch(rest[i])), None)
    if caret is None:
        description, column, tail = rest[0], None, rest[1:]
    else:
        description = "\n".join(rest[: caret - 1])
        column = rest[caret].index("^") + 1
        tail = rest[caret + 1 :]
    stack = "\n".join(tail).strip("\n") or None
    # An Error's own top frame in the user's code is where it happened (as Node's stack shows);
    # V8's message position is the statement that threw, for values without a stack.
    position: tuple[int, int | None] | None = None
    frame = _FRAME.search(stack) if stack is not None else None
    if frame is not None:
        position = source.to_user(int(frame.group(1)), int(frame.group(2)))
    elif name == resource:
        position = source.to_user(line, column)
    if stack is None:
        # Not an Error object: V8 printed String(value).
        description = f"Uncaught {description}"
    user_stack = source.user_stack(stack) if stack is not None and resource == SOURCE_URL else None
    return Failure(
        description,
        None if position is None else position[0],
        None if position is None else position[1],
        user_stack,
    )
