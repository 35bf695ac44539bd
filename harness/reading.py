"""Reading the files the command line is given, bounded: never a FIFO, a device or a directory,
never more than a documented number of bytes, always UTF-8.

`Path.read_text` on `/dev/zero` reads until the machine runs out of memory, and on a FIFO it
waits for a writer forever. `read_text` here refuses anything that is not a regular file at once
(without blocking: the file is opened non-blocking), stops reading one byte past its limit, and
decodes strictly; every refusal is a `FileReadError` whose message says what is wrong in plain
words (the caller puts the command and the file in front of it).
"""

from __future__ import annotations

import os
import stat

MiB = 1024 * 1024

SCENARIO_BYTES = 4 * MiB
"""Largest scenario TOML file (**assumed**: the embedded scenario is 2 KB; inline audience
profiles are the only thing that makes one large)."""
TEMPLATE_BYTES = 4 * MiB
"""Largest `seen-braze render` TEMPLATE (**assumed**: Braze documents no size for a webhook
body; 4 MB is what most of its REST endpoints take)."""
JSON_BYTES = 4 * MiB
"""Largest JSON input file: `render --user` and the `@file` property flags (**assumed**:
`/users/track`, whose attribute form a profile takes, refuses bodies over 4 MB)."""
HEADERS_BYTES = 256 * 1024
"""Largest `transform --headers` file (**assumed**: waitress's default request-header limit,
`max_request_header_size`, 256 KiB)."""
CODE_BYTES = 4 * MiB
"""Largest transformation code file: the runtime takes 1,048,576 characters of code
(`RunLimits.code_chars`, **assumed**), which UTF-8 can spell in at most 4 bytes each; the
character limit itself is checked after decoding."""

_CHUNK = 64 * 1024


class FileReadError(ValueError):
    """A file that cannot be used as input; the message says why (not which file)."""


class FileUnreadable(FileReadError):
    """The file cannot be opened or read, or is not a regular file; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"cannot read: {reason}")
        self.reason = reason


class FileTooLarge(FileReadError):
    """The file holds more bytes than the limit for its kind."""


def read_text(path: str | os.PathLike[str], limit: int, kind: str) -> str:
    """The UTF-8 text of the regular file at `path`, at most `limit` bytes of it.

    `kind` names the file in the size message ("a scenario file"). Universal newlines apply, as
    with `Path.read_text`. FileReadError when the file cannot be opened, is not a regular file,
    is larger than `limit`, or is not UTF-8."""
    data = read_bytes(path, limit, kind)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileReadError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start:,}); save it as UTF-8"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_bytes(path: str | os.PathLike[str], limit: int, kind: str) -> bytes:
    """At most `limit` bytes of the regular file at `path`; FileReadError as `read_text`."""
    try:
        _check_kind(os.stat(path).st_mode)
        # O_NONBLOCK: a FIFO swapped in after the stat must not block the open; no effect on a
        # regular file. The descriptor's own fstat is what decides.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FileUnreadable(f"{exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        _check_kind(info.st_mode)
        if info.st_size > limit:
            raise FileTooLarge(_too_large(info.st_size, limit, kind))
        chunks: list[bytes] = []
        size = 0
        while size <= limit:  # one byte past the limit is enough to know
            chunk = os.read(fd, min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise FileTooLarge(_too_large(None, limit, kind))
        return b"".join(chunks)
    except OSError as exc:
        raise FileUnreadable(f"{exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _check_kind(mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        what = "a directory"
    elif stat.S_ISFIFO(mode):
        what = "a FIFO (named pipe)"
    elif stat.S_ISCHR(mode):
        what = "a character device"
    elif stat.S_ISBLK(mode):
        what = "a block device"
    elif stat.S_ISSOCK(mode):
        what = "a socket"
    else:
        what = "not a file"
    raise FileUnreadable(f"{what}, not a regular file")


def _too_large(size: int | None, limit: int, kind: str) -> str:
    actual = f"{size:,} bytes, " if size is not None else ""
    return f"too large: {actual}over the {limit:,}-byte ({_human(limit)}) limit for {kind}"


def _human(limit: int) -> str:
    if limit % MiB == 0:
        return f"{limit // MiB} MiB"
    if limit % 1024 == 0:
        return f"{limit // 1024} KiB"
    return f"{limit:,} bytes"
