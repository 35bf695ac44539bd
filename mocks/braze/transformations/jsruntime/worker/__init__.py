"""The process that owns the V8 isolate, so that V8 aborting on an out-of-memory kills only it.

The parent (`TransformationRuntime`) starts it as ``python -P -c WORKER_BOOT JSRUNTIME_DIR
REQUEST_FD RESPONSE_FD CONFIG_JSON`` and speaks length-prefixed JSON frames over the two
pipes: one request, one response, strictly in turn (`protocol.py`). In that process this
package is imported as `worker`, from the jsruntime folder, and its modules import each other
relatively: only the standard library and py_mini_racer are imported, and py_mini_racer only
once running, not the packages around it (whose `__init__` imports the whole mock). The
parent imports the same modules as part of its package, cheaply, for the framing helpers.

One isolate serves every run; the prelude (prelude.js) restores the realm after each one. The
restore is posted right behind the run, so V8 does it while this process answers. A run that
hits the time or memory limit, or a restore that reports changes it cannot undo, costs a fresh
isolate. When V8 is wedged in a built-in that ignores termination, the worker answers and
exits; the parent starts another.

The promise jobs a run leaves (then callbacks, await) run before anything else: mini-racer's
message pump drains the job queue after every script. Jobs that do not settle within the time
limit are terminated through V8 itself (no cancel of mini-racer's reaches them) and the run is
reported as such; the next run gets a fresh isolate, so each one starts on an empty job queue.

Everything this process allocates during a run (V8's heap, array buffers, V8's and Python's
working memory) comes out of one cap on its data segment (`DataLimit`, RLIMIT_DATA), sized from
the memory limit; after a run that left garbage, V8 collects it before the next run starts.

The modules: `protocol.py` (the configuration, frames, pipes), `serve.py` (the process's
loop), `engine.py` (runs, restores, recycles, tidy-ups), `isolate.py` (one isolate, the
prelude and compiled code), `channel.py` (scripts to V8, and stopping them), `failures.py`
(V8's exceptions in the user's terms), `memory.py` (the data cap, the process's size).
"""

from __future__ import annotations

from .channel import GRACE
from .engine import Engine
from .isolate import PRELUDE_PATH
from .protocol import (
    SPIN_SECONDS,
    FrameReader,
    WorkerConfig,
    encode_frame,
    read_spinning,
    write_all,
)

__all__ = [
    "GRACE",
    "PRELUDE_PATH",
    "SPIN_SECONDS",
    "Engine",
    "FrameReader",
    "WorkerConfig",
    "encode_frame",
    "read_spinning",
    "write_all",
]
