"""Braze's syntax translated into plain Liquid, line for line: every `${…}` reference becomes a
generated variable (`__braze0`, `__braze1`, …) and output braces nested in a tag or an output
(`{{ a | plus: {{b}} }}`, which Braze documents) hold the value they wrap."""

from __future__ import annotations

import re
from dataclasses import dataclass

from seen_braze_harness.mocks.braze.liquid.engine.parsing import template_tokens
from seen_braze_harness.mocks.braze.liquid.engine.tags import RAW_END
from seen_braze_harness.mocks.braze.liquid.references import Reference

_MARKUP_START = re.compile(r"\{\{|\{%")
_RAW_START = re.compile(r"\{%-?\s*raw\s*-?%\}", re.ASCII)
_COMMENT_TAG = re.compile(r"\{%-?\s*(end)?comment\s*-?%\}")
_INLINE_COMMENT = re.compile(r"\{%-?\s*#")
_TAG_END = re.compile(r"%\}")
_PIECE = re.compile(
    r"""
      (?P<string>"(?:(?!%\}|\}\})[^"])*"|'(?:(?!%\}|\}\})[^'])*')
    | (?:(?P<ns>[A-Za-z_]\w*)\.)?\$\{(?P<name>[^}\n]*)\}
    | (?P<open>\{\{)
    | (?P<close>\}\})
    | (?P<tag_end>%\})
    | \w+ | [^"'$\{\}%\w]+ | .
    """,
    re.VERBOSE | re.DOTALL,
)
VARIABLE = "__braze{}"
VARIABLE_NAME = re.compile(r"__braze(\d+)")


@dataclass
class Translation:
    """Plain-Liquid source with the same line breaks, and what its variables stand for."""

    source: str
    references: list[Reference]
    text: list[str]
    crowded_outputs: list[tuple[int, tuple[str, ...]]]
    """Outputs that use two or more custom attributes: (line, their tags)."""


def translate(source: str) -> Translation:
    """Rewrite `${…}` references and nested `{{…}}` into plain Liquid, line for line."""
    out: list[str] = []
    text: list[str] = []
    references: dict[Reference, str] = {}
    crowded: list[tuple[int, tuple[str, ...]]] = []
    pos = 0
    while (start := _MARKUP_START.search(source, pos)) is not None:
        out.append(source[pos : start.start()])
        text.append(source[pos : start.start()])
        pos = start.start()
        if start.group() == "{%":
            verbatim_end = _verbatim_end(source, pos)
            if verbatim_end is not None:
                out.append(source[pos:verbatim_end])
                pos = verbatim_end
                continue
        used: list[Reference] = []
        begin = pos
        pos = _translate_markup(source, pos, out, references, used)
        attributes = dict.fromkeys(r.tag for r in used if r.namespace == "custom_attribute")
        if len(attributes) > 1 and start.group() == "{{":
            crowded.append((source.count("\n", 0, begin) + 1, tuple(attributes)))
    out.append(source[pos:])
    text.append(source[pos:])
    return Translation("".join(out), list(references), text, crowded)


def _verbatim_end(source: str, pos: int) -> int | None:
    """Where a raw block, comment block or inline comment starting at `pos` ends, if it is one."""
    raw = _RAW_START.match(source, pos)
    if raw is not None:
        # the first of Ruby Liquid's tokens after it that ends with `{% endraw ... %}`
        for begin, finish in template_tokens(source, raw.end()):
            end = RAW_END.match(source[begin:finish])
            if end is not None and end.group(2) == "endraw":
                return finish
        return len(source)
    if _INLINE_COMMENT.match(source, pos):
        end = _TAG_END.search(source, pos)
        return len(source) if end is None else end.end()
    first = _COMMENT_TAG.match(source, pos)
    if first is None or first.group(1):
        return None
    depth = 0
    for match in _COMMENT_TAG.finditer(source, pos):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            return match.end()
    return len(source)


def _translate_markup(
    source: str,
    pos: int,
    out: list[str],
    references: dict[Reference, str],
    used: list[Reference],
) -> int:
    """Copy one `{{ … }}` or `{% … %}` starting at `pos`, rewriting Braze syntax inside it."""
    in_tag = source.startswith("{%", pos)
    out.append(source[pos : pos + 2])
    pos += 2
    nested = 0
    open_quote: str | None = None  # an unclosed quote: `{{` after it is text, as Ruby reads it
    while pos < len(source):
        piece = _PIECE.match(source, pos)
        assert piece is not None  # the last alternative matches any character
        pos = piece.end()
        text = piece.group()
        if text in ("'", '"'):
            open_quote = text if open_quote is None else None if text == open_quote else open_quote
            out.append(text)
        elif piece.group("open") is not None and open_quote is not None:
            out.append(text)
        elif piece.group("name") is not None:
            reference = Reference(piece.group("ns"), piece.group("name").strip())
            used.append(reference)
            if reference not in references:
                references[reference] = VARIABLE.format(len(references))
            out.append(references[reference])
        elif piece.group("open") is not None:
            # `{% if {{x}} == 1 %}`, `{{ a | plus: {{b}} }}`: Braze reads output braces nested
            # in a tag or an output as the value they hold
            out.append("  ")
            nested += 1
        elif piece.group("close") is not None and nested:
            out.append("  ")
            nested -= 1
        elif piece.group("close") is not None and not in_tag:
            out.append("}}")
            return pos
        elif piece.group("tag_end") is not None and in_tag:
            out.append("%}")
            return pos
        elif piece.group("tag_end") is not None:
            out.append("%")  # `%}` does not end an output: its `}` may be the first of `}}`
            pos = piece.start() + 1
        else:
            out.append(piece.group())
    return pos
