"""The checks of an end-to-end run: each user's chain, hop by hop, and what to do when it breaks.

A user's chain is: Braze renders the webhook → SEEN accepts it and creates one receiver →
SEEN renders and calls back once → the Data Transformation runs once → /users/track takes
its output → the profile carries the links SEEN generated. The first broken link is the
finding; the links after it are not judged for that user (they could only repeat it).
Findings about users of the edge-case probe are warnings: they show what real data could
break, without failing a run of the integration as configured.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from seen_braze_harness.harness.results import CheckResult, Finding, Severity
from seen_braze_harness.mocks.braze import hops as braze_hops
from seen_braze_harness.mocks.seen import hops as seen_hops

CHECKS: tuple[tuple[str, str], ...] = (
    ("audience", "every audience profile is accepted into Braze"),
    ("webhook.rendered", "Braze renders the webhook template for each user"),
    ("webhook.delivered", "Braze's webhook reaches SEEN and SEEN accepts it"),
    (
        "seen.rate_limit",
        "the campaign stays within SEEN's rate limit, or 429s are retried to success",
    ),
    ("receiver.unique", "each user gets exactly one SEEN receiver"),
    ("callback.delivered", "SEEN's callback for each receiver is delivered exactly once"),
    ("transformation.ran", "the Data Transformation runs once per callback, without error"),
    ("track.accepted", "/users/track accepts the transformation's output"),
    ("profile.links", "each profile carries exactly the links SEEN generated"),
    ("schemas", "every exchange matches its JSON Schema"),
    ("mocks.healthy", "the mocks finished every task without an internal error"),
)

PROFILE_LINKS = ("landing_page_url", "email_thumbnail_url")
"""What the integration must write on each profile, by the callback fields of the same name."""


@dataclass
class Attempt:
    """One try of an outbound call as the sender recorded it."""

    status: int | None
    body: bytes
    error: str | None
    exchange_id: int
    time: float
    headers: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        return f"HTTP {self.status}" if self.status is not None else str(self.error)

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class UserTrace:
    """Everything the run left behind for one audience member, in chain order."""

    external_id: str
    profile: Mapping[str, Any]
    """The member's profile as the audience defined it (flat /users/track attribute form)."""
    probe: str | None = None
    braze_id: str | None = None
    seed_error: str | None = None
    message_state: str | None = None
    message_error: str | None = None
    rendered_body: str | None = None
    attempts: list[Attempt] = field(default_factory=list)
    receivers: list[ReceiverTrace] = field(default_factory=list)
    stored_profile: Mapping[str, Any] | None = None
    """The profile as Braze holds it after the run (custom attributes flattened in)."""


@dataclass
class RunTrace:
    """What one transformation run did with one callback."""

    error_kind: str | None
    error: str | None
    line: int | None
    column: int | None
    output: Any
    skipped: str | None
    delivery_status: int | None
    delivery_body: Any


@dataclass
class ReceiverTrace:
    id: int
    state: str
    links: Mapping[str, str] | None
    callback_url: str | None
    callback_state: str | None
    callback_attempts: list[Attempt] = field(default_factory=list)
    runs: list[RunTrace] = field(default_factory=list)


@dataclass
class Context:
    """What the checks need to know about the integration under test."""

    webhook_template: str
    webhook_url: str
    rate_per_minute: int
    seen_rate_limit: int
    seen_rate_window: float
    seen_token: str
    explain_json: Callable[[str, Mapping[str, Any], str], Any] | None = None


class Tally:
    """Per-check counts and the findings, in the order they were found."""

    def __init__(self) -> None:
        self.checks = {name: CheckResult(name, description) for name, description in CHECKS}
        self.findings: list[Finding] = []

    def passed(self, check: str, count: int = 1) -> None:
        self.checks[check].passed += count

    def found(self, finding: Finding) -> None:
        result = self.checks[finding.check]
        if finding.severity == "failure":
            result.failed += 1
        else:
            result.warned += 1
        self.findings.append(finding)


def check_user(user: UserTrace, ctx: Context, tally: Tally) -> None:
    """Walk one user's chain; record a pass for each sound link and stop at the first break."""
    severity: Severity = "warning" if user.probe else "failure"

    def fail(check: str, message: str, **details: Any) -> None:
        tally.found(
            Finding(
                check=check,
                severity=severity,
                message=message,
                user=user.external_id,
                probe=user.probe,
                **details,
            )
        )

    if user.seed_error is not None:
        fail(
            "audience",
            f"Braze refused the profile: {user.seed_error}",
            hop=braze_hops.PROFILE.name,
            hint="fix the profile in [[audience.profiles]]",
        )
        return
    tally.passed("audience")

    if user.message_state in ("render_error", "aborted"):
        aborted = user.message_state == "aborted"
        fail(
            "webhook.rendered",
            f"the template aborted the message: {user.message_error}"
            if aborted
            else f"Liquid error: {user.message_error}",
            hop=braze_hops.WEBHOOK.name,
            hint="this user gets no video: add a fallback instead of aborting"
            if aborted
            else "fix the webhook template (seen-braze render shows it for one user)",
        )
        return
    if user.message_state == "expired":
        fail(
            "webhook.rendered",
            "Braze aborted the message: it would have waited more than 72 hours at the "
            f"campaign's rate of {ctx.rate_per_minute} per minute",
            hop=braze_hops.WEBHOOK.name,
            hint="raise the campaign's rate, or send to a smaller audience",
        )
        return
    if user.message_state is None:
        fail(
            "webhook.rendered",
            "Braze never scheduled a message for this user",
            hop=braze_hops.WEBHOOK.name,
        )
        return
    tally.passed("webhook.rendered")

    limited = [a for a in user.attempts if a.status == 429]
    if user.message_state in ("scheduled", "sending"):
        fail(
            "webhook.delivered",
            f"the message was still {user.message_state} when the run stopped "
            f"({len(user.attempts)} attempts so far)",
            hop=braze_hops.WEBHOOK.name,
            hint="the run ended with work pending: see the mocks.healthy finding",
        )
        return
    if user.message_state != "delivered":
        if user.attempts and user.attempts[-1].status == 429:
            fail(
                "seen.rate_limit",
                f"SEEN's rate limit: 429 to all {len(user.attempts)} attempts; Braze gave up",
                hop=seen_hops.RECEIVERS.name,
                exchange_id=user.attempts[-1].exchange_id,
                hint=_rate_hint(ctx),
            )
        else:
            _webhook_failure(user, ctx, fail)
        return
    tally.passed("webhook.delivered")
    if limited:
        tally.found(
            Finding(
                check="seen.rate_limit",
                severity="warning",
                message=f"SEEN answered 429 {len(limited)} time(s) before accepting the webhook; "
                "Braze's retries got it through",
                hop=seen_hops.RECEIVERS.name,
                user=user.external_id,
                probe=user.probe,
                exchange_id=limited[0].exchange_id,
                hint=_rate_hint(ctx),
            )
        )
    else:
        tally.passed("seen.rate_limit")

    if len(user.receivers) != 1:
        ids = ", ".join(str(r.id) for r in user.receivers) or "none"
        fail(
            "receiver.unique",
            f"SEEN created {len(user.receivers)} receivers for this user (ids: {ids})",
            hop=seen_hops.RECEIVERS.name,
            hint="Braze retried a request SEEN had already accepted (a slow answer or a dropped "
            "connection): each retry creates another receiver and another video"
            if len(user.receivers) > 1
            else "SEEN's 2xx answer listed no receiver: the body must be a JSON array",
        )
        return
    tally.passed("receiver.unique")
    receiver = user.receivers[0]

    if not _callback_ok(receiver, fail):
        return
    tally.passed("callback.delivered")

    if not _run_ok(receiver, fail):
        return
    tally.passed("transformation.ran")
    run = receiver.runs[0]

    if not _track_ok(run, fail):
        return
    tally.passed("track.accepted")

    if _links_ok(user, receiver, run, fail):
        tally.passed("profile.links")


def _webhook_failure(user: UserTrace, ctx: Context, fail: Callable[..., None]) -> None:
    last = user.attempts[-1] if user.attempts else None
    if last is None:
        fail("webhook.delivered", "Braze never sent the webhook", hop=braze_hops.WEBHOOK.name)
        return
    tries = f"{len(user.attempts)} attempt{'s' if len(user.attempts) != 1 else ''}"
    status = last.status
    where = {"hop": seen_hops.RECEIVERS.name, "exchange_id": last.exchange_id}
    body = last.json()
    if status is None or status == 598:
        fail(
            "webhook.delivered",
            f"no answer from SEEN after {tries}: {last.describe()}",
            hop=braze_hops.WEBHOOK.name,
            exchange_id=last.exchange_id,
            hint=f"check the webhook URL ({ctx.webhook_url}) and that SEEN is reachable; "
            "Braze gives up after 5 retries",
        )
    elif 300 <= status < 400:
        fail(
            "webhook.delivered",
            f"SEEN answered {status} (a redirect); Braze does not follow redirects",
            hint="point the webhook URL at the final address (mind the trailing slash)",
            **where,
        )
    elif status == 400:
        _explain_400(user, ctx, body, fail, where)
    elif status == 401:
        fail(
            "webhook.delivered",
            f"SEEN refused the credentials: {_detail(body)}",
            pointer="/headers/Authorization",
            hint="the webhook's Authorization header must be `Token <the SEEN campaign's token>`",
            **where,
        )
    elif status == 403:
        fail(
            "webhook.delivered",
            f"SEEN refused the token for this campaign: {_detail(body)}",
            hint="use the token of the campaign named in the webhook URL",
            **where,
        )
    elif status == 404:
        fail(
            "webhook.delivered",
            f"no SEEN campaign at {ctx.webhook_url}: {_detail(body)}",
            hint="check the campaign slug in the webhook URL",
            **where,
        )
    elif status == 415:
        fail(
            "webhook.delivered",
            f"SEEN refused the content type: {_detail(body)}",
            pointer="/headers/Content-Type",
            hint="add the header Content-Type: application/json to the webhook",
            **where,
        )
    elif status in (408,) or status >= 500:
        fail(
            "webhook.delivered",
            f"SEEN failed {tries} in a row (last: HTTP {status}); Braze gave up",
            hint="a SEEN outage: Braze retries 5 times within about 30 minutes, then drops "
            "the message — plan a resend",
            **where,
        )
    else:
        fail(
            "webhook.delivered",
            f"SEEN answered HTTP {status}: {_detail(body)}",
            hint="Braze does not retry a 4xx: fix the request",
            **where,
        )


def _explain_400(
    user: UserTrace,
    ctx: Context,
    body: Any,
    fail: Callable[..., None],
    where: dict[str, Any],
) -> None:
    if isinstance(body, dict) and str(body.get("detail", "")).startswith("JSON parse error"):
        explained = None
        if ctx.explain_json is not None and user.rendered_body is not None:
            explained = ctx.explain_json(ctx.webhook_template, user.profile, user.rendered_body)
        if explained is not None:
            fail(
                "webhook.delivered",
                f"the rendered webhook body is not JSON: {explained.reason} "
                f"(line {explained.line}, column {explained.column})",
                hint=explained.hint,
                **where,
            )
        else:
            fail(
                "webhook.delivered",
                f"SEEN could not parse the body: {body['detail']}",
                hint="values are not escaped by Braze: use `| json_escape` inside JSON strings",
                **where,
            )
        return
    if isinstance(body, dict) and any(
        "Expected a list" in str(m) for m in body.get("non_field_errors", [])
    ):
        fail(
            "webhook.delivered",
            "SEEN wants a JSON array of receivers and got an object",
            pointer="",
            hint='with body_format "json" Braze sends an object: use a raw body, '
            '[{"first_name": "{{${first_name} | json_escape}}", ...}]',
            **where,
        )
        return
    problems = list(_field_errors(body))
    if not problems:
        fail("webhook.delivered", f"SEEN answered 400: {_detail(body)}", **where)
        return
    for pointer, name, message in problems:
        fail(
            "webhook.delivered",
            f"SEEN rejected {name}: {message}",
            pointer=pointer,
            hint=_field_hint(name, message),
            **where,
        )


def _field_errors(body: Any) -> Any:
    """(pointer, field, message) for each field error of SEEN's 400 (DRF's shapes)."""
    items = body if isinstance(body, list) else [body] if isinstance(body, dict) else []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        for name, messages in item.items():
            if name == "detail":
                continue
            for message in messages if isinstance(messages, list) else [messages]:
                prefix = f"/{index}" if isinstance(body, list) else ""
                yield f"{prefix}/{name}", name, str(message)


def _field_hint(name: str, message: str) -> str:
    if "may not be blank" in message or "required" in message:
        if name == "first_name":
            return "SEEN requires first_name: give it a fallback, e.g. " + (
                "{{${first_name} | default: 'there'}}"
            )
        return f"send {name} only when the profile has it"
    if "no more than" in message:
        limit = "".join(ch for ch in message if ch.isdigit()) or "N"
        return (
            f"SEEN accepts at most {limit} characters: e.g. {{{{${name} | truncate: {limit}, ''}}}}"
        )
    if "valid email" in message:
        return "leave the email out, or fix it in the profile: SEEN refuses the whole receiver"
    if name == "phone":
        return "SEEN wants E.164 phone numbers (+ and digits)"
    if name == "customer_id":
        return "customer_id must be unique in the campaign: use {{${braze_id}}}"
    return "fix the template or the profile value"


def _rate_hint(ctx: Context) -> str:
    per_minute = math.floor(ctx.seen_rate_limit * 60 / ctx.seen_rate_window)
    hourly = ctx.rate_per_minute * 60
    return (
        f"SEEN accepts {ctx.seen_rate_limit:,} calls per {ctx.seen_rate_window:g} s per token; "
        f"the campaign sends up to {hourly:,} an hour: lower its rate to {max(per_minute, 1)} "
        "messages per minute or less"
    )


def _callback_ok(receiver: ReceiverTrace, fail: Callable[..., None]) -> bool:
    if receiver.state == "accepted":
        fail(
            "callback.delivered",
            f"SEEN had not rendered receiver {receiver.id} when the run stopped",
            hop=seen_hops.CALLBACK.name,
            hint="the run ended with work pending: see the mocks.healthy finding",
        )
        return False
    if receiver.callback_url is None:
        fail(
            "callback.delivered",
            f"SEEN rendered receiver {receiver.id} but has no callback URL for its campaign",
            hop=seen_hops.CALLBACK.name,
            hint="set the SEEN campaign's callback URL to the Data Transformation webhook URL",
        )
        return False
    if receiver.callback_state == "delivered":
        return True
    last = receiver.callback_attempts[-1] if receiver.callback_attempts else None
    what = "never attempted" if last is None else f"last: {last.describe()}"
    hint = "check the Data Transformation webhook URL SEEN calls back"
    if last is not None and last.status == 429:
        hint = "Braze accepts 1,000 webhook calls per minute per workspace"
    elif last is not None and last.status == 404:
        hint = "the Data Transformation webhook URL is wrong, or the transformation is gone"
    fail(
        "callback.delivered",
        f"SEEN's callback for receiver {receiver.id} was not delivered "
        f"({len(receiver.callback_attempts)} attempts, {what})",
        hop=seen_hops.CALLBACK.name,
        exchange_id=None if last is None else last.exchange_id,
        hint=hint,
    )
    return False


def _run_ok(receiver: ReceiverTrace, fail: Callable[..., None]) -> bool:
    if not receiver.runs:
        fail(
            "transformation.ran",
            f"the Data Transformation never ran for receiver {receiver.id}'s callback",
            hop=braze_hops.TRANSFORMATION.name,
        )
        return False
    if len(receiver.runs) > 1:
        fail(
            "transformation.ran",
            f"the Data Transformation ran {len(receiver.runs)} times for one callback",
            hop=braze_hops.TRANSFORMATION.name,
            hint="SEEN retried a callback Braze had already taken: the transformation must be "
            "idempotent (it writes the same attributes each time)",
        )
        return False
    run = receiver.runs[0]
    if run.error_kind == "invalid_output":
        pointer, _, message = (run.error or "").partition(": ")
        fail(
            "transformation.ran",
            f"the transformation's output would be refused: {message or run.error}",
            hop=braze_hops.TRANSFORMATION.name,
            pointer=pointer if pointer.startswith("/") else None,
            hint="return {attributes: [...]} as /users/track takes it",
        )
        return False
    if run.error_kind is not None:
        where = f" at line {run.line}" if run.line else ""
        where += f", column {run.column}" if run.line and run.column else ""
        fail(
            "transformation.ran",
            f"the transformation failed ({run.error_kind}){where}: {run.error}",
            hop=braze_hops.TRANSFORMATION.name,
            hint="run it on this callback with `seen-braze transform CODE.js --payload FILE`",
        )
        return False
    if run.skipped:
        fail("transformation.ran", run.skipped, hop=braze_hops.TRANSFORMATION.name)
        return False
    return True


def _track_ok(run: RunTrace, fail: Callable[..., None]) -> bool:
    status = run.delivery_status
    body = run.delivery_body
    if status is None and isinstance(body, dict) and body.get("error"):
        fail(
            "track.accepted",
            f"/users/track gave no answer: {body['error']}",
            hop=braze_hops.TRANSFORMATION_DELIVERY.name,
        )
        return False
    if status is None:
        fail(
            "track.accepted",
            "nothing was delivered to /users/track",
            hop=braze_hops.TRANSFORMATION.name,
        )
        return False
    errors = body.get("errors") if isinstance(body, dict) else None
    if 200 <= status < 300 and not errors:
        return True
    if errors:
        applied = 200 <= status < 300
        for error in errors:
            index = error.get("index") if isinstance(error, dict) else None
            array = error.get("input_array", "attributes") if isinstance(error, dict) else None
            text = error.get("type") if isinstance(error, dict) else str(error)
            fail(
                "track.accepted",
                f"/users/track refused {array}[{index}] of the transformation's output: {text}"
                if index is not None
                else f"/users/track refused an object: {text}",
                hop=braze_hops.TRANSFORMATION_DELIVERY.name,
                pointer=None if index is None else f"/{array}/{index}",
                hint="the rest of the output was applied, this object was not: fix it in the "
                "transformation (`seen-braze transform CODE.js --payload FILE` shows it)"
                if applied
                else "/users/track applied nothing: fix the transformation's output",
            )
        return False
    message = body.get("message") if isinstance(body, dict) else body
    fail(
        "track.accepted",
        f"/users/track answered HTTP {status}: {message}",
        hop=braze_hops.TRANSFORMATION_DELIVERY.name,
    )
    return False


def _links_ok(
    user: UserTrace, receiver: ReceiverTrace, run: RunTrace, fail: Callable[..., None]
) -> bool:
    links = receiver.links or {}
    stored = user.stored_profile
    if stored is None:
        fail("profile.links", "the profile is gone from Braze", hop=braze_hops.PROFILE.name)
        return False
    written = _output_attributes(run.output)
    ok = True
    for name in PROFILE_LINKS:
        expected = links.get(name)
        got = stored.get(name)
        if got == expected:
            continue
        ok = False
        if got is None:
            close = difflib.get_close_matches(name, list(written), n=1)
            if close:
                hint = f"the transformation writes `{close[0]}`: it should be `{name}`"
            elif name in written:
                hint = f"the transformation writes {name}, but /users/track did not keep it"
            else:
                hint = (
                    f"the transformation's output sets {', '.join(sorted(written)) or 'nothing'} "
                    f"but not `{name}`: map it from payload.{name}"
                )
            fail(
                "profile.links",
                f"the profile has no {name}; SEEN generated {expected}",
                hop=braze_hops.PROFILE.name,
                pointer=f"/{name}",
                hint=hint,
            )
        else:
            source = next((k for k, v in links.items() if v == got), None)
            fail(
                "profile.links",
                f"the profile's {name} is {got!r}; SEEN generated {expected!r}",
                hop=braze_hops.PROFILE.name,
                pointer=f"/{name}",
                hint=f"the transformation copies SEEN's {source} into {name}"
                if source
                else "the transformation must copy the callback's value unchanged",
            )
    return ok


def _output_attributes(output: Any) -> dict[str, Any]:
    """The attributes a /users/track output writes (the first attributes object)."""
    if isinstance(output, dict):
        attributes = output.get("attributes")
        if isinstance(attributes, list) and attributes and isinstance(attributes[0], dict):
            return dict(attributes[0])
    return {}


def _detail(body: Any) -> str:
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])
    if body is None:
        return "(no JSON body)"
    text = json.dumps(body)
    return text if len(text) <= 200 else text[:197] + "..."


def rate_preflight(ctx: Context, tally: Tally) -> None:
    """Warn when the campaign's rate would exceed SEEN's limit on a production-size audience
    (a small test audience may not reach the limit, a real one will)."""
    hourly = ctx.rate_per_minute * 60
    allowed = ctx.seen_rate_limit * 3600 / ctx.seen_rate_window
    if hourly > allowed:
        tally.found(
            Finding(
                check="seen.rate_limit",
                severity="warning",
                message=f"at {ctx.rate_per_minute} messages per minute Braze sends up to "
                f"{hourly:,} calls an hour; SEEN accepts {allowed:,.0f}",
                hop=braze_hops.WEBHOOK.name,
                hint=_rate_hint(ctx),
            )
        )


def liquid_preflight(warnings: Sequence[Mapping[str, Any]], tally: Tally) -> None:
    """Warn where the campaign's Liquid renders only by Braze's leniency, or uses what Braze
    documents as unsupported: it works today, but is one parser change away from breaking."""
    for warning in warnings:
        tally.found(
            Finding(
                check="webhook.rendered",
                severity="warning",
                message=f"{warning['key']}, line {warning['line']}: {warning['message']}",
                hop=braze_hops.WEBHOOK.name,
                hint='write it as strict Liquid accepts it; with liquid_error_mode = "strict" '
                "in [braze.settings] every such place is an error",
            )
        )


def summarise_checks(tally: Tally) -> Sequence[CheckResult]:
    return list(tally.checks.values())
