"""The Send messages destination: `/messages/send`'s recipient rules; messages are recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from seen_braze_harness.mocks.braze.transformations.destinations import (
    DestinationReply,
    Problems,
    problem,
)
from seen_braze_harness.mocks.core.ids import IdMint

RECIPIENTS_MAX = 50


@dataclass
class SentMessage:
    dispatch_id: str
    time: float
    request: dict[str, Any]


class SendMessages:
    """POST /messages/send: Braze's recipient rules; the message is recorded, not sent.

    Documented: at most 50 `external_user_ids` (and user aliases, recipients); recipients
    named by `external_user_ids` or `user_aliases` must exist; `broadcast` must be true when
    no user is named, and a broadcast may not list recipients; a recipient object names its
    user by exactly one of `external_user_id`, `user_alias`, `braze_id`, `email`, with
    `prioritization` when by email, and `send_to_existing_only: false` needs `attributes`.
    **Assumed**: a broadcast needs a `segment_id` or an `audience`; recipients with
    `send_to_existing_only: false` are not looked up (Braze would create them; the emulator
    records the message only); the 400 body is `{"message": ...}` naming every problem.
    """

    endpoint = "POST /messages/send"

    def __init__(
        self,
        user_exists: Callable[[str, Any], bool],
        now: Callable[[], float],
        ids: IdMint | None = None,
    ) -> None:
        self._user_exists = user_exists
        self._now = now
        self._mint = ids or IdMint(None, scope="braze-messages")
        self.sent: list[SentMessage] = []

    def check(self, output: Any) -> Problems:
        if not isinstance(output, dict):
            return [problem("", "the code must return an object (the /messages/send body)")]
        found: Problems = []
        messages = output.get("messages")
        if not isinstance(messages, dict) or not messages:
            found.append(problem("/messages", "'messages' must be an object of channel messages"))
        broadcast = output.get("broadcast", False)
        if not isinstance(broadcast, bool):
            return [*found, problem("/broadcast", "'broadcast' must be true or false")]
        named = [k for k in ("external_user_ids", "user_aliases", "recipients") if k in output]
        if broadcast is True and named:
            found.append(
                problem(
                    f"/{named[0]}",
                    "a broadcast may not list recipients: drop 'broadcast: true' or "
                    f"the {', '.join(repr(k) for k in named)}",
                )
            )
        elif broadcast is True and "segment_id" not in output and "audience" not in output:
            found.append(problem("/broadcast", "a broadcast needs a 'segment_id' or an 'audience'"))
        elif not named and not broadcast:
            found.append(
                problem(
                    "/external_user_ids",
                    "name recipients (external_user_ids, user_aliases or recipients), or set "
                    "'broadcast': true to send to a segment_id or audience",
                )
            )
        found.extend(self._ids(output.get("external_user_ids"), "external_user_ids"))
        found.extend(self._aliases(output.get("user_aliases"), "user_aliases"))
        found.extend(self._recipients(output.get("recipients")))
        return found

    def _listed(self, values: Any, key: str) -> tuple[list[Any] | None, Problems]:
        if values is None:
            return None, []
        if not isinstance(values, list):
            return None, [problem(f"/{key}", "must be an array")]
        if len(values) > RECIPIENTS_MAX:
            return None, [problem(f"/{key}", f"at most {RECIPIENTS_MAX} recipients")]
        return values, []

    def _ids(self, values: Any, key: str) -> Problems:
        ids, found = self._listed(values, key)
        for index, uid in enumerate(ids or []):
            if not isinstance(uid, str) or not uid:
                found.append(problem(f"/{key}/{index}", "must be a non-empty string"))
            elif not self._user_exists("external_id", uid):
                found.append(problem(f"/{key}/{index}", f"no user with external_id {uid!r}"))
        return found

    def _aliases(self, values: Any, key: str) -> Problems:
        aliases, found = self._listed(values, key)
        for index, alias in enumerate(aliases or []):
            found.extend(self._alias(alias, f"/{key}/{index}"))
        return found

    def _alias(self, alias: Any, pointer: str) -> Problems:
        if (
            not isinstance(alias, dict)
            or set(alias) != {"alias_name", "alias_label"}
            or not all(isinstance(v, str) and v for v in alias.values())
        ):
            return [problem(pointer, 'a user alias is {"alias_name": str, "alias_label": str}')]
        if not self._user_exists("user_alias", alias):
            return [problem(pointer, f"no user with alias {alias['alias_name']!r}")]
        return []

    def _recipients(self, values: Any) -> Problems:
        recipients, found = self._listed(values, "recipients")
        kinds = ("external_user_id", "user_alias", "braze_id", "email")
        for index, recipient in enumerate(recipients or []):
            pointer = f"/recipients/{index}"
            if not isinstance(recipient, dict):
                found.append(problem(pointer, "a recipient must be an object"))
                continue
            named = [k for k in kinds if k in recipient]
            if len(named) != 1:
                found.append(
                    problem(pointer, "name the user by exactly one of " + ", ".join(kinds))
                )
                continue
            kind = named[0]
            value = recipient[kind]
            existing_only = recipient.get("send_to_existing_only", True)
            if existing_only is False and kind == "user_alias":
                found.append(
                    problem(f"{pointer}/send_to_existing_only", "can't be used with user aliases")
                )
                continue
            if existing_only is False and not isinstance(recipient.get("attributes"), dict):
                found.append(
                    problem(
                        f"{pointer}/attributes", "send_to_existing_only: false needs attributes"
                    )
                )
                continue
            if kind == "email" and not isinstance(recipient.get("prioritization"), list):
                found.append(
                    problem(f"{pointer}/prioritization", "required when the recipient is an email")
                )
                continue
            if existing_only is False:
                continue
            if kind == "user_alias":
                found.extend(self._alias(value, f"{pointer}/user_alias"))
            elif not isinstance(value, str) or not value:
                found.append(problem(f"{pointer}/{kind}", "must be a non-empty string"))
            elif not self._user_exists(kind.replace("external_user_id", "external_id"), value):
                found.append(problem(f"{pointer}/{kind}", f"no user with {kind} {value!r}"))
        return found

    def deliver(self, output: Any, *, origin: str = "") -> DestinationReply:
        found = self.check(output)
        if found:
            body = {"message": "; ".join(f"{p['pointer']}: {p['message']}" for p in found)}
            return DestinationReply(self.endpoint, 400, body)
        dispatch_id = self._mint.hex("messages-dispatch", 32)
        self.sent.append(SentMessage(dispatch_id, self._now(), output))
        return DestinationReply(
            self.endpoint, 201, {"dispatch_id": dispatch_id, "message": "success"}
        )
