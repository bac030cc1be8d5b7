"""The PyPI ngsildclient package, in its own venv, against a running citybase.

The client venv is installed from PyPI on first run (cached under /tmp); the
client authenticates with a bearer token issued to a data steward.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from citybase.core.auth.roles import DATA_STEWARD
from tests.conftest import bearer_token, make_user
from tests.context.client.conftest import client_venv

pytestmark = pytest.mark.client

NGSILDCLIENT = "ngsildclient==0.5.2"
SESSION_SCRIPT = Path(__file__).with_name("ngsildclient_session.py")
PREFIX = "urn:ngsi-ld:AirQualityObserved:310114102-AQ-"


def _run_session(python: Path, port: int, token: str) -> dict:
    env = {**os.environ, "BROKER_PORT": str(port), "BROKER_TOKEN": token}
    done = subprocess.run([str(python), str(SESSION_SCRIPT)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"client session failed:\n{done.stderr[-4000:]}"
    assert done.stdout.strip(), f"client session printed nothing:\n{done.stderr[-4000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_ngsildclient_create_read_query_delete(db, running_server):
    python = client_venv(NGSILDCLIENT)
    make_user(db, "gateway", DATA_STEWARD)
    token = bearer_token(db, "gateway", write=True)

    observed = _run_session(python, running_server.port, token)

    assert observed["created_one"] is True
    fetched = observed["fetched"]
    assert fetched["id"] == PREFIX + "0001"
    assert fetched["type"] == "AirQualityObserved"
    assert fetched["NO2"] == 22.5
    assert fetched["unitCode"] == "GQ"
    assert fetched["location"] == [121.3, 31.301]
    assert fetched["stationName"] == "南翔 1"

    assert observed["batch_created"] == [f"{PREFIX}{n:04d}" for n in range(2, 7)]
    assert observed["batch_errors"] == []
    assert observed["count_all"] == 6
    assert observed["query_above_35"] == [f"{PREFIX}{n:04d}" for n in (4, 5, 6)]
    assert observed["query_range"] == [f"{PREFIX}{n:04d}" for n in (1, 2, 3, 4)]

    assert observed["deleted_one"] is True
    assert observed["exists_after_delete"] is False
    assert observed["batch_deleted"] == [f"{PREFIX}{n:04d}" for n in range(2, 7)]
    assert observed["count_after_delete"] == 0


def test_ngsildclient_rejected_without_token(db, running_server):
    python = client_venv(NGSILDCLIENT)
    env = {**os.environ, "BROKER_PORT": str(running_server.port), "BROKER_TOKEN": "not-a-token"}

    done = subprocess.run([str(python), str(SESSION_SCRIPT)], env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode != 0
    assert "Cannot connect to Context Broker" in done.stderr
    assert "401" in done.stderr
