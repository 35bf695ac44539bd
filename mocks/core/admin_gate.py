"""Who may use a mock's admin API, and what requests it takes: on a served mock the Host must
be one it was started with and a browser's Origin its own, the token must be sent when one is
set, and a write's body must be declared JSON and at most `admin_body_bytes` long. Checked
before any admin view."""

from __future__ import annotations

import hmac
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import Response, current_app, request
from werkzeug.wsgi import get_input_stream

from seen_braze_harness.mocks.core.http import is_admin_path, problem

ADMIN_BODY_BYTES = 4 * 1024 * 1024
"""The admin body limit of a mock whose settings name none (`admin_body_bytes`)."""


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
"""Admin methods that change state: their body, if any, must be declared JSON."""
JSON_CONTENT_RULE = (
    "admin writes (POST, PUT, PATCH, DELETE under /_mock) must send "
    "Content-Type: application/json (a write without a body may send none); a web page "
    "can send a form or text/plain across origins without asking, but not JSON"
)


ADMIN_ACCESS = "mock_admin_access"
"""Where a served mock's app keeps its `AdminAccess` (absent in-process: no Host check)."""
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
"""Host names the admin API answers to on any server, besides the address it is bound to."""


@dataclass(frozen=True)
class AdminAccess:
    """Who may use a served mock's admin API: the Host names it answers to (None: any),
    whether a browser's Origin must be the mock's own, and the token it needs (None: none)."""

    hosts: frozenset[str] | None = None
    same_origin: bool = False
    token: str | None = None

    @classmethod
    def served(
        cls, address: str, allow_hosts: Iterable[str] = (), token: str | None = None
    ) -> AdminAccess:
        """The loopback names, the bound `address` and `allow_hosts` (`*`: any Host)."""
        allowed = [host_name(name) for name in allow_hosts]
        names = frozenset({*LOOPBACK_NAMES, host_name(address), *allowed})
        return cls(hosts=None if "*" in names else names, same_origin=True, token=token or None)

    def authorized(self, environ: dict[str, Any]) -> bool:
        """Whether the request carries the token, as `Authorization: Bearer` or `X-Admin-Token`
        (compared in constant time), or none is needed."""
        if self.token is None:
            return True
        expected = self.token.encode("utf-8", "surrogateescape")
        offered: list[str] = []
        scheme, _, value = environ.get("HTTP_AUTHORIZATION", "").strip().partition(" ")
        if scheme.lower() == "bearer":
            offered.append(value.strip())
        if "HTTP_X_ADMIN_TOKEN" in environ:
            offered.append(environ["HTTP_X_ADMIN_TOKEN"].strip())
        return any(
            hmac.compare_digest(text.encode("latin-1", "replace"), expected) for text in offered
        )

    def refusal(self, environ: dict[str, Any]) -> Response | None:
        """A 421 problem for a Host not served, a 403 for a cross-origin browser request, a 401
        for a missing or wrong token."""
        host = environ.get("HTTP_HOST")
        if self.hosts is not None and host is not None and host_name(host) not in self.hosts:
            return problem(
                421,
                f"the admin API answers only to the names it was started with "
                f"({', '.join(sorted(self.hosts))}), not Host: {host[:100]}; add a name with "
                "`seen-braze serve --allow-host NAME`",
                rule="allowed-host",
            )
        origin = environ.get("HTTP_ORIGIN")
        if self.same_origin and origin is not None:
            own = f"{environ.get('wsgi.url_scheme', 'http')}://{host or ''}".lower()
            if origin.strip().lower().rstrip("/") != own:
                return problem(
                    403,
                    f"the admin API refuses requests a web page sends from another origin "
                    f"(Origin: {origin[:100]})",
                    rule="same-origin",
                )
        if not self.authorized(environ):
            refused = problem(
                401,
                "the admin API needs its token: send Authorization: Bearer TOKEN or "
                "X-Admin-Token: TOKEN (the token `seen-braze serve` was given with --admin-token "
                "or SEEN_BRAZE_ADMIN_TOKEN)",
                rule="admin-token",
            )
            refused.headers["WWW-Authenticate"] = 'Bearer realm="seen-braze admin"'
            return refused
        return None


def host_name(authority: str) -> str:
    """The name in a Host header or `host[:port]`: lower case, no port, brackets or final dot."""
    text = authority.strip().lower()
    if text.startswith("["):
        end = text.find("]")
        text = text[1:end] if end > 0 else text
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    return text.rstrip(".")


def _has_body(environ: dict[str, Any]) -> bool:
    length = environ.get("CONTENT_LENGTH") or ""
    if length.strip() not in ("", "0"):
        return True
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def check_admin_request() -> Response | None:
    """The admin API's own gate, before any view: on a served mock the Host must be one it
    was started with (421) and a browser's Origin its own (403); a write's body must be
    declared JSON (415) and at most `admin_body_bytes` long (413, refused before it is read
    whole: by its Content-Length, or as soon as a chunked body passes the limit)."""
    environ = request.environ
    if not is_admin_path(environ.get("PATH_INFO", "")):
        return None
    access: AdminAccess | None = current_app.extensions.get(ADMIN_ACCESS)
    if access is not None:
        refused = access.refusal(environ)
        if refused is not None:
            return refused
    if environ.get("REQUEST_METHOD", "") in WRITE_METHODS:
        declared = environ.get("CONTENT_TYPE", "")
        mimetype = declared.split(";", 1)[0].strip().lower()
        if mimetype != "application/json" and (declared.strip() or _has_body(environ)):
            shown = declared.strip() or "none"
            return problem(
                415,
                f"{JSON_CONTENT_RULE}; got Content-Type: {shown[:100]}",
                rule="json-content-type",
            )
    return _body_refusal(environ)


def _body_refusal(environ: dict[str, Any]) -> Response | None:
    """A 413 problem for an admin body over `admin_body_bytes`. A write's body is read here,
    at most one byte past the limit, and handed on to the view from memory."""
    runtime = current_app.extensions.get("mock")
    limit = getattr(getattr(runtime, "settings", None), "admin_body_bytes", ADMIN_BODY_BYTES)
    declared = request.content_length
    if declared is not None and declared > limit:
        return _too_large(limit, f"this one declares {declared:,} (Content-Length)")
    if environ.get("REQUEST_METHOD", "") not in WRITE_METHODS:
        return None
    stream = get_input_stream(environ, max_content_length=limit + 1)
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        return _too_large(limit, "this one is longer")
    environ["wsgi.input"] = io.BytesIO(b"".join(chunks))
    return None


def _too_large(limit: int, size: str) -> Response:
    return problem(
        413,
        f"the admin API takes request bodies of at most {limit:,} bytes (the "
        f"admin_body_bytes setting); {size}",
        rule="admin-body-bytes",
        limit=limit,
    )
