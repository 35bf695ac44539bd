"""Fixtures for the shared machinery: a virtual clock, its scheduler, a journal, a sender."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import responses

from seen_braze_harness.mocks.core.clock import Clock, Scheduler
from seen_braze_harness.mocks.core.delivery import OutboundSender
from seen_braze_harness.mocks.core.faults import FaultSet
from seen_braze_harness.mocks.core.journal import Journal

T0 = 1_000_000.0
"""Where the virtual clock of these tests starts: a round number, so times compare exactly."""


@pytest.fixture
def clock() -> Clock:
    return Clock(frozen=True, start=T0)


@pytest.fixture
def scheduler(clock: Clock) -> Scheduler:
    return Scheduler(clock)


@pytest.fixture
def journal() -> Journal:
    return Journal()


@pytest.fixture
def faults() -> FaultSet:
    return FaultSet()


@pytest.fixture
def sender(scheduler: Scheduler, journal: Journal, faults: FaultSet) -> Iterator[OutboundSender]:
    session = requests.Session()
    yield OutboundSender(
        service="test", scheduler=scheduler, journal=journal, faults=faults, session=session
    )
    session.close()


@pytest.fixture
def peer() -> Iterator[responses.RequestsMock]:
    """The far end of outbound requests; a request nobody registered is a connection error."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock
