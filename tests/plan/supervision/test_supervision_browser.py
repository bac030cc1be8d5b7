"""The reporting loop in headless Chromium, with axe-core on every supervision page."""

from __future__ import annotations

import pytest
from conftest import Clock
from plan_builder import build_plan, shanghai
from sqlalchemy import select

from citybase.core.audit import Actor
from citybase.plan.supervision.models import ProgressReport, SupervisionNotice
from tests.e2e.conftest import browser, context, live_server, page, playwright_driver  # noqa: F401 - fixtures
from tests.e2e.harness import assert_accessible, assert_forms_reachable_by_tab, log_in, save_screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def plan_server(live_server):  # noqa: F811 - the fixture imported above
    with live_server.db.session(Actor("cli", "e2e")) as session:
        ids = build_plan(session)
    live_server.add_user("keji", "unit_reporter", "310114-D002", display_name="李填报")
    live_server.add_user("duban", "digital_office", "310114-D001", display_name="张督办")
    live_server.app.state.clock = Clock(shanghai(2022, 6, 2, 10))
    return live_server, ids


def _navigate(page, selector):  # noqa: F811
    """Click a link or submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def _switch(page, server, username):  # noqa: F811
    page.context.clear_cookies()
    log_in(page, server, username)


def test_report_loop_in_browser(plan_server, page):  # noqa: F811
    server, ids = plan_server
    _switch(page, server, "keji")
    page.goto("/plan/my/tasks")
    assert page.locator("h1").inner_text() == "我的任务"
    assert_accessible(page)
    save_screenshot(page, "supervision-my-tasks")

    _navigate(page, "text=开始填报")
    _navigate(page, "main button[type=submit]")
    page.fill(f"#f-values\\[{ids.indicators['stations']}\\]\\.value", "两千")
    page.fill("#f-narrative", "已建成5G基站2250个。")
    _navigate(page, "button[value=save]")
    assert page.locator(".alert-error").is_visible()
    # The summary names the indicator and the value typed, and links to the field.
    summary = page.locator(".error-list li").first.inner_text()
    assert "建成3500个5G基站 — 当前值：" in summary
    assert "“两千”" in summary
    assert_accessible(page)
    page.locator(".alert-error").screenshot(path=str(save_screenshot(page, "supervision-report-errors").with_name("supervision-report-errors-summary.png")))

    page.fill(f"#f-values\\[{ids.indicators['stations']}\\]\\.value", "2250")
    page.fill(f"#f-values\\[{ids.indicators['broadband']}\\]\\.value", "80")
    page.fill(f"#f-targets\\[{ids.targets['fibre']}\\]\\.percent", "50")
    _navigate(page, "button[value=save]")
    page.set_input_files("#f-file", files=[{"name": "基站清单.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7"}])
    _navigate(page, "form[enctype='multipart/form-data'] button[type=submit]")
    assert "基站清单.pdf" in page.locator("#evidence").inner_text()
    page.goto(page.url.split("?")[0])  # without the #evidence fragment, Tab starts at the top
    assert_forms_reachable_by_tab(page)
    save_screenshot(page, "supervision-report-form")
    _navigate(page, "button[value=submit]")
    assert "报送已提交区数字办" in page.locator("main").inner_text()
    report_url = page.url.split("?")[0]

    _switch(page, server, "duban")
    page.goto("/plan/review")
    assert_accessible(page)
    page.goto(report_url)
    assert_accessible(page)
    page.fill("#f-reason", "请补充分区建设数据")
    _navigate(page, "text=退回单位")

    _switch(page, server, "keji")
    page.goto(report_url)
    assert "请补充分区建设数据" in page.locator("main").inner_text()
    _navigate(page, "button[value=submit]")

    _switch(page, server, "duban")
    page.goto(report_url)
    _navigate(page, "text=采纳报送")
    assert "已成为指标当前值" in page.locator("main").inner_text()
    with server.db.session() as session:
        report = session.scalar(select(ProgressReport))
        assert [event.action for event in report.events] == [
            "create", "evidence_add", "submit", "return", "resubmit", "accept"]

    server.app.state.clock.now = shanghai(2022, 6, 10, 9)
    page.goto("/plan/supervision/tasks/1")
    assert "绿灯" in page.locator(".supervision-panel").inner_text()
    assert "已采纳的进展报送" in page.locator("main").inner_text()
    assert_accessible(page)
    save_screenshot(page, "supervision-task")

    page.goto("/plan/supervision")
    assert_accessible(page)
    save_screenshot(page, "supervision-overview")


def test_notice_loop_in_browser(plan_server, page):  # noqa: F811
    server, _ids = plan_server
    _switch(page, server, "duban")
    page.goto("/plan/notices")
    assert_accessible(page)
    page.select_option("#f-unit", "310114-D002")
    page.fill("#f-task", "1")
    page.fill("#f-title", "5G基站建设进度滞后")
    page.fill("#f-body", "请于一周内报送整改措施。")
    _navigate(page, "text=下发督办单 >> nth=-1")
    assert "督办〔2022〕1号" in page.locator("h1").inner_text()
    assert_accessible(page)
    notice_url = page.url.split("?")[0]

    _switch(page, server, "keji")
    page.goto(notice_url)
    page.fill("#f-text", "已增派施工队伍，6月底前完成。")
    _navigate(page, "text=提交反馈")
    assert_accessible(page)

    _switch(page, server, "duban")
    page.goto(notice_url)
    _navigate(page, "text=办结 >> nth=-1")
    with server.db.session() as session:
        assert session.scalar(select(SupervisionNotice)).status == "closed"
    save_screenshot(page, "supervision-notice")
