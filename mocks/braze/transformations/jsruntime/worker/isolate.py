"""One V8 isolate: the prelude loaded, and the user's code compiled in it once."""

from __future__ import annotations

import json
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .channel import STARTUP_TIMEOUT, Channel
from .failures import SOURCE_URL, SourceMap, parse_exception
from .protocol import WorkerConfig

PRELUDE_PATH = Path(__file__).with_name("prelude.js")
FUNCTION_BODY_FIRST_LINE = 3
"""`new Function(a, b, body)` compiles "(function anonymous(a,b\\n) {\\nBODY\\n})"."""


def js_string(text: str) -> str:
    """`text` as a JavaScript string literal (JSON strings are JavaScript strings)."""
    return json.dumps(text)


@dataclass(frozen=True)
class Compiled:
    id: int
    source: SourceMap


class Isolate:
    """A V8 isolate with the prelude loaded and the user code compiled in it so far."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.name = "__dt" + secrets.token_hex(16)
        self.channel = Channel()
        self.racer = self.channel.racer
        self._compiled: OrderedDict[str, Compiled | dict[str, Any]] = OrderedDict()
        self._next_id = 0
        limits = {
            "consoleChars": config.console_chars,
            "outputChars": config.output_chars,
        }
        prelude = (
            PRELUDE_PATH.read_text("utf-8")
            .replace("__DT_RUNTIME__", self.name)
            .replace("__DT_LIMITS__", json.dumps(limits))
        )
        self.evaluate(prelude, STARTUP_TIMEOUT)
        self.racer.set_hard_memory_limit(config.memory)

    def evaluate(self, script: str, timeout: float) -> Any:
        return self.channel.evaluate(script, timeout)

    def knows(self, code: str) -> bool:
        """Whether `code` was compiled here already (or found not to compile)."""
        return code in self._compiled

    def compile(self, code: str) -> Compiled | dict[str, Any]:
        """The user's code as a factory of fresh functions, or why it cannot be one."""
        from py_mini_racer import JSEvalException

        known = self._compiled.get(code)
        if known is not None:
            self._compiled.move_to_end(code)
            return known
        entry: Compiled | dict[str, Any]
        try:
            self.evaluate(f'"use strict";{self.name}.check({js_string(code)})', self.config.timeout)
        except TimeoutError:
            return {"kind": "timeout", "error": "Compiling the code exceeded the time limit"}
        except JSEvalException as exc:
            body = SourceMap(code, first_line=FUNCTION_BODY_FIRST_LINE)
            entry = parse_exception(str(exc), body, resource="undefined").as_dict("syntax")
            entry["stack"] = None
        else:
            entry = self._define(code)
        self._compiled[code] = entry
        while len(self._compiled) > self.config.code_cache:
            _, old = self._compiled.popitem(last=False)
            if isinstance(old, Compiled):
                self.evaluate(f"{self.name}.forget({old.id})", self.config.timeout)
        return entry

    def _define(self, code: str) -> Compiled | dict[str, Any]:
        from py_mini_racer import JSEvalException

        self._next_id += 1
        header = (
            f"{self.name}.define({self._next_id}, "
            "function () { return function (payload, headers) {"
        )
        script = f"{header}{code}\n}}; }});\n//# sourceURL={SOURCE_URL}"
        source = SourceMap(code, first_line=1, indent=len(header))
        try:
            self.evaluate(script, self.config.timeout)
        except TimeoutError:
            return {"kind": "timeout", "error": "Compiling the code exceeded the time limit"}
        except JSEvalException as exc:
            entry = parse_exception(str(exc), source, resource="<anonymous>").as_dict("syntax")
            entry["stack"] = None
            return entry
        return Compiled(self._next_id, source)

    def close(self) -> None:
        self.channel.close()
