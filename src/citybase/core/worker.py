"""The background worker: runs every registered Job at its interval.

Each job's last run is kept in ``worker_jobs`` with a lease, so two workers (one in
``serve``, one standalone) never run the same job at once, and a restart resumes
from the stored time instead of running everything again. Jobs themselves must be
idempotent for the same ``now`` (reminders use dedupe keys).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from citybase.core import registry
from citybase.core.audit import Actor
from citybase.core.db import Base, Database, UTCDateTime, utcnow

logger = logging.getLogger(__name__)

WORKER_ACTOR = Actor("system", "worker")


class WorkerJob(Base):
    """Bookkeeping of one scheduled job: when it last ran and who holds its lease."""

    __tablename__ = "worker_jobs"
    __audit__ = False

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(2000))
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _claim(db: Database, job: registry.Job, now: dt.datetime, owner: str) -> bool:
    with db.session(WORKER_ACTOR) as session:
        row = session.get(WorkerJob, job.name, with_for_update=True)
        if row is None:
            row = WorkerJob(name=job.name)
            session.add(row)
        due = row.last_started_at is None or (now - row.last_started_at).total_seconds() >= job.interval_seconds
        leased = row.lease_until is not None and row.lease_until > now and row.lease_owner != owner
        if not due or leased:
            return False
        row.last_started_at = now
        row.lease_owner = owner
        row.lease_until = now + dt.timedelta(seconds=max(60.0, job.interval_seconds))
        return True


def _finish(db: Database, job: registry.Job, error: str | None) -> None:
    with db.session(WORKER_ACTOR) as session:
        row = session.get(WorkerJob, job.name)
        if row is not None:
            row.last_finished_at = utcnow()
            row.last_error = error
            row.lease_owner = None
            row.lease_until = None


def run_due_jobs(db: Database, now: dt.datetime | None = None) -> list[str]:
    """Run every job that is due at ``now``; return the names of those that ran."""
    now = now or utcnow()
    owner = _worker_id()
    ran = []
    for job in registry.jobs():
        if not _claim(db, job, now, owner):
            continue
        error = None
        try:
            job.run(db, now)
            ran.append(job.name)
        except Exception as exc:  # a failing job must not stop the others
            logger.exception("job %s failed", job.name)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        _finish(db, job, error)
    return ran


class Worker:
    """Loop that calls ``run_due_jobs`` every ``tick`` seconds until stopped."""

    def __init__(self, db: Database, tick: float = 5.0) -> None:
        self.db = db
        self.tick = tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_forever(self) -> None:
        logger.info("worker started with jobs %s", [job.name for job in registry.jobs()])
        while not self._stop.is_set():
            try:
                run_due_jobs(self.db)
            except Exception:
                logger.exception("worker tick failed; retrying in %.0f s", self.tick)
            self._stop.wait(self.tick)
        logger.info("worker stopped")

    def start_thread(self) -> None:
        self._thread = threading.Thread(target=self.run_forever, name="citybase-worker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


def sleep_until_stopped(worker: Worker) -> None:
    try:
        worker.run_forever()
    except KeyboardInterrupt:
        worker.stop()
    time.sleep(0)
