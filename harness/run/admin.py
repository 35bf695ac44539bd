"""One mock's admin API (`/_mock/...`) as the run drives it, over any `HttpSession`: a
`requests.Session` to a served mock, or the in-process WSGI session onto its app. Both modes
configure, seed and read the mocks through this one client, so the admin API's JSON is the
contract between the run and the mocks."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import requests

from seen_braze_harness.mocks.core.delivery import HttpResponse, HttpSession
from seen_braze_harness.mocks.core.pagination import follow

SERVICES = {"seen": "SEEN", "braze": "Braze"}
PAGE_SIZE = 1000
"""Items asked of each page of an admin listing: the most a mock serves by default
(`admin_page_max`); a mock that serves fewer is asked for its default page instead."""
CONNECT_TIMEOUT = 5.0


class RemoteError(Exception):
    """A mock that cannot be reached or used; the message names the URL or the admin call."""


class Unreachable(RemoteError):
    """No answer came; `cause` says why in a few words."""

    def __init__(self, message: str, cause: str) -> None:
        super().__init__(message)
        self.cause = cause


class AdminRefused(RemoteError):
    """An admin call answered 4xx or 5xx; `detail` is the mock's own explanation."""

    def __init__(self, message: str, status: int, detail: str, answer: Any) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail
        self.answer = answer


class Answer:
    """An admin call's answer: status, URL and body, with the JSON decoded on demand, once."""

    def __init__(self, url: str, response: HttpResponse) -> None:
        self.url = url
        self.status = response.status_code
        self.content = response.content
        self._decoded: tuple[Any] | None = None

    def json(self) -> Any:
        """The body's JSON, or None when it has none (a listing's page is read twice: for its
        `limit` problem, then as the answer; it is decoded once)."""
        if self._decoded is None:
            try:
                self._decoded = (json.loads(self.content),)
            except ValueError:
                self._decoded = (None,)
        return self._decoded[0]

    def detail(self) -> str:
        """The answer's RFC 7807 detail, or its body, shortened."""
        body = self.json()
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            return str(body["detail"])
        text = self.content.decode("utf-8", "replace").strip() or "(empty body)"
        return text if len(text) <= 300 else text[:297] + "..."


class AdminClient:
    """One mock's admin API at `url`, reached through `session`."""

    def __init__(
        self,
        service: str,
        url: str,
        session: HttpSession,
        timeout: float,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.service = service
        self.name = f"the {SERVICES[service]} mock"
        self.url = url.rstrip("/")
        self.session = session
        self.timeout = timeout
        self.headers = dict(headers or {})
        self.page_size: int | None = PAGE_SIZE

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str | int] | None = None,
        timeout: float | None = None,
    ) -> Answer:
        url = f"{self.url}{path}"
        if params:
            url = f"{url}?{urlencode(params)}"
        headers = dict(self.headers)
        data = b""
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            response = self.session.request(
                method,
                url,
                headers=headers,
                data=data,
                timeout=timeout or self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            cause = reason(exc)
            raise Unreachable(
                f"{method} {url}: no answer from {self.name}: {cause}", cause
            ) from None
        return Answer(url, response)

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: Mapping[str, str | int] | None = None,
        timeout: float | None = None,
    ) -> Any:
        """The JSON answer of an admin call; AdminRefused naming the call for any 4xx/5xx."""
        return self.answer(
            method, self.request(method, path, body=body, params=params, timeout=timeout)
        )

    @staticmethod
    def answer(method: str, answer: Answer) -> Any:
        """An admin call's JSON answer; AdminRefused naming the call for any 4xx/5xx."""
        if answer.status >= 400:
            detail = answer.detail()
            raise AdminRefused(
                f"{method} {answer.url} answered HTTP {answer.status}: {detail}",
                answer.status,
                detail,
                answer.json(),
            )
        if not answer.content:
            return None
        decoded = answer.json()
        if decoded is None and answer.content.strip() != b"null":
            raise RemoteError(
                f"{method} {answer.url} answered HTTP {answer.status} without JSON: "
                f"{answer.detail()}"
            )
        return decoded

    def check_health(self, flag: str) -> None:
        """RemoteError unless `GET /_mock/health` says this is the expected mock."""
        try:
            answer = self.request("GET", "/_mock/health")
        except Unreachable as exc:
            raise RemoteError(
                f"{self.name} at {self.url} is unreachable ({exc.cause}): start it with "
                f"`seen-braze serve`, or correct {flag}"
            ) from None
        health = answer.json()
        service = health.get("service") if isinstance(health, dict) else None
        if answer.status != 200 or service not in SERVICES:
            raise RemoteError(
                f"{self.url} is not {self.name}: GET /_mock/health answered HTTP "
                f"{answer.status} ({answer.detail()}); correct {flag}"
            )
        if service != self.service:
            raise RemoteError(
                f"{self.url} is the {SERVICES[service]} mock, not {self.name}: "
                "swap --seen-url and --braze-url"
            )

    def listing(
        self,
        path: str,
        key: str,
        *,
        params: Mapping[str, str] | None = None,
        newest_first: bool = False,
    ) -> tuple[dict[str, Any], list[Any]]:
        """Every item of an admin listing, the pages' cursors followed to the end: the first
        page's other fields, and the items oldest first."""
        try:
            return follow(
                lambda query: self._page(path, query),
                key,
                params=params,
                newest_first=newest_first,
            )
        except ValueError as exc:
            raise RemoteError(f"GET {self.url}{path}: {exc}") from None

    def _page(self, path: str, query: Mapping[str, str]) -> Any:
        """One page, of `page_size` items unless the mock serves fewer (then its default)."""
        if self.page_size is not None:
            answer = self.request("GET", path, params={"limit": self.page_size, **query})
            body = answer.json()
            detail = body.get("detail") if isinstance(body, dict) else None
            if answer.status != 400 or not str(detail).startswith("limit:"):
                return self.answer("GET", answer)
            self.page_size = None
        return self.call("GET", path, params=query)

    def items(self, path: str, key: str, **options: Any) -> list[Any]:
        """Every item of an admin listing (see `listing`)."""
        return self.listing(path, key, **options)[1]

    def clock(self) -> dict[str, Any]:
        state: dict[str, Any] = self.call("GET", "/_mock/clock")
        return state

    def advance(self, seconds: float, timeout: float) -> dict[str, Any]:
        state: dict[str, Any] = self.call(
            "POST", "/_mock/clock", body={"advance": seconds}, timeout=timeout
        )
        return state


class HttpTimeouts:
    """A `requests.Session` as an `HttpSession`, with a short connect timeout beside the read
    timeout each call gives."""

    def __init__(self, session: requests.Session) -> None:
        self.session = session

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str],
        data: bytes,
        timeout: float,
        allow_redirects: bool,
    ) -> HttpResponse:
        return self.session.request(
            method,
            url,
            headers=dict(headers),
            data=data or None,
            timeout=(min(CONNECT_TIMEOUT, timeout), timeout),
            allow_redirects=allow_redirects,
        )


def rehost(url: str, host: str, base: str) -> str:
    """`url` with its scheme and `host` (and any port) replaced by `base`; the path is kept."""
    return re.sub(rf"^https?://{re.escape(host)}(:\d+)?(?=[/?#]|$)", lambda _: base, url)


def reason(exc: Exception) -> str:
    """The root cause in a few words ("Connection refused"), not urllib3's whole chain."""
    text = str(exc) or type(exc).__name__
    found = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if found:
        return found.group(1).rstrip(". ")
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return text if len(text) <= 200 else text[:197] + "..."
