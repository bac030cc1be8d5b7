"""The whole supervision loop on the imported task list, in Chromium, with axe-core on every page.

A reporter of 区行政服务中心 reports on task 51 (网办比例不低于80%) with an evidence file, the
office returns the report with a reason, the reporter resubmits and the office accepts, and the
task's light turns from red to green. A supervision notice goes to the unit, which replies,
and the office closes it (办结). The dashboard and the task page are photographed in normal
and large text, and the work ledger (Excel) and the bulletin (Word) downloaded from the
exports page are read back.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from citybase.core.audit import Actor
from citybase.plan.importer import import_plan
from citybase.plan.models import Task
from citybase.plan.supervision.models import ProgressReport, SupervisionNotice
from citybase.plan.supervision.snapshots import snapshot_lights
from tests.e2e.harness import assert_accessible, click_and_wait, log_in, save_screenshot
from tests.plan.conftest import SEED_FILE

pytestmark = pytest.mark.e2e

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TASK = 51  # “一网通办”平台实际办件网办比例不低于80%, led by 区行政服务中心 alone
UNIT = "310114-D003"
UNIT_NAME = "区行政服务中心"


class Clock:
    """The app's settable ``now`` (``app.state.clock``)."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2022, month, day, hour, tzinfo=SHANGHAI)


def _visit(page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"
    assert_accessible(page)


def _go(page, selector: str) -> None:
    click_and_wait(page, selector)
    assert_accessible(page)


def _switch(page, server, username: str) -> None:
    """Log out by dropping the cookies, then log in as ``username``, checking the login page too."""
    page.context.clear_cookies()
    _visit(page, "/login")
    log_in(page, server, username)
    assert_accessible(page)


def _light(page) -> str:
    classes = page.get_attribute("#sv-light .light", "class")
    match = re.search(r"light-(green|blue|yellow|red)", classes or "")
    assert match is not None, f"no light badge on {page.url}: {classes!r}"
    return match.group(1)


def _snapshot(server, now: dt.datetime) -> None:
    """Store every task's light for the period of ``now``, as the worker's daily job does."""
    with server.db.session(Actor("worker", "worker")) as session:
        snapshot_lights(session, now)


def _photograph(page, path: str, name: str) -> None:
    """Save ``path`` in normal and in large text, switching with the page's own link."""
    _visit(page, path)
    page.wait_for_load_state("networkidle")
    save_screenshot(page, name)
    _go(page, "a[href^='/text-size?size=large']")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => document.documentElement.classList.contains('large-text')")
    save_screenshot(page, f"{name}-large")
    _go(page, "a[href^='/text-size?size=normal']")


def _save(download, folder: Path) -> Path:
    """Save a browser download under the name the server gave it."""
    path = folder / download.suggested_filename
    download.save_as(path)
    return path


@pytest.fixture
def seeded(live_server):
    with live_server.db.session(Actor("cli", "e2e")) as session:
        import_plan(session, SEED_FILE.read_bytes(), SEED_FILE.name)
        task = session.scalar(select(Task).where(Task.seq == TASK))
        indicator_id = task.indicators[0].id
    live_server.add_user("fuwu", "unit_reporter", UNIT, display_name="王填报")
    live_server.add_user("duban", "digital_office", "310114-D001", display_name="张督办")
    live_server.app.state.clock = Clock(_at(5, 31))
    return live_server, indicator_id


def test_supervision_loop_end_to_end(seeded, page, tmp_path):
    server, indicator_id = seeded
    clock = server.app.state.clock
    _snapshot(server, clock.now)

    # 31 May: the report for 2022-04 is missing, so the task is red. The office sends a notice.
    _switch(page, server, "duban")
    _visit(page, f"/plan/tasks/{TASK}")
    light_before = _light(page)
    assert light_before == "red"
    assert "2022-04" in page.inner_text(".sv-reasons")
    _go(page, "#supervision a:has-text('下发督办单')")
    assert page.input_value("#f-task") == str(TASK)
    assert page.input_value("#f-unit") == UNIT
    page.fill("#f-title", "网办比例提升进度滞后")
    page.fill("#f-body", "请于一周内报送提升网办比例的整改措施。")
    _go(page, "form[action='/plan/notices'][method='post'] button[type=submit]")
    assert "督办〔2022〕1号" in page.inner_text("h1")
    notice_url = page.url.split("?")[0]

    _switch(page, server, "fuwu")
    _visit(page, f"/plan/tasks/{TASK}")
    assert "网办比例提升进度滞后" in page.inner_text("#supervision")
    _go(page, "#supervision a:has-text('反馈督办〔2022〕1号')")
    page.fill("#f-text", "已梳理高频事项清单，6月底前新增全程网办事项30项。")
    _go(page, "form[action$='/reply'] button[type=submit]")

    _switch(page, server, "duban")
    _visit(page, notice_url)
    page.fill("#f-comment", "整改措施可行，予以办结。")
    _go(page, "form[action$='/close'] button[type=submit]")
    with server.db.session() as session:
        notice = session.scalar(select(SupervisionNotice))
        assert notice.status == "closed"
        assert [event.action for event in notice.events] == ["issue", "reply", "close"]

    # 2 June: the unit reports May with an evidence file; the office returns it, then accepts it.
    clock.now = _at(6, 2)
    _switch(page, server, "fuwu")
    _visit(page, "/plan/my/tasks")
    _go(page, f"a[href='/plan/my/report?task={TASK}&period=2022-05']")
    _go(page, "main form[action='/plan/my/report'] button[type=submit]")
    page.fill(f"#f-values\\[{indicator_id}\\]\\.value", "65")
    page.fill("#f-narrative", "5月“一网通办”实际办件网办比例达65%，较上月提高4个百分点。")
    _go(page, "button[value=save]")
    page.set_input_files("#f-file", files=[{
        "name": "网办比例统计表.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n% e2e evidence\n",
    }])
    _go(page, "form[enctype='multipart/form-data'] button[type=submit]")
    assert "网办比例统计表.pdf" in page.inner_text("#evidence")
    _go(page, "button[value=submit]")
    assert "报送已提交区数字办" in page.inner_text("main")
    report_url = page.url.split("?")[0]

    _switch(page, server, "duban")
    _visit(page, f"/plan/tasks/{TASK}")
    _go(page, "#supervision a:has-text('审核2022-05进展报送')")
    page.fill("#f-reason", "请补充各街镇网办比例明细")
    _go(page, "text=退回单位")

    _switch(page, server, "fuwu")
    _visit(page, f"/plan/tasks/{TASK}")
    assert "理由：请补充各街镇网办比例明细" in page.inner_text("#sv-reports")
    _go(page, "#supervision a:has-text('修改并重新提交2022-05进展报送')")
    page.fill("#f-narrative", "5月网办比例达65%；各街镇明细见附件。")
    _go(page, "button[value=submit]")

    _switch(page, server, "duban")
    _visit(page, report_url)
    _go(page, "text=采纳报送")
    assert "已成为指标当前值" in page.inner_text("main")
    with server.db.session() as session:
        report = session.scalar(select(ProgressReport))
        assert [event.action for event in report.events] == [
            "create", "evidence_add", "submit", "return", "resubmit", "accept"]

    # 6 June: May's reports are due. Task 51 reported on time with 65 of 80 (81%), so it is green;
    # task 2 of the same unit reported nothing and stays red.
    clock.now = _at(6, 6)
    _snapshot(server, clock.now)
    _visit(page, f"/plan/tasks/{TASK}")
    light_after = _light(page)
    assert (light_before, light_after) == ("red", "green")
    indicators = page.inner_text("#sv-indicators")
    assert "65%" in indicators
    assert "已采纳的进展报送" in indicators
    assert "截至2022-05-31" in indicators
    assert "81.3%" in indicators
    steps = page.inner_text("#sv-reports .sv-events")
    assert steps.index("已提交") < steps.index("已退回") < steps.index("重新提交") < steps.index("已采纳")
    panel = page.inner_text("#supervision")
    assert "没有未办结的督办单。" in panel
    assert "另有1份已办结的督办单" in panel
    _photograph(page, f"/plan/tasks/{TASK}", "supervision-loop-task")
    _visit(page, "/plan/tasks/2")
    assert _light(page) == "red"

    # The dashboard counts the green task and shows the trend of the two stored periods.
    _visit(page, "/plan/dashboard")
    page.wait_for_load_state("networkidle")
    assert page.locator(".chart.chart-drawn").count() == 6
    lights_table = page.inner_text("#table-lights")
    assert re.search(r"绿灯：按序时推进\s+1\s+1\.1%", lights_table), lights_table
    trend = page.inner_text("#table-trend")
    assert re.search(r"2022-05\s+0\s+0\s+0\s+95", trend), trend
    assert re.search(r"2022-06\s+1\s+0\s+0\s+94", trend), trend
    _photograph(page, "/plan/dashboard", "supervision-loop-dashboard")

    # Downloads: the work ledger has the accepted value and the green light. The May bulletin
    # counts the green task and the notice issued and closed in May.
    _visit(page, "/plan/supervision/exports")
    with page.expect_download() as ledger_download:
        page.click("a[href='/plan/supervision/exports/ledger.xlsx']")
    ledger_file = _save(ledger_download.value, tmp_path)
    assert ledger_file.name == "工作台账-2022-06-06.xlsx"
    sheet = load_workbook(ledger_file).active
    rows = [row for row in sheet.iter_rows(values_only=True) if row[0] is not None and str(row[0]) == str(TASK)]
    assert len(rows) == 1, f"task {TASK} has {len(rows)} rows in the ledger"
    row = rows[0]
    assert row[4] == "“一网通办”平台实际办件网办比例不低于80%"
    assert float(row[8]) == 65
    assert row[12] == "绿灯"

    assert page.input_value("#f-period") == "2022-05"
    with page.expect_download() as bulletin_download:
        page.click("form[action='/plan/supervision/exports/bulletin.docx'] button[type=submit]")
    bulletin_file = _save(bulletin_download.value, tmp_path)
    assert bulletin_file.suffix == ".docx"
    document = Document(bulletin_file)
    texts = [paragraph.text for paragraph in document.paragraphs]
    summary = next(text for text in texts if text.startswith("行动方案共95项任务"))
    assert re.fullmatch(r"行动方案共95项任务，其中绿灯1项、蓝灯\d+项、黄灯\d+项、红灯\d+项。", summary), summary
    assert "本期下发督办单1份，办结1份；截至评估时点未办结0份，其中逾期0份。" in texts
    light_rows = [[cell.text for cell in table_row.cells] for table_row in document.tables[0].rows]
    assert light_rows[1] == ["绿灯", "1", "1.1%"]
    red_tasks = [[cell.text for cell in table_row.cells] for table_row in document.tables[1].rows]
    assert [UNIT_NAME, str(TASK)] not in [red_row[:2] for red_row in red_tasks]

