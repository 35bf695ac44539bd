"""Request headers as a transformation sees them in `headers`."""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping

_TOKEN = frozenset(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~")


def canonical_header_key(name: str) -> str:
    """Braze shows header names the way Go's net/http keeps them (`Cf-Connecting-Ip`): first
    letter and every letter after a hyphen upper case, the rest lower case; a name with a
    character that is not allowed in header names is left as it is."""
    if not name or not _TOKEN.issuperset(name):
        return name
    return "-".join(part[:1].upper() + part[1:].lower() for part in name.split("-"))


def canonical_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]], version: str = "HTTP/1.1"
) -> dict[str, str]:
    """The `headers` object of a run: keys canonicalised, plus the pseudo entry `"Version"`.

    *Assumed*: a header sent more than once becomes one entry, values joined with ", " (as
    HTTP allows); the pseudo entry wins over a header really called "Version".
    """
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    canonical: dict[str, str] = {}
    for name, value in pairs:
        key = canonical_header_key(name)
        canonical[key] = f"{canonical[key]}, {value}" if key in canonical else value
    canonical["Version"] = version
    return canonical
