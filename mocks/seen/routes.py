"""The SEEN mock's route table: each route's rule, view, hop and OpenAPI operations, once.

The app's URL rules (`install_routes`) and the OpenAPI document (`DESCRIPTION`) are both built
from it."""

from __future__ import annotations

from seen_braze_harness.mocks.core.admin import describe
from seen_braze_harness.mocks.core.routes import Route, group
from seen_braze_harness.mocks.seen import hops, openapi, views

EVERY_METHOD = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")
"""The receivers view takes every method to refuse the others as Django REST Framework does."""

ROUTES: tuple[Route, ...] = (
    *group(
        "seen",
        Route(
            "/v1/campaigns/<slug>/receivers/",
            views.receivers,
            {"post": openapi.RECEIVERS, "options": openapi.RECEIVERS_OPTIONS},
            hop=hops.RECEIVERS.name,
            methods=EVERY_METHOD,
            strict_slashes=False,
        ),
    ),
    *group(
        "seen_admin",
        Route(
            "/_mock/campaigns",
            views.list_campaigns,
            {"get": openapi.LIST_SEEN_CAMPAIGNS},
            endpoint="campaigns",
        ),
        Route("/_mock/campaigns", views.add_campaign, {"post": openapi.ADD_SEEN_CAMPAIGN}),
        Route("/_mock/campaigns/<slug>", views.campaign, {"get": openapi.GET_SEEN_CAMPAIGN}),
        Route(
            "/_mock/campaigns/<slug>",
            views.update_campaign,
            {"patch": openapi.UPDATE_SEEN_CAMPAIGN},
        ),
        Route(
            "/_mock/receivers",
            views.list_receivers,
            {"get": openapi.LIST_SEEN_RECEIVERS},
            endpoint="receivers",
        ),
        Route(
            "/_mock/receivers/<int:receiver_id>", views.receiver, {"get": openapi.GET_SEEN_RECEIVER}
        ),
    ),
)

DESCRIPTION = describe(
    "seen",
    openapi.TITLE,
    openapi.SUMMARY,
    ROUTES,
    components=openapi.COMPONENTS,
    tags=openapi.TAGS,
    security_schemes=openapi.SECURITY_SCHEMES,
    webhooks=openapi.WEBHOOKS,
)
