"""Domain errors are told apart by type: a duplicate is AlreadyExists (409), whatever its text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from seen_braze_harness.mocks.braze.app import create_app as create_braze_app
from seen_braze_harness.mocks.braze.campaigns.content_blocks import ContentBlockInUse
from seen_braze_harness.mocks.braze.campaigns.errors import CampaignNotFound
from seen_braze_harness.mocks.braze.settings import BrazeSettings
from seen_braze_harness.mocks.braze.transformations import CatalogStore
from seen_braze_harness.mocks.braze.transformations.definitions import (
    TierLimitError,
    TransformationError,
)
from seen_braze_harness.mocks.core.errors import AlreadyExists, admin_status
from seen_braze_harness.mocks.seen.app import create_app as create_seen_app
from seen_braze_harness.mocks.seen.models import CampaignError, CampaignExists
from seen_braze_harness.mocks.seen.settings import SeenSettings


@pytest.fixture
def braze_admin() -> Iterator[FlaskClient]:
    app = create_braze_app(BrazeSettings(clock="virtual"))
    yield app.test_client()
    app.extensions["mock"].close()


@pytest.fixture
def seen_admin() -> Iterator[FlaskClient]:
    app = create_seen_app(SeenSettings(clock="virtual"))
    yield app.test_client()
    app.extensions["mock"].close()


def test_a_second_catalog_of_a_name_already_exists() -> None:
    store = CatalogStore()
    store.create("videos")
    with pytest.raises(AlreadyExists, match="a catalog 'videos' exists already"):
        store.create("videos")


def test_a_field_named_exists_twice_is_no_conflict(braze_admin: FlaskClient) -> None:
    """The 409 was chosen by the word "exists" in the message, so a catalog whose field
    `exists` was named twice (a 400) was answered as a conflict."""
    fields = [{"name": "id", "type": "string"}] + [{"name": "exists", "type": "string"}] * 2
    twice = braze_admin.post("/_mock/catalogs", json={"name": "videos", "fields": fields})
    assert twice.status_code == 400, twice.json
    assert "'exists' is named twice" in twice.json["detail"]
    assert braze_admin.post("/_mock/catalogs", json={"name": "videos"}).status_code == 201
    assert braze_admin.post("/_mock/catalogs", json={"name": "videos"}).status_code == 409


def test_a_second_seen_campaign_of_a_slug_is_both_kinds(seen_admin: FlaskClient) -> None:
    assert issubclass(CampaignExists, CampaignError) and issubclass(CampaignExists, AlreadyExists)
    body = {"slug": "launch", "token": "t" * 40}
    assert seen_admin.post("/_mock/campaigns", json=body).status_code == 201
    again = seen_admin.post("/_mock/campaigns", json=body)
    assert again.status_code == 409 and "exists already" in again.json["detail"]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (CampaignExists("slug: taken"), 409),
        (CampaignError("slug: bad"), 400),
        (TierLimitError("active: the tier allows 5"), 409),
        (TransformationError("code: too long"), 400),
        (ContentBlockInUse("used by campaign x"), 409),
        (CampaignNotFound("no campaign 'x'"), 404),
        (ValueError("of no kind"), None),
    ],
)
def test_the_admin_status_is_the_kinds_whatever_else_the_error_is(
    error: Exception, status: int | None
) -> None:
    """A tier limit is a definition error and a conflict: the conflict's 409 wins."""
    assert admin_status(error) == status
