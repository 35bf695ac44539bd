"""What the parent and the worker say to each other: the worker's configuration on its
command line, then length-prefixed JSON frames over two pipes, one request, one response."""

from __future__ import annotations

import json
import os
import select
import struct
import time
from dataclasses import dataclass

FRAME_HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 256 * 1024 * 1024


def encode_frame(body: bytes) -> bytes:
    return FRAME_HEADER.pack(len(body)) + body


class FrameReader:
    """Splits a byte stream into frames."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        frames: list[bytes] = []
        while len(self._buffer) >= FRAME_HEADER.size:
            (size,) = FRAME_HEADER.unpack_from(self._buffer)
            if size > MAX_FRAME_BYTES:
                raise ValueError(f"frame of {size} bytes exceeds {MAX_FRAME_BYTES}")
            end = FRAME_HEADER.size + size
            if len(self._buffer) < end:
                break
            frames.append(bytes(self._buffer[FRAME_HEADER.size : end]))
            del self._buffer[:end]
        return frames


SPIN_SECONDS = 0.003
"""How long a reader polls its pipe before it sleeps. Waking a sleeping process costs tens of
microseconds on a small virtual machine, more than a typical run: while runs follow each
other closely (an end-to-end run sends one every few milliseconds), neither side sleeps."""


def read_spinning(fd: int, spin: float, deadline: float | None = None) -> bytes | None:
    """What `fd` (non-blocking) has, polling for `spin` seconds, then waiting in `select`
    until `deadline` (monotonic; None: for ever). None when the deadline passed first."""
    polling_until = time.monotonic() + spin
    while True:
        try:
            return os.read(fd, 1 << 16)
        except BlockingIOError:
            pass
        now = time.monotonic()
        if now < polling_until:
            continue
        if deadline is not None and now >= deadline:
            return None
        select.select([fd], [], [], None if deadline is None else deadline - now)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


@dataclass(frozen=True)
class WorkerConfig:
    timeout: float
    memory: int
    console_chars: int
    output_chars: int
    code_cache: int
    heap_mb: int
    semi_space_mb: int
    data_headroom: int
    build_headroom: int

    @classmethod
    def from_json(cls, text: str) -> WorkerConfig:
        return cls(**json.loads(text))
