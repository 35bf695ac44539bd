"""Reading the worker's pipes: poll first, then sleep; a deadline and an end of file are seen."""

from __future__ import annotations

import os
import threading
import time

from seen_braze_harness.mocks.braze.transformations.jsruntime.worker import read_spinning


def pipe() -> tuple[int, int]:
    read, write = os.pipe()
    os.set_blocking(read, False)
    return read, write


def test_data_already_there_is_returned_at_once() -> None:
    read, write = pipe()
    os.write(write, b"frame")
    assert read_spinning(read, 0.001) == b"frame"
    os.close(read)
    os.close(write)


def test_data_that_comes_after_the_polling_wakes_the_sleeping_reader() -> None:
    read, write = pipe()
    later = threading.Timer(0.05, lambda: os.write(write, b"late"))
    later.start()
    assert read_spinning(read, 0.001, time.monotonic() + 5) == b"late"
    later.join()
    os.close(read)
    os.close(write)


def test_nothing_before_the_deadline_is_none() -> None:
    read, write = pipe()
    started = time.monotonic()
    assert read_spinning(read, 0.001, started + 0.05) is None
    assert time.monotonic() - started >= 0.05
    os.close(read)
    os.close(write)


def test_a_closed_writer_is_an_empty_read() -> None:
    read, write = pipe()
    os.close(write)
    assert read_spinning(read, 0.001, time.monotonic() + 5) == b""
    os.close(read)
