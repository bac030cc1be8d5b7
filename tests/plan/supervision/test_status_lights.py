import datetime as dt
from decimal import Decimal

from plan_builder import report_network, shanghai, submit_report
from sqlalchemy import select

from citybase.core.auth.models import User
from citybase.plan.models import Task
from citybase.plan.supervision import deadlines, extensions
from citybase.plan.supervision.lights import light_context, light_rules, lights_for_tasks, task_light
from citybase.plan.supervision.models import LightSnapshot
from citybase.plan.supervision.settings import SupervisionSettings
from citybase.plan.supervision.snapshots import light_counts_by_period, light_history, snapshot_lights


def _light(db, plan, task, now, settings=None):
    with db.session() as session:
        context = light_context(session, now, settings)
        return task_light(session, session.get(Task, plan.tasks[task]), context)


def test_green_at_plan_start(db, plan):
    light = _light(db, plan, "network", shanghai(2021, 1, 10))
    assert light.light == "green"
    assert light.progress.fraction is None
    assert round(light.expected, 9) == round(Decimal(10) / Decimal(1095), 9)


def test_red_when_report_missing(db, plan):
    light = _light(db, plan, "network", shanghai(2022, 6, 10))
    assert light.light == "red"
    assert str(light.reasons[0]) == "No report was submitted for period 2022-05, due on 2022-06-05."


def test_green_when_on_pace(db, plan):
    report_network(db, plan, "2022-05", shanghai(2022, 6, 2))
    light = _light(db, plan, "network", shanghai(2022, 6, 10))
    assert light.progress.fraction == Decimal("0.5")
    # 526 of 1095 days have passed at the end of 10 June 2022.
    assert round(light.expected, 9) == round(Decimal(526) / Decimal(1095), 9)
    assert light.light == "green"
    assert str(light.reasons[0]) == "Progress 50.0% against 序时进度 48.0%."


def test_yellow_when_behind_margin(db, plan):
    report_network(db, plan, "2022-05", shanghai(2022, 6, 2), stations=1500, broadband=50, fibre=20)
    light = _light(db, plan, "network", shanghai(2022, 6, 10))
    assert light.light == "yellow"
    assert light.progress.fraction < light.expected - Decimal("0.10")
    assert "points behind 序时进度" in str(light.reasons[0])


def test_margin_setting_changes_light(db, plan):
    report_network(db, plan, "2022-05", shanghai(2022, 6, 2), stations=1500, broadband=50, fibre=20)
    lenient = SupervisionSettings(_env_file=None, behind_margin=Decimal("0.5"))
    assert _light(db, plan, "network", shanghai(2022, 6, 10), lenient).light == "green"


def test_blue_when_report_due_soon(db, plan):
    report_network(db, plan, "2022-05", shanghai(2022, 6, 2))
    # The June report is due by the end of 5 July; on 3 July that is 2 days away.
    light = _light(db, plan, "network", shanghai(2022, 7, 3))
    assert light.light == "blue"
    assert "2022-06" in str(light.reasons[0])
    assert _light(db, plan, "network", shanghai(2022, 7, 1)).light == "green"


def test_blue_when_milestone_near(db, plan):
    report_network(db, plan, "2022-05", shanghai(2022, 6, 2))
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        deadlines.add_milestone(session, office, plan.tasks["network"], title="完成主城区覆盖",
                                due_on=dt.date(2022, 6, 20), expected_percent=45)
    light = _light(db, plan, "network", shanghai(2022, 6, 18))
    assert light.light == "blue"
    assert "2022-06-20 完成主城区覆盖" in str(light.reasons[0])


def test_red_when_deadline_passed(db, plan):
    report_network(db, plan, "2023-12", shanghai(2024, 1, 2))
    light = _light(db, plan, "network", shanghai(2024, 1, 3))
    assert light.light == "red"
    assert "2023-12-31" in str(light.reasons[0])


def test_indicator_deadline_overdue(db, plan):
    report_network(db, plan, "2022-05", shanghai(2022, 6, 2))
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        deadlines.set_final_deadline(session, office, plan.tasks["network"], dt.date(2022, 6, 1),
                                     indicator_id=plan.indicators["stations"])
    light = _light(db, plan, "network", shanghai(2022, 6, 10))
    assert light.light == "red"
    assert "建成3500个5G基站" in str(light.reasons[0])


def test_extension_clears_red(db, plan):
    report_network(db, plan, "2023-12", shanghai(2023, 12, 20))
    with db.session() as session:
        science = session.get(User, plan.users["science"])
        request = extensions.request_extension(session, science, plan.tasks["network"],
                                               requested_due_on=dt.date(2024, 6, 30), reason="设备到货延迟",
                                               now=shanghai(2023, 12, 21))
        extensions.decide_extension(session, session.get(User, plan.users["office"]), request.id,
                                    approve=True, reason="", now=shanghai(2023, 12, 22))
    light = _light(db, plan, "network", shanghai(2024, 1, 3))
    assert all("2023-12-31" not in str(reason) for reason in light.reasons)


def test_green_when_complete(db, plan):
    report_network(db, plan, "2023-12", shanghai(2024, 1, 2), stations=3600, broadband=130, fibre=100)
    light = _light(db, plan, "network", shanghai(2024, 3, 1))
    assert light.light == "green"
    assert light.progress.complete is True
    assert str(light.reasons[0]) == "Every target of the task is met."


def test_submitted_report_counts_before_accept(db, plan):
    submit_report(db, plan, "network", "2022-05", shanghai(2022, 6, 2),
                  {"stations": 2250, "broadband": 80}, {"fibre": 50})
    light = _light(db, plan, "network", shanghai(2022, 6, 10))
    # Submitted but not accepted: no red, but values are not current yet.
    assert light.light == "yellow"
    assert light.progress.fraction is None


def test_rules_show_thresholds():
    rules = [str(rule) for rule in light_rules(SupervisionSettings(_env_file=None, near_deadline_days=5))]
    assert any("5 days" in rule for rule in rules)
    assert any("10.0 points" in rule for rule in rules)


def test_lights_for_all_tasks(db, plan):
    report_network(db, plan, "2022-05", shanghai(2022, 6, 2))
    with db.session() as session:
        lights = lights_for_tasks(session, shanghai(2022, 6, 10))
    assert lights[plan.tasks["network"]].light == "green"
    assert lights[plan.tasks["government_net"]].light == "red"
    assert lights[plan.tasks["terminals"]].light == "red"


def test_snapshot_upserts_per_period(db, plan):
    with db.session() as session:
        assert snapshot_lights(session, shanghai(2022, 6, 10)) == 3
        snapshot_lights(session, shanghai(2022, 6, 11))
        rows = session.scalars(select(LightSnapshot)).all()
        assert len(rows) == 3
        assert {row.light for row in rows} == {"red"}
        snapshot_lights(session, shanghai(2022, 7, 10))
        history = light_history(session, plan.tasks["network"])
        assert [period.key for period, _ in history] == ["2022-06", "2022-07"]
        assert light_counts_by_period(session) == {"2022-06": {"red": 3}, "2022-07": {"red": 3}}
