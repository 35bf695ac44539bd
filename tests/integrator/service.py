"""A tiny integrator service: it asks SEEN for videos and copies SEEN's links into Braze.

Written the way an integrator writes it, with plain `requests` and Flask; it knows nothing of
the mocks. Base URLs are settings, defaulting to the real services.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import requests
from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

SEEN_API = "https://api.seen.io"
BRAZE_API = "https://rest.iad-01.braze.com"
RECEIVER_FIELDS = ("first_name", "last_name", "email", "customer_id")


def create_receivers(
    users: Iterable[Mapping[str, Any]],
    *,
    campaign: str,
    token: str,
    base_url: str = SEEN_API,
) -> list[dict[str, Any]]:
    """Post one receiver per user to the SEEN campaign; the receivers SEEN created."""
    body = [{k: user[k] for k in RECEIVER_FIELDS if k in user} for user in users]
    response = requests.post(
        f"{base_url}/v1/campaigns/{campaign}/receivers/",
        json=body,
        headers={"Authorization": f"Token {token}"},
        timeout=10,
    )
    response.raise_for_status()
    created: list[dict[str, Any]] = response.json()
    return created


def create_app(*, braze_api_key: str, braze_url: str = BRAZE_API) -> Flask:
    """The callback handler SEEN calls when a video is ready: it forwards the links to
    Braze's /users/track, on the profile SEEN's `customer_id` names."""
    app = Flask(__name__)

    @app.post("/seen-callback")
    def seen_callback() -> ResponseReturnValue:
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict) or not payload.get("customer_id"):
            return jsonify({"error": "expected SEEN's callback with a customer_id"}), 400
        update = {
            "attributes": [
                {
                    "braze_id": payload["customer_id"],
                    "_update_existing_only": True,
                    "landing_page_url": payload["landing_page_url"],
                    "email_thumbnail_url": payload["email_thumbnail_url"],
                }
            ]
        }
        answer = requests.post(
            f"{braze_url}/users/track",
            json=update,
            headers={"Authorization": f"Bearer {braze_api_key}"},
            timeout=10,
        )
        if answer.status_code != 201:
            return jsonify({"error": "Braze refused the update", "braze": answer.json()}), 502
        return jsonify({"forwarded": answer.json()}), 200

    return app
