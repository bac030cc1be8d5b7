"""Builders for supervision tests: a small plan made with the plan models, its users, Shanghai times."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from citybase.core.audit import Actor
from citybase.core.auth.models import User
from citybase.core.auth.roles import DIGITAL_OFFICE, UNIT_REPORTER, VIEWER
from citybase.core.units import Unit
from citybase.plan.models import (
    ROLE_COOPERATOR, ROLE_LEAD, Indicator, KeyProject, QualitativeTarget, Section, Task, TaskUnit,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def shanghai(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    """Return an aware datetime at the given Asia/Shanghai wall time (UTC+8, no DST)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class PlanIds:
    """Ids of the fixture's rows, so tests load what they need in their own session."""

    tasks: dict[str, int]
    indicators: dict[str, int]
    targets: dict[str, int]
    units: dict[str, int]
    users: dict[str, int]


def _unit(session, name: str) -> Unit:
    return session.scalar(select(Unit).where(Unit.name == name))


def _task(session, seq: int, section, project, text: str, lead: Unit, cooperators: list[Unit]) -> Task:
    task = Task(seq=seq, section=section, key_project=project, text=text, lead_unit_id=lead.id)
    task.units.append(TaskUnit(position=0, name_as_written=lead.name, unit_id=lead.id, role=ROLE_LEAD))
    for position, unit in enumerate(cooperators, start=1):
        task.units.append(
            TaskUnit(position=position, name_as_written=unit.name, unit_id=unit.id, role=ROLE_COOPERATOR)
        )
    session.add(task)
    return task


def build_plan(session) -> PlanIds:
    """Create three tasks: two indicators and a qualitative target, a range, and an 'about' target."""
    science = _unit(session, "区科委")
    nanxiang = _unit(session, "南翔镇")
    service_centre = _unit(session, "区行政服务中心")
    ops_centre = _unit(session, "区城运中心")
    office_unit = _unit(session, "区数字办")

    section = Section(seq=1, label="（一）", title="“全域感知”要素数字化构建新框架")
    project = KeyProject(section=section, seq=1, number=1, label="1、", title="搭建快速高效的全域连接网络")
    session.add_all([section, project])

    network = _task(session, 1, section, project, "建成3500个5G基站……光网全覆盖。", science, [nanxiang])
    network.indicators.append(Indicator(
        position=0, text="建成3500个5G基站", metric="5G基站", comparator="=",
        value=Decimal(3500), unit="个", baseline=Decimal(1000),
    ))
    network.indicators.append(Indicator(
        position=1, text="固定宽带平均可用下载速率达120Mbps", metric="固定宽带平均可用下载速率",
        comparator=">=", value=Decimal(120), unit="Mbps", baseline=Decimal(40),
    ))
    network.qualitative_targets.append(QualitativeTarget(position=0, text="光网全覆盖"))

    government_net = _task(session, 2, section, project, "政务网络带宽达40G-100G。", service_centre, [ops_centre])
    government_net.indicators.append(Indicator(
        position=0, text="政务网络带宽达40G-100G", metric="政务网络带宽", comparator="range",
        value=Decimal(40), value_max=Decimal(100), unit="G", baseline=Decimal(10),
    ))

    terminals = _task(session, 3, section, project, "全区物联感知终端数量达22万个左右。", ops_centre, [])
    terminals.indicators.append(Indicator(
        position=0, text="物联感知终端数量22万个左右", metric="物联感知终端数量", comparator="~",
        value=Decimal(220000), unit="个", baseline=Decimal(20000),
    ))

    users = {
        "office": User(username="office", display_name="数字办督办员", role=DIGITAL_OFFICE, unit_id=office_unit.id),
        "science": User(username="science", display_name="科委填报员", role=UNIT_REPORTER, unit_id=science.id),
        "nanxiang": User(username="nanxiang", display_name="南翔填报员", role=UNIT_REPORTER, unit_id=nanxiang.id),
        "service": User(username="service", display_name="行政服务中心填报员", role=UNIT_REPORTER, unit_id=service_centre.id),
        "viewer": User(username="viewer", display_name="观察员", role=VIEWER),
    }
    session.add_all(users.values())
    session.flush()

    return PlanIds(
        tasks={"network": network.id, "government_net": government_net.id, "terminals": terminals.id},
        indicators={
            "stations": network.indicators[0].id,
            "broadband": network.indicators[1].id,
            "bandwidth": government_net.indicators[0].id,
            "terminals": terminals.indicators[0].id,
        },
        targets={"fibre": network.qualitative_targets[0].id},
        units={
            "science": science.id, "nanxiang": nanxiang.id, "service": service_centre.id,
            "ops": ops_centre.id, "office": office_unit.id,
        },
        users={name: user.id for name, user in users.items()},
    )


TASK_LEADS = {"network": "science", "government_net": "service"}


def submit_report(db, plan: PlanIds, task: str, period_key: str, at: dt.datetime, values=None, targets=None,
                  narrative: str = "本期进展。"):
    """Open, fill and submit a report as the task's lead reporter; return its id."""
    from citybase.plan.supervision import periods, reports
    from citybase.plan.supervision.reports import ReportDraft, TargetInput, ValueInput

    with db.session() as session:
        user = session.get(User, plan.users[TASK_LEADS[task]])
        period = periods.period_by_key(session, period_key)
        report = reports.open_report(session, user, plan.tasks[task], period, at)
        draft = ReportDraft(
            narrative=narrative,
            values={plan.indicators[key]: ValueInput(str(value)) for key, value in (values or {}).items()},
            targets={plan.targets[key]: TargetInput(str(percent)) for key, percent in (targets or {}).items()},
        )
        reports.save_report(session, user, report.id, draft, at)
        reports.submit_report(session, user, report.id, at)
        return report.id


def accept_report(db, plan: PlanIds, report_id: int, at: dt.datetime) -> None:
    from citybase.plan.supervision import reports

    with db.session() as session:
        reports.accept_report(session, session.get(User, plan.users["office"]), report_id, at)


def report_network(db, plan: PlanIds, period_key: str, at: dt.datetime, stations=2250, broadband=80, fibre=50,
                   accept: bool = True) -> int:
    """Report on the network task: by default every part is at 50% (stations 2250, broadband 80, fibre 50)."""
    report_id = submit_report(db, plan, "network", period_key, at,
                              {"stations": stations, "broadband": broadband}, {"fibre": fibre})
    if accept:
        accept_report(db, plan, report_id, at + dt.timedelta(hours=1))
    return report_id


def field_text(error) -> str:
    """Render a FieldError's message in the current locale, with its parameters."""
    from citybase.core.i18n import gettext_

    return gettext_(error.message, **error.params)
