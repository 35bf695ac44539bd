"""Each mock against its own OpenAPI document: a bounded schemathesis run of every operation, in
CI (issue #12).

The documents promise that they describe exactly what the mocks accept and answer (README,
"OpenAPI and HAR"); a test comparing operations with routes cannot see a parameter without a
type or a rule the mock enforces and the document omits. schemathesis generates requests from
each document (schema-valid ones, schema-violating ones, and the boundary cases of its coverage
phase), sends them to the Flask app in-process (WSGI: no server, no network) and checks every
answer with all its checks: no 5xx, documented status codes, content types, headers and bodies,
an `Allow` that matches the document, schema-violating requests refused and schema-valid ones
accepted. Each case starts from a reset mock (`POST /_mock/reset`'s state), so one case's
campaign or fault rule cannot change the next one's answer.

The run is bounded and repeatable: a fixed seed, `MAX_EXAMPLES` generated cases per operation
besides the coverage phase's: about 800 requests to SEEN and 4,700 to Braze, 16 s in all on a
2-core machine.

Disagreements known today are listed in KNOWN with the finding that explains them (issue #12's
list of OpenAPI findings gives, for each, the request, what each side does, who is right by the
vendors' documentation, and the fix). Their operations xfail, strictly: once a fix makes one
agree, its test fails until the entry is removed; a 5xx is never a known disagreement.
(schemathesis 4.32's pytest plugin crashes with an INTERNALERROR on a strict `xfail` that
passes, so the strict half is done by hand: see `expected_failure`.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup, ServerError
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.braze.dates import parse_event_time
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.track.validation import ARRAYS, Rejection, identify
from seen_braze_harness.mocks.seen.app import create_app as create_seen_app
from seen_braze_harness.mocks.seen.settings import SeenSettings
from seen_braze_harness.schemas import check

SEED = 20261204
MAX_EXAMPLES = 15
SEEN_TOKEN = "5eeb5eeb0123456789abcdef0123456789abcdef"
BRAZE_KEY = "b7a2e5c0-5eeb-4d1e-9a6f-0123456789ab"

SEEN_APP = create_seen_app(
    SeenSettings(clock="virtual", campaigns=[{"slug": "onboarding", "token": SEEN_TOKEN}])
)
BRAZE_APP = create_braze_app(BrazeSettings(clock="virtual", api_keys={BRAZE_KEY: ["users.track"]}))
MOCKS = {"seen": SEEN_APP, "braze": BRAZE_APP}


POSITIVE_UNSTABLE: dict[tuple[str, str], str] = {
    ("braze", "POST /_mock/campaigns"): "url, headers and body are Liquid templates",
    ("braze", "POST /_mock/content_blocks"): "content is a Liquid template",
    ("braze", "PATCH /_mock/content_blocks/{name}"): "content is a Liquid template",
    ("braze", "POST /_mock/users"): "Braze's custom attribute rules (nesting, arrays)",
    ("braze", "GET /_mock/activity-log"): "`since` is a date on the calendar (not 30 February)",
    ("braze", "POST /_mock/catalogs"): "each field is named once",
    ("braze", "POST /_mock/campaigns/{campaign_id}/send"): "each recipient is named once",
}
"""Operations where a schema-valid request can be refused for what no JSON Schema states
(Liquid syntax, Braze's rules for nested custom attributes, the calendar, names that are
unique within an array): positive_data_acceptance is not run on them; every other check is."""


def load(mock: str, auth: dict[str, Any]) -> Any:
    """The mock's document as it serves it, with credentials for its security scheme."""
    unstable = [label for (name, label) in POSITIVE_UNSTABLE if name == mock]
    config = SchemathesisConfig.from_dict(
        {
            "auth": {"openapi": auth},
            "generation": {"mode": "all"},
            "output": {"sanitization": {"enabled": False}},  # show the token in a failure's curl
            "operations": [
                {
                    "include-name": unstable,
                    "checks": {"positive_data_acceptance": {"enabled": False}},
                }
            ],
        }
    )
    app = MOCKS[mock]
    return schemathesis.openapi.from_wsgi("/_mock/openapi.json", app, config=config)


SCHEMAS = {
    "seen": load("seen", {"token": {"api_key": f"Token {SEEN_TOKEN}"}}),
    "braze": load("braze", {"bearer": {"bearer": BRAZE_KEY}}),
}

FINDINGS = "issue #12, the OpenAPI findings"
TRACK_REQUEST = "braze/users-track-request"
KNOWN: dict[tuple[str, str], str] = {}
"""(mock, operation) -> the finding (in the findings list) that makes it disagree today."""


PARTIAL: dict[tuple[str, str], Callable[[Any, Any], None]] = {}
"""Operations that skip an invalid item of a batch with a non-fatal error, as Braze's
/users/track does: it answers 201 if any object is good, 400 if none is. A request schema can
only call the whole body valid or not, so positive_data_acceptance and negative_data_rejection
are replaced there by a check of each item, below."""


def users_track_skips_exactly_what_the_schema_rejects(case: Any, response: Any) -> None:
    """The objects /users/track names in `errors` are those the request schema rejects, and
    those it refuses for what no schema states (`beyond_the_schema`); a 400 without `errors`
    (the request refused whole) is one whose envelope the schema rejects, or one over the
    object limit, and an envelope the schema rejects is never a 201."""
    if response.status_code not in (201, 400):
        return  # 401, 413, 415 ...: the status-code and header checks judge them
    answer = response.json()
    try:
        body = json.loads(response.request.body)
    except (TypeError, ValueError):
        assert response.status_code == 400 and "errors" not in answer, "not JSON, yet taken"
        return
    envelope = [
        issue
        for issue in check(TRACK_REQUEST, body)
        if not re.match(r"/(attributes|events|purchases)/\d+(/|$)", issue.pointer)
    ]
    if response.status_code == 400 and "errors" not in answer:
        assert envelope or objects_in(body) > BrazeSettings().object_limit, (
            f"refused whole ({answer}), yet the schema takes the envelope"
        )
        return
    assert not envelope, f"the envelope breaks the schema, yet {response.status_code}: {envelope}"
    rejected = {
        (array, index)
        for array in ARRAYS
        for index, obj in enumerate(body.get(array) or [])
        if check(TRACK_REQUEST, {array: [obj]})
    }
    named = {(e["input_array"], e["index"]) for e in answer.get("errors", [])}
    missing = sorted(rejected - named)
    assert not missing, f"not named in errors: {[(a, i, body[a][i]) for a, i in missing]}: " + (
        "; ".join(
            str(issue) for a, i in missing for issue in check(TRACK_REQUEST, {a: [body[a][i]]})
        )
    )
    unexplained = [
        (array, index)
        for array, index in sorted(named - rejected)
        if not beyond_the_schema(body[array][index])
    ]
    assert not unexplained, f"skipped {[(a, i, body[a][i]) for a, i in unexplained]}, which " + (
        f"the schema accepts: {answer}"
    )


def objects_in(body: Any) -> int:
    return sum(len(body.get(array) or []) for array in ARRAYS) if isinstance(body, dict) else 0


def beyond_the_schema(obj: Any) -> bool:
    """The mock's refusals that no JSON Schema states (the schema-agreement tests list them):
    external_id's limit is in UTF-8 bytes, its blocklist is a setting (both judged by the
    mock's own `identify`), and a `time` must be a day on the calendar."""
    rejection = identify(obj, BrazeSettings())
    if isinstance(rejection, Rejection) and rejection.type("enum") in BEYOND_IDENTIFIERS:
        return True
    return "time" in obj and parse_event_time(obj["time"]) is None


BEYOND_IDENTIFIERS = ("EXTERNAL_USER_ID_TOO_LARGE", "BLACKLISTED_EXTERNAL_USER_ID")


PARTIAL[("braze", "POST /users/track")] = users_track_skips_exactly_what_the_schema_rejects


@pytest.fixture(scope="module", autouse=True)
def close_mocks() -> Iterator[None]:
    yield
    for app in MOCKS.values():
        app.extensions["mock"].close()


def mock_of(case: Any) -> str:
    return next(name for name, app in MOCKS.items() if case.operation.app is app)


@pytest.fixture
def expected_failure(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The strict half of KNOWN's xfails: a known operation that passes is an error that says
    which finding no longer reproduces."""
    state: dict[str, str] = {}
    yield state
    if state.get("known") and not state.get("reproduced"):
        pytest.fail(
            f"{state['known']} no longer reproduces on {state['label']}: the document and the "
            f"mock agree now; remove the entry from KNOWN (findings: {FINDINGS})"
        )


@schemathesis.pytest.parametrize(**SCHEMAS)
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@seed(SEED)
def test_each_operation_answers_as_its_document_says(
    case: Any, expected_failure: dict[str, str]
) -> None:
    mock = mock_of(case)
    key = (mock, case.operation.label)
    known = KNOWN.get(key)
    expected_failure.update(label=f"{mock}: {case.operation.label}", known=known or "")
    MOCKS[mock].extensions["mock"].reset()
    # a cursor is opaque: one that no page gave is refused (400) however well it is formed
    excluded = [positive_data_acceptance] if "cursor" in (case.query or {}) else []
    partial = PARTIAL.get(key)
    if partial is not None:
        excluded += [positive_data_acceptance, negative_data_rejection]
    try:
        response = case.call()
        case.validate_response(response, excluded_checks=excluded)
        if partial is not None:
            partial(case, response)
    except FailureGroup as failures:
        if known is None or any(isinstance(f, ServerError) for f in failures.exceptions):
            raise  # a 5xx is never a known disagreement
        expected_failure["reproduced"] = "yes"
    if expected_failure.get("reproduced"):  # outside the `except`: schemathesis would report
        pytest.xfail(f"{known} ({FINDINGS})")  # the failure the xfail was raised in
