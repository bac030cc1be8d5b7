"""Benchmark the NGSI-LD context broker over HTTP on SQLite and PostgreSQL.

Starts ``citybase serve`` on 127.0.0.1 over a fresh database (authentication off),
then measures, through the HTTP API:

1. batch create of ``--entities`` Device entities (default 220,000, the action
   plan's count of IoT terminals), in batches of ``--batch``;
2. batch upsert (options=update) of ``--upserts`` of them with new readings;
3. a q-query with a type and two conditions, and a near geo-query, each
   ``--queries`` times with varying arguments, once when 100,000 entities exist
   and again at the full count;
4. the temporal evolution of one entity over one day of one-minute readings
   (1,440 instances), ``--queries`` times;
5. the discovery endpoints (``/types``, ``/types?details=true``, ``/types/Device``,
   ``/attributes``, ``/attributes?details=true``, ``/attributes/value``), each
   ``--queries`` times, at the checkpoint and at the full count.

``--only writes`` measures the batch create and upsert alone (steps 1 and 2).

``--compare-with SRC`` measures the code in SRC (a ``src`` folder of another
checkout, e.g. ``git archive main src``) and this checkout's code; the results
appear as ``before`` and ``after``. With ``--only writes`` each code gets a fresh
database and runs steps 1 and 2, SRC first. Otherwise only the discovery
endpoints are measured, twice on one database: the entities are created and
measured by a server running SRC, then the server is restarted on this
checkout's code (which migrates the database) and measures again.

Prints one JSON object per database on stdout (progress goes to stderr). Each
measure also reports the server process's CPU time (user + system, from
/proc/<pid>/stat) per entity or per query, which other work on a shared machine
does not inflate the way it inflates wall-clock latencies. On PostgreSQL the batch
create and upsert also report the CPU time of the database's backend processes
per entity.
PostgreSQL runs in a database the script creates and drops on the server given by
``--postgres`` (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).

Usage: .venv/bin/python benchmarks/context.py [--database sqlite|postgresql|both] [--entities N]
       [--only all|writes] [--compare-with OLD_SRC]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BASE = "/ngsi-ld/v1"
CHECKPOINT = 100_000
# Jiading District's bounding box in WGS84 degrees (approximate).
LON_RANGE = (121.10, 121.41)
LAT_RANGE = (31.24, 31.45)
STATES = ("ok", "ok", "ok", "ok", "fault", "offline")
TOWNS = ("310114001", "310114002", "310114004", "310114102", "310114103", "310114106",
         "310114109", "310114111", "310114114", "310114118", "310114401", "310114501")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---- data ---------------------------------------------------------------------------------------

def device_id(number: int) -> str:
    return f"urn:ngsi-ld:Device:{TOWNS[number % len(TOWNS)]}-DEV-{number:06d}"


def device(number: int, rng: random.Random) -> dict:
    return {
        "id": device_id(number),
        "type": "Device",
        "category": {"type": "Property", "value": "sensor"},
        "deviceState": {"type": "Property", "value": rng.choice(STATES)},
        "batteryLevel": {"type": "Property", "value": round(rng.random(), 3)},
        "value": {"type": "Property", "value": round(rng.uniform(0, 100), 2), "observedAt": "2024-05-01T00:00:00Z"},
        "location": {"type": "GeoProperty", "value": {
            "type": "Point", "coordinates": [round(rng.uniform(*LON_RANGE), 6), round(rng.uniform(*LAT_RANGE), 6)]}},
    }


def reading(rng: random.Random, observed: str) -> dict:
    return {"value": {"type": "Property", "value": round(rng.uniform(0, 100), 2), "observedAt": observed},
            "batteryLevel": {"type": "Property", "value": round(rng.random(), 3)}}


# ---- measuring ----------------------------------------------------------------------------------

def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


class ServerCpu:
    """CPU seconds (user + system) the server process has used, read from /proc/<pid>/stat."""

    def __init__(self, pid: int) -> None:
        self.path = Path(f"/proc/{pid}/stat")
        self.tick = os.sysconf("SC_CLK_TCK")

    def seconds(self) -> float:
        fields = self.path.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.tick

    def per_op(self, started: float, operations: int) -> float:
        return round((self.seconds() - started) / operations * 1000, 3)


class DatabaseCpu:
    """CPU seconds (user + system) PostgreSQL's backends of one database have used; 0 on SQLite.

    The backends are found in ``pg_stat_activity``. The server keeps its pooled
    connections open, so the same backends serve the whole run. A backend that exits
    keeps counting with the last CPU time read from it.
    """

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.name = parsed.database if parsed.get_backend_name() == "postgresql" else None
        self.admin = create_engine(parsed.set(database="postgres")) if self.name else None
        self.tick = os.sysconf("SC_CLK_TCK")
        self.last: dict[int, float] = {}

    def seconds(self) -> float:
        if self.admin is None:
            return 0.0
        with self.admin.connect() as connection:
            pids = connection.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = :name"),
                                      {"name": self.name}).scalars().all()
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            self.last[pid] = (int(fields[11]) + int(fields[12])) / self.tick
        return sum(self.last.values())

    def close(self) -> None:
        if self.admin is not None:
            self.admin.dispose()


def timed(call: Callable[[], httpx.Response], expected: int = 200) -> float:
    started = time.perf_counter()
    response = call()
    elapsed = time.perf_counter() - started
    if response.status_code != expected:
        raise RuntimeError(f"{response.request.method} {response.request.url} -> {response.status_code}: "
                           f"{response.text[:500]}")
    return elapsed


def create_range(client: httpx.Client, start: int, stop: int, batch: int, rng: random.Random) -> float:
    """Batch-create devices start..stop-1; return the seconds spent in requests."""
    spent = 0.0
    for first in range(start, stop, batch):
        body = [device(n, rng) for n in range(first, min(first + batch, stop))]
        spent += timed(lambda: client.post(BASE + "/entityOperations/create", json=body), expected=201)
        if (first // batch) % 20 == 0:
            log(f"  created {min(first + batch, stop):,}")
    return spent


def upsert_range(client: httpx.Client, count: int, total: int, batch: int, rng: random.Random) -> float:
    spent = 0.0
    numbers = rng.sample(range(total), count)
    for first in range(0, count, batch):
        observed = "2024-05-02T00:00:00Z"
        body = [{"id": device_id(n), "type": "Device", **reading(rng, observed)} for n in numbers[first:first + batch]]
        spent += timed(lambda: client.post(BASE + "/entityOperations/upsert", params={"options": "update"},
                                           json=body), expected=204)
    return spent


def q_queries(client: httpx.Client, count: int, rng: random.Random) -> list[float]:
    samples = []
    for _ in range(count):
        threshold = round(rng.uniform(90, 99), 1)
        params = {"type": "Device", "q": f'value>{threshold};deviceState=="fault"', "limit": "100"}
        samples.append(timed(lambda: client.get(BASE + "/entities", params=params)))
    return samples


def geo_queries(client: httpx.Client, count: int, rng: random.Random) -> list[float]:
    samples = []
    for _ in range(count):
        point = [round(rng.uniform(*LON_RANGE), 5), round(rng.uniform(*LAT_RANGE), 5)]
        params = {"type": "Device", "georel": "near;maxDistance==500", "geometry": "Point",
                  "coordinates": json.dumps(point), "limit": "100"}
        samples.append(timed(lambda: client.get(BASE + "/entities", params=params)))
    return samples


def temporal_queries(client: httpx.Client, count: int, rng: random.Random) -> tuple[list[float], int]:
    entity_id = device_id(7)
    day = dt.datetime(2024, 5, 3, tzinfo=dt.UTC)
    instances = [{"type": "Property", "value": round(rng.uniform(0, 100), 2),
                  "observedAt": (day + dt.timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ")} for m in range(1440)]
    response = client.post(BASE + f"/temporal/entities/{quote(entity_id, safe='')}/attrs", json={"value": instances})
    if response.status_code != 204:
        raise RuntimeError(f"loading readings failed: {response.status_code} {response.text[:300]}")
    params = {"timerel": "between", "timeAt": "2024-05-03T00:00:00Z", "endTimeAt": "2024-05-04T00:00:00Z",
              "attrs": "value", "options": "temporalValues"}
    path = BASE + f"/temporal/entities/{quote(entity_id, safe='')}"
    returned = len(client.get(path, params=params).json()["value"]["values"])
    return [timed(lambda: client.get(path, params=params)) for _ in range(count)], returned


DISCOVERY = (
    ("types", "/types", {}),
    ("types_details", "/types", {"details": "true"}),
    ("type_device", "/types/Device", {}),
    ("attributes", "/attributes", {}),
    ("attributes_details", "/attributes", {"details": "true"}),
    ("attribute_value", "/attributes/value", {}),
)


def discovery_queries(client: httpx.Client, count: int, cpu: "ServerCpu") -> dict:
    result = {}
    for name, path, params in DISCOVERY:
        started = cpu.seconds()
        samples = [timed(lambda: client.get(BASE + path, params=params)) for _ in range(count)]
        result[name] = {**percentiles(samples), "server_cpu_ms_per_query": cpu.per_op(started, count)}
    return result


# ---- the server and its database ----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database(kind: str, postgres: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'citybase.db'}"
        return
    server = make_url(postgres)
    name = f"citybase_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def server(url: str, folder: Path, source: str | None = None) -> Iterator[tuple[str, int]]:
    port = free_port()
    command = [str(Path(sys.executable).parent / "citybase"), "serve", "--host", "127.0.0.1",
               "--port", str(port), "--no-worker"]
    env = {**os.environ, "CITYBASE_DATA_DIR": str(folder), "CITYBASE_DATABASE_URL": url,
           "CITYBASE_CONTEXT_AUTH": "off", "CITYBASE_LOG_LEVEL": "WARNING"}
    if source:
        # Another checkout's code, ahead of this checkout's installed package.
        env["PYTHONPATH"] = source
    log_file = (folder / "server.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                httpx.get(base + "/healthz", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None:
                    raise RuntimeError(f"citybase exited: {(folder / 'server.log').read_text()[-2000:]}") from None
                time.sleep(0.5)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        log_file.close()


# ---- one run --------------------------------------------------------------------------------------

def run(kind: str, args: argparse.Namespace, source: str | None = None) -> dict:
    """Run the steps on a fresh database with the code in ``source`` (this checkout's when None)."""
    writes_only = args.only == "writes"
    rng = random.Random(20240501)
    with tempfile.TemporaryDirectory(prefix="citybase-bench-") as tmp, \
            database(kind, args.postgres, Path(tmp)) as url, server(url, Path(tmp), source) as (base, pid), \
            httpx.Client(base_url=base, timeout=600, trust_env=False) as client:
        cpu = ServerCpu(pid)
        database_cpu = DatabaseCpu(url)

        def queries(measure: Callable[[httpx.Client, int, random.Random], list[float]]) -> dict:
            started = cpu.seconds()
            result = percentiles(measure(client, args.queries, rng))
            return {**result, "server_cpu_ms_per_query": cpu.per_op(started, args.queries)}

        log(f"{kind}: creating {args.entities:,} entities in batches of {args.batch}")
        checkpoint = min(CHECKPOINT, args.entities)
        create_cpu, create_database_cpu = cpu.seconds(), database_cpu.seconds()
        spent = create_range(client, 0, checkpoint, args.batch, rng)
        create_cpu, create_database_cpu = cpu.seconds() - create_cpu, database_cpu.seconds() - create_database_cpu
        if not writes_only:
            at_checkpoint = {"entities": checkpoint, "q": queries(q_queries), "geo_near": queries(geo_queries),
                             "discovery": discovery_queries(client, args.queries, cpu)}
        started, database_started = cpu.seconds(), database_cpu.seconds()
        spent += create_range(client, checkpoint, args.entities, args.batch, rng)
        create_cpu += cpu.seconds() - started
        create_database_cpu += database_cpu.seconds() - database_started
        created_per_s = args.entities / spent
        log(f"{kind}: upserting {args.upserts:,} entities")
        started, database_started = cpu.seconds(), database_cpu.seconds()
        upsert_spent = upsert_range(client, args.upserts, args.entities, args.batch, rng)
        upsert_cpu = cpu.per_op(started, args.upserts)
        upsert_database_cpu = database_cpu.seconds() - database_started
        database_cpu.close()
        writes = {
            "database": kind,
            "batch_size": args.batch,
            "create": {"entities": args.entities, "seconds": round(spent, 1), "per_second": round(created_per_s),
                       "server_cpu_ms_per_entity": round(create_cpu / args.entities * 1000, 3)},
            "upsert": {"entities": args.upserts, "seconds": round(upsert_spent, 1),
                       "per_second": round(args.upserts / upsert_spent), "server_cpu_ms_per_entity": upsert_cpu},
        }
        if kind == "postgresql":
            writes["create"]["postgres_cpu_ms_per_entity"] = round(create_database_cpu / args.entities * 1000, 3)
            writes["upsert"]["postgres_cpu_ms_per_entity"] = round(upsert_database_cpu / args.upserts * 1000, 3)
        if writes_only:
            return writes
        log(f"{kind}: queries")
        at_full = {"entities": args.entities, "q": queries(q_queries), "geo_near": queries(geo_queries),
                   "discovery": discovery_queries(client, args.queries, cpu)}
        started = cpu.seconds()
        temporal, returned = temporal_queries(client, args.queries, rng)
        temporal_cpu = cpu.per_op(started, args.queries + 2)
        return {
            **writes,
            "queries_at_checkpoint": at_checkpoint,
            "queries_at_full": at_full,
            # The CPU figure includes loading the day of readings (one request) and one
            # untimed read, spread over the timed reads.
            "temporal_one_day": {"instances": returned, **percentiles(temporal),
                                 "server_cpu_ms_per_query": temporal_cpu},
        }


def compare_writes(kind: str, args: argparse.Namespace) -> dict:
    """Batch create and upsert timings of the code in ``args.compare_with`` and of this checkout."""
    result: dict = {"database": kind}
    for label, source in (("before", args.compare_with), ("after", None)):
        log(f"{kind}: writes ({label})")
        measured = run(kind, args, source)
        result[label] = {"create": measured["create"], "upsert": measured["upsert"],
                         "load_average_1m": round(os.getloadavg()[0], 1)}
    return result


def compare(kind: str, args: argparse.Namespace) -> dict:
    """Discovery timings of the code in ``args.compare_with`` and of this checkout, on one database."""
    rng = random.Random(20240501)
    result: dict = {"database": kind, "entities": args.entities}
    with tempfile.TemporaryDirectory(prefix="citybase-bench-") as tmp, database(kind, args.postgres, Path(tmp)) as url:
        for label, source in (("before", args.compare_with), ("after", None)):
            with server(url, Path(tmp), source) as (base, pid), \
                    httpx.Client(base_url=base, timeout=600, trust_env=False) as client:
                if label == "before":
                    log(f"{kind}: creating {args.entities:,} entities with {source}")
                    create_range(client, 0, args.entities, args.batch, rng)
                log(f"{kind}: discovery queries ({label})")
                first = client.get(BASE + "/types/Device").json()
                result[label] = {"entity_count": first["entityCount"],
                                 **discovery_queries(client, args.queries, ServerCpu(pid))}
    return result


def machine() -> dict:
    memory_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:")), 0)
    # The load average shows whether other work shared the CPUs during the run.
    return {"nproc": os.cpu_count(), "memory_gib": round(memory_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "date": dt.date.today().isoformat(),
            "load_average_1m": round(os.getloadavg()[0], 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--entities", type=int, default=220_000, help="devices to create")
    parser.add_argument("--upserts", type=int, default=50_000, help="devices to upsert with new readings")
    parser.add_argument("--batch", type=int, default=1000, help="entities per batch request")
    parser.add_argument("--queries", type=int, default=200, help="repetitions of each query")
    parser.add_argument("--only", choices=("all", "writes"), default="all",
                        help="measure every step, or only the batch create and upsert")
    parser.add_argument("--compare-with", metavar="OLD_SRC",
                        help="measure the code in this src folder first, then this checkout's: the writes "
                             "with --only writes, otherwise /types and /attributes")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL server to create the benchmark database on")
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    for kind in kinds:
        before = machine()
        if args.compare_with:
            measured = compare_writes(kind, args) if args.only == "writes" else compare(kind, args)
        else:
            measured = run(kind, args)
        result = {"benchmark": "context", "machine": before, **measured,
                  "load_average_1m_after": round(os.getloadavg()[0], 1)}
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
