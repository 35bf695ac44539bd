"""Braze webhook campaigns: Liquid per user, the send rate, retries, the Message Activity Log.

A send makes one dispatch; its messages go out evenly spread at the campaign's rate on the
mock's scheduler, each rendered for its user when its turn comes (with the mock's clock as
Liquid's `now`), and each attempt goes through the shared `OutboundSender` (journaled as hop
`braze.webhook`; Test sends as `braze.webhook_test`).

The modules, in the order of the flow:

- `spec.py`: the campaign definition parsed and checked, its Liquid compiled once, the saved
  `WebhookCampaign`; `urls.py`: where Braze will send (scheme, host, allowed ports).
- `content_blocks.py`: Content Blocks checked in Braze's words, and their references.
- `properties.py`: trigger, event and Canvas entry properties, shared and per recipient.
- `rendering.py`: one user's request from the templates: URL, headers, body, `User-Agent`.
- `messages.py`: dispatches, their messages and states (`STATES`), the Test tab's result.
- `retry.py`: which answers are retried, and when (`WebhookRetry`);
  `receiver_limits.py`: the receiver's `X-Rate-Limit-*` headers (`ReceiverLimits`);
  `pauses.py`: hosts paused after too many failures (`HostPauses`).
- `activity.py`: the Message Activity Log, its error types and its `since` (`SINCE_PATTERN`).
- `definitions.py` (state, campaigns, Content Blocks, ids), `sending.py` (dispatches, attempts,
  retries, holds, expiry) and `store.py` (the Test tab, the log's readers): `CampaignStore`.
- `views.py`: the admin API over HTTP (its routes: `mocks.braze.routes`).
- `errors.py`: the errors of definitions, sends and renders.

Braze's documentation (braze-inc/braze-docs) this follows:

- `_docs/_user_guide/message_building_by_channel/webhooks/creating_a_webhook.md`: 408, 429
  and 5xx are retried "up to five times within 30 minutes using exponential backoff. If we
  can't reach your endpoint, retries may be spread over a 24-hour period"; 90 s timeout; the
  Test tab sends as a random user, a specific user (by email address or external id) or a
  customised one.
- `_docs/_user_guide/message_building_by_channel/webhooks/understanding_webhooks.md`: on an
  error response Braze adjusts the webhook's sending by `Retry-After`, `X-Rate-Limit-Limit`,
  `X-Rate-Limit-Remaining` and `X-Rate-Limit-Reset`.
- `_docs/_api/endpoints/messaging/send_messages/post_send_triggered_campaigns.md`: shared
  `trigger_properties` and per-recipient ones, which override conflicting keys.
- `_docs/_user_guide/engagement_tools/templates_and_media/content_blocks.md` and
  `_docs/_api/endpoints/templates/content_blocks_templates/post_create_email_content_block.md`:
  Content Block names, sizes and the errors Braze gives for them.

**Assumed** (Braze documents no more; each is the emulator's choice):

- Retries wait `webhook_retry_base` seconds, then `webhook_retry_factor` times longer each
  time (60, 120, 240, 480, 960 s: 31 minutes for 5 retries). A `Retry-After` on 408, 429 or
  5xx (seconds or an HTTP-date) replaces that step, but for at most `webhook_retry_after_max`
  seconds (30 minutes): Braze retries "within about 30 minutes", so no one wait it honours
  can be longer than that whole window. A `Retry-After` that is not a sensible wait (more
  than ten digits, an unreadable date) is ignored and the backoff step applies. Braze's own
  598 (paused host) and 599 (no response) are 5xx, so they are retried too.
- With no `Content-Type` header in the campaign, a body that parses as JSON is sent as
  `application/json`, any other as `text/plain`; an empty body gets none.
- Braze's `User-Agent` replaces one the campaign sets. Its hash is SHA-1 of
  `user_agent_seed` and the clock's UTC day.
- A JSON key-value body is sent compact (`{"a":"1","b":"2"}`), keys as written (not Liquid),
  values rendered as strings. A GET sends no body; one set on the campaign is kept, unused.
- A campaign without `rate_per_minute` is not rate limited: every message is due at once.
- Api ids are UUIDs and dispatch ids 24 hex characters (like Braze's), both derived from the
  mock's id seed, `campaign_seed` and a counter: the id seed is random at every start, so a
  web page cannot guess them, unless `id_seed` fixes it for a replay
  (`mocks.core.ids`). A Test send renders `campaign.${dispatch_id}` as the latest
  dispatch's id, or `dispatch_id_for_unsent_campaign` before the first send.
- A message held back past `webhook_abort_after` is logged as "Aborted message" when that
  horizon passes. A rendered URL that is not http(s), has no host or names a port Braze
  refuses, or a header value with a line break, is a render error ("Invalid webhook").
- A rendered header value loses its leading and trailing spaces and tabs (HTTP's optional
  whitespace, never part of a value). One with a character outside ISO-8859-1 (`王`, an
  emoji) is an "Invalid webhook" naming the header: HTTP field values are ASCII or, at most,
  ISO-8859-1 octets (RFC 9110 5.5), Braze documents no encoding for others, and sending UTF-8
  bytes would let a receiver read a different value than the template meant without anyone
  seeing an error. Templates can pass such values with `| url_encode` or `| base64_encode`.
  A URL or body with a lone surrogate (no UTF-8 form) is an "Invalid webhook" too.
- Anything that stops a request leaving (an error in the HTTP client) is a failed attempt
  with no response, reported as 599 and retried, like a refused connection.
- A host's failures are counted over a sliding minute; when the count goes over
  `host_pause_failures` the host is paused for `host_pause_seconds` and the count restarts.
  Test sends count, and are answered 598 while the host is paused.
- Test sends are not written to the Message Activity Log.
- "Can't reach your endpoint" is every attempt that got no response (Braze reports them all
  as 599 "Connection Error"). Those are retried with the same backoff, each wait at most
  `webhook_unreachable_max_wait` (4 h), for as long as the next attempt falls within
  `webhook_unreachable_window` (24 h, Braze's figure) of the first; the retry count does not
  apply to them. An HTTP error answer decides by the count and the 30-minute rule instead.
- The `X-Rate-Limit-*` headers are read on error responses only (Braze: "when Braze receives
  an error response"), per campaign and host: `X-Rate-Limit-Reset` is when the receiver's
  window ends (`webhook_rate_limit_reset`: `auto` reads a value of 1,000,000,000 or more as
  epoch seconds, a smaller one as seconds from now), `X-Rate-Limit-Remaining` how many more
  requests it takes before then (0 when absent), `X-Rate-Limit-Limit` how many it takes in
  each later window of the same length. Until the reset no more than the remaining requests
  leave; the rest wait for the next window, which then lets `Limit` through (without a
  `Limit`, sending is back to the campaign's own rate). Without a usable reset time the
  headers say nothing Braze could wait for and are ignored. A later error response replaces
  what the earlier one said. No window is taken to last longer than `webhook_abort_after`,
  and a message not yet sent that the headers hold back until its dispatch is that old or
  older is aborted (Braze aborts messages "delayed 72 hours or more"); one already tried
  keeps its retries. Test sends neither wait nor teach.
- A send's `trigger_properties` become `api_trigger_properties`; the emulator also lets a
  send (and a Test send) carry `event_properties` and `canvas_entry_properties` (alias
  `context`), which in Braze come from an action-based trigger and a Canvas entry, so that
  templates written for them can be tried. Per-recipient ones are merged key by key over the
  shared ones, as Braze merges `trigger_properties`.
- A Test send by email picks the profile `/users/track` would update for that email (the
  most recently updated one with an external id, else the most recently updated).
- Content Blocks: a name is 1 to 100 letters, digits, `-` and `_`; content at most 51,200
  bytes of UTF-8 ("50 KB"). A block or a campaign that references a block that does not
  exist is refused when saved ("Content Block 'x' does not exist"); one that references
  itself, directly or through other blocks, is refused with Braze's "Content Block cannot be
  referenced within itself.". Deleting a block a campaign or another block uses is refused
  (Braze: a block used in messages cannot be archived); a deleted block's name stays taken
  until the mock is reset (Braze: a name cannot be reused, even after archiving). Editing a
  block changes every campaign that uses it from its next render, as in Braze.
"""

from __future__ import annotations

from seen_braze_harness.mocks.braze.campaigns.activity import SINCE_PATTERN
from seen_braze_harness.mocks.braze.campaigns.content_blocks import (
    CONTENT_BLOCK_MAX_BYTES,
    ContentBlockError,
    parse_content_blocks,
)
from seen_braze_harness.mocks.braze.campaigns.errors import WebhookCampaignError
from seen_braze_harness.mocks.braze.campaigns.messages import STATES
from seen_braze_harness.mocks.braze.campaigns.properties import PROPERTY_KEYS, parse_properties
from seen_braze_harness.mocks.braze.campaigns.spec import parse_spec
from seen_braze_harness.mocks.braze.campaigns.store import CampaignStore

__all__ = [
    "CONTENT_BLOCK_MAX_BYTES",
    "PROPERTY_KEYS",
    "SINCE_PATTERN",
    "STATES",
    "CampaignStore",
    "ContentBlockError",
    "WebhookCampaignError",
    "parse_content_blocks",
    "parse_properties",
    "parse_spec",
]
