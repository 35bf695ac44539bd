"""SEEN's errors, in the shapes Django REST Framework gives them (SEEN documents none)."""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any

from flask import Response, request
from werkzeug.exceptions import HTTPException

from seen_braze_harness.mocks.core.http import json_response

ALLOW = "POST, OPTIONS"


class SeenError(Exception):
    status = 400
    headers: dict[str, str] = {}  # noqa: RUF012 - class default, replaced per instance

    def __init__(self, body: Any, note: str | None = None) -> None:
        super().__init__(note or str(body))
        self.body = body
        self.note = note

    def response(self) -> Response:
        return json_response(self.body, self.status, {"Vary": "Accept", **self.headers})


class Detail(SeenError):
    """An error whose body is `{"detail": message}`."""

    def __init__(self, detail: str) -> None:
        super().__init__({"detail": detail}, detail)


class NotAuthenticated(Detail):
    status = 401
    headers = {"WWW-Authenticate": "Token"}  # noqa: RUF012

    def __init__(self) -> None:
        super().__init__("Authentication credentials were not provided.")


class AuthenticationFailed(Detail):
    status = 401
    headers = {"WWW-Authenticate": "Token"}  # noqa: RUF012


class PermissionDenied(Detail):
    status = 403

    def __init__(self) -> None:
        super().__init__("You do not have permission to perform this action.")


class NotFound(Detail):
    status = 404

    def __init__(self) -> None:
        super().__init__("Not found.")


class MethodNotAllowed(Detail):
    status = 405
    headers = {"Allow": ALLOW}  # noqa: RUF012

    def __init__(self, method: str) -> None:
        super().__init__(f'Method "{method}" not allowed.')


class UnsupportedMediaType(Detail):
    status = 415

    def __init__(self, media_type: str) -> None:
        super().__init__(f'Unsupported media type "{media_type}" in request.')


class ParseError(Detail):
    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(f"JSON parse error - {reason}")


class PayloadTooLarge(Detail):
    status = 413

    def __init__(self, size: int | None, limit: int) -> None:
        if size is None:
            message = f"Request body exceeds the limit of {limit} bytes."
        else:
            message = f"Request body is {size} bytes; the limit is {limit} bytes."
        super().__init__(message)


class Throttled(Detail):
    status = 429

    def __init__(self, wait: float) -> None:
        seconds = math.ceil(wait)
        unit = "second" if seconds == 1 else "seconds"
        super().__init__(f"Request was throttled. Expected available in {seconds} {unit}.")
        self.headers = {"Retry-After": str(seconds)}


class ValidationFailed(SeenError):
    """400 with field errors: a list aligned with the input, or `non_field_errors`."""

    status = 400


def non_field_error(message: str) -> ValidationFailed:
    return ValidationFailed({"non_field_errors": [message]}, message)


_DETAILS = {
    404: "Not found.",
    500: "A server error occurred.",
    503: "Service temporarily unavailable, try again later.",
}


def fault_body(status: int) -> dict[str, str]:
    """The body SEEN would plausibly send with `status`, for fault rules that give none."""
    if status == 405:
        return {"detail": f'Method "{request.method}" not allowed.'}
    return {"detail": _DETAILS.get(status) or f"{HTTPStatus(status).phrase}."}


def http_error(exc: HTTPException) -> Response:
    """Errors raised by routing or by Flask itself, in SEEN's shape."""
    status = exc.code or 500
    return json_response(fault_body(status), status, {"Vary": "Accept"})
