import datetime as dt
from decimal import Decimal

from citybase.plan.supervision.models import Deadline
from citybase.plan.supervision.pace import Schedule

START = dt.date(2021, 1, 1)
END = dt.date(2023, 12, 31)


def test_linear_pace_half_way():
    schedule = Schedule(START, END)
    # 546 of 1095 days have passed at the end of 30 June 2022.
    assert schedule.expected(dt.date(2022, 6, 30)) == Decimal(546) / Decimal(1095)


def test_pace_bounds():
    schedule = Schedule(START, END)
    assert schedule.expected(dt.date(2020, 12, 31)) == Decimal(0)
    assert schedule.expected(END) == Decimal(1)
    assert schedule.expected(dt.date(2024, 5, 1)) == Decimal(1)


def test_milestone_shapes_pace():
    milestone = Deadline(kind="milestone", due_on=dt.date(2021, 12, 31), expected_progress=Decimal("0.8"))
    schedule = Schedule(START, END, [milestone])
    assert schedule.expected(dt.date(2021, 12, 31)) == Decimal("0.8")
    # Half of 2022-2023 after the milestone: 0.8 + 0.2 × 365/730.
    assert schedule.expected(dt.date(2022, 12, 31)) == Decimal("0.9")


def test_upcoming_skips_done_milestones():
    done = Deadline(kind="milestone", due_on=dt.date(2022, 3, 1), expected_progress=Decimal("0.3"), done_on=dt.date(2022, 2, 1))
    open_ = Deadline(kind="milestone", due_on=dt.date(2022, 6, 1), expected_progress=Decimal("0.5"))
    schedule = Schedule(START, END, [done, open_])
    assert [day for day, _ in schedule.upcoming(dt.date(2022, 1, 1))] == [dt.date(2022, 6, 1), END]
