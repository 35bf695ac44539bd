"""The documentation of the Braze mock's admin API: profiles, Data Transformations, catalogs,
sent messages, webhook campaigns, Content Blocks (the routes: `mocks.braze.routes`)."""

from __future__ import annotations

from seen_braze_harness.mocks.braze.campaigns.activity import SINCE_PATTERN
from seen_braze_harness.mocks.braze.campaigns.messages import STATES
from seen_braze_harness.mocks.core.openapi import (
    BAD_PAGE,
    BAD_REQUEST,
    CURSOR,
    NO_CONTENT,
    NOT_FOUND,
    PAGE_PARAMS,
    Body,
    Spec,
    component,
    listing,
    ok,
    paged_limit,
    path_param,
    problem_reply,
    query_param,
)

TRANSFORMATION_ID = path_param(
    "transformation_id", "The transformation's id: 24 hex digits.", pattern="^[0-9a-f]{24}$"
)
CAMPAIGN_ID = path_param("campaign_id", "The campaign's id.")
BLOCK_NAME = path_param("name", "The Content Block's name.")
LOGS_LIMIT = paged_limit(
    "The last `limit` runs found (before the `cursor`): `admin_page_limit` (100) by default, at "
    "most `admin_page_max` (1000); a page also ends before its runs pass `admin_page_bytes` "
    "(4 MiB) of JSON. The pages go from the newest back, each oldest first. `0` answers the "
    "count only."
)
CONFLICT = problem_reply("The request conflicts with the current state.")


CREATE_TRANSFORMATION = Spec(
    "createTransformation",
    "Create a Data Transformation (inactive unless `active` is true)",
    "braze-admin",
    {
        201: ok("Created.", component("BrazeTransformation")),
        400: BAD_REQUEST,
        409: problem_reply("Active, and the tier's active transformations are all in use."),
    },
    request=Body(
        component("BrazeTransformationRequest"),
        example={
            "name": "SEEN callback",
            "code": "return {attributes: []};",
            "destination": "track-users",
            "active": True,
        },
    ),
)

LIST_TRANSFORMATIONS = listing(
    "listTransformations",
    "Every Data Transformation",
    "braze-admin",
    "A page of the transformations, oldest first.",
    component("BrazeTransformations"),
)

GET_TRANSFORMATION_LOGS = Spec(
    "getTransformationLogs",
    "Each run of a transformation: its input, output, error and console",
    "braze-admin",
    {
        200: ok(
            "A page of the runs, oldest first; the next page has older ones.",
            component("BrazeTransformationLogs"),
        ),
        400: BAD_PAGE,
    },
    parameters=(
        query_param("transformation", "Only this transformation's runs (id)."),
        LOGS_LIMIT,
        CURSOR,
    ),
)

GET_TRANSFORMATION = Spec(
    "getTransformation",
    "One transformation",
    "braze-admin",
    {200: ok("The transformation.", component("BrazeTransformation")), 404: NOT_FOUND},
    parameters=(TRANSFORMATION_ID,),
)

UPDATE_TRANSFORMATION = Spec(
    "updateTransformation",
    "Change a transformation's name, code, destination or state",
    "braze-admin",
    {
        200: ok("The transformation as changed.", component("BrazeTransformation")),
        400: BAD_REQUEST,
        404: NOT_FOUND,
        409: problem_reply("Activating it would pass the tier's active transformations."),
    },
    request=Body(component("BrazeTransformationChange")),
    parameters=(TRANSFORMATION_ID,),
)

DELETE_TRANSFORMATION = Spec(
    "deleteTransformation",
    "Delete a transformation",
    "braze-admin",
    {204: NO_CONTENT, 404: NOT_FOUND},
    parameters=(TRANSFORMATION_ID,),
)

ACTIVATE_TRANSFORMATION = Spec(
    "activateTransformation",
    "Activate a transformation",
    "braze-admin",
    {
        200: ok("Active.", component("BrazeTransformation")),
        404: NOT_FOUND,
        409: problem_reply("The tier's active transformations are all in use."),
    },
    parameters=(TRANSFORMATION_ID,),
)

DEACTIVATE_TRANSFORMATION = Spec(
    "deactivateTransformation",
    "Deactivate a transformation",
    "braze-admin",
    {200: ok("Inactive.", component("BrazeTransformation")), 404: NOT_FOUND},
    parameters=(TRANSFORMATION_ID,),
)

VALIDATE_TRANSFORMATION = Spec(
    "validateTransformation",
    "The editor's Validate: run the code on a payload and check the output",
    "braze-admin",
    {
        200: ok("The run and its verdict.", component("BrazeValidation")),
        400: BAD_REQUEST,
        404: NOT_FOUND,
        409: problem_reply("No payload given and no webhook received yet."),
    },
    request=Body(component("BrazeValidateRequest")),
    request_required=False,
    parameters=(TRANSFORMATION_ID,),
)

CREATE_CATALOG = Spec(
    "createCatalog",
    "Create a catalog",
    "braze-admin",
    {
        201: ok("Created.", component("BrazeCatalog")),
        400: BAD_REQUEST,
        409: problem_reply("A catalog with this name exists already."),
    },
    request=Body(component("BrazeCatalogRequest"), example={"name": "videos"}),
)

LIST_CATALOGS = listing(
    "listCatalogs",
    "Every catalog",
    "braze-admin",
    "A page of the catalogs, oldest first.",
    component("BrazeCatalogs"),
)

LIST_SENT_MESSAGES = listing(
    "listSentMessages",
    "Messages sent by transformations' destinations",
    "braze-admin",
    "A page of the messages, oldest first.",
    component("BrazeMessages"),
)


SEED_USERS = Spec(
    "seedUsers",
    "Create profiles (one object or a list of at most 1,000)",
    "braze-admin",
    {
        201: ok("The profiles created.", component("BrazeSeededProfiles")),
        400: problem_reply(
            "A profile is refused (`seeded`: how many before it were created), the list "
            "holds more than 1,000 profiles (`seeded` 0, `limit` the most one call takes), "
            "or `fields` names a key a profile does not have (nothing seeded)."
        ),
    },
    request=Body(
        {
            "oneOf": [
                component("BrazeProfileSeed"),
                {"type": "array", "items": component("BrazeProfileSeed")},
            ]
        },
        example={"external_id": "user-1", "first_name": "Ada"},
    ),
    parameters=(
        query_param(
            "fields",
            "Only these keys of each profile in the answer, comma-separated (e.g. "
            "`braze_id,external_id`); unknown keys are a 400 problem.",
        ),
    ),
)

LIST_USERS = Spec(
    "listUsers",
    "Profiles, found by id or email",
    "braze-admin",
    {
        200: ok("A page of the profiles found, oldest first.", component("BrazeProfiles")),
        400: BAD_PAGE,
    },
    parameters=(
        query_param("braze_id", "Only the profile with this Braze id."),
        query_param("external_id", "Only the profile with this external id."),
        query_param("email", "Only profiles with this email."),
        *PAGE_PARAMS,
    ),
)

EXPORT_USERS = listing(
    "exportUsers",
    "Every profile, as Braze's user export gives it, a page at a time",
    "braze-admin",
    "A page of the profiles, oldest first.",
    component("BrazeProfiles"),
)


CREATE_WEBHOOK_CAMPAIGN = Spec(
    "createWebhookCampaign",
    "Define a webhook campaign (URL, headers and body as Liquid templates)",
    "braze-admin",
    {201: ok("Created.", component("BrazeCampaign")), 400: BAD_REQUEST},
    request=Body(component("BrazeCampaignRequest")),
)

LIST_WEBHOOK_CAMPAIGNS = listing(
    "listWebhookCampaigns",
    "Every webhook campaign",
    "braze-admin",
    "A page of the campaigns, oldest first.",
    component("BrazeCampaigns"),
)

GET_WEBHOOK_CAMPAIGN = Spec(
    "getWebhookCampaign",
    "One campaign, with its dispatches",
    "braze-admin",
    {200: ok("The campaign.", component("BrazeCampaign")), 400: BAD_REQUEST, 404: NOT_FOUND},
    parameters=(CAMPAIGN_ID,),
)

DELETE_WEBHOOK_CAMPAIGN = Spec(
    "deleteWebhookCampaign",
    "Delete a campaign",
    "braze-admin",
    {204: NO_CONTENT, 404: NOT_FOUND},
    parameters=(CAMPAIGN_ID,),
)

SEND_WEBHOOK_CAMPAIGN = Spec(
    "sendWebhookCampaign",
    "Send the campaign to its audience, or to the given users",
    "braze-admin",
    {202: ok("Dispatched.", component("BrazeDispatch")), 400: BAD_REQUEST, 404: NOT_FOUND},
    request=Body(component("BrazeSendRequest")),
    request_required=False,
    parameters=(CAMPAIGN_ID,),
)

LIST_CAMPAIGN_MESSAGES = Spec(
    "listCampaignMessages",
    "The campaign's messages, one per user and dispatch, with their attempts",
    "braze-admin",
    {
        200: ok("A page of the messages found, in send order.", component("BrazeCampaignMessages")),
        400: BAD_PAGE,
        404: NOT_FOUND,
    },
    parameters=(
        CAMPAIGN_ID,
        query_param("dispatch_id", "Only this dispatch's messages."),
        query_param("state", "Only messages in this state.", enum=list(STATES)),
        query_param("external_id", "Only this user's messages."),
        *PAGE_PARAMS,
    ),
)

TEST_WEBHOOK_CAMPAIGN = Spec(
    "testWebhookCampaign",
    "The dashboard's Test send: render and send the webhook for one user",
    "braze-admin",
    {
        200: ok("The rendered request and the answer.", component("BrazeTestResult")),
        400: BAD_REQUEST,
        404: problem_reply("No such campaign or user."),
    },
    request=Body(component("BrazeTestRequest")),
    request_required=False,
    parameters=(CAMPAIGN_ID,),
)

GET_ACTIVITY_LOG = Spec(
    "getActivityLog",
    "The Message Activity Log: webhook errors, suppressions, paused hosts, receivers' "
    "rate-limit windows",
    "braze-admin",
    {
        200: ok("A page of the entries, oldest first.", component("BrazeActivityLog")),
        400: BAD_PAGE,
    },
    parameters=(
        query_param("campaign_id", "Only this campaign's entries."),
        query_param(
            "since",
            "Entries from this instant on: clock seconds, or an ISO 8601 date or time (UTC "
            "when it names no offset); a date not on the calendar is refused.",
            pattern=f"^({SINCE_PATTERN})$",
        ),
        *PAGE_PARAMS,
    ),
)

CREATE_CONTENT_BLOCK = Spec(
    "createContentBlock",
    "Save a Content Block that templates include with {{content_blocks.${name}}}",
    "braze-admin",
    {201: ok("Created.", component("BrazeContentBlock")), 400: BAD_REQUEST},
    request=Body(component("BrazeContentBlockRequest")),
)

LIST_CONTENT_BLOCKS = listing(
    "listContentBlocks",
    "Every Content Block",
    "braze-admin",
    "A page of the blocks, oldest first.",
    component("BrazeContentBlocks"),
)

GET_CONTENT_BLOCK = Spec(
    "getContentBlock",
    "One Content Block",
    "braze-admin",
    {200: ok("The block.", component("BrazeContentBlock")), 400: BAD_REQUEST, 404: NOT_FOUND},
    parameters=(BLOCK_NAME,),
)

UPDATE_CONTENT_BLOCK = Spec(
    "updateContentBlock",
    "Change a Content Block's content or description (never its name)",
    "braze-admin",
    {200: ok("Changed.", component("BrazeContentBlock")), 400: BAD_REQUEST, 404: NOT_FOUND},
    request=Body(component("BrazeContentBlockUpdate")),
    parameters=(BLOCK_NAME,),
)

DELETE_CONTENT_BLOCK = Spec(
    "deleteContentBlock",
    "Delete a Content Block no campaign or block uses (its name stays taken)",
    "braze-admin",
    {204: NO_CONTENT, 404: NOT_FOUND, 409: CONFLICT},
    parameters=(BLOCK_NAME,),
)
