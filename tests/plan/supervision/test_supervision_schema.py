from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select

from citybase.core import migrate
from citybase.core.db import Base

SUPERVISION_TABLES = {
    "plan_reporting_periods", "plan_deadlines", "plan_extension_requests", "plan_reports",
    "plan_report_values", "plan_report_target_progress", "plan_report_contributions",
    "plan_report_events", "plan_evidence_files", "plan_indicator_values",
    "plan_indicator_bindings", "plan_notices", "plan_notice_events", "plan_reminders",
    "plan_light_snapshots",
}


def test_migration_creates_tables(db):
    assert SUPERVISION_TABLES <= set(inspect(db.engine).get_table_names())


def test_tables_owned_by_module():
    for name in SUPERVISION_TABLES:
        assert migrate.owning_module(Base.metadata.tables[name]) == "plan_supervision"


def _table_name(change):
    """Return the table an autogenerate change is about (changes may be nested lists)."""
    if isinstance(change, list):
        return _table_name(change[0])
    for part in change[1:]:
        if isinstance(part, str) and part in Base.metadata.tables:
            return part
        table = part if hasattr(part, "columns") else getattr(part, "table", None)
        if table is not None:
            return table.name
    return None


def test_migration_matches_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert [change for change in diff if _table_name(change) in SUPERVISION_TABLES] == []


def test_report_rows_round_trip(db, plan):
    import datetime as dt
    from decimal import Decimal

    from citybase.plan.supervision.models import ProgressReport, ReportIndicatorValue, ReportingPeriod

    with db.session() as session:
        period = session.scalar(select(ReportingPeriod).where(ReportingPeriod.key == "2022-05"))
        report = ProgressReport(task_id=plan.tasks["network"], period=period, unit_id=plan.units["science"])
        report.values.append(ReportIndicatorValue(indicator_id=plan.indicators["stations"], value=Decimal("2250")))
        session.add(report)

    with db.session() as session:
        stored = session.get(ProgressReport, report.id)
        assert stored.status == "draft"
        assert stored.period.due_at == dt.datetime(2022, 6, 5, 16, 0, tzinfo=dt.UTC)
        assert stored.values[0].value == Decimal("2250")
        assert stored.task.seq == 1
