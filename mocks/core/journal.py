"""The journal: one record for every exchange a mock takes part in, inbound or outbound."""

from __future__ import annotations

import fnmatch
import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from seen_braze_harness.mocks.core.jsonbody import parse_json
from seen_braze_harness.schemas import SchemaIssue, check

Direction = Literal["inbound", "outbound"]

MAX_NOTE = 4096
"""Longest note kept on an exchange (a request with thousands of skipped values says less)."""

MAX_JSON_DEPTH = 200
"""Deeper bodies are journaled as text: schema checks and JSON output stay within the stack."""

_UNSET: Any = object()


@dataclass(frozen=True)
class HopSchemas:
    """Which schema a hop's request and responses are checked against (by schema name)."""

    request: str | None = None
    responses: Mapping[int | str, str] = field(default_factory=dict)

    def for_status(self, status: int | None) -> str | None:
        if status is None:
            return None
        return self.responses.get(status) or self.responses.get(f"{status // 100}xx")


@dataclass(frozen=True)
class SchemaVerdict:
    schema: str
    valid: bool
    errors: tuple[SchemaIssue, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "valid": self.valid,
            "errors": [issue.to_dict() for issue in self.errors],
        }


@dataclass(slots=True)
class Body:
    """A message body as it travelled, kept up to a size cap, parsed as JSON on demand."""

    raw: bytes
    size: int
    content_type: str = ""
    _parsed: Any = field(default=_UNSET, repr=False)
    _is_json: bool = field(default=False, repr=False)

    @classmethod
    def capture(cls, data: bytes | None, content_type: str = "", cap: int = 65536) -> Body:
        data = data or b""
        return cls(raw=data[:cap], size=len(data), content_type=content_type)

    @property
    def truncated(self) -> bool:
        return len(self.raw) < self.size

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON; None when it is not JSON (tell the two apart with `is_json`)."""
        if self._parsed is _UNSET:
            self._is_json, self._parsed = self.parse()
        return self._parsed

    def parse(self) -> tuple[bool, Any]:
        """(is JSON, the value), without keeping the value: a schema check reads each body
        once, and a large journal need not hold every body twice."""
        if self._parsed is not _UNSET:
            return self._is_json, self._parsed
        try:
            text = self.raw.decode("utf-8")
            parsed = (
                parse_json(text, max_depth=MAX_JSON_DEPTH)
                if self.raw and not self.truncated
                else None
            )
        except ValueError:  # not JSON, or JSON too hostile to show and check safely
            return False, None
        return parsed is not None or self.raw.strip() == b"null", parsed

    @property
    def is_json(self) -> bool:
        self.json()
        return self._is_json

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"size": self.size}
        if self.is_json:
            out["json"] = self.json()
        else:
            out["text"] = self.text
        if self.truncated:
            out["truncated"] = True
        return out


@dataclass(slots=True)
class Exchange:
    """One HTTP exchange as a mock saw it, with what went wrong if it never completed."""

    id: int
    service: str
    hop: str
    direction: Direction
    time: float
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: Body
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: Body | None = None
    error: str | None = None
    attempt: int | None = None
    fault: dict[str, Any] | None = None
    note: str | None = None
    duration: float | None = None
    schemas: HopSchemas | None = field(default=None, repr=False)
    _verdicts: dict[str, SchemaVerdict | None] | None = field(default=None, repr=False)

    @property
    def request_json(self) -> Any:
        return self.request_body.json()

    @property
    def response_json(self) -> Any:
        return None if self.response_body is None else self.response_body.json()

    def verdict(self) -> dict[str, SchemaVerdict | None]:
        """Schema verdicts for the request and the response, computed once, on first use."""
        if self._verdicts is None:
            self._verdicts = {
                "request": self._check(
                    None if self.schemas is None else self.schemas.request, self.request_body
                ),
                "response": self._check(
                    None if self.schemas is None else self.schemas.for_status(self.status),
                    self.response_body,
                ),
            }
        return self._verdicts

    @staticmethod
    def _check(schema: str | None, body: Body | None) -> SchemaVerdict | None:
        if schema is None or body is None:
            return None
        is_json, value = body.parse()
        if not is_json:
            reason = "body is truncated" if body.truncated else "body is not JSON"
            issue = SchemaIssue(pointer="", message=reason, rule="type")
            return SchemaVerdict(schema, False, (issue,))
        issues = tuple(check(schema, value))
        return SchemaVerdict(schema, not issues, issues)

    @property
    def valid(self) -> bool:
        """True when neither the request nor the response broke its schema."""
        return all(v is None or v.valid for v in self.verdict().values())

    def to_dict(self) -> dict[str, Any]:
        verdict = self.verdict()
        return {
            "id": self.id,
            "service": self.service,
            "hop": self.hop,
            "direction": self.direction,
            "time": self.time,
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": self.request_headers,
                "body": self.request_body.to_dict(),
            },
            "response": None
            if self.status is None
            else {
                "status": self.status,
                "headers": self.response_headers,
                "body": None if self.response_body is None else self.response_body.to_dict(),
            },
            "error": self.error,
            "attempt": self.attempt,
            "fault": self.fault,
            "note": self.note,
            "duration": self.duration,
            "schema": {k: None if v is None else v.to_dict() for k, v in verdict.items()},
        }


def header(headers: Mapping[str, str], name: str) -> str:
    """A header's value whatever the case of its name ("" when it is absent)."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "")


StatusFilter = int | str | None


def status_matches(status: int | None, wanted: StatusFilter) -> bool:
    """`wanted` is an exact status, a class such as "4xx", or "none" for no response."""
    if wanted is None:
        return True
    if isinstance(wanted, int):
        return status == wanted
    wanted = wanted.strip().lower()
    if wanted in ("none", "error"):
        return status is None
    if len(wanted) == 3 and wanted.endswith("xx") and _digits(wanted[0]):
        return status is not None and status // 100 == int(wanted[0])
    return _digits(wanted) and status == int(wanted)


STATUS_FILTER = "[1-5][0-9][0-9]|[1-5]xx|none|error"
"""The journal's `status` filter, exactly as the OpenAPI document states it (`none` and
`error` both mean "no response"): written once, so the document and the check cannot drift."""


def valid_status_filter(wanted: str) -> bool:
    """Exactly STATUS_FILTER: no spaces, no upper case, no leading zero; the document says the
    same, so a filter it allows is never refused and one it refuses is never taken."""
    return re.fullmatch(STATUS_FILTER, wanted) is not None


def _digits(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also accepts "²", which `int` refuses."""
    return text.isascii() and text.isdigit()


class Journal:
    """A bounded, thread-safe record of exchanges; the oldest go first when the cap is hit."""

    def __init__(self, cap: int = 10_000, *, body_cap: int = 65_536) -> None:
        if cap < 1:
            raise ValueError("journal cap must be at least 1")
        self.cap = cap
        self.body_cap = body_cap
        self._entries: deque[Exchange] = deque(maxlen=cap)
        self._lock = threading.Lock()
        self._next_id = 1
        self.evicted = 0
        self._hops: dict[str, HopSchemas] = {}

    def describe_hop(self, hop: str, schemas: HopSchemas) -> None:
        self._hops[hop] = schemas

    def hop_schemas(self, hop: str) -> HopSchemas | None:
        """What `hop`'s bodies are checked against; None when nothing is."""
        return self._hops.get(hop)

    def body(self, data: bytes | None, content_type: str = "") -> Body:
        return Body.capture(data, content_type, self.body_cap)

    def record(
        self,
        *,
        service: str,
        hop: str,
        direction: Direction,
        time: float,
        method: str,
        url: str,
        request_headers: Mapping[str, str] | Iterable[tuple[str, str]],
        request_body: Body,
        **outcome: Any,
    ) -> Exchange:
        note = outcome.get("note")
        if note is not None and len(note) > MAX_NOTE:
            outcome["note"] = f"{note[:MAX_NOTE]}... ({len(note) - MAX_NOTE} more characters)"
        with self._lock:
            exchange = Exchange(
                id=self._next_id,
                service=service,
                hop=hop,
                direction=direction,
                time=time,
                method=method,
                url=url,
                request_headers=dict(request_headers),
                request_body=request_body,
                schemas=self._hops.get(hop),
                **outcome,
            )
            self._next_id += 1
            if len(self._entries) == self.cap:
                self.evicted += 1
            self._entries.append(exchange)
        return exchange

    def query(
        self,
        *,
        hop: str | None = None,
        status: StatusFilter = None,
        direction: Direction | None = None,
        since: int | None = None,
    ) -> list[Exchange]:
        """Exchanges in the order they happened. `hop` may be a glob such as `seen.*`."""
        with self._lock:
            entries: Iterable[Exchange] = list(self._entries)
        return [
            e
            for e in entries
            if (hop is None or e.hop == hop or fnmatch.fnmatchcase(e.hop, hop))
            and status_matches(e.status, status)
            and (direction is None or e.direction == direction)
            and (since is None or e.id > since)
        ]

    def count(self, **filters: Any) -> int:
        return len(self.query(**filters))

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.evicted = 0
