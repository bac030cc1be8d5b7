"""Core pages in the browser: set-up, login, home, tokens, users, audit log, units,
notifications and errors. Each page is checked with axe-core and photographed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from citybase.core.audit import AuditEntry
from citybase.core.auth.models import ApiToken, User
from tests.e2e.harness import PASSWORD, assert_accessible, click_and_wait, log_in, save_screenshot

pytestmark = pytest.mark.e2e


def test_setup_page_creates_first_admin(live_server, page):
    page.goto("/")

    assert page.url == live_server.url("/setup")
    assert page.locator("h1").inner_text() == "创建首个管理员"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert_accessible(page)
    save_screenshot(page, "setup")

    page.fill("#f-username", "admin")
    page.fill("#f-display_name", "王管理")
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_again", PASSWORD + "x")
    click_and_wait(page, "button[type=submit]")

    assert page.locator(".alert-error").is_visible()
    assert page.locator("#f-password_again").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-username").input_value() == "admin"
    assert_accessible(page)
    save_screenshot(page, "setup-error")
    with live_server.db.session() as session:
        assert session.scalar(select(User)) is None

    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_again", PASSWORD)
    click_and_wait(page, "button[type=submit]")

    assert page.url == live_server.url("/")
    assert page.locator("h1").inner_text() == "欢迎，王管理"
    with live_server.db.session() as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        assert admin.role == "admin"
        assert admin.display_name == "王管理"
        entry = session.scalar(select(AuditEntry).where(AuditEntry.table == "users", AuditEntry.action == "insert"))
        assert entry.actor_name == "setup"
        assert entry.after["username"] == "admin"


def test_setup_page_gone_once_admin_exists(live_server, page):
    live_server.add_user("admin", "admin")

    response = page.goto("/setup")

    assert response.status == 404
    assert "登录" in page.locator("main").inner_text()
    assert_accessible(page)
    save_screenshot(page, "setup-finished-404")


def test_login_rejects_wrong_password(live_server, page):
    live_server.add_user("admin", "admin", display_name="王管理")
    page.goto("/")
    assert page.url == live_server.url("/login")
    assert_accessible(page)
    save_screenshot(page, "login")

    page.fill("#f-username", "admin")
    page.fill("#f-password", "not-the-password")
    click_and_wait(page, "button[type=submit]")

    assert page.locator("[role=alert]").inner_text() == "用户名或密码错误。"
    assert page.locator("#f-username").input_value() == "admin"
    assert_accessible(page)
    save_screenshot(page, "login-error")

    log_in(page, live_server, "admin")
    assert page.locator("h1").inner_text() == "欢迎，王管理"


def test_home_page_lists_tiles(live_server, admin_page):
    page = admin_page
    tiles = page.locator(".tiles a").all_inner_texts()

    assert "API 访问令牌" in tiles
    assert "用户" in tiles
    assert "审计日志" in tiles
    assert "单位" in tiles
    assert page.locator(".user-name").inner_text() == "王管理（管理员）"
    assert_accessible(page)
    save_screenshot(page, "home")


def test_logout_returns_to_login(live_server, admin_page):
    page = admin_page
    click_and_wait(page, "form[action='/logout'] button")

    assert page.url == live_server.url("/login")
    page.goto("/admin/users")
    assert page.url.startswith(live_server.url("/login"))


def test_tokens_page_creates_and_revokes(live_server, admin_page):
    page = admin_page
    page.goto("/account/tokens")
    assert page.locator("tbody").inner_text().strip() == "还没有令牌。"
    assert_accessible(page)

    page.fill("#f-name", "泵闸网关")
    page.fill("#f-days", "30")
    page.check("#f-can_write")
    click_and_wait(page, "form[action='/account/tokens'] button[type=submit]")

    secret = page.locator("code.token").inner_text()
    assert secret.startswith("cb_")
    row = page.locator("tbody tr", has_text="泵闸网关")
    assert row.locator("td").nth(3).inner_text() == "读写"
    assert row.locator("td").nth(6).inner_text() == "有效"
    assert_accessible(page)
    save_screenshot(page, "tokens-created")
    with live_server.db.session() as session:
        token = session.scalar(select(ApiToken).where(ApiToken.name == "泵闸网关"))
        assert token.can_write is True
        assert token.expires_at is not None
        assert token.revoked_at is None
        assert secret.startswith(f"cb_{token.prefix}_")

    with page.expect_navigation():
        row.get_by_role("button").click()

    row = page.locator("tbody tr", has_text="泵闸网关")
    assert row.locator("td").nth(6).inner_text() == "已吊销"
    assert row.get_by_role("button").count() == 0
    assert page.locator("code.token").count() == 0
    assert_accessible(page)
    save_screenshot(page, "tokens-revoked")
    with live_server.db.session() as session:
        assert session.scalar(select(ApiToken.revoked_at).where(ApiToken.name == "泵闸网关")) is not None


def test_tokens_page_rejects_empty_name(live_server, admin_page):
    page = admin_page
    page.goto("/account/tokens")
    page.locator("#f-name").evaluate("el => el.removeAttribute('required')")
    click_and_wait(page, "form[action='/account/tokens'] button[type=submit]")

    assert page.locator("#f-name").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-name-error").is_visible()
    assert_accessible(page)
    save_screenshot(page, "tokens-error")
    with live_server.db.session() as session:
        assert session.scalar(select(ApiToken)) is None


def test_users_page_adds_unit_reporter(live_server, admin_page):
    page = admin_page
    page.goto("/admin/users")
    assert_accessible(page)

    page.fill("#f-username", "nanxiang.li")
    page.fill("#f-display_name", "李南翔")
    page.fill("#f-password", PASSWORD)
    page.select_option("#f-role", "unit_reporter")
    page.select_option("#f-unit", "310114102")
    click_and_wait(page, "form[action='/admin/users'] button[type=submit]")

    row = page.locator("tbody tr", has_text="nanxiang.li")
    assert row.locator("td").nth(1).inner_text() == "李南翔"
    assert row.locator("td").nth(2).inner_text() == "单位填报员"
    assert row.locator("td").nth(3).inner_text() == "南翔镇"
    assert_accessible(page)
    save_screenshot(page, "users")
    with live_server.db.session() as session:
        user = session.scalar(select(User).where(User.username == "nanxiang.li"))
        assert user.role == "unit_reporter"
        assert user.unit.code == "310114102"
        entry = session.scalar(select(AuditEntry).where(AuditEntry.table == "users", AuditEntry.row_key == str(user.id)))
        assert entry.actor_name == "admin"


def test_users_page_shows_field_errors(live_server, admin_page):
    page = admin_page
    page.goto("/admin/users")
    page.fill("#f-username", "x")
    page.fill("#f-display_name", "某人")
    page.fill("#f-password", "short")
    click_and_wait(page, "form[action='/admin/users'] button[type=submit]")

    assert page.locator(".alert-error").is_visible()
    assert page.locator("#f-username").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-password").get_attribute("aria-invalid") == "true"
    assert page.locator("#f-username").input_value() == "x"
    assert_accessible(page)
    save_screenshot(page, "users-error")
    with live_server.db.session() as session:
        assert session.scalars(select(User.username)).all() == ["admin"]


def test_new_user_can_log_in(live_server, admin_page, browser):
    live_server.add_user("jiading.viewer", "viewer", display_name="赵查看")
    other = browser.new_context(base_url=live_server.base_url, locale="zh-CN")
    try:
        page = other.new_page()
        log_in(page, live_server, "jiading.viewer")
        assert page.locator(".user-name").inner_text() == "赵查看（查看者）"
        assert page.locator(".tiles a", has_text="用户").count() == 0
        response = page.goto("/admin/users")
        assert response.status == 403
        assert_accessible(page)
        save_screenshot(page, "forbidden-403")
    finally:
        other.close()


def test_audit_log_lists_and_filters(live_server, admin_page):
    page = admin_page
    live_server.add_user("jiading.viewer", "viewer")
    page.goto("/admin/audit")

    assert page.locator("table.audit tbody tr").count() >= 3
    assert_accessible(page)
    save_screenshot(page, "audit")
    save_screenshot(page, "audit-top", full_page=False)
    first_after = page.locator("table.audit tbody tr").first.locator("td").nth(6).inner_text()
    assert '"display_name": "jiading.viewer"' in first_after

    page.select_option("#f-table", "users")
    click_and_wait(page, "form.filters button[type=submit]")

    tables = page.locator("table.audit tbody tr td:nth-child(4)").all_inner_texts()
    actions = page.locator("table.audit tbody tr td:nth-child(3)").all_inner_texts()
    assert set(tables) == {"users"}
    # admin and the viewer inserted, and admin's last_login_at updated by the login
    assert sorted(actions) == ["修改", "新增", "新增"]
    assert "table=users" in page.url
    assert_accessible(page)


def test_audit_log_shows_chinese_unescaped(live_server, admin_page):
    page = admin_page
    live_server.add_user("nanxiang.li", "unit_reporter", unit_code="310114102", display_name="李南翔")
    page.goto("/admin/audit?table=users")

    after = page.locator("table.audit tbody tr").first.locator("td").nth(6).inner_text()
    assert '"display_name": "李南翔"' in after
    assert "\\u" not in after


def test_units_page_lists_towns(live_server, admin_page):
    page = admin_page
    page.goto("/units")

    row = page.locator("tbody tr", has_text="310114102")
    assert row.locator("td").nth(1).inner_text() == "南翔镇"
    assert row.locator("td").nth(3).inner_text() == "街镇"
    assert page.locator("tbody tr", has_text="各街镇").count() == 1
    assert_accessible(page)
    save_screenshot(page, "units")


def test_notifications_page_empty(live_server, admin_page):
    page = admin_page
    page.goto("/notifications")

    assert page.locator("ul.notifications li").inner_text() == "暂无通知。"
    assert_accessible(page)


def test_not_found_page(live_server, admin_page):
    page = admin_page
    response = page.goto("/no/such/page")

    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert_accessible(page)
    save_screenshot(page, "not-found-404")


def test_tokens_page_rejects_zero_days(live_server, admin_page):
    page = admin_page
    page.goto("/account/tokens")
    page.fill("#f-name", "泵闸网关")
    page.fill("#f-days", "0")
    click_and_wait(page, "form[action='/account/tokens'] button[type=submit]")

    assert page.locator("#f-days").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    with live_server.db.session() as session:
        assert session.scalar(select(ApiToken)) is None
