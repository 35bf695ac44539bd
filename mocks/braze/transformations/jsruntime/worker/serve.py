"""The worker process's loop: the ready frame, then one request and one response at a time."""

from __future__ import annotations

import json
import os

from .engine import TIDY_EVERY, Engine
from .memory import resident_bytes
from .protocol import (
    SPIN_SECONDS,
    FrameReader,
    WorkerConfig,
    encode_frame,
    read_spinning,
    write_all,
)


def _restarting(body: bytes) -> bytes:
    """A run's answer that also tells the parent this worker exits after it."""
    answer = json.loads(body)
    answer["restart"] = True
    return json.dumps(answer).encode()


def serve(request_fd: int, response_fd: int, config: WorkerConfig) -> None:
    engine = Engine(config)
    engine.data_limit.start()
    ready = {
        "ready": True,
        "pid": os.getpid(),
        "v8": engine.isolate.racer.v8_version,
        "heap_limit": engine.isolate.racer.heap_stats()["heap_size_limit"],
        "direct": engine.isolate.channel.direct,
        "recorded_objects": engine.isolate.evaluate(f"{engine.isolate.name}.recordCount()", 5),
        "rss": resident_bytes(),
    }
    write_all(response_fd, encode_frame(json.dumps(ready).encode()))
    reader = FrameReader()
    runs = 0
    os.set_blocking(request_fd, False)
    while True:
        data = read_spinning(request_fd, SPIN_SECONDS)
        if not data:
            break
        for frame in reader.feed(data):
            request = json.loads(frame)
            if request.get("op") == "stats":
                body = json.dumps({"recycles": engine.recycles}).encode()
                write_all(response_fd, encode_frame(body))
                continue
            body, then = engine.run(request)
            fresh = then == "recycle"
            if fresh:  # before answering: what the old isolate held is given back first, so
                engine.recycle()  # that the crowding check sees only what the process keeps
                then = None
            if then is None and engine.crowded():
                body, then = _restarting(body), "exit"
            write_all(response_fd, encode_frame(body))
            runs += 1
            # After answering: the caller does not wait for it.
            if then == "exit":  # the isolate's thread is wedged, or the process holds memory
                os._exit(0)  # another run would die of: no orderly shutdown is possible
            if fresh:
                continue
            if runs % TIDY_EVERY == 0:
                engine.isolate.racer.low_memory_notification()
            else:
                engine.tidy()
    engine.isolate.close()


def main(argv: list[str]) -> int:
    request_fd, response_fd = int(argv[1]), int(argv[2])
    config = WorkerConfig.from_json(argv[3])
    from py_mini_racer import DEFAULT_V8_FLAGS, init_mini_racer

    init_mini_racer(
        flags=[
            *DEFAULT_V8_FLAGS,
            f"--max-old-space-size={config.heap_mb}",
            f"--max-semi-space-size={config.semi_space_mb}",
        ]
    )
    serve(request_fd, response_fd, config)
    return 0
