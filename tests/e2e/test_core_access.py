"""Language switch, large-text mode, keyboard-only use and narrow screens on the core pages."""

from __future__ import annotations

import pytest

from tests.e2e.harness import (
    assert_accessible, assert_accessible_in_every_mode, assert_forms_reachable_by_tab, assert_skip_link_works,
    click_and_wait, save_screenshot,
)

pytestmark = pytest.mark.e2e

LOGGED_IN_FORM_PAGES = ["/account/tokens", "/admin/users", "/admin/audit"]


# Number of lines the text of a table cell occupies (no wrapping inside Chinese words).
_TEXT_LINES_JS = """
el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
  return tops.size;
}
"""


def _root_font_px(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


def test_language_switch_to_english_and_back(live_server, admin_page):
    page = admin_page
    page.goto("/admin/users")

    click_and_wait(page, "header a[lang=en]")

    assert page.url == live_server.url("/admin/users")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Users"
    assert page.locator("form[action='/logout'] button").inner_text() == "Log out"
    assert page.locator("header a[lang=zh-CN]").inner_text() == "中文"
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["citybase_locale"] == "en"
    assert_accessible(page)
    save_screenshot(page, "users-en")

    page.goto("/")
    assert page.locator("h1").inner_text() == "Welcome, 王管理"
    save_screenshot(page, "home-en")

    click_and_wait(page, "header a[lang=zh-CN]")

    assert page.url == live_server.url("/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "欢迎，王管理"
    assert page.locator("header a[lang=en]").inner_text() == "English"


def test_language_switch_before_login(live_server, page):
    live_server.add_user("admin", "admin")
    page.goto("/login")

    click_and_wait(page, "header a[lang=en]")

    assert page.locator("h1").inner_text() == "Log in"
    assert page.locator("label[for=f-username]").inner_text().startswith("Username")
    assert_accessible(page)
    save_screenshot(page, "login-en")


def test_large_text_mode_on_and_off(live_server, admin_page):
    page = admin_page
    page.goto("/account/tokens")
    normal_px = _root_font_px(page)
    normal_h1 = page.locator("h1").bounding_box()["height"]

    click_and_wait(page, "header a[href^='/text-size?size=large']")

    assert page.url == live_server.url("/account/tokens")
    assert page.locator("html").get_attribute("class") == "large-text"
    assert _root_font_px(page) == 20
    assert normal_px == 16
    assert page.locator("h1").bounding_box()["height"] > normal_h1 * 1.2
    assert page.locator("header a[href^='/text-size?size=normal']").inner_text() == "标准字号"
    assert_accessible(page)
    save_screenshot(page, "tokens-large-text")

    page.goto("/admin/users")
    assert _root_font_px(page) == 20
    assert_accessible(page)
    save_screenshot(page, "users-large-text")

    click_and_wait(page, "header a[href^='/text-size?size=normal']")

    assert page.locator("html").get_attribute("class") is None
    assert _root_font_px(page) == 16


@pytest.mark.parametrize("path", ["/", *LOGGED_IN_FORM_PAGES, "/units", "/notifications"])
def test_pages_accessible_in_every_mode(live_server, admin_page, path):
    assert_accessible_in_every_mode(admin_page, path)

    assert admin_page.locator("html").get_attribute("class") == "large-text"
    admin_page.reload()
    assert admin_page.locator("html").get_attribute("lang") == "zh-CN"
    assert admin_page.locator("html").get_attribute("class") is None


def test_skip_link_before_login(live_server, page):
    live_server.add_user("admin", "admin")
    page.goto("/login")

    assert_skip_link_works(page)


@pytest.mark.parametrize("path", ["/", *LOGGED_IN_FORM_PAGES, "/units"])
def test_skip_link_on_logged_in_pages(live_server, admin_page, path):
    admin_page.goto(path)

    assert_skip_link_works(admin_page)


def test_setup_form_reachable_by_tab(live_server, page):
    page.goto("/setup")

    assert_forms_reachable_by_tab(page)


def test_login_form_reachable_by_tab(live_server, page):
    live_server.add_user("admin", "admin")
    page.goto("/login")

    assert_forms_reachable_by_tab(page)


@pytest.mark.parametrize("path", LOGGED_IN_FORM_PAGES)
def test_forms_reachable_by_tab(live_server, admin_page, path):
    live_server.add_user("jiading.viewer", "viewer")
    admin_page.goto(path)

    assert_forms_reachable_by_tab(admin_page)


def test_tokens_page_by_keyboard_only(live_server, admin_page):
    """Create and revoke a token with the keyboard alone."""
    page = admin_page
    page.goto("/account/tokens")

    page.focus("#f-name")
    page.keyboard.type("键盘令牌")
    page.keyboard.press("Tab")
    page.keyboard.type("7")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("code.token").is_visible()

    row = page.locator("tbody tr", has_text="键盘令牌")
    assert row.locator("td").nth(3).inner_text() == "读写"
    row.get_by_role("button").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("tbody tr", has_text="键盘令牌").locator("td").nth(6).inner_text() == "已吊销"


@pytest.mark.parametrize("path", ["/", "/account/tokens", "/admin/users"])
def test_narrow_screen_has_no_sideways_scroll(live_server, admin_page, path):
    """At 320 CSS px (400 % zoom of 1280 px) pages reflow without horizontal scrolling."""
    page = admin_page
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(path)

    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at 320 px wide"
    for cell in page.locator("table.data td").all():
        lines = cell.evaluate(_TEXT_LINES_JS)
        assert lines <= 1 or " " in cell.inner_text(), f"{cell.inner_text()!r} wraps onto {lines} lines at 320 px"
    assert_accessible(page)
    save_screenshot(page, "narrow" + (path.replace("/", "-").rstrip("-") or "-home"))
