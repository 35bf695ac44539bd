"""Braze's REST errors: a JSON object with a `message` (and `errors` where Braze lists them)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Response
from werkzeug.exceptions import HTTPException

from seen_braze_harness.mocks.core.http import json_response

VALID_DATA = "Valid data must be provided in the 'attributes', 'events', or 'purchases' fields."
BAD_JSON = "Error while parsing request body. Please check your syntax."


class BrazeError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
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


def invalid_api_key() -> BrazeError:
    return BrazeError(401, "Invalid API Key")


def access_denied() -> BrazeError:
    return BrazeError(403, "Access Denied")


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
