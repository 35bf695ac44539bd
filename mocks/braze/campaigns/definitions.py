"""The store's state and what is saved in it: campaigns and Content Blocks, the reset to the
settings' ones, the dispatches looked up, and the ids minted. `CampaignSending`
(`sending.py`) and `CampaignStore` (`store.py`) build on it."""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from seen_braze_harness.mocks.braze.campaigns.activity import ActivityLog
from seen_braze_harness.mocks.braze.campaigns.content_blocks import (
    ContentBlock,
    ContentBlockError,
    ContentBlockInUse,
    ContentBlockNotFound,
    check_block_content,
    check_block_description,
    check_block_graph,
    check_block_name,
    parse_content_blocks,
    unknown_block,
)
from seen_braze_harness.mocks.braze.campaigns.errors import CampaignNotFound
from seen_braze_harness.mocks.braze.campaigns.messages import Dispatch, WebhookMessage
from seen_braze_harness.mocks.braze.campaigns.pauses import HostPauses
from seen_braze_harness.mocks.braze.campaigns.receiver_limits import ReceiverLimits
from seen_braze_harness.mocks.braze.campaigns.retry import WebhookRetry
from seen_braze_harness.mocks.braze.campaigns.spec import WebhookCampaign, parse_spec
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.track import ProfileStore
from seen_braze_harness.mocks.core.clock import Scheduler
from seen_braze_harness.mocks.core.delivery import OutboundSender
from seen_braze_harness.mocks.core.ids import IdMint


class CampaignDefinitions:
    """The campaigns and Content Blocks saved, the dispatches made, and the machinery sends
    use (retry policy, receiver limits, activity log, host pauses), under one lock."""

    def __init__(
        self,
        *,
        settings: BrazeSettings,
        profiles: ProfileStore,
        sender: OutboundSender,
    ) -> None:
        self.settings = settings
        self.profiles = profiles
        self.sender = sender
        self.scheduler: Scheduler = sender.scheduler
        self.policy = WebhookRetry(
            settings.webhook_max_retries,
            settings.webhook_retry_base,
            settings.webhook_retry_factor,
            settings.webhook_retry_after_max,
            settings.webhook_unreachable_window,
            settings.webhook_unreachable_max_wait,
        )
        self.limits = ReceiverLimits(
            reset_form=settings.webhook_rate_limit_reset, longest=settings.webhook_abort_after
        )
        self.log = ActivityLog(
            retention=settings.activity_log_retention,
            per_hour=settings.activity_log_per_type_per_hour,
            body_cap=settings.activity_log_body_cap,
        )
        self.pauses = HostPauses(
            threshold=settings.host_pause_failures, seconds=settings.host_pause_seconds
        )
        self._lock = threading.RLock()
        self._campaigns: dict[str, WebhookCampaign] = {}
        self._dispatches: dict[str, Dispatch] = {}
        self._blocks: dict[str, ContentBlock] = {}
        self._retired_blocks: set[str] = set()
        """Names of deleted blocks: Braze never lets a name be used again."""
        self._ids = IdMint(settings.id_seed, scope=f"braze-campaigns:{settings.campaign_seed}")
        self._placed = 0
        """Campaigns and blocks saved since the last reset (their `place`)."""
        self._generation = 0
        self._rng = random.Random(f"{settings.campaign_seed}:test-users")

    def now(self) -> float:
        return self.scheduler.clock.now()

    def reset(self) -> None:
        """No campaigns or blocks but the settings' ones, no dispatches, an empty log."""
        with self._lock:
            self._generation += 1
            self._campaigns.clear()
            self._dispatches.clear()
            self._retired_blocks.clear()
            now = self.now()
            self._placed = 0
            self._blocks = {
                name: ContentBlock(name, b.content, "", now, now, b.uses, self._place())
                for name, b in parse_content_blocks(self.settings.content_blocks).items()
            }
            self._ids.reset()
            self._rng = random.Random(f"{self.settings.campaign_seed}:test-users")
        self.log.clear()
        self.pauses.clear()
        self.limits.clear()
        for spec in self.settings.campaigns:
            self.create(spec)

    # -- definitions -------------------------------------------------------------------------
    def create(self, spec: Any) -> WebhookCampaign:
        """Save a campaign; one whose templates use an unknown Content Block is refused."""
        with self._lock:
            parsed = parse_spec(spec, self.settings, known_blocks=self._blocks)
            campaign = WebhookCampaign(
                self._new_id("campaign", uuid_form=True), parsed, self.now(), place=self._place()
            )
            self._campaigns[campaign.id] = campaign
        return campaign

    # -- Content Blocks ----------------------------------------------------------------------
    def content_blocks(self) -> list[ContentBlock]:
        """Every Content Block, in the order they were saved."""
        with self._lock:
            return list(self._blocks.values())

    def content_block(self, name: str) -> ContentBlock:
        with self._lock:
            found = self._blocks.get(name)
        if found is None:
            raise ContentBlockNotFound(unknown_block(name))
        return found

    def block_sources(self) -> dict[str, str]:
        """Each block's Liquid by name, as a render takes them."""
        with self._lock:
            return {name: block.content for name, block in self._blocks.items()}

    def create_content_block(self, data: Any) -> ContentBlock:
        """Save a new block; ContentBlockError in Braze's words for what it would refuse."""
        if not isinstance(data, Mapping):
            raise ContentBlockError("a Content Block must be a JSON object")
        unknown = sorted(set(data) - {"name", "content", "description"})
        if unknown:
            raise ContentBlockError(
                f"unknown key(s): {', '.join(unknown)}; allowed: name, content, description"
            )
        name = check_block_name(data.get("name"))
        content, uses = check_block_content(data.get("content"))
        description = check_block_description(data.get("description"))
        with self._lock:
            if name in self._blocks or name in self._retired_blocks:
                raise ContentBlockError("Content Block with this name already exists.")
            self._check_uses(name, uses)
            now = self.now()
            block = ContentBlock(name, content, description, now, now, uses, self._place())
            self._blocks[name] = block
        return block

    def update_content_block(self, name: str, data: Any) -> ContentBlock:
        """Change a block's content or description (Braze never renames one)."""
        if not isinstance(data, Mapping):
            raise ContentBlockError("a Content Block update must be a JSON object")
        unknown = sorted(set(data) - {"name", "content", "description"})
        if unknown:
            raise ContentBlockError(
                f"unknown key(s): {', '.join(unknown)}; allowed: content, description"
            )
        if "name" in data and data["name"] != name:
            raise ContentBlockError("A Content Block cannot be renamed after it has been saved.")
        with self._lock:
            block = self.content_block(name)
            content, uses = block.content, block.uses
            if "content" in data:
                content, uses = check_block_content(data["content"])
            description = block.description
            if "description" in data:
                description = check_block_description(data["description"])
            self._check_uses(name, uses)
            block.content, block.uses, block.description = content, uses, description
            block.updated_at = self.now()
            return block

    def delete_content_block(self, name: str) -> None:
        """Remove a block no campaign or block uses; its name stays taken until reset."""
        with self._lock:
            self.content_block(name)
            users = [f"campaign {c.id}" for c in self._campaigns.values()
                     if name in c.spec.content_blocks]  # fmt: skip
            users += [f"Content Block {b.name}" for b in self._blocks.values() if name in b.uses]
            if users:
                raise ContentBlockInUse(
                    f"Content Block {name!r} is used by {', '.join(users)}; a block in use "
                    "cannot be archived or deleted"
                )
            del self._blocks[name]
            self._retired_blocks.add(name)

    def _check_uses(self, name: str, uses: Sequence[str]) -> None:
        """Called with the lock held: `name` using `uses` keeps every reference known and
        no block reaching itself."""
        graph = {n: b.uses for n, b in self._blocks.items()}
        graph[name] = tuple(uses)
        for used in uses:
            if used not in graph:
                raise ContentBlockError(unknown_block(used))
        try:
            check_block_graph(graph)
        except ContentBlockError:
            raise ContentBlockError("Content Block cannot be referenced within itself.") from None

    def get(self, campaign_id: str) -> WebhookCampaign:
        with self._lock:
            found = self._campaigns.get(campaign_id)
        if found is None:
            raise CampaignNotFound(f"no campaign {campaign_id!r}")
        return found

    def delete(self, campaign_id: str) -> None:
        """Remove a campaign; its messages not yet sent are aborted when they fall due."""
        with self._lock:
            if self._campaigns.pop(campaign_id, None) is None:
                raise CampaignNotFound(f"no campaign {campaign_id!r}")

    def dispatches(self, campaign_id: str) -> list[Dispatch]:
        with self._lock:
            campaign = self.get(campaign_id)
            return [self._dispatches[d] for d in campaign.dispatch_ids if d in self._dispatches]

    def dispatch(self, dispatch_id: str) -> Dispatch | None:
        with self._lock:
            return self._dispatches.get(dispatch_id)

    def messages(self, campaign_id: str) -> list[WebhookMessage]:
        return [m for d in self.dispatches(campaign_id) for m in d.messages]

    # -- ids ---------------------------------------------------------------------------------
    def _new_id(self, kind: str, *, uuid_form: bool = False) -> str:
        """An id derived from the id seed and a counter (see the package's notes)."""
        return self._ids.uuid4(kind) if uuid_form else self._ids.hex(kind, 24)

    def _place(self) -> int:
        """Called with the lock held: the place of the campaign or block being saved."""
        self._placed += 1
        return self._placed
