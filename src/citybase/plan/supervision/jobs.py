"""Background jobs of plan supervision, run by ``citybase worker``.

Each job opens its own transaction, so a failure leaves nothing half-written and
the next run starts again from the stored state.
"""

from __future__ import annotations

import datetime as dt
import logging

from citybase.core.db import Database
from citybase.core.registry import Job
from citybase.core.worker import WORKER_ACTOR
from citybase.plan.supervision.reminders import send_digests, send_reminders
from citybase.plan.supervision.snapshots import snapshot_lights
from citybase.plan.supervision.values import snapshot_live_values

logger = logging.getLogger(__name__)


def run_reminders(db: Database, now: dt.datetime) -> int:
    """Send due reminders, then the daily digests; return how many were sent."""
    with db.session(WORKER_ACTOR) as session:
        sent = len(send_reminders(session, now))
    with db.session(WORKER_ACTOR) as session:
        sent += len(send_digests(session, now))
    return sent


def run_lights(db: Database, now: dt.datetime) -> int:
    with db.session(WORKER_ACTOR) as session:
        return snapshot_lights(session, now)


def run_live_values(db: Database, now: dt.datetime) -> int:
    with db.session(WORKER_ACTOR) as session:
        return snapshot_live_values(session, now)


JOBS = (
    Job("plan_supervision.reminders", 15 * 60, run_reminders),
    Job("plan_supervision.lights", 60 * 60, run_lights),
    Job("plan_supervision.live_values", 60 * 60, run_live_values),
)
