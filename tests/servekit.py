"""Start `seen-braze serve` as a separate process, as a user would, and stop it with Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType

SCRIPT = Path(sys.executable).with_name("seen-braze")


def seen_braze_command(*args: str) -> list[str]:
    """The installed console script, or the module when the script is not installed."""
    if SCRIPT.exists():
        return [str(SCRIPT), *args]
    return [sys.executable, "-m", "seen_braze_harness.harness.cli", *args]


class ServeProcess:
    """`seen-braze serve --seen-port 0 ...`; exposes the printed banner and base URL."""

    def __init__(self, *args: str, env: dict[str, str] | None = None, cwd: str | None = None):
        self.args = ["serve", "--seen-port", "0", "--braze-port", "0", *args]
        self.env = env
        self.cwd = cwd
        self.lines: list[str] = []
        self.process: subprocess.Popen[str] | None = None
        self.returncode: int | None = None
        self.tail = ""

    @property
    def banner(self) -> str:
        return "\n".join(self.lines)

    @property
    def url(self) -> str:
        match = re.search(r"^SEEN mock\s+(\S+)$", self.banner, flags=re.M)
        assert match, self.banner
        return match.group(1)

    @property
    def address(self) -> str:
        return self.url.removeprefix("http://")

    @property
    def braze_url(self) -> str:
        match = re.search(r"^Braze mock\s+(\S+)$", self.banner, flags=re.M)
        assert match, self.banner
        return match.group(1)

    @property
    def braze_address(self) -> str:
        return self.braze_url.removeprefix("http://")

    def __enter__(self) -> ServeProcess:
        self.process = subprocess.Popen(
            seen_braze_command(*self.args),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(self.env or {})},
            cwd=self.cwd,
        )
        assert self.process.stdout is not None
        timer = threading.Timer(30, self.process.kill)
        timer.start()
        try:
            for line in self.process.stdout:
                self.lines.append(line.rstrip("\n"))
                if line.startswith("Press Ctrl-C"):
                    break
        finally:
            timer.cancel()
        assert self.lines and self.lines[-1].startswith("Press Ctrl-C"), self.banner
        return self

    def stop(self) -> int:
        assert self.process is not None
        if self.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                out, _ = self.process.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                out, _ = self.process.communicate()
            self.tail = out
            self.returncode = self.process.returncode
        return self.returncode

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
