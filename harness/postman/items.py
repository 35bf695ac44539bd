"""The parts of a Postman Collection v2.1 the collection is made of: a folder, and a request
with its test script (the status; then what it stores) and its example answer."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

JSON_HEADER = {"Content-Type": "application/json"}
ADMIN_TOKEN_HEADER = {"X-Admin-Token": "{{admin_token}}"}
"""What every admin request carries: the collection variable `admin_token`."""


def folder(name: str, description: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """A folder of requests, run in order."""
    return {"name": name, "description": description, "item": items}


def request(
    name: str,
    description: str,
    method: str,
    url: str,
    status: int,
    *,
    headers: dict[str, str] | None = None,
    body: Any = None,
    store: dict[str, str] | None = None,
    example: Any = None,
) -> dict[str, Any]:
    """One request, its test script (the status; then what it stores) and its example; an
    admin request (`/_mock/...`) also sends the admin token."""
    sent = {**(headers or {}), **(ADMIN_TOKEN_HEADER if "/_mock/" in url else {})}
    sent_request: dict[str, Any] = {
        "method": method,
        "header": [{"key": k, "value": v, "type": "text"} for k, v in sent.items()],
        "url": _url(url),
        "description": description,
    }
    if body is not None:
        sent_request["body"] = {
            "mode": "raw",
            "raw": json.dumps(body, indent=2, ensure_ascii=False),
            "options": {"raw": {"language": "json"}},
        }
    script = [
        f'pm.test("status is {status}", function () {{',
        f"    pm.response.to.have.status({status});",
        "});",
    ]
    for variable, path in (store or {}).items():
        script.append(f'pm.environment.set("{variable}", pm.response.json(){path});')
    item: dict[str, Any] = {
        "name": name,
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": script}}],
        "request": sent_request,
        "response": [],
    }
    if example is not None:
        item["response"].append(
            {
                "name": f"{status} {name}",
                "originalRequest": {k: v for k, v in sent_request.items() if k != "description"},
                "status": _REASONS.get(status, ""),
                "code": status,
                "_postman_previewlanguage": "json",
                "header": [{"key": "Content-Type", "value": "application/json"}],
                "body": json.dumps(example, ensure_ascii=False),
            }
        )
    return item


def _url(raw: str) -> dict[str, Any]:
    """Postman's URL object: the raw text, its host variable, path and query."""
    address, _, query = raw.partition("?")
    host, _, path = address.partition("/")
    url: dict[str, Any] = {"raw": raw, "host": [host]}
    if path:
        url["path"] = path.split("/")
    if query:
        url["query"] = [{"key": k, "value": v} for k, v in parse_qsl(query)]
    return url


_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
}
