"""An administrator resets a password and deactivates a user; the user changes the password."""

from __future__ import annotations

import pytest

from citybase.core.auth.models import User
from tests.e2e.harness import assert_accessible, click_and_wait, log_in, save_screenshot

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "jiading-2023-new"


def test_reset_then_change_password_then_deactivate(live_server, admin_page, browser):
    page = admin_page
    live_server.add_user("zhao", "viewer", display_name="赵查看")
    page.goto("/admin/users")
    assert page.locator("#f-role option:checked").inner_text() == "查看者"
    click_and_wait(page, "a[href='/admin/users/zhao']")
    assert page.locator("h1").inner_text() == "用户 zhao"
    assert_accessible(page)
    click_and_wait(page, "form[action='/admin/users/zhao/password'] button[type=submit]")
    temporary = page.locator("code.token").inner_text()
    assert len(temporary) == 12
    assert "只显示这一次" in page.locator(".alert-success").inner_text()
    assert_accessible(page)
    save_screenshot(page, "user-reset-password")

    other = browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    try:
        user_page = other.new_page()
        log_in(user_page, live_server, "zhao", temporary)
        assert user_page.url.endswith("/account/password")
        assert "管理员已重置你的密码" in user_page.locator("main").inner_text()
        assert_accessible(user_page)
        save_screenshot(user_page, "change-password")
        user_page.fill("#f-current_password", temporary)
        user_page.fill("#f-new_password", NEW_PASSWORD)
        user_page.fill("#f-new_password_again", NEW_PASSWORD)
        click_and_wait(user_page, "form[action='/account/password'] button[type=submit]")
        assert "新密码已保存。" in user_page.locator("main").inner_text()
    finally:
        other.close()

    page.goto("/admin/users/zhao")
    click_and_wait(page, "form[action='/admin/users/zhao/active'] button[type=submit]")
    assert "已停用：无法登录" in page.locator("dl.facts").inner_text()
    assert_accessible(page)
    save_screenshot(page, "user-deactivated")
    with live_server.db.session() as session:
        user = session.query(User).filter_by(username="zhao").one()
        assert (user.is_active, user.must_change_password) == (False, False)
