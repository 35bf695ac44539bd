"""What the worker process may allocate, and what it holds: its data segment capped
(RLIMIT_DATA) and measured."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_bytes() -> int | None:
    """This process's resident memory (Linux; None elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


class DataLimit:
    """The cap on what this process may allocate beyond its size once started (RLIMIT_DATA):
    V8's heap pages, array buffers, strings V8 flattens and its own working memory all come
    out of it, so an allocation past it fails whatever mini-racer's heap check has seen.
    Compiling new code and building an isolate get a larger allowance than running code."""

    def __init__(self, run: int, build: int) -> None:
        self.base: int | None = None
        self._run, self._build = run, build
        self._current: int | None = None
        self._statm = -1
        self._statm_base: int | None = None

    def grown(self) -> int:
        """Bytes the data segment holds beyond its size at `start` (0 when it cannot be
        measured): a read of /proc/self/statm, about a microsecond."""
        now = self._statm_data()
        return 0 if now is None or self._statm_base is None else now - self._statm_base

    def _statm_data(self) -> int | None:
        if self._statm < 0:
            return None
        try:
            return int(os.pread(self._statm, 256, 0).split()[5]) * _PAGE
        except (OSError, IndexError, ValueError):
            return None

    def start(self) -> None:
        """Measure the process as it is now and apply the run allowance (Linux; elsewhere,
        nothing is capped)."""
        try:
            import resource  # noqa: F401

            status = Path("/proc/self/status").read_text()
        except (ImportError, OSError):
            return
        match = re.search(r"^VmData:\s+(\d+) kB", status, re.MULTILINE)
        if match is not None:
            self.base = int(match.group(1)) * 1024
            self._apply(self._run)
            try:
                self._statm = os.open("/proc/self/statm", os.O_RDONLY)
            except OSError:
                self._statm = -1
            self._statm_base = self._statm_data()

    @contextmanager
    def building(self) -> Iterator[None]:
        """The larger allowance while V8 compiles new code or loads the prelude."""
        if self.base is None:
            yield
            return
        self._apply(self._build)
        try:
            yield
        finally:
            self._apply(self._run)

    def _apply(self, headroom: int) -> None:
        import resource

        assert self.base is not None
        limit = self.base + headroom
        if limit == self._current:
            return
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
        self._current = limit
