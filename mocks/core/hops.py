"""Hops: the named legs of the flow that the journal records and the harness reports on.

Each service declares its hops once, in its own `hops` module, as a `HopRegistry`: the name
(`<service>.<leg>`), what the exchange is, its direction, the schemas its bodies are checked
against, and whether fault rules act on it. The mock registers the schemas from there and
refuses fault rules on other hops; the harness derives its lists (the flow's order, the hops a
sandbox knows) from the registries instead of writing the names again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from seen_braze_harness.mocks.core.journal import HopSchemas, Journal

Direction = Literal["inbound", "outbound", "internal"]


@dataclass(frozen=True)
class Hop:
    """One leg of the flow. A hop that is not `journaled` is a stage with findings but no HTTP
    exchange of its own (a transformation's JavaScript run, the profile it writes)."""

    name: str
    what: str
    direction: Direction
    schemas: HopSchemas | None = None
    """None: the bodies are not checked here (or the integration says which schemas apply)."""
    faults: bool = False
    """Whether fault rules (`POST /_mock/faults`) may act on this hop."""
    journaled: bool = True

    @property
    def service(self) -> str:
        return self.name.split(".", 1)[0]


class HopRegistry:
    """A service's hops, in the order of the flow."""

    def __init__(self, service: str, hops: tuple[Hop, ...]) -> None:
        for hop in hops:
            if hop.service != service:
                raise ValueError(f"hop {hop.name!r} is not one of {service}'s")
        if len({hop.name for hop in hops}) != len(hops):
            raise ValueError(f"{service}: a hop is declared twice")
        self.service = service
        self.hops = hops

    def __iter__(self) -> Iterator[Hop]:
        return iter(self.hops)

    def __getitem__(self, name: str) -> Hop:
        for hop in self.hops:
            if hop.name == name:
                return hop
        raise KeyError(name)

    @property
    def fault_hops(self) -> tuple[str, ...]:
        """The hops a fault rule may name."""
        return tuple(hop.name for hop in self.hops if hop.faults)

    @property
    def journaled(self) -> tuple[str, ...]:
        return tuple(hop.name for hop in self.hops if hop.journaled)

    def describe(self, journal: Journal) -> None:
        """Tell `journal` which schemas each hop's bodies are checked against."""
        for hop in self.hops:
            if hop.schemas is not None:
                journal.describe_hop(hop.name, hop.schemas)
