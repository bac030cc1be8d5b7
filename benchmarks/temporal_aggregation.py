"""Benchmark the aggregated temporal representation over a year of one-minute readings.

Creates a fresh, migrated database: a SQLite file in a temporary folder, or a
database that the script creates and drops on ``--postgres``. Inserts one entity
with ``--days`` days of one-minute readings of one numeric attribute (default 365:
525,600 rows). Then times ``read_aggregates`` for several aggregation durations,
each ``--repeat`` times, with every method requested. The instances never pass
through Python: the database groups and aggregates them.

Prints one JSON object per database on stdout: per duration the number of periods
returned and the wall-clock milliseconds (median and maximum), plus this process's
CPU milliseconds per call, which other work on a shared machine inflates less.

Usage: .venv/bin/python benchmarks/temporal_aggregation.py [--database sqlite|postgresql|both] [--days N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from citybase.context import sqlite_functions
from citybase.context.models import CtxAttrInstance, CtxEntity
from citybase.context.temporal.aggregate_query import read_aggregates
from citybase.context.temporal.aggregation import AGGREGATION_METHODS, Aggregation, parse_period_duration
from citybase.context.temporal.timequery import TemporalQuery
from citybase.core import migrate
from citybase.core.db import Database

ATTRIBUTE = "https://example.org/level"
DURATIONS = ("PT0S", "P1M", "P1D", "PT1H")
BATCH = 10_000


def fill(database: Database, days: int) -> int:
    """Insert one entity with ``days`` days of one-minute readings; return its primary key."""
    start = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    now = dt.datetime.now(dt.UTC)
    with database.session() as session:
        entity = CtxEntity(entity_id="urn:ngsi-ld:Sensor:bench", types=["https://example.org/Sensor"], attrs={},
                           created_at=now, modified_at=now)
        session.add(entity)
        session.flush()
        entity_pk = entity.pk
    rows = []
    for minute in range(days * 1440):
        observed = start + dt.timedelta(minutes=minute)
        value = float(minute % 97)
        rows.append({
            "entity_pk": entity_pk, "attr_iri": ATTRIBUTE, "dataset_id": None, "instance_id": f"urn:i:{minute}",
            "observed_at": observed, "modified_at": now, "deleted": False, "value_number": value,
            "instance": {"type": "Property", "value": value, "observedAt": observed.isoformat()},
        })
        if len(rows) == BATCH:
            _insert(database, rows)
            rows = []
    if rows:
        _insert(database, rows)
    return entity_pk


def _insert(database: Database, rows: list[dict]) -> None:
    with database.session() as session:
        session.execute(insert(CtxAttrInstance), rows)


def measure(database: Database, entity_pk: int, repeat: int) -> dict:
    query = TemporalQuery(timerel="after", time_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    results = {}
    for text_duration in DURATIONS:
        aggregation = Aggregation(AGGREGATION_METHODS, parse_period_duration(text_duration))
        walls, cpus, periods = [], [], 0
        for _ in range(repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            with database.session() as session:
                aggregates = read_aggregates(session, [entity_pk], None, query, aggregation, 1_000_000)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            periods = len(aggregates[entity_pk][ATTRIBUTE][0][1])
        results[text_duration] = {"periods": periods, "wall_ms_median": round(statistics.median(walls), 1),
                                  "wall_ms_max": round(max(walls), 1),
                                  "cpu_ms_median": round(statistics.median(cpus), 1)}
    return results


def run(url: str, days: int, repeat: int) -> dict:
    database = Database(url)
    sqlite_functions.install(database.engine)
    migrate.upgrade(database)
    print(f"filling {days * 1440} readings into {database.dialect}", file=sys.stderr)
    started = time.perf_counter()
    entity_pk = fill(database, days)
    fill_seconds = time.perf_counter() - started
    try:
        return {"database": database.dialect, "readings": days * 1440, "fill_seconds": round(fill_seconds, 1),
                "durations": measure(database, entity_pk, repeat)}
    finally:
        database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--days", type=int, default=365, help="days of one-minute readings (default 365)")
    parser.add_argument("--repeat", type=int, default=5, help="calls per duration (default 5)")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="PostgreSQL server on which a scratch database is created and dropped")
    args = parser.parse_args()
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "load_1min": os.getloadavg()[0]}

    if args.database in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            result = run(f"sqlite:///{Path(folder) / 'bench.db'}", args.days, args.repeat)
        print(json.dumps({**result, "machine": machine}))
    if args.database in ("postgresql", "both"):
        server = make_url(args.postgres)
        name = f"citybase_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            result = run(server.set(database=name).render_as_string(hide_password=False), args.days, args.repeat)
            print(json.dumps({**result, "machine": machine}))
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
