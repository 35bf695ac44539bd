"""`seen-braze openapi` and `seen-braze journal --har`: the exports an integrator's tools read."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
import requests

from seen_braze_harness.harness.cli import main
from seen_braze_harness.harness.openapi_cli import document
from seen_braze_harness.mocks.braze.routes import DESCRIPTION as BRAZE
from seen_braze_harness.mocks.core.openapi import build_document
from seen_braze_harness.mocks.seen.routes import DESCRIPTION as SEEN
from tests.mocks.core.test_har import assert_har
from tests.servekit import ServeProcess


def test_openapi_writes_both_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi", "-o", str(tmp_path / "api")]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(
        r"wrote \S+seen-openapi.json \(\d+ paths, \d+ operations\)\n"
        r"wrote \S+braze-openapi.json \(\d+ paths, \d+ operations\)\n",
        out,
    ), out
    seen = json.loads((tmp_path / "api" / "seen-openapi.json").read_text("utf-8"))
    braze = json.loads((tmp_path / "api" / "braze-openapi.json").read_text("utf-8"))
    assert seen == build_document(SEEN, "http://127.0.0.1:8801")
    assert braze == build_document(BRAZE, "http://127.0.0.1:8802")


def test_openapi_prints_one_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi", "--mock", "braze", "--braze-url", "http://localhost:9"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == document("braze", "http://localhost:9")
    assert printed["servers"] == [{"url": "http://localhost:9"}]


def test_openapi_writes_one_mock_to_a_folder(tmp_path: Path) -> None:
    assert main(["openapi", "--mock", "seen", "-o", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["seen-openapi.json"]


def test_openapi_needs_one_mock_to_print(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi"]) == 2
    assert "--mock seen" in capsys.readouterr().err


def test_openapi_says_when_it_cannot_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["openapi", "-o", str(blocker)]) == 2
    assert f"cannot write to {blocker}" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_journal_names_the_mock_it_cannot_reach(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    har = tmp_path / "out.har"
    assert main(["journal", "--har", str(har), "--seen-url", url]) == 2
    err = capsys.readouterr().err
    assert f"cannot reach the SEEN mock at {url}" in err
    assert not har.exists()


@pytest.mark.server
def test_journal_merges_both_live_mocks_into_one_har(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ServeProcess() as served:
        token = re.search(r"^\s+token\s+(\S+)$", served.banner, flags=re.M)
        api_key = re.search(r"^\s+api key\s+(\S+)$", served.banner, flags=re.M)
        assert token and api_key, served.banner
        slug = re.search(r"^\s+campaign\s+(\S+)$", served.banner, flags=re.M)
        assert slug
        created = requests.post(
            f"{served.url}/v1/campaigns/{slug.group(1)}/receivers/",
            json=[{"first_name": "Ada", "customer_id": "c1"}],
            headers={"Authorization": f"Token {token.group(1)}"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        tracked = requests.post(
            f"{served.braze_url}/users/track",
            json={"attributes": [{"external_id": "c1", "first_name": "Ada"}]},
            headers={"Authorization": f"Bearer {api_key.group(1)}"},
            timeout=10,
        )
        assert tracked.status_code == 201, tracked.text
        refused = requests.post(f"{served.braze_url}/users/track", json={}, timeout=10)
        assert refused.status_code == 401
        har_path = tmp_path / "both.har"
        code = main(
            [
                "journal",
                "--har",
                str(har_path),
                "--seen-url",
                served.url,
                "--braze-url",
                served.braze_url,
            ]
        )
        assert code == 0, capsys.readouterr().err
        out = capsys.readouterr().out
        assert out == f"wrote {har_path}: 3 entries (SEEN 1, Braze 2)\n"
        har = json.loads(har_path.read_text("utf-8"))
        assert_har(har)
        entries = har["log"]["entries"]
        assert [(e["_hop"], e["response"]["status"]) for e in entries] == [
            ("seen.receivers", 201),
            ("braze.users_track", 201),
            ("braze.users_track", 401),
        ]
        started = [e["startedDateTime"] for e in entries]
        assert started == sorted(started)
        assert code == 0
        only = main(
            [
                "journal",
                "--har",
                "-",
                "--hop",
                "seen.*",
                "--seen-url",
                served.url,
                "--braze-url",
                served.braze_url,
            ]
        )
        assert only == 0
        printed = json.loads(capsys.readouterr().out)
        assert [e["_hop"] for e in printed["log"]["entries"]] == ["seen.receivers"]
