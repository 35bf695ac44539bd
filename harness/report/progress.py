"""A one-line progress bar for long runs, redrawn in place on a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from seen_braze_harness.harness.report.wording import thousands


class Progress:
    """A one-line progress bar for long runs, redrawn in place at most every `interval` s.

    Disabled (the default when `stream` is not a terminal) it writes nothing; an `update()`
    that does not redraw costs a clock read and a comparison.
    """

    BAR = 24

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        label: str = "users",
        now: Callable[[], float] = time.monotonic,
        interval: float = 0.1,
    ) -> None:
        self.total = max(total, 0)
        self.stream = sys.stderr if stream is None else stream
        self.enabled = _isatty(self.stream) if enabled is None else enabled
        self.label = label
        self.done = 0
        self._now = now
        self._interval = interval
        self._start = now() if self.enabled else 0.0
        self._next = self._start  # the first update draws
        self._drawn = 0
        self._closed = False

    def update(self, done: int) -> None:
        """Record that `done` items are finished; redraws if the last redraw is old enough."""
        self.done = done
        if not self.enabled:
            return
        moment = self._now()
        if moment < self._next:
            return
        self._next = moment + self._interval
        self._draw(moment)

    def close(self) -> None:
        """Draw the final state and end the line (once)."""
        if self._closed:
            return
        self._closed = True
        if self.enabled:
            self._draw(self._now())
            self._write("\n")

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def line(self, moment: float) -> str:
        """The bar as it reads at clock time `moment`."""
        done, total = self.done, self.total
        fraction = min(done / total, 1.0) if total else 1.0
        filled = int(fraction * self.BAR)
        bar = "#" * filled + "." * (self.BAR - filled)
        elapsed = moment - self._start
        rate = done / elapsed if elapsed > 0 else 0.0
        if done >= total:
            eta = "done"
        elif rate > 0:
            eta = "ETA " + _clock((total - done) / rate)
        else:
            eta = "ETA --:--"
        return (
            f"{self.label} [{bar}] {thousands(done)}/{thousands(total)} {fraction * 100:3.0f}%"
            f"  {rate:,.0f}/s  {eta}"
        )

    def _draw(self, moment: float) -> None:
        text = self.line(moment)
        padding = " " * max(self._drawn - len(text), 0)  # wipe what a longer line left
        self._drawn = len(text)
        self._write("\r" + text + padding)

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # a closed or broken stream must not stop the run
            self.enabled = False


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _clock(seconds: float) -> str:
    whole = int(seconds + 0.5)
    minutes, secs = divmod(whole, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
