"""Where Braze sends a webhook: an http(s) URL with a host, on a port it allows (a loopback
host may use any port in the emulator)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import urlsplit

_LOOPBACK_NAMES = ("localhost",)


def url_problem(url: str, allowed_ports: Sequence[int]) -> str | None:
    """Why Braze would not call `url`, or None. Loopback hosts may use any port (emulator)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"{url!r} is not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return f"{url!r} must start with http:// or https://"
    host = parts.hostname
    if not host:
        return f"{url!r} has no host"
    port = port if port is not None else (443 if parts.scheme == "https" else 80)
    if allowed_ports and port not in allowed_ports and not _loopback(host):
        ports = " and ".join(str(p) for p in allowed_ports)
        return f"{url!r} uses port {port}; webhooks may only use ports {ports}"
    return None


def _loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
