"""Content Blocks: a block's name, content and description checked as Braze checks them (in
its words), the blocks each uses, and the graph of references: none unknown, none reaching
itself."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from seen_braze_harness.mocks.braze.campaigns.errors import _liquid_text
from seen_braze_harness.mocks.braze.liquid import LiquidError, compile_template
from seen_braze_harness.mocks.core.errors import Conflict, Invalid, NotFound

CONTENT_BLOCK_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")
CONTENT_BLOCK_MAX_BYTES = 50 * 1024
"""Braze: "Content Size: Maximum of 50 KB" (**assumed**: 51,200 bytes of UTF-8)."""
CONTENT_BLOCK_DESCRIPTION_MAX = 250


class ContentBlockError(Invalid):
    """A Content Block Braze would not save; the message is Braze's wording where it has one."""


class ContentBlockNotFound(NotFound):
    """No Content Block has this name."""


class ContentBlockInUse(Conflict):
    """A Content Block that campaigns or other blocks use cannot be deleted."""


@dataclass
class ContentBlock:
    """A saved Content Block: its Liquid and the blocks it uses."""

    name: str
    content: str
    description: str
    created_at: float
    updated_at: float
    uses: tuple[str, ...] = ()
    place: int = field(default=0, compare=False)
    """Its place among the store's blocks, in the order they were saved (for listing)."""

    @property
    def liquid_tag(self) -> str:
        return f"{{{{content_blocks.${{{self.name}}}}}}}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "content": self.content,
            "description": self.description,
            "liquid_tag": self.liquid_tag,
            "content_blocks": list(self.uses),
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def check_block_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise ContentBlockError("Content Block name cannot be blank.")
    if len(name) > 100:
        raise ContentBlockError("Content Block name must be 100 characters or fewer.")
    if not CONTENT_BLOCK_NAME.fullmatch(name):
        raise ContentBlockError(
            "Content Block name can only contain alphanumeric characters (letters, digits, "
            f"'-' and '_'), not {name!r}."
        )
    return name


def check_block_content(content: Any) -> tuple[str, tuple[str, ...]]:
    """The content and the block names it references; ContentBlockError in Braze's words."""
    if content is None or content == "":
        raise ContentBlockError("Content cannot be blank.")
    if not isinstance(content, str):
        raise ContentBlockError("Content must be a string.")
    try:
        size = len(content.encode("utf-8"))
    except UnicodeEncodeError:
        raise ContentBlockError("Content has a lone surrogate, which has no UTF-8 form.") from None
    if size > CONTENT_BLOCK_MAX_BYTES:
        raise ContentBlockError(f"Content must be smaller than 50kb ({size:,} bytes).")
    try:
        template = compile_template(content)
    except LiquidError as exc:
        raise ContentBlockError(f"Content contains malformed liquid: {_liquid_text(exc)}") from None
    return content, tuple(template.content_block_names)


def check_block_description(description: Any) -> str:
    if description is None:
        return ""
    if not isinstance(description, str):
        raise ContentBlockError("Content Block description must be a string.")
    if len(description) > CONTENT_BLOCK_DESCRIPTION_MAX:
        raise ContentBlockError("Content Block description must be shorter than 250 characters.")
    return description


def unknown_block(name: str) -> str:
    return f"Content Block {name!r} does not exist"


def check_block_graph(blocks: Mapping[str, Sequence[str]]) -> None:
    """Every referenced block exists and none reaches itself; ContentBlockError if not."""
    for name, uses in blocks.items():
        for used in uses:
            if used not in blocks:
                raise ContentBlockError(f"{name}: {unknown_block(used)}")
    for start in blocks:
        stack, seen = list(blocks[start]), set()
        while stack:
            current = stack.pop()
            if current == start:
                raise ContentBlockError(
                    f"{start}: Content Block cannot be referenced within itself."
                )
            if current not in seen:
                seen.add(current)
                stack.extend(blocks.get(current, ()))


def parse_content_blocks(data: Any) -> dict[str, ContentBlock]:
    """Blocks as settings and scenarios declare them (name to Liquid), checked together."""
    if not isinstance(data, Mapping):
        raise ContentBlockError("content_blocks: must map each block name to its Liquid")
    found: dict[str, ContentBlock] = {}
    for name, content in data.items():
        check_block_name(name)
        try:
            text, uses = check_block_content(content)
        except ContentBlockError as exc:
            raise ContentBlockError(f"{name}: {exc}") from None
        found[name] = ContentBlock(name, text, "", 0.0, 0.0, uses)
    check_block_graph({name: block.uses for name, block in found.items()})
    return found
