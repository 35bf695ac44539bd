"""`CampaignStore`, every webhook campaign of the workspace: the definitions
(`definitions.py`) and sends (`sending.py`) it builds on, the Test tab (one attempt, hop
`braze.webhook_test`), and the readers of the activity log, host pauses and rate-limit
windows."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from seen_braze_harness.mocks.braze import hops
from seen_braze_harness.mocks.braze.campaigns.activity import ABORTED, INVALID_WEBHOOK, LIQUID_ERROR
from seen_braze_harness.mocks.braze.campaigns.errors import (
    InvalidWebhook,
    UserNotFound,
    WebhookCampaignError,
    _liquid_text,
)
from seen_braze_harness.mocks.braze.campaigns.messages import TestSendResult
from seen_braze_harness.mocks.braze.campaigns.properties import parse_properties
from seen_braze_harness.mocks.braze.campaigns.rendering import (
    UserValues,
    profile_attributes,
    render_request,
)
from seen_braze_harness.mocks.braze.campaigns.retry import NO_RESPONSE
from seen_braze_harness.mocks.braze.campaigns.sending import CampaignSending
from seen_braze_harness.mocks.braze.campaigns.spec import WebhookCampaign
from seen_braze_harness.mocks.braze.liquid import AbortMessage, LiquidError
from seen_braze_harness.mocks.braze.track import Identifier

TEST_HOP = hops.WEBHOOK_TEST.name
UNSENT_DISPATCH_ID = "dispatch_id_for_unsent_campaign"


class CampaignStore(CampaignSending):
    """Every webhook campaign of the workspace, their dispatches and the activity log.

    Thread-safe: sends run on the scheduler (its executor in server mode), admin calls on
    the server's threads.
    """

    # -- the Test tab ------------------------------------------------------------------------
    def test_send(
        self,
        campaign_id: str,
        *,
        external_id: str | None = None,
        braze_id: str | None = None,
        email: str | None = None,
        user: Mapping[str, Any] | None = None,
        properties: Mapping[str, Any] | None = None,
    ) -> TestSendResult:
        """One attempt, no retries, for a chosen (by external id, braze_id or email address),
        a custom or a random user of the audience; `properties` as for `send`."""
        campaign = self.get(campaign_id)
        chosen = (("external_id", external_id), ("braze_id", braze_id), ("email", email),
                  ("user", user))  # fmt: skip
        given = [k for k, v in chosen if v is not None]
        if len(given) > 1:
            raise WebhookCampaignError(f"{' and '.join(given)}: give one of them, not several")
        if properties is not None and not isinstance(properties, Mapping):
            raise WebhookCampaignError("properties: must be an object of property objects")
        values = parse_properties(properties or {})
        attributes, custom = self._test_user(campaign, external_id, braze_id, email, user)
        with self._lock:
            dispatch_id = campaign.dispatch_ids[-1] if campaign.dispatch_ids else UNSENT_DISPATCH_ID
        context = {"name": campaign.name, "api_id": campaign.id, "dispatch_id": dispatch_id}
        try:
            rendered = render_request(
                campaign.spec,
                attributes,
                context,
                custom=custom,
                settings=self.settings,
                now=self.now(),
                properties=values,
                content_blocks=self.block_sources(),
            )
            request = rendered.outbound(TEST_HOP, self.settings.webhook_timeout)
        except AbortMessage as exc:
            text = f"{ABORTED}: {exc.reason}"
            return TestSendResult(text, None, {}, "", text, None, attributes)
        except (LiquidError, InvalidWebhook) as exc:
            kind = INVALID_WEBHOOK if isinstance(exc, InvalidWebhook) else LIQUID_ERROR
            text = f"{kind}: {_liquid_text(exc)}"
            return TestSendResult(text, None, {}, "", text, None, attributes)
        except Exception as exc:  # the Test tab shows the error, as a send logs it
            text = f"{LIQUID_ERROR}: {type(exc).__name__}: {exc}"
            return TestSendResult(text, None, {}, "", text, None, attributes)
        outcome = self._attempt_once(request)
        if outcome.status is None:
            error = outcome.error or "no response"
            return TestSendResult(
                error, NO_RESPONSE, {}, "", error, rendered, attributes, outcome.exchange_id
            )
        reason = outcome.reason or _phrase(outcome.status)
        return TestSendResult(
            f"HTTP/1.1 {outcome.status} {reason}".rstrip(),
            outcome.status,
            dict(outcome.headers),
            outcome.body.decode("utf-8", errors="replace"),
            None,
            rendered,
            attributes,
            outcome.exchange_id,
        )

    def _test_user(
        self,
        campaign: WebhookCampaign,
        external_id: str | None,
        braze_id: str | None,
        email: str | None,
        user: Mapping[str, Any] | None,
    ) -> UserValues:
        """The chosen user's values; a custom user is flat: keys other than ids and standard
        fields are custom attributes, as `/users/track` would store them."""
        if user is not None:
            if not isinstance(user, Mapping) or not all(isinstance(k, str) for k in user):
                raise WebhookCampaignError(
                    "user: must be an object of attributes in /users/track form"
                )
            return {"external_id": None, "braze_id": None, **user}, None
        if external_id is not None:
            if not isinstance(external_id, str):
                raise WebhookCampaignError(f"external_id: must be a string, not {external_id!r}")
            found = self.profiles.query(external_id=external_id)
            if not found:
                raise UserNotFound(f"no user with external_id {external_id!r}")
            return profile_attributes(found[0])
        if braze_id is not None:
            if not isinstance(braze_id, str):
                raise WebhookCampaignError(f"braze_id: must be a string, not {braze_id!r}")
            profile = self.profiles.get(braze_id)
            if profile is None:
                raise UserNotFound(f"no user with braze_id {braze_id!r}")
            return profile_attributes(profile)
        if email is not None:
            if not isinstance(email, str) or not email.strip():
                raise WebhookCampaignError(f"email: must be a non-empty string, not {email!r}")
            profile = self.profiles.lookup(Identifier("email", email))
            if profile is None:
                raise UserNotFound(f"no user with email address {email!r}")
            return profile_attributes(profile)
        audience, _skipped = self._audience(campaign.spec.audience)
        if not audience:
            raise UserNotFound("the campaign's audience has no users to pick from")
        with self._lock:
            chosen = self._rng.choice(audience)
        return profile_attributes(chosen)

    # -- the Message Activity Log ------------------------------------------------------------
    def activity_log(
        self, *, campaign_id: str | None = None, since: float | None = None
    ) -> list[dict[str, Any]]:
        """Entries oldest first: failures, aborts and render errors still retained."""
        return self.log.entries(self.now(), campaign_id=campaign_id, since=since)

    def numbered_activity_log(
        self, *, campaign_id: str | None = None, since: float | None = None
    ) -> list[tuple[int, dict[str, Any]]]:
        """The activity log's entries, oldest first, each with its number (for paging)."""
        return self.log.numbered(self.now(), campaign_id=campaign_id, since=since)

    def activity_log_suppressed(self, *, campaign_id: str | None = None) -> list[dict[str, Any]]:
        """Entries left out by the per-type hourly cap, counted per campaign, type and hour."""
        return self.log.suppressed(self.now(), campaign_id=campaign_id)

    def paused_hosts(self) -> dict[str, float]:
        """Hosts Braze answers 598 for now, with the clock time each pause ends."""
        return self.pauses.snapshot(self.now())

    def host_pauses(self) -> list[dict[str, Any]]:
        """Every host pause so far (host, from, until), oldest first."""
        return self.pauses.events()

    def rate_limit_windows(self, *, campaign_id: str | None = None) -> list[dict[str, Any]]:
        """Every window a receiver's `X-Rate-Limit-*` headers set, oldest first."""
        return [
            e
            for e in self.limits.events()
            if campaign_id is None or e["campaign_id"] == campaign_id
        ]

    def list(self) -> list[WebhookCampaign]:  # last: in the class body `list` is this method
        """Every campaign, oldest first."""
        with self._lock:
            return [*self._campaigns.values()]


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
