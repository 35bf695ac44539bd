"""How a parse or a render fails: Ruby Liquid's syntax and render errors, the emulator's
limits, and any error told in a few words."""

from __future__ import annotations

from seen_braze_harness.mocks.braze.liquid.ruby.values import LiquidArgumentError


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


def failure_text(exc: BaseException) -> str:
    """An error in a few words: Liquid's own by its message, Python's with its kind."""
    if isinstance(exc, LiquidArgumentError):
        return str(exc)
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
