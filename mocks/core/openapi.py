"""OpenAPI 3.1 documents of the mocks, built from operations given as data and from `schemas/`.

Each mock's route table gives its operations (`Spec`s placed by their routes, see
`mocks.core.routes`), the admin API's among them; this module builds the document and embeds
the JSON Schemas the operations name under `components/schemas`, with their `$ref`s
rewritten to point inside the document, so the document cannot drift from the schemas the
journal checks exchanges against.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Literal
from urllib.parse import urljoin

from seen_braze_harness import schemas

OPENAPI_VERSION = "3.1.0"
JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
COMPONENTS = "#/components/schemas/"

ParamPlace = Literal["path", "query", "header"]


def schema(name: str) -> dict[str, Any]:
    """A reference to the JSON Schema `name` of `schemas/` (for example `seen/receiver`)."""
    schemas.load(name)  # KeyError naming the known schemas when there is no such schema
    return {"$ref": COMPONENTS + component_name(name)}


def component(name: str) -> dict[str, Any]:
    """A reference to a schema defined in the document itself (admin shapes, `Problem`)."""
    return {"$ref": COMPONENTS + name}


def component_name(schema_name: str) -> str:
    """`seen/receivers-request` -> `SeenReceiversRequest`: the name under components/schemas."""
    return "".join(part.capitalize() for part in re.split(r"[/\-_.]", schema_name) if part)


@dataclass(frozen=True)
class Body:
    """A request or response body: its JSON Schema (usually a reference) and media type."""

    schema: Mapping[str, Any]
    media_type: str = JSON
    example: Any = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"schema": dict(self.schema)}
        if self.example is not None:
            out["example"] = self.example
        return {self.media_type: out}


@dataclass(frozen=True)
class Reply:
    """One documented response: why it comes, its body, the headers worth knowing."""

    description: str
    body: Body | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    """Header name -> description (each an integer or a string, see `header_schema`)."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"description": self.description}
        if self.headers:
            out["headers"] = {
                name: {"description": text, "schema": header_schema(name)}
                for name, text in self.headers.items()
            }
        if self.body is not None:
            out["content"] = self.body.to_dict()
        return out


def header_schema(name: str) -> dict[str, Any]:
    lowered = name.lower()
    if lowered == "retry-after" or lowered.startswith("x-ratelimit"):
        return {"type": "string", "pattern": "^[0-9]+$"}
    return {"type": "string"}


@dataclass(frozen=True)
class Param:
    name: str
    place: ParamPlace
    description: str
    schema: Mapping[str, Any] = field(default_factory=lambda: {"type": "string"})
    required: bool = False
    paged: bool = False
    """A paged listing's `limit`: its default and maximum are the mock's settings."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": self.place,
            "description": self.description,
            "required": self.required or self.place == "path",
            "schema": dict(self.schema),
        }


def path_param(name: str, description: str, **schema_: Any) -> Param:
    """A path parameter: a string (whatever else `schema_` says), as a URL segment is."""
    return Param(name, "path", description, {"type": "string", **schema_}, required=True)


def query_param(name: str, description: str, **schema_: Any) -> Param:
    """A query parameter: a string unless `schema_` gives another type; a `pattern` or
    `minLength` alone would constrain strings only and let a number or object through."""
    return Param(name, "query", description, {"type": "string", **schema_})


@dataclass(frozen=True)
class Spec:
    """What the document says of one method of a route; the route gives the method and path."""

    operation_id: str
    summary: str
    tag: str
    responses: Mapping[int | str, Reply]
    request: Body | None = None
    request_required: bool = True
    parameters: tuple[Param, ...] = ()
    security: str | None = None
    description: str = ""

    def at(self, method: str, path: str) -> Operation:
        """This documentation as the operation `method` on `path`."""
        spec = (getattr(self, item.name) for item in dataclasses.fields(Spec))
        return Operation(method, path, *spec)


@dataclass(frozen=True)
class _Place:
    method: str
    path: str


@dataclass(frozen=True)
class Operation(Spec, _Place):
    """One method on one path, as the mock's routes serve it: `method`, `path`, then the
    fields of its `Spec` (dataclass fields come from the bases in reverse order)."""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "operationId": self.operation_id,
            "summary": self.summary,
            "tags": [self.tag],
        }
        if self.description:
            out["description"] = self.description
        if self.parameters:
            out["parameters"] = [p.to_dict() for p in self.parameters]
        if self.request is not None:
            out["requestBody"] = {
                "required": self.request_required,
                "content": self.request.to_dict(),
            }
        out["responses"] = {str(status): r.to_dict() for status, r in self.responses.items()}
        out["security"] = [] if self.security is None else [{self.security: []}]
        return out


@dataclass(frozen=True)
class ApiDescription:
    """What one mock serves, as data: its operations, security schemes and extra shapes."""

    service: str
    title: str
    description: str
    operations: tuple[Operation, ...]
    security_schemes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    components: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    webhooks: Mapping[str, Operation] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)


def problem_reply(description: str) -> Reply:
    return Reply(description, Body(component("Problem"), PROBLEM_JSON))


def ok(description: str, shape: Mapping[str, Any]) -> Reply:
    return Reply(description, Body(shape))


BAD_REQUEST = problem_reply("The request is malformed (unknown parameter, bad JSON or value).")
BAD_PAGE = problem_reply(
    "A parameter is malformed: an unknown one, a bad filter, a `limit` that is not a whole "
    "number or is above `admin_page_max`, or a `cursor` that is not one of this listing's."
)
NOT_FOUND = problem_reply("No such item.")
NO_CONTENT = Reply("Removed; no body.")
TOO_LARGE = problem_reply(
    "The body is longer than `admin_body_bytes` (4 MiB by default): refused before it is "
    "read whole (`rule` `admin-body-bytes`, `limit` the setting's value)."
)
"""Every admin operation that takes a body may answer it (`build_document` adds it)."""

PAGE_LIMIT = 100
PAGE_MAX = 1000
"""The settings' defaults (`admin_page_limit`, `admin_page_max`): what a document says when it
is built for no particular mock (a served one says its mock's own)."""


def paged_limit(description: str) -> Param:
    """The `limit` of a paged listing (`build_document` gives it the mock's default and
    maximum)."""
    schema_ = {"type": "integer", "minimum": 0, "maximum": PAGE_MAX, "default": PAGE_LIMIT}
    return Param("limit", "query", description, schema_, paged=True)


LIMIT = paged_limit(
    "Items in this page: `admin_page_limit` (100) by default, at most `admin_page_max` "
    "(1000); a page also ends before its items pass `admin_page_bytes` (4 MiB) of JSON. "
    "`0` answers the counts only."
)
CURSOR = query_param(
    "cursor",
    "Where the page starts: the `next_cursor` of the previous page (opaque; each listing "
    "takes only its own).",
    minLength=1,
)
PAGE_PARAMS = (LIMIT, CURSOR)
"""The parameters of every admin listing, besides its filters."""


def listing(
    operation_id: str, summary: str, tag: str, description: str, page: Mapping[str, Any]
) -> Spec:
    """An admin listing with no filters: `page` of its items, or a 400 for a bad parameter."""
    return Spec(
        operation_id,
        summary,
        tag,
        {200: ok(description, page), 400: BAD_PAGE},
        parameters=PAGE_PARAMS,
    )


NEXT_CURSOR = {
    "type": ["string", "null"],
    "description": "The `cursor` of the next page; null on the last one.",
}


def page_of(
    key: str,
    item: Mapping[str, Any],
    *,
    count: bool = True,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The schema of one page of a listing: `count` (every match, when the listing has it),
    the items under `key`, any `extra` fields, and `next_cursor`."""
    properties: dict[str, Any] = {}
    if count:
        properties["count"] = {"type": "integer", "minimum": 0, "description": "Every match."}
    properties[key] = {"type": "array", "items": dict(item)}
    properties.update(extra or {})
    properties["next_cursor"] = NEXT_CURSOR
    required = [*(["count"] if count else []), key, *(extra or {}), "next_cursor"]
    return {"type": "object", "required": required, "properties": properties}


def build_document(
    description: ApiDescription,
    server_url: str | None = None,
    *,
    page_limit: int = PAGE_LIMIT,
    page_max: int = PAGE_MAX,
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of one mock; `server_url` is where it is served, if known, and
    `page_limit`/`page_max` its listings' default and largest `limit` (its settings)."""
    operations = [
        with_page_limits(with_body_limit(operation), page_limit, page_max)
        for operation in description.operations
    ]
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        item = paths.setdefault(operation.path, {})
        if operation.method in item:
            raise ValueError(f"{operation.method.upper()} {operation.path} is described twice")
        item[operation.method] = operation.to_dict()
    local = {k: dict(v) for k, v in description.components.items()}
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": description.title,
            "version": package_version(),
            "description": description.description,
        },
        "servers": [{"url": server_url.rstrip("/") if server_url else "/"}],
        "tags": [{"name": name, "description": text} for name, text in description.tags.items()],
        "paths": dict(sorted(paths.items())),
    }
    if description.webhooks:
        document["webhooks"] = {
            name: {operation.method: operation.to_dict()}
            for name, operation in description.webhooks.items()
        }
    document["components"] = {
        "schemas": {**local, **embedded_schemas(document, local)},
        "securitySchemes": {k: dict(v) for k, v in description.security_schemes.items()},
    }
    return document


def with_body_limit(operation: Operation) -> Operation:
    """An admin operation that takes a body answers 413 over `admin_body_bytes`."""
    if not operation.path.startswith("/_mock/") or operation.request is None:
        return operation
    if 413 in operation.responses:
        return operation
    return dataclasses.replace(operation, responses={**operation.responses, 413: TOO_LARGE})


def with_page_limits(operation: Operation, page_limit: int, page_max: int) -> Operation:
    """A paged listing's `limit` with the mock's own default and maximum."""
    if not any(param.paged for param in operation.parameters):
        return operation
    parameters = tuple(
        dataclasses.replace(
            param, schema={**param.schema, "default": page_limit, "maximum": page_max}
        )
        if param.paged
        else param
        for param in operation.parameters
    )
    return dataclasses.replace(operation, parameters=parameters)


def embedded_schemas(document: Any, local: Mapping[str, Any]) -> dict[str, Any]:
    """Every `schemas/` schema `document` refers to, directly or through another, rewritten."""
    by_component = {component_name(name): name for name in schemas.names()}
    found: dict[str, Any] = {}
    pending = list(_component_refs([document, dict(local)]))
    while pending:
        name = pending.pop()
        if name in found or name in local:
            continue
        if name not in by_component:
            raise KeyError(f"{COMPONENTS}{name} names no component and no schema")
        found[name] = rewritten(by_component[name])
        pending.extend(_component_refs(found[name]))
    return dict(sorted(found.items()))


def rewritten(name: str) -> dict[str, Any]:
    """Schema `name` as a component: no `$id`/`$schema`, every `$ref` inside the document."""
    source = schemas.load(name)
    base = source.get("$id", f"{schemas.BASE_URI}{name}.json")
    here = COMPONENTS + component_name(name)

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            out = {}
            for key, value in node.items():
                if key in ("$id", "$schema"):
                    continue
                if key == "$ref" and isinstance(value, str):
                    out[key] = _local_ref(value, base, here)
                else:
                    out[key] = walk(value)
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    result: dict[str, Any] = walk(copy.deepcopy(source))
    return result


def _local_ref(ref: str, base: str, here: str) -> str:
    if ref.startswith("#"):
        return here + ref[1:]
    target, _, fragment = urljoin(base, ref).partition("#")
    if not (target.startswith(schemas.BASE_URI) and target.endswith(".json")):
        raise ValueError(f"$ref {ref!r} leaves the schemas package")
    return COMPONENTS + component_name(target[len(schemas.BASE_URI) : -5]) + fragment


def _component_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(COMPONENTS):
                yield value[len(COMPONENTS) :].split("/", 1)[0]
            else:
                yield from _component_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _component_refs(item)


def package_version() -> str:
    """The installed distribution's version (the documents' and HAR files' version)."""
    try:
        return version("seen-braze-harness")
    except PackageNotFoundError:
        return "0"
