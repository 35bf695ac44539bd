"""Domain errors shared by every mock, free of HTTP: the views map them to answers by type."""

from __future__ import annotations


class AlreadyExists(ValueError):
    """A create that names something that exists already (the admin API answers 409); the
    message names the key, as every definition error's does."""
