"""In-process network: `requests` calls to the services' real hostnames served by the mocks.

Two transports, the same HTTP semantics: `WsgiSession` calls the Flask app directly (the
harness's own hops, without `requests`' preparation), and `intercept` uses `responses` so
that any code calling `requests` is served too.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import requests
import responses
from requests.structures import CaseInsensitiveDict

from seen_braze_harness.mocks.core.http import DELAY_KEY, ConnectionDropped

WsgiApp = Any
"""A WSGI callable (a Flask app)."""

SEEN_HOST = "api.seen.io"
"""SEEN's API host, as the documented webhook URL names it."""
BRAZE_HOST = "rest.iad-01.braze.com"
"""The Braze REST host the harness uses for /users/track and the Data Transformation webhook."""


class UnroutedHost(requests.ConnectionError):
    """A request to a host no mock serves: in-process runs never reach the network."""


_DEFAULT_PORTS = {"http": 80, "https": 443}


def route(url: str) -> str:
    """The key a URL is served by: its host in lower case, with the port unless it is the
    scheme's default (`https://API.seen.io:443/x` and `https://api.seen.io/x` are one)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        return host
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"{host}:{port}"


def _environ(request: requests.PreparedRequest, body: bytes) -> dict[str, Any]:
    url = urlsplit(request.url or "")
    https = url.scheme == "https"
    port = url.port or (443 if https else 80)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method or "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote(url.path, encoding="latin-1") or "/",
        "QUERY_STRING": url.query,
        "SERVER_NAME": url.hostname or "localhost",
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": url.scheme or "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    # the body is whole here: a chunked one reaches the app with its length only, as from
    # waitress; one that also declared a Content-Length keeps both, for the app to refuse
    declared_length = "Content-Length" in request.headers
    for name, value in request.headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key == "TRANSFER_ENCODING" and not declared_length:
            continue
        elif key != "CONTENT_LENGTH":
            environ[f"HTTP_{key}"] = value
    environ["HTTP_HOST"] = url.netloc
    return environ


def call_wsgi(
    app: WsgiApp, request: requests.PreparedRequest, *, timeout: float | None = None
) -> tuple[int, str, list[tuple[str, str]], bytes]:
    """Run one request through `app`: status, reason, headers and the whole body.

    What a real network would do to the caller happens here too: a connection the mock drops
    is a ConnectionError, and an answer a delay fault holds back for `timeout` seconds or more
    is a Timeout (after the mock did its work, as when a real answer comes too late).
    """
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes):
        body = b"".join(body)
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [status, headers]
        return lambda data: None

    environ = _environ(request, body)
    try:
        chunks = app(environ, start_response)
        try:
            data = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
    except ConnectionDropped as exc:
        raise requests.ConnectionError(f"connection dropped: {exc}", request=request) from None
    delay = environ.get(DELAY_KEY)
    if timeout is not None and delay is not None and delay >= timeout:
        raise requests.ReadTimeout(
            f"no answer within {timeout:g} s (the mock held it back {delay:g} s)", request=request
        )
    status_line, headers = started
    code, _, reason = status_line.partition(" ")
    return int(code), reason, headers, data


@dataclass(frozen=True)
class WsgiResponse:
    """An answer from a WSGI app, with the attributes the mocks' sender reads."""

    status_code: int
    reason: str
    headers: CaseInsensitiveDict[str]
    content: bytes


class WsgiSession:
    """The one call the mocks' sender makes (`request`), served straight from WSGI apps.

    The harness's own hops go through it: it skips `requests`' preparation (proxies, cookies,
    hooks), which costs more than the mock's work, and keeps the HTTP exchange the same.
    """

    def __init__(self, apps: Mapping[str, WsgiApp] | None = None) -> None:
        self.apps: dict[str, WsgiApp] = dict(apps or {})

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        data: bytes,
        timeout: float,
        allow_redirects: bool,
    ) -> WsgiResponse:
        host = route(url)
        app = self.apps.get(host)
        if app is None:
            served = ", ".join(sorted(self.apps))
            raise UnroutedHost(f"no mock serves {host or url!r} in-process (served: {served})")
        prepared = requests.PreparedRequest()
        prepared.method = method.upper()
        prepared.url = url
        prepared.headers = CaseInsensitiveDict(headers)
        prepared.body = data
        status, reason, answer, body = call_wsgi(app, prepared, timeout=timeout)
        return WsgiResponse(status, reason, CaseInsensitiveDict(answer), body)

    def close(self) -> None:
        pass


def _callback(app: WsgiApp) -> Any:
    def respond(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        timeout = getattr(request, "req_kwargs", {}).get("timeout")
        wait = timeout[1] if isinstance(timeout, tuple) else timeout
        status, _, headers, data = call_wsgi(app, request, timeout=wait)
        merged: dict[str, str] = {}
        for name, value in headers:
            if name.lower() != "content-length":
                merged[name] = value
        return status, merged, data

    return respond


def host_pattern(host: str) -> re.Pattern[str]:
    """The URLs served for `host` (as `route` gives it): any case, default port or none."""
    name, _, port = host.partition(":")
    ports = f":{port}" if port else "(:80|:443)?"
    return re.compile(rf"https?://{re.escape(name)}{ports}([/?].*)?$", flags=re.IGNORECASE)


@contextmanager
def intercept(
    apps: Mapping[str, WsgiApp], *, passthrough: Iterable[str | re.Pattern[str]] = ()
) -> Iterator[responses.RequestsMock]:
    """Every `requests` call to a host in `apps` is served by its mock; any other host fails
    with a ConnectionError naming it, unless its URL starts with one of `passthrough`."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for host, app in apps.items():
            pattern = host_pattern(host)
            for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
                mock.add_callback(method, pattern, callback=_callback(app))
        for prefix in passthrough:
            mock.add_passthru(prefix)
        yield mock
