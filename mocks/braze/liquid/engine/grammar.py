"""Ruby Liquid's grammar: the regular expressions its lax parsing matches markup with, and its
strict Lexer and Parser.

The regular expressions are Ruby Liquid's, with `re.ASCII` because Ruby's `\\w`, `\\s` and
`\\d` are ASCII-only.
"""

from __future__ import annotations

import re

from seen_braze_harness.mocks.braze.liquid.engine.errors import LiquidSyntaxError

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


class Parser:
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
