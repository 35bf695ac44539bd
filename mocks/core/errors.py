"""Domain errors shared by every mock, free of HTTP: each kind is one answer of the admin API,
chosen by type (`ADMIN_STATUSES`, applied once by the admin API's error handler), never by text.

A service's own errors derive from these kinds (a campaign that is not found is a `NotFound`)
and keep the built-in base they always had (`ValueError`, `LookupError`), so code that catches
those still does."""

from __future__ import annotations


class Invalid(ValueError):
    """A definition or request that cannot be used (the admin API answers 400); the message
    names the key."""


class NotFound(LookupError):
    """What the request names does not exist (404)."""


class Conflict(ValueError):
    """A sound request the present state refuses (409): a name taken, a limit reached, a thing
    still in use."""


class AlreadyExists(Conflict):
    """A create that names something that exists already (the admin API answers 409); the
    message names the key, as every definition error's does."""


ADMIN_STATUSES: tuple[tuple[type[Exception], int], ...] = (
    (Conflict, 409),
    (NotFound, 404),
    (Invalid, 400),
)
"""The admin API's status for each kind, the first that matches: an error that is both a
conflict and invalid (a tier limit is a kind of definition error) is a conflict."""


def admin_status(exc: Exception) -> int | None:
    """The admin API's status for `exc`, or None when it is of no kind here."""
    return next((status for kind, status in ADMIN_STATUSES if isinstance(exc, kind)), None)
