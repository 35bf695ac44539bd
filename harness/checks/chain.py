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
from collections.abc import Callable
from typing import Any

from seen_braze_harness.harness.checks.traces import (
    Context,
    ReceiverTrace,
    RunTrace,
    Tally,
    UserTrace,
)
from seen_braze_harness.harness.checks.webhook import rate_hint, webhook_failure
from seen_braze_harness.harness.results import Finding, Severity
from seen_braze_harness.mocks.braze import hops as braze_hops
from seen_braze_harness.mocks.seen import hops as seen_hops

PROFILE_LINKS = ("landing_page_url", "email_thumbnail_url")
"""What the integration must write on each profile, by the callback fields of the same name."""


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
                hint=rate_hint(ctx),
            )
        else:
            webhook_failure(user, ctx, fail)
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
                hint=rate_hint(ctx),
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
