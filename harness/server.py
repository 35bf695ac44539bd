"""Serve mock apps over real HTTP on loopback (server mode), with waitress in a thread."""

from __future__ import annotations

import errno
import ipaddress
import threading
from collections.abc import Iterable
from typing import Any, cast

from flask import Flask
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import create_server
from waitress.task import WSGITask

from seen_braze_harness.mocks.core.admin_gate import ADMIN_ACCESS, AdminAccess
from seen_braze_harness.mocks.core.http import DROP_CONNECTION_KEY


class _FramingParser(HTTPRequestParser):
    """Shows the application a request that has both Content-Length and Transfer-Encoding,
    reads no body of it, and makes the server close the connection after the answer.

    waitress 3.0.2 (the latest release when this was written) frames such a request by its
    Transfer-Encoding, removes that header and rewrites CONTENT_LENGTH, so an application
    cannot tell, and keeps the connection open (Pylons/waitress#464); RFC 9112, section 6.1,
    says a server must close it. The mocks refuse the request with a 400
    (`conflicting_framing` in mocks/core/http.py). waitress fixed it after 3.0.2
    (Pylons/waitress#475, "When Transfer-Encoding is set, and Content-Length, close
    connection" in its CHANGES.txt). To check whether this can go: tests/harness/test_serve.py
    `test_waitress_alone_keeps_a_conflicting_connection_open` fails on a release that has the
    fix; then require that release in pyproject.toml and decide whether the mocks still refuse
    such a request (keep this class) or process it by its Transfer-Encoding (remove it).
    """

    conflicting_framing = False

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        headers = cast(dict[str, str], self.headers)
        if "CONTENT_LENGTH" not in headers:
            return
        if self.chunked:  # HTTP/1.1: waitress removed the header and would frame by it
            headers["TRANSFER_ENCODING"] = "chunked"
            self.chunked = False
        elif "TRANSFER_ENCODING" not in headers:  # HTTP/1.0 keeps it and frames by length
            return
        # no body is read: the answer is the 400, and nothing after the headers is a request
        self.body_rcv = None
        self.content_length = 0
        self.conflicting_framing = True


class _DroppableTask(WSGITask):
    """A waitress task that can close its connection without sending a byte (drop faults),
    or close it after the answer (a request whose framing is ambiguous)."""

    dropped = False

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ[DROP_CONNECTION_KEY] = self._drop
        return environ

    def start(self) -> None:
        super().start()
        if getattr(self.request, "conflicting_framing", False):
            self.set_close_on_finish()

    def _drop(self) -> None:
        self.dropped = True

    def finish(self) -> None:
        if self.dropped:
            self.close_on_finish = True
            return
        super().finish()


class _Channel(HTTPChannel):
    task_class = _DroppableTask
    parser_class = _FramingParser


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
            try:
                server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
            except OSError as exc:  # the trigger is closed already: close from here, below,
                if exc.errno != errno.EBADF:  # as waitress's close_all takes EBADF too
                    raise
            else:
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
