"""What every mock owns: its clock and scheduler, journal, faults and outbound sender."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from seen_braze_harness.mocks.core.clock import Clock, Scheduler
from seen_braze_harness.mocks.core.delivery import HttpSession, OutboundSender
from seen_braze_harness.mocks.core.faults import FaultSet
from seen_braze_harness.mocks.core.ids import IdMint
from seen_braze_harness.mocks.core.journal import Journal
from seen_braze_harness.mocks.core.settings import CoreSettings


class MockRuntime:
    """The shared machinery of one mock.

    Pass a `scheduler` to put several mocks on one clock (the harness does); otherwise the
    mock gets its own, real or virtual as `settings.clock` says, and under a real clock a
    background thread runs due tasks.
    """

    def __init__(
        self,
        service: str,
        settings: CoreSettings,
        *,
        scheduler: Scheduler | None = None,
        session: HttpSession | None = None,
    ) -> None:
        self.service = service
        self.settings = settings
        self._executor: ThreadPoolExecutor | None = None
        self._owns_scheduler = scheduler is None
        if scheduler is None:
            clock = Clock(frozen=settings.clock == "virtual")
            if not clock.frozen:
                self._executor = ThreadPoolExecutor(
                    settings.outbound_workers, thread_name_prefix=f"{service}-outbound"
                )
            scheduler = Scheduler(clock, executor=self._executor)
        self.scheduler = scheduler
        self.clock = scheduler.clock
        self.journal = Journal(settings.journal_cap, body_cap=settings.journal_body_cap)
        self.faults = FaultSet(settings.faults, seed=settings.fault_seed)
        self.sender = OutboundSender(
            service=service,
            scheduler=scheduler,
            journal=self.journal,
            faults=self.faults,
            session=session,
            ids=IdMint(settings.id_seed, scope=f"{service}-trace"),
        )
        self._reset_hooks: list[Callable[[], None]] = []
        self._close_hooks: list[Callable[[], None]] = []
        if self._owns_scheduler and not self.clock.frozen:
            scheduler.start()

    def on_reset(self, hook: Callable[[], None]) -> None:
        self._reset_hooks.append(hook)

    def reset(self) -> None:
        """Back to the state the settings describe: no exchanges, no pending work."""
        self.scheduler.clear(owner=self.service)
        self.journal.clear()
        self.sender.ids.reset()
        self.faults.clear()
        for rule in self.settings.faults:
            self.faults.add(rule)
        for hook in self._reset_hooks:
            hook()

    def on_close(self, hook: Callable[[], None]) -> None:
        self._close_hooks.append(hook)

    def close(self) -> None:
        for hook in self._close_hooks:
            hook()
        if self._owns_scheduler:
            self.scheduler.stop()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
