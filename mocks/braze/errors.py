"""Braze's REST errors: a JSON object with a `message` (and `errors` where Braze lists them)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any, ClassVar

from flask import Response
from werkzeug.exceptions import HTTPException

from seen_braze_harness.mocks.core.http import json_response

VALID_DATA = "Valid data must be provided in the 'attributes', 'events', or 'purchases' fields."
BAD_JSON = "Error while parsing request body. Please check your syntax."


class BrazeError(Exception):
    """An answer in Braze's shape: `{"message": ...}`, with `errors` where Braze lists them.
    Each subclass is one status; the app turns any of them into its answer in one place."""

    status: ClassVar[int] = 500

    def __init__(
        self,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message}
        if self.errors is not None:
            body["errors"] = self.errors
        return body

    def response(self) -> Response:
        return json_response(self.body(), self.status, self.headers)


class BadRequest(BrazeError):
    """The request as a whole is unusable: not JSON, no valid data, too many objects."""

    status = 400


class InvalidApiKey(BrazeError):
    status = 401

    def __init__(self) -> None:
        super().__init__("Invalid API Key")


class AccessDenied(BrazeError):
    """The key lacks the endpoint's permission, or the account is not active."""

    status = 403

    def __init__(self) -> None:
        super().__init__("Access Denied")


class NotFound(BrazeError):
    status = 404


class MethodNotAllowed(BrazeError):
    """Braze's own endpoints answer POST only."""

    status = 405

    def __init__(self, method: str) -> None:
        super().__init__(f"Method {method} is not allowed; use POST")


class PayloadTooLarge(BrazeError):
    status = 413


class UnsupportedMediaType(BrazeError):
    status = 415

    def __init__(self) -> None:
        super().__init__("Unsupported Content-Type: send 'Content-Type: application/json'")


class TooManyRequests(BrazeError):
    """A rate limit, a monthly quota or a full run queue."""

    status = 429


def fault_body(status: int) -> dict[str, str]:
    """A body in Braze's shape for fault rules that give none."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {"message": phrase}


def http_error(exc: HTTPException) -> Response:
    """Routing errors (unknown URL, wrong method) in Braze's shape (**assumed**)."""
    status = exc.code or 500
    return json_response(fault_body(status), status)
