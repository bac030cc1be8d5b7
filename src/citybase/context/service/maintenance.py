"""VACUUM (ANALYZE) of the broker's tables on PostgreSQL after bulk writes.

Autovacuum reaches a table a minute or more after a bulk load. Until then the
planner has the statistics of a nearly empty table, and it chose a wrong index for
a q comparison that way (p50 311 ms instead of tens of ms). The tables also have no
visibility map yet, so an index-only scan reads the heap for every row. Measured with
``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL 15 (2 cores, shared with other work), a
q-query over 100,000 freshly loaded entities took 110 to 220 ms, and 30 ms after a
VACUUM (ANALYZE).

So after 1,000, 4,000, 16,000 and then every :data:`VACUUM_EVERY` entity writes of a
process, the transaction that crosses the mark starts one VACUUM (ANALYZE) when it
commits. A load that ends between two marks leaves rows the last VACUUM did not see,
so once at least :data:`IDLE_MIN_WRITES` writes are pending and no write has committed
for :data:`IDLE_SECONDS`, a VACUUM (ANALYZE) runs as well. On a busy machine a batch can
take longer than that, so such a VACUUM may also run during a load. It needs
IDLE_MIN_WRITES new writes each time, because starting a VACUUM resets the count.
VACUUM cannot run inside a transaction, so it runs on its own autocommit connection in
a background thread. It blocks no reads or writes, and it took about 2 s over 100,000
entities. At most one
runs at a time per process. SQLite needs neither step: its planner does not rely on
statistics here and it has no heap.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

VACUUM_EVERY = 50_000
FIRST_MARK = 1_000
IDLE_MIN_WRITES = 10_000
IDLE_SECONDS = 3.0
TABLES = ("ctx_entities", "ctx_entity_types", "ctx_attr_values", "ctx_geo", "ctx_type_attrs")

_lock = threading.Lock()
_writes_since_vacuum = 0
_next_mark = FIRST_MARK
_running: threading.Thread | None = None
_idle_timer: threading.Timer | None = None


def count_writes(session: Session, written: int) -> None:
    """Count ``written`` entity writes and, past a mark, vacuum once ``session`` commits (PostgreSQL only)."""
    global _writes_since_vacuum, _next_mark
    if session.get_bind().dialect.name != "postgresql":
        return
    with _lock:
        _writes_since_vacuum += written
        due = _writes_since_vacuum >= _next_mark
        if due:
            _next_mark = min(_next_mark * 4, VACUUM_EVERY)
        elif _writes_since_vacuum < IDLE_MIN_WRITES:
            return
    engine = session.get_bind()
    after_commit = (lambda _session: start(engine)) if due else (lambda _session: _start_when_idle(engine))
    event.listen(session, "after_commit", after_commit, once=True)


def _start_when_idle(engine: Engine) -> None:
    """(Re)arm the timer that vacuums when no write has committed for IDLE_SECONDS."""
    global _idle_timer
    with _lock:
        if _idle_timer is not None:
            _idle_timer.cancel()
        _idle_timer = threading.Timer(IDLE_SECONDS, start, args=(engine,))
        _idle_timer.daemon = True
        _idle_timer.start()


def start(engine: Engine) -> threading.Thread | None:
    """Start a VACUUM (ANALYZE) of the broker's tables in a thread; return it, or None if one is running."""
    global _running, _idle_timer, _writes_since_vacuum
    with _lock:
        if _idle_timer is not None:
            _idle_timer.cancel()
            _idle_timer = None
        if _running is not None and _running.is_alive():
            # The writes stay counted, so the next mark or idle period vacuums them.
            logger.info("VACUUM (ANALYZE) of the context tables is still running; not starting another")
            return None
        _writes_since_vacuum = 0
        thread = threading.Thread(target=_vacuum, args=(engine,), name="context-vacuum", daemon=True)
        # Published only once started: wait() reads _running without the lock, and joining
        # a thread that has not started raises RuntimeError.
        thread.start()
        _running = thread
        return thread


def wait(timeout: float) -> bool:
    """Wait for the running VACUUM, if any; return True when none is running any more."""
    thread = _running
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()


def _vacuum(engine: Any) -> None:
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql(f"VACUUM (ANALYZE) {', '.join(TABLES)}")
    except SQLAlchemyError as exc:
        logger.warning("VACUUM (ANALYZE) of the context tables failed: %s", exc)
