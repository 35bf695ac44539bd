"""The ids the mocks mint: derived from a seed and a counter, so that nobody can guess them and
a replay can still repeat them.

A web page open in the developer's browser can send requests to a mock on their machine; ids
that are the same on every fresh server (the first campaign of every Braze mock had the same
id) are ids such a page could use. So by default every mock draws a random seed when it starts
(256 bits from `secrets`) and derives its ids from it: they differ from one start to the next,
and a secret derived from it (a transformation's webhook URL) is as strong as one drawn from
`secrets` directly. A scenario that fixes the seed (`id_seed`, any string) makes every id the
same on every run, for replay. Either way the counters restart at each reset, so the mock is
back to its start-up state: the same calls after a reset mint the same ids (a campaign from
the settings keeps its id).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import uuid

SEED_BYTES = 32
"""Bytes of randomness in a seed drawn at start-up (256 bits, the SHA-256 the ids come from)."""


def start_seed(fixed: str | None) -> str:
    """`fixed`, or a fresh random seed when it is None."""
    return secrets.token_hex(SEED_BYTES) if fixed is None else fixed


class IdMint:
    """Ids of several kinds from one seed: the n-th id of a kind is SHA-256 of the seed, the
    mint's scope, the kind and n. Thread-safe."""

    def __init__(self, seed: str | None, *, scope: str = "") -> None:
        self.scope = scope
        self.seed = start_seed(seed)
        self._lock = threading.Lock()
        self._issued: dict[str, int] = {}

    def reset(self) -> None:
        """Back to the start: the counters restart (the seed, drawn at start-up, is kept)."""
        with self._lock:
            self._issued.clear()

    def digest(self, kind: str) -> bytes:
        """The 32 bytes of the next id of `kind`."""
        with self._lock:
            number = self._issued.get(kind, 0) + 1
            self._issued[kind] = number
            seed = self.seed
        text = f"{seed}\x00{self.scope}\x00{kind}\x00{number}"
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()

    def hex(self, kind: str, length: int = 24) -> str:
        """The next id of `kind` as `length` lower-case hex characters (at most 64)."""
        if not 1 <= length <= 64:
            raise ValueError(f"length: must be from 1 to 64, not {length}")
        return self.digest(kind).hex()[:length]

    def uuid4(self, kind: str) -> str:
        """The next id of `kind` as a version-4 UUID."""
        return str(uuid.UUID(bytes=self.digest(kind)[:16], version=4))

    def token(self, kind: str, nbytes: int = 24) -> str:
        """The next secret of `kind`: `nbytes` (at most 32) as URL-safe base64, without
        padding, as `secrets.token_urlsafe(nbytes)` gives them."""
        if not 1 <= nbytes <= 32:
            raise ValueError(f"nbytes: must be from 1 to 32, not {nbytes}")
        raw = self.digest(kind)[:nbytes]
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
