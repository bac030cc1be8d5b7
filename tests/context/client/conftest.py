"""A citybase server in a subprocess on 127.0.0.1, and client environments installed from PyPI."""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from citybase.core.db import Database

STARTUP_SECONDS = 60
INSTALL_SECONDS = 300


@dataclass(frozen=True)
class RunningServer:
    port: int
    url: str
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def client_venv(requirement: str) -> Path:
    """Return the Python of a venv holding ``requirement``, installed once under /tmp.

    The venv is shared between test runs and guarded by a file lock, so parallel
    workers install it once. A half-built venv has no ``.installed`` marker, so the
    next run rebuilds it.
    """
    name = requirement.replace("==", "-").replace("/", "_")
    folder = Path("/tmp") / f"citybase-client-{name}-py{sys.version_info.major}{sys.version_info.minor}"
    marker = folder / ".installed"
    with open(f"{folder}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(folder)], check=True)
            subprocess.run([str(folder / "bin" / "pip"), "install", "--quiet", requirement],
                           check=True, timeout=INSTALL_SECONDS, capture_output=True)
            marker.write_text(requirement, encoding="utf-8")
    return folder / "bin" / "python"


def _database_url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"citybase exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            httpx.get(url + "/login", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.3)
    raise RuntimeError(f"citybase did not answer within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def running_server(db: Database, data_dir: Path) -> Iterator[RunningServer]:
    """``citybase serve`` on a free port over the test's database, authentication on."""
    port = free_port()
    log = data_dir / "server.log"
    env = {
        **os.environ,
        "CITYBASE_DATA_DIR": str(data_dir),
        "CITYBASE_DATABASE_URL": _database_url(db),
        "CITYBASE_CONTEXT_AUTH": "on",
    }
    command = [str(Path(sys.executable).parent / "citybase"), "serve", "--host", "127.0.0.1",
               "--port", str(port), "--no-worker"]
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield RunningServer(port, url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
