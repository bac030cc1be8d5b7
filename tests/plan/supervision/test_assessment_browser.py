"""The ranking, annual summary and export pages in headless Chromium, on the imported seed plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import Clock
from openpyxl import load_workbook
from plan_builder import shanghai
from seed_reports import office_user, report_seed_task
from sqlalchemy import select

from citybase.core.audit import Actor
from citybase.plan.importer import import_plan
from citybase.plan.models import Task
from citybase.plan.supervision import notices
from tests.e2e.conftest import browser, context, live_server, page, playwright_driver  # noqa: F401 - fixtures
from tests.e2e.harness import assert_accessible, assert_forms_reachable_by_tab, log_in, save_screenshot
from tests.plan.conftest import seed_data

pytestmark = pytest.mark.e2e


@pytest.fixture
def seed_server(live_server):  # noqa: F811 - the fixture imported above
    """The seed plan with May reports on tasks 1–12 (some late) and one overdue notice."""
    with live_server.db.session(Actor("cli", "e2e")) as session:
        import_plan(session, seed_data(), "seed.txt")
    for seq in range(1, 13):
        day = 3 if seq % 4 else 8
        report_seed_task(live_server.db, seq, "2022-05", shanghai(2022, 6, day), Decimal(seq) / 12)
    with live_server.db.session(Actor("cli", "e2e")) as session:
        task = session.scalar(select(Task).where(Task.seq == 20))
        notices.issue_notice(session, office_user(session), unit_id=task.lead_unit_id, task_id=task.id,
                             title="关于加快推进第20项任务的督办单", body="请报送整改情况。",
                             now=shanghai(2022, 5, 10), reply_due_on=dt.date(2022, 5, 20))
    live_server.add_user("duban", "digital_office", "310114-D001", display_name="张督办")
    live_server.add_user("keji", "unit_reporter", "310114-D002", display_name="李填报")
    live_server.app.state.clock = Clock(shanghai(2022, 6, 10, 10))
    return live_server


def test_ranking_pages_in_browser(seed_server, page):  # noqa: F811
    log_in(page, seed_server, "duban")

    page.goto(seed_server.url("/plan/supervision/ranking"))
    assert page.locator("h1").inner_text() == "单位分期排名"
    assert page.locator("#f-period").input_value() == "2022-05"
    first_rank = page.locator("table.data tbody tr").first.locator("td").first.inner_text()
    assert first_rank.startswith("1")
    assert_accessible(page)
    assert_forms_reachable_by_tab(page)
    save_screenshot(page, "assessment-ranking")

    page.goto(seed_server.url("/plan/supervision/ranking/annual?year=2022"))
    assert "单位排名年度汇总" in page.locator("h1").inner_text()
    assert_accessible(page)
    save_screenshot(page, "assessment-annual")

    page.goto(seed_server.url("/plan/supervision/ranking?period=2022-13"))
    assert "格式不对" in page.locator("#form-errors").inner_text()
    assert_accessible(page)


def test_exports_page_in_browser(seed_server, page, tmp_path):  # noqa: F811
    log_in(page, seed_server, "duban")
    page.goto(seed_server.url("/plan/supervision"))
    with page.expect_navigation():
        page.click("nav.subnav >> text=导出")
    assert page.locator("h1").inner_text() == "导出"
    assert_accessible(page)
    assert_forms_reachable_by_tab(page)
    save_screenshot(page, "assessment-exports")

    with page.expect_download() as download:
        page.click("text=下载工作台账")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "工作台账-2022-06-10.xlsx"
    sheet = load_workbook(saved).active
    assert [cell.value for cell in sheet["A"] if isinstance(cell.value, int)] == list(range(1, 96))


def test_reporter_sees_ranking_not_exports(seed_server, page):  # noqa: F811
    log_in(page, seed_server, "keji")
    page.goto(seed_server.url("/plan/supervision/ranking"))

    assert page.locator("table.data tbody tr").count() > 30
    assert page.locator("nav.subnav >> text=导出").count() == 0
    assert "区科委" in page.locator("tr.own-unit").inner_text()
    assert_accessible(page)
    save_screenshot(page, "assessment-ranking-reporter", full_page=False)
