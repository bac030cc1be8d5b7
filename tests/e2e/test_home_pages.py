"""The home page (工作台) of a unit reporter and of the digital office, in Chromium with axe-core.

The imported task list is used: 区行政服务中心 has a returned April report on task 51, a
notice overdue for reply and a pending extension request. Both home pages are
photographed in normal and large text.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from citybase.core.audit import Actor
from citybase.core.auth.models import User
from citybase.core.units import Unit
from citybase.plan.importer import import_plan
from citybase.plan.models import Task
from citybase.plan.supervision import extensions, notices, periods, reports
from citybase.plan.supervision.reports import ReportDraft, TargetInput, ValueInput
from tests.e2e.harness import assert_accessible, click_and_wait, log_in, save_screenshot
from tests.plan.conftest import SEED_FILE

pytestmark = pytest.mark.e2e

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TASK = 51  # led by 区行政服务中心 alone
UNIT = "310114-D003"


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2022, month, day, hour, tzinfo=SHANGHAI)


def _user(session, username: str) -> User:
    return session.scalar(select(User).where(User.username == username))


@pytest.fixture
def seeded(live_server):
    """Import the task list and give 区行政服务中心 a returned report, a late notice and an extension request."""
    with live_server.db.session(Actor("cli", "e2e")) as session:
        import_plan(session, SEED_FILE.read_bytes(), SEED_FILE.name)
    live_server.add_user("fuwu", "unit_reporter", UNIT, display_name="王填报")
    live_server.add_user("duban", "digital_office", "310114-D001", display_name="张督办")
    with live_server.db.session(Actor("cli", "e2e")) as session:
        reporter, office = _user(session, "fuwu"), _user(session, "duban")
        task = session.scalar(select(Task).where(Task.seq == TASK))
        unit = session.scalar(select(Unit).where(Unit.code == UNIT))
        report = reports.open_report(session, reporter, task.id, periods.period_by_key(session, "2022-04"), _at(5, 4))
        draft = ReportDraft(
            narrative="网办比例稳步提升。",
            values={indicator.id: ValueInput("78") for indicator in task.indicators},
            targets={target.id: TargetInput("60") for target in task.qualitative_targets},
        )
        reports.save_report(session, reporter, report.id, draft, _at(5, 4))
        reports.submit_report(session, reporter, report.id, _at(5, 4))
        reports.return_report(session, office, report.id, "请补充4月办件量统计口径说明", _at(5, 6))
        notices.issue_notice(session, office, unit_id=unit.id, task_id=task.id, title="网办比例未达序时进度",
                             body="请说明原因并报送整改措施。", now=_at(5, 20), reply_due_on=dt.date(2022, 5, 27))
        extensions.request_extension(session, reporter, task.id, requested_due_on=dt.date(2024, 6, 30),
                                     reason="系统改造需延期上线", now=_at(5, 25))
    live_server.app.state.clock = Clock(_at(5, 31))
    return live_server


def _photograph(page, name: str) -> None:
    """Photograph the open page in normal and large text, switching with the page's own link."""
    save_screenshot(page, name)
    click_and_wait(page, "a[href^='/text-size?size=large']")
    assert page.evaluate("() => document.documentElement.classList.contains('large-text')")
    assert_accessible(page)
    save_screenshot(page, f"{name}-large")
    click_and_wait(page, "a[href^='/text-size?size=normal']")


def test_reporter_home_page(seeded, page):
    log_in(page, seeded, "fuwu")
    page.goto(seeded.url("/"))

    assert_accessible(page)
    panel = page.locator("#home-supervision")
    assert panel.locator("h2").inner_text() == "今日待办"
    returned = page.locator("ul[aria-labelledby='hp-returned'] li")
    assert returned.count() == 1
    assert "请补充4月办件量统计口径说明" in returned.inner_text()
    late_notice = page.locator("ul[aria-labelledby='hp-notices'] li").first
    assert "网办比例未达序时进度" in late_notice.inner_text()
    assert "已逾期4天" in late_notice.inner_text()
    first_due = page.locator("ul[aria-labelledby^='hp-due-'] li").first
    assert "已逾期" in first_due.inner_text()  # April reports of the unit's other tasks were due on 5 May
    # One list per period: April (overdue) above May.
    headings = page.locator("h4[id^='hp-due-']").all_inner_texts()
    assert [text.split(" · ")[0] for text in headings] == ["2022-04期", "2022-05期"]
    assert "逾期" in headings[0]
    assert page.locator("#quick-links").is_visible()
    _photograph(page, "home-reporter")

    click_and_wait(page, "ul[aria-labelledby='hp-returned'] li a")
    assert "/plan/reports/" in page.url
    assert_accessible(page)


def test_office_home_page(seeded, page):
    log_in(page, seeded, "duban")
    page.goto(seeded.url("/"))

    assert_accessible(page)
    assert page.locator("#home-supervision h2").inner_text() == "今日待办"
    assert "网办比例未达序时进度" in page.locator("ul[aria-labelledby='hp-notices']").inner_text()
    assert "区行政服务中心" in page.locator("ul[aria-labelledby='hp-extensions']").inner_text()
    assert "任务清单" in page.locator("#home-supervision").inner_text()
    _photograph(page, "home-office")

    click_and_wait(page, "#home-supervision a[href='/plan/dashboard']")
    assert page.url.endswith("/plan/dashboard")
