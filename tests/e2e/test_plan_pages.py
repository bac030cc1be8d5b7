"""Plan pages in the browser: upload the task list, then the overview, task list, a task
and a unit. Each page is checked with axe-core (WCAG 2.1 A and AA) and photographed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from citybase.plan.models import PlanImport, Task
from tests.e2e.harness import assert_accessible, assert_forms_reachable_by_tab, log_in, save_screenshot
from tests.plan.conftest import SEED_FILE

pytestmark = pytest.mark.e2e


def _import_seed(page) -> None:
    page.goto("/plan/import")
    page.set_input_files("#f-file", str(SEED_FILE))
    page.click("main form[action='/plan/import'] button[type=submit]")


def test_upload_and_browse_plan(live_server, page):
    live_server.add_user("office", "digital_office", display_name="李督办")
    log_in(page, live_server, "office")

    page.goto("/plan")
    assert page.locator("h1").inner_text() == "行动方案"
    assert "尚未导入任务清单。" in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto("/plan/import")
    assert page.locator("h1").inner_text() == "导入任务清单"
    assert_accessible(page)
    assert_forms_reachable_by_tab(page)
    save_screenshot(page, "plan-import-form")

    _import_seed(page)
    summary = page.locator("#import-summary").inner_text()
    assert "已导入task_list_2021_2023.txt。" in summary
    assert "重点项目“探索构建数字孪生城市”缺少编号；已按其位置编为5。" in page.locator("#import-warnings").inner_text()
    assert_accessible(page)
    save_screenshot(page, "plan-import-summary")
    with live_server.db.session() as session:
        assert session.scalar(select(func.count(Task.id))) == 95
        assert session.scalar(select(func.count(PlanImport.id))) == 1

    page.click("text=查看方案总览")
    assert page.locator(".stats").inner_text().split()[:6] == ["6", "领域", "34", "重点项目", "95", "任务"]
    assert_accessible(page)
    save_screenshot(page, "plan-overview")

    page.goto("/plan/tasks")
    page.select_option("#f-unit", label="区人力资源社会保障局")
    page.select_option("#f-role", "cooperator")
    page.click("form.filters button[type=submit]")
    assert "共找到3项任务。" in page.locator("main").inner_text()
    assert_accessible(page)
    save_screenshot(page, "plan-tasks-filtered")

    page.click("a[href='/plan/tasks/90']")
    assert page.locator("h1").inner_text().startswith("任务90")
    assert_accessible(page)

    page.goto("/plan/tasks/5")
    assert "2万架至3万架" in page.locator("main").inner_text()
    assert_accessible(page)
    save_screenshot(page, "plan-task")

    page.click("a[href='/plan/units/310114-D002']")
    assert page.locator("h1").inner_text() == "区科委"
    assert_accessible(page)
    save_screenshot(page, "plan-unit")


def test_malformed_upload_shows_chinese_errors(live_server, page, tmp_path):
    live_server.add_user("office", "digital_office")
    log_in(page, live_server, "office")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(SEED_FILE.read_bytes().replace(b"\t12\n", b"\t1two\n"))

    page.goto("/plan/import")
    page.set_input_files("#f-file", str(bad))
    page.click("main form[action='/plan/import'] button[type=submit]")

    errors = page.locator("#import-errors").inner_text()
    assert "bad.txt：发现1处问题，未导入任何内容。" in errors
    assert "第91行第1列（序号）：序号为“1two”；应为整数。" in errors
    assert_accessible(page)
    save_screenshot(page, "plan-import-error")
    with live_server.db.session() as session:
        assert session.scalar(select(func.count(Task.id))) == 0


def test_viewer_sees_plan_but_not_import(live_server, page):
    live_server.add_user("viewer", "viewer")
    log_in(page, live_server, "viewer")

    response = page.goto("/plan/import")
    assert response.status == 403
    assert_accessible(page)

    page.goto("/plan")
    assert page.locator("h1").inner_text() == "行动方案"
    assert page.locator("a[href='/plan/import']").count() == 0
