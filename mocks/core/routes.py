"""Routes as data: each route names its rule, view, hop and OpenAPI operations once.

A mock's route table is a tuple of `Route`s. `install_routes` turns it into Flask URL rules
(and records which hop each endpoint serves and which methods a view only takes to refuse);
`operations_of` turns it into the operations its OpenAPI document lists. Views are plain
functions that find the mock's state at request time (`current_runtime`, `current_backend`),
so the table holds no closures.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from flask import Flask, current_app
from flask.typing import ResponseReturnValue

from seen_braze_harness.mocks.core.http import ROUTE_HOPS_KEY, declare_methods
from seen_braze_harness.mocks.core.openapi import Operation, Spec
from seen_braze_harness.mocks.core.runtime import MockRuntime

B = TypeVar("B")

_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclass(frozen=True)
class Route:
    """One URL rule served by one view.

    `docs` maps each documented method (lower case) to its operation's documentation; the
    operation's path is the rule's. `methods`, when given, are the methods the rule takes
    although the view answers only the documented ones: the others it refuses in the
    service's own shape (and `Allow` lists only the documented ones). Otherwise the rule
    takes exactly the documented methods.
    """

    rule: str
    view: Callable[..., ResponseReturnValue]
    docs: Mapping[str, Spec] = field(default_factory=dict)
    hop: str | None = None
    methods: tuple[str, ...] | None = None
    strict_slashes: bool | None = None
    endpoint: str = ""
    """`group.name`, as `group` names it: the view's own name unless one is given."""

    @property
    def path(self) -> str:
        """The rule as an OpenAPI path: `<int:receiver_id>` becomes `{receiver_id}`."""
        return _VARIABLE.sub(r"{\1}", self.rule)

    def operations(self) -> tuple[Operation, ...]:
        return tuple(spec.at(method, self.path) for method, spec in self.docs.items())


def group(name: str, *routes: Route) -> tuple[Route, ...]:
    """`routes` with their endpoints named `name.view` (as a Flask blueprint would name them)."""
    return tuple(
        dataclasses.replace(route, endpoint=f"{name}.{route.endpoint or route.view.__name__}")
        for route in routes
    )


def install_routes(app: Flask, routes: Iterable[Route]) -> None:
    """Add each route's URL rule to `app`, in the table's order."""
    hops: dict[str, str] = app.extensions.setdefault(ROUTE_HOPS_KEY, {})
    for route in routes:
        if "." not in route.endpoint:
            raise ValueError(f"{route.rule}: a route's endpoint is named by its group")
        documented = [method.upper() for method in route.docs]
        app.add_url_rule(
            route.rule,
            route.endpoint,
            route.view,
            methods=list(route.methods) if route.methods is not None else documented,
            strict_slashes=route.strict_slashes,
        )
        if route.hop is not None:
            hops[route.endpoint] = route.hop
        if route.methods is not None:
            declare_methods(app, route.endpoint, *documented)


def operations_of(*tables: Iterable[Route]) -> tuple[Operation, ...]:
    """The OpenAPI operations of the route tables, in their order."""
    return tuple(
        operation for table in tables for route in table for operation in route.operations()
    )


def current_runtime() -> MockRuntime:
    """The runtime of the mock serving the request."""
    found = current_app.extensions.get("mock")
    if not isinstance(found, MockRuntime):
        raise TypeError(f"{current_app.name} is not a mock made by mock_app")
    return found


def current_backend(key: str, kind: type[B]) -> B:
    """The backend the mock serving the request keeps under `key` in its extensions."""
    found = current_app.extensions.get(key)
    if not isinstance(found, kind):
        raise TypeError(f"{current_app.name} keeps no {kind.__name__} under {key!r}")
    return found
