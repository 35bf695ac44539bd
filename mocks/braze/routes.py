"""The Braze mock's route table: each route's rule, view, hop and OpenAPI operations, once.

The app's URL rules (`install_routes`) and the OpenAPI document (`DESCRIPTION`) are both built
from it. Each group names its endpoints `group.view`, as Flask names a blueprint's."""

from __future__ import annotations

from seen_braze_harness.mocks.braze import admin_openapi as admin
from seen_braze_harness.mocks.braze import hops, openapi
from seen_braze_harness.mocks.braze.campaigns import views as campaigns
from seen_braze_harness.mocks.braze.openapi_components import COMPONENTS
from seen_braze_harness.mocks.braze.track import views as track
from seen_braze_harness.mocks.braze.transformations import views as transformations
from seen_braze_harness.mocks.core.admin import describe
from seen_braze_harness.mocks.core.routes import Route, group

EVERY_METHOD = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
"""Both emulated endpoints take every method to refuse all but POST in Braze's shape."""

ONE_TRANSFORMATION = "/_mock/transformations/<string(length=24):transformation_id>"
"""A transformation's own path: its id is always 24 hex digits, so `logs` is never one (and
OPTIONS or a 405 on /_mock/transformations/logs lists only what that listing answers)."""
TRANSFORMATION = "/_mock/transformations/<transformation_id>"
CAMPAIGN = "/_mock/campaigns/<campaign_id>"
BLOCK = "/_mock/content_blocks/<name>"

ROUTES: tuple[Route, ...] = (
    *group(
        "braze",
        Route(
            "/users/track",
            track.users_track,
            {"post": openapi.USERS_TRACK},
            hop=hops.USERS_TRACK.name,
            methods=EVERY_METHOD,
            strict_slashes=True,
        ),
    ),
    *group(
        "braze_admin",
        Route("/_mock/users", track.seed_users, {"post": admin.SEED_USERS}),
        Route("/_mock/users", track.users, {"get": admin.LIST_USERS}),
        Route("/_mock/users/export", track.export, {"get": admin.EXPORT_USERS}),
    ),
    *group(
        "braze_transformations",
        Route(
            "/transformations/<transformation_id>/<secret>",
            transformations.webhook,
            {"post": openapi.TRANSFORMATION_WEBHOOK},
            hop=hops.TRANSFORMATION_WEBHOOK.name,
            methods=EVERY_METHOD,
        ),
    ),
    *group(
        "braze_transformations_admin",
        Route(
            "/_mock/transformations", transformations.create, {"post": admin.CREATE_TRANSFORMATION}
        ),
        Route(
            "/_mock/transformations", transformations.listed, {"get": admin.LIST_TRANSFORMATIONS}
        ),
        Route(ONE_TRANSFORMATION, transformations.one, {"get": admin.GET_TRANSFORMATION}),
        Route(ONE_TRANSFORMATION, transformations.update, {"put": admin.UPDATE_TRANSFORMATION}),
        Route(ONE_TRANSFORMATION, transformations.delete, {"delete": admin.DELETE_TRANSFORMATION}),
        Route(
            f"{TRANSFORMATION}/activate",
            transformations.activate,
            {"post": admin.ACTIVATE_TRANSFORMATION},
        ),
        Route(
            f"{TRANSFORMATION}/deactivate",
            transformations.deactivate,
            {"post": admin.DEACTIVATE_TRANSFORMATION},
        ),
        Route(
            f"{TRANSFORMATION}/validate",
            transformations.validate,
            {"post": admin.VALIDATE_TRANSFORMATION},
        ),
        Route(
            "/_mock/transformations/logs",
            transformations.logs,
            {"get": admin.GET_TRANSFORMATION_LOGS},
        ),
        Route("/_mock/catalogs", transformations.create_catalog, {"post": admin.CREATE_CATALOG}),
        Route("/_mock/catalogs", transformations.catalogs, {"get": admin.LIST_CATALOGS}),
        Route("/_mock/messages", transformations.messages, {"get": admin.LIST_SENT_MESSAGES}),
    ),
    *group(
        "braze_campaigns_admin",
        Route("/_mock/campaigns", campaigns.create, {"post": admin.CREATE_WEBHOOK_CAMPAIGN}),
        Route("/_mock/campaigns", campaigns.listed, {"get": admin.LIST_WEBHOOK_CAMPAIGNS}),
        Route(CAMPAIGN, campaigns.one, {"get": admin.GET_WEBHOOK_CAMPAIGN}),
        Route(CAMPAIGN, campaigns.delete, {"delete": admin.DELETE_WEBHOOK_CAMPAIGN}),
        Route(f"{CAMPAIGN}/send", campaigns.send, {"post": admin.SEND_WEBHOOK_CAMPAIGN}),
        Route(f"{CAMPAIGN}/messages", campaigns.messages, {"get": admin.LIST_CAMPAIGN_MESSAGES}),
        Route(f"{CAMPAIGN}/test", campaigns.test, {"post": admin.TEST_WEBHOOK_CAMPAIGN}),
        Route("/_mock/activity-log", campaigns.activity_log, {"get": admin.GET_ACTIVITY_LOG}),
        Route(
            "/_mock/content_blocks", campaigns.create_block, {"post": admin.CREATE_CONTENT_BLOCK}
        ),
        Route("/_mock/content_blocks", campaigns.list_blocks, {"get": admin.LIST_CONTENT_BLOCKS}),
        Route(BLOCK, campaigns.one_block, {"get": admin.GET_CONTENT_BLOCK}),
        Route(BLOCK, campaigns.update_block, {"patch": admin.UPDATE_CONTENT_BLOCK}),
        Route(BLOCK, campaigns.delete_block, {"delete": admin.DELETE_CONTENT_BLOCK}),
    ),
)

DESCRIPTION = describe(
    "braze",
    openapi.TITLE,
    openapi.SUMMARY,
    ROUTES,
    components=COMPONENTS,
    tags=openapi.TAGS,
    security_schemes=openapi.SECURITY_SCHEMES,
)
