"""Serve mock apps over real HTTP on loopback (server mode), with waitress in a thread."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterable
from typing import Any, cast

from flask import Flask
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.task import WSGITask

from mocks.core.admin import ADMIN_ACCESS, AdminAccess
from mocks.core.http import DROP_CONNECTION_KEY


class _DroppableTask(WSGITask):
    """A waitress task that can close its connection without sending a byte (drop faults)."""

    dropped = False

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[DROP_CONNECTION_KEY] = self._drop
        return environ

    def _drop(self) -> None:
        self.dropped = True

    def finish(self) -> None:
        if self.dropped:
            self.close_on_finish = True
            return
        super().finish()


class _Channel(HTTPChannel):
    task_class = _DroppableTask


def is_loopback(host: str) -> bool:
    """Whether listening on `host` keeps the server to this machine."""
    if host.strip().lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


class MockServer:
    """One Flask app on `host:port` (port 0 picks a free one) until `stop()`.

    A mock's admin API then answers only to a loopback name, `host` or one of `allow_hosts`
    in the Host header (`*` lifts the check), refuses a browser's cross-origin request and,
    given `admin_token`, needs it on every request.
    """

    def __init__(
        self,
        app: Flask,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = 16,
        allow_hosts: Iterable[str] = (),
        admin_token: str | None = None,
    ) -> None:
        self.app = app
        # waitress's stubs lack the attributes used here (effective_port, _map)
        self._server = cast(
            Any,
            create_server(
                app, host=host, port=port, threads=threads, channel_timeout=120, ident=""
            ),
        )
        self._server.channel_class = _Channel
        if "mock" in app.extensions:
            app.extensions[ADMIN_ACCESS] = AdminAccess.served(host, allow_hosts, admin_token)
        self.host = host
        self.port: int = self._server.effective_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> MockServer:
        self._thread = threading.Thread(
            target=self._server.run, name=f"serve-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server = self._server
        server.task_dispatcher.shutdown(timeout=5)
        if self._thread is not None and self._thread.is_alive():
            # Close the sockets in the server's own loop: closing them from here raced its
            # select() (EBADF in the server thread). An empty map ends the loop.
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
            self._thread.join(timeout=5)
        if server._map:
            wasyncore.close_all(server._map)
        self._thread = None
        runtime = self.app.extensions.get("mock")
        if runtime is not None:
            runtime.close()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
