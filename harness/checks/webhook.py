"""Why Braze's webhook did not get through to SEEN, answer by answer: what each status means,
SEEN's field errors with the fix of each, and what SEEN's rate limit allows the campaign."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from seen_braze_harness.harness.checks.traces import Context, UserTrace
from seen_braze_harness.mocks.braze import hops as braze_hops
from seen_braze_harness.mocks.seen import hops as seen_hops


def webhook_failure(user: UserTrace, ctx: Context, fail: Callable[..., None]) -> None:
    """Report, through `fail`, why Braze's last attempt for `user` did not deliver."""
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


def rate_hint(ctx: Context) -> str:
    """The campaign rate that keeps within SEEN's limit, said as the fix."""
    per_minute = math.floor(ctx.seen_rate_limit * 60 / ctx.seen_rate_window)
    hourly = ctx.rate_per_minute * 60
    return (
        f"SEEN accepts {ctx.seen_rate_limit:,} calls per {ctx.seen_rate_window:g} s per token; "
        f"the campaign sends up to {hourly:,} an hour: lower its rate to {max(per_minute, 1)} "
        "messages per minute or less"
    )


def _detail(body: Any) -> str:
    if isinstance(body, dict) and "detail" in body:
        return str(body["detail"])
    if body is None:
        return "(no JSON body)"
    text = json.dumps(body)
    return text if len(text) <= 200 else text[:197] + "..."
