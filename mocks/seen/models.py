"""SEEN's state and rules: campaigns, tokens, receivers, the render lifecycle and callbacks.

A campaign given without a token gets one minted from the mock's id seed (`id_seed`: random at
every start unless a scenario fixes it, see `mocks.core.ids`). Receiver ids count from 1, as
the integers SEEN's API answers: they are no secret and open nothing (the admin API only reads
a receiver by its id, and a web page cannot read an answer across origins), and a run reads
from them how many receivers a server forgot.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from seen_braze_harness.mocks.core.delivery import Delivery, FixedIntervalRetry, OutboundRequest
from seen_braze_harness.mocks.core.errors import AlreadyExists, Invalid, NotFound
from seen_braze_harness.mocks.core.ids import IdMint
from seen_braze_harness.mocks.core.ratelimit import SlidingWindowLimiter
from seen_braze_harness.mocks.core.runtime import MockRuntime
from seen_braze_harness.mocks.seen import errors, hops
from seen_braze_harness.mocks.seen.links import VideoLinks, video_links
from seen_braze_harness.mocks.seen.settings import SeenSettings
from seen_braze_harness.mocks.seen.validation import validate_batch

SLUG_PATTERN = "[A-Za-z0-9][A-Za-z0-9_-]{0,99}"
"""A campaign slug, exactly (checked with `fullmatch`; the OpenAPI document anchors the same
pattern): letters, digits, '-' and '_', starting with a letter or digit, up to 100 characters."""
TOKEN_PATTERN = "[!-~]{1,200}"
"""A campaign token: printable ASCII without spaces, up to 200 characters."""
CALLBACK_URL = 'https?://[!"$-.0->@-~][!-~]*'
"""A callback URL (these patterns are checked with `fullmatch`; the OpenAPI document anchors
them with `^...$`): http(s), a host, printable ASCII without spaces (percent-encode the rest)."""
HEADER_NAME = "[!#$%&'*+.^_`|~0-9A-Za-z-]+"
"""An HTTP header name (RFC 9110's token)."""


def valid_slug(slug: str) -> bool:
    return re.fullmatch(SLUG_PATTERN, slug) is not None


CALLBACK_FIELDS = ("id", "first_name", "last_name", "email", "phone", "extra_args")
CALLBACK_USER_AGENT = "SEEN-Callback/1.0 (seen-braze-harness emulator)"
_CAMPAIGN_KEYS = {
    "slug",
    "token",
    "callback_url",
    "callback_auth",
    "callback_fields",
    "callback_static",
}


class CampaignError(Invalid):
    """A campaign definition that cannot be used; the message names the key."""


class CampaignExists(CampaignError, AlreadyExists):
    """A new campaign whose slug another has."""


class CampaignNotFound(NotFound):
    """No campaign has this slug."""


@dataclass(frozen=True)
class CallbackAuth:
    """How SEEN authenticates to the callback URL: none, Basic, or a static header."""

    type: str = "none"
    username: str = ""
    password: str = ""
    header: str = ""
    value: str = ""

    @classmethod
    def from_dict(cls, data: Any) -> CallbackAuth:
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise CampaignError("callback_auth: must be an object with a 'type'")
        kind = data.get("type", "none")
        if not isinstance(kind, str):
            raise CampaignError(f"callback_auth.type: must be none, basic or header, not {kind!r}")
        keys = {
            "none": {"type"},
            "basic": {"type", "username", "password"},
            "header": {"type", "header", "value"},
        }.get(kind)
        if keys is None:
            raise CampaignError(f"callback_auth.type: must be none, basic or header, not {kind!r}")
        unknown = sorted(set(data) - keys)
        if unknown:
            raise CampaignError(f"callback_auth: unknown key(s) for {kind}: {', '.join(unknown)}")
        for key in keys - {"type"}:
            if not isinstance(data.get(key), str) or not data[key]:
                raise CampaignError(f"callback_auth.{key}: required non-empty string for {kind}")
        if kind == "header" and not re.fullmatch(HEADER_NAME, data["header"]):
            raise CampaignError("callback_auth.header: not a valid HTTP header name")
        return cls(**data)

    def headers(self) -> dict[str, str]:
        if self.type == "basic":
            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            return {"Authorization": f"Basic {token}"}
        if self.type == "header":
            return {self.header: self.value}
        return {}

    def to_dict(self) -> dict[str, str]:
        if self.type == "basic":
            return {"type": "basic", "username": self.username, "password": self.password}
        if self.type == "header":
            return {"type": "header", "header": self.header, "value": self.value}
        return {"type": "none"}


@dataclass
class Campaign:
    slug: str
    token: str
    callback_url: str | None = None
    callback_auth: CallbackAuth = field(default_factory=CallbackAuth)
    callback_fields: tuple[str, ...] = ()
    callback_static: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Any, *, new_token: Callable[[], str] | None = None) -> Campaign:
        """A campaign from its JSON form; a missing token is `new_token()` (40 hex
        characters from `secrets` when none is given)."""
        if not isinstance(data, dict):
            raise CampaignError("a campaign must be a JSON object")
        unknown = sorted(set(data) - _CAMPAIGN_KEYS)
        if unknown:
            raise CampaignError(
                f"unknown key(s): {', '.join(unknown)}; "
                f"allowed: {', '.join(sorted(_CAMPAIGN_KEYS))}"
            )
        slug = data.get("slug")
        if not isinstance(slug, str) or not valid_slug(slug):
            raise CampaignError(
                "slug: required; letters, digits, '-' and '_', up to 100 characters "
                f"(e.g. 'onboarding', 'Test-Boys'), not {slug!r}"
            )
        token = data.get("token")
        if token is None:
            token = secrets.token_hex(20) if new_token is None else new_token()
        if not isinstance(token, str) or not re.fullmatch(TOKEN_PATTERN, token):
            raise CampaignError("token: must be printable characters without spaces")
        return cls(
            slug=slug,
            token=token,
            callback_url=_callback_url(data.get("callback_url")),
            callback_auth=CallbackAuth.from_dict(data.get("callback_auth")),
            callback_fields=_callback_fields(data.get("callback_fields", [])),
            callback_static=_callback_static(data.get("callback_static", {})),
        )

    def update(self, data: Any, *, new_token: Callable[[], str] | None = None) -> Campaign:
        if not isinstance(data, dict):
            raise CampaignError("a campaign update must be a JSON object")
        if "slug" in data and data["slug"] != self.slug:
            raise CampaignError("slug: cannot be changed")
        return Campaign.from_dict({**self.to_dict(), **data}, new_token=new_token)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "token": self.token,
            "callback_url": self.callback_url,
            "callback_auth": self.callback_auth.to_dict(),
            "callback_fields": list(self.callback_fields),
            "callback_static": dict(self.callback_static),
        }


def _callback_url(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not re.fullmatch(CALLBACK_URL, value):
        raise CampaignError(
            "callback_url: must be an absolute http(s) URL in printable ASCII (percent-encode "
            f"the rest) or null, not {value!r}"
        )
    return value


def _callback_fields(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CampaignError("callback_fields: must be a list of receiver field names")
    unknown = sorted(set(value) - set(CALLBACK_FIELDS))
    if unknown:
        raise CampaignError(
            f"callback_fields: unknown field(s) {', '.join(unknown)}; "
            f"choose from {', '.join(CALLBACK_FIELDS)}"
        )
    return tuple(dict.fromkeys(value))


def _callback_static(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise CampaignError("callback_static: must be an object of string values")
    return dict(value)


@dataclass
class Receiver:
    """One receiver and where it stands: accepted, rendered, then its callback."""

    id: int
    campaign_slug: str
    fields: dict[str, Any]
    created_at: float
    state: str = "accepted"
    rendered_at: float | None = None
    links: VideoLinks | None = None
    callback: Delivery | None = None
    callback_payload: dict[str, Any] | None = None

    def echo(self) -> dict[str, Any]:
        """The receiver as the 201 response shows it."""
        return {"id": self.id, **self.fields}

    def to_dict(self) -> dict[str, Any]:
        delivery = self.callback
        return {
            "id": self.id,
            "campaign_slug": self.campaign_slug,
            "fields": self.fields,
            "state": self.state,
            "created_at": self.created_at,
            "rendered_at": self.rendered_at,
            "links": None if self.links is None else self.links.to_dict(),
            "callback": None
            if delivery is None
            else {
                "url": delivery.request.url,
                "state": delivery.state,
                "payload": self.callback_payload,
                "attempts": [a.summary() for a in delivery.attempts],
            },
        }


class SeenBackend:
    """All of SEEN's state for one mock; thread-safe, as server mode serves in threads."""

    def __init__(self, settings: SeenSettings, runtime: MockRuntime) -> None:
        self.settings = settings
        self.runtime = runtime
        self._lock = threading.Lock()
        self.limiter = SlidingWindowLimiter(settings.rate_limit, settings.rate_window)
        self.ids = IdMint(settings.id_seed, scope="seen")
        self.campaigns: dict[str, Campaign] = {}
        self.receivers: dict[int, Receiver] = {}
        self._customer_ids: dict[str, set[str]] = {}
        self._next_id = 1
        self.evicted = 0
        self.reset()
        runtime.on_reset(self.reset)

    def reset(self) -> None:
        self.ids.reset()
        campaigns = [
            Campaign.from_dict(c, new_token=self._new_token) for c in self.settings.campaigns
        ]
        with self._lock:
            self.campaigns = {c.slug: c for c in campaigns}
            self.receivers = {}
            self._customer_ids = {}
            self._next_id = 1
            self.evicted = 0
        self.limiter.reset()

    # -- campaigns -------------------------------------------------------------------------
    def _new_token(self) -> str:
        """A campaign token: 40 hex characters, like SEEN's."""
        return self.ids.hex("token", 40)

    def add_campaign(self, data: Any) -> Campaign:
        campaign = Campaign.from_dict(data, new_token=self._new_token)
        with self._lock:
            if campaign.slug in self.campaigns:
                raise CampaignExists(f"slug: a campaign {campaign.slug!r} exists already")
            self.campaigns[campaign.slug] = campaign
        return campaign

    def update_campaign(self, slug: str, data: Any) -> Campaign:
        with self._lock:
            current = self.campaigns.get(slug)
            if current is None:
                raise CampaignNotFound(f"no campaign {slug!r}")
            updated = current.update(data, new_token=self._new_token)
            self.campaigns[slug] = updated
        return updated

    # -- the receivers API, in Django REST Framework's order -------------------------------
    def authenticate(self, header: str | None) -> str:
        """The token of a `Token <key>` header (TokenAuthentication's rules and messages)."""
        parts = (header or "").split()
        if not parts or parts[0].lower() != "token":
            raise errors.NotAuthenticated()
        if len(parts) == 1:
            raise errors.AuthenticationFailed("Invalid token header. No credentials provided.")
        if len(parts) > 2:
            raise errors.AuthenticationFailed(
                "Invalid token header. Token string should not contain spaces."
            )
        token = parts[1]
        if not token.isascii() or not token.isprintable():
            raise errors.AuthenticationFailed(
                "Invalid token header. Token string should not contain invalid characters."
            )
        if token not in self.settings.tokens and not any(
            c.token == token for c in self.campaigns.values()
        ):
            raise errors.AuthenticationFailed("Invalid token.")
        return token

    def authorize(self, token: str, slug: str) -> None:
        if not self.settings.token_scoping or token in self.settings.tokens:
            return
        campaign = self.campaigns.get(slug)
        if campaign is None or campaign.token != token:
            raise errors.PermissionDenied()

    def throttle(self, token: str) -> None:
        decision = self.limiter.hit(token, self.runtime.clock.now())
        if not decision.allowed:
            raise errors.Throttled(decision.retry_after)

    def campaign(self, slug: str) -> Campaign:
        campaign = self.campaigns.get(slug)
        if campaign is None:
            raise errors.NotFound()
        return campaign

    def create_receivers(self, campaign: Campaign, data: Any) -> list[Receiver]:
        """Create every receiver of the batch, or none: raises ValidationFailed with the body."""
        with self._lock:
            known = self._customer_ids.setdefault(campaign.slug, set())
            accepted, problems = validate_batch(data, self.settings, known)
            if problems is not None:
                raise errors.ValidationFailed(problems, _summarise(problems))
            now = self.runtime.clock.now()
            created = []
            for fields in accepted:
                receiver = Receiver(self._next_id, campaign.slug, fields, now)
                self._next_id += 1
                self.receivers[receiver.id] = receiver
                if fields.get("customer_id"):
                    known.add(fields["customer_id"])
                created.append(receiver)
            self._evict_beyond_cap()
        self.runtime.scheduler.call_later(
            self.settings.render_seconds,
            "seen.render",
            functools.partial(self._render, [r.id for r in created]),
            owner=self.runtime.service,
            inline=True,
        )
        return created

    def _evict_beyond_cap(self) -> None:
        """Forget the oldest receivers past `receivers_cap`: a long-running server stays bounded."""
        while len(self.receivers) > self.settings.receivers_cap:
            oldest = next(iter(self.receivers))
            gone = self.receivers.pop(oldest)
            self._customer_ids.get(gone.campaign_slug, set()).discard(
                gone.fields.get("customer_id", "")
            )
            self.evicted += 1

    # -- rendering and the callback --------------------------------------------------------
    def links_for(self, receiver: Receiver) -> VideoLinks:
        return video_links(
            self.settings.link_seed,
            receiver.campaign_slug,
            receiver.id,
            landing_page_template=self.settings.landing_page_template,
            media_base_url=self.settings.media_base_url,
        )

    def callback_payload(self, receiver: Receiver, campaign: Campaign) -> dict[str, Any]:
        assert receiver.links is not None
        payload: dict[str, Any] = {
            "customer_id": str(receiver.fields.get("customer_id", "")),
            "campaign_slug": receiver.campaign_slug,
            **receiver.links.to_dict(),
        }
        for name in campaign.callback_fields:
            value = receiver.id if name == "id" else receiver.fields.get(name)
            if value is not None:
                payload[name] = value if name == "extra_args" else str(value)
        payload.update(campaign.callback_static)
        return payload

    def _render(self, receiver_ids: list[int]) -> None:
        """One call's receivers are rendered together: they were created together."""
        for receiver_id in receiver_ids:
            self._rendered(receiver_id)

    def _rendered(self, receiver_id: int) -> None:
        with self._lock:
            receiver = self.receivers.get(receiver_id)
            if receiver is None:
                return
            receiver.links = self.links_for(receiver)
            receiver.state = "rendered"
            receiver.rendered_at = self.runtime.clock.now()
            campaign = self.campaigns.get(receiver.campaign_slug)
            if campaign is None or campaign.callback_url is None:
                return
            receiver.callback_payload = self.callback_payload(receiver, campaign)
        request = OutboundRequest(
            hop=hops.CALLBACK.name,
            method="POST",
            url=campaign.callback_url,
            headers={
                "Content-Type": "application/json",
                "User-Agent": CALLBACK_USER_AGENT,
                **campaign.callback_auth.headers(),
            },
            body=json.dumps(receiver.callback_payload).encode(),
            timeout=self.settings.callback_timeout,
        )
        policy = FixedIntervalRetry(
            self.settings.callback_retries, self.settings.callback_retry_interval
        )

        def settled(delivery: Delivery) -> None:
            receiver.state = "callback_delivered" if delivery.delivered else "callback_failed"

        receiver.callback = self.runtime.sender.deliver(request, policy, on_settled=settled)

    def query_receivers(
        self,
        *,
        campaign: str | None = None,
        customer_id: str | None = None,
        state: str | None = None,
    ) -> list[Receiver]:
        with self._lock:
            found = list(self.receivers.values())
        return [
            r
            for r in found
            if (campaign is None or r.campaign_slug == campaign)
            and (customer_id is None or r.fields.get("customer_id") == customer_id)
            and (state is None or r.state == state)
        ]


def _summarise(problems: Any) -> str:
    if isinstance(problems, dict):
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in problems.items())
    bad = [(i, e) for i, e in enumerate(problems) if e]
    first_index, first = bad[0]
    fields = ", ".join(f"{k}: {' '.join(v)}" for k, v in first.items())
    more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
    return f"receiver {first_index}: {fields}{more}"
