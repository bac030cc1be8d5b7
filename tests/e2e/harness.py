"""Browser-test helpers: the live server, logging in, axe-core checks, keyboard checks
and screenshots. ``tests/e2e/conftest.py`` wraps them in fixtures and explains their use.
"""

from __future__ import annotations

import atexit
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from axe_playwright_python.sync_playwright import Axe
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from citybase.core.audit import Actor
from citybase.core.auth import service as auth_service
from citybase.core.db import Database
from citybase.core.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]

# axe-core tags of the WCAG 2.0 and 2.1 success criteria at levels A and AA.
WCAG_21_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PASSWORD = "correct-horse-battery"
SERVER_START_SECONDS = 15.0


_shared: dict[str, Any] = {}


def shared_browser() -> tuple[Playwright, Browser]:
    """Return the one Playwright driver and Chromium of this test process, starting them on first use.

    Test modules outside tests/e2e import the e2e fixtures, which defines them a second
    time; a second sync Playwright in one process fails ("Sync API inside the asyncio
    loop"), so every copy of the fixtures shares these two.
    """
    if "browser" not in _shared:
        driver = sync_playwright().start()
        _shared["driver"] = driver
        _shared["browser"] = driver.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS, headless=True)
        atexit.register(_stop_shared_browser)
    return _shared["driver"], _shared["browser"]


def _stop_shared_browser() -> None:
    browser = _shared.pop("browser", None)
    driver = _shared.pop("driver", None)
    if browser is not None:
        browser.close()
    if driver is not None:
        driver.stop()


@dataclass
class LiveServer:
    """A citybase app served by uvicorn in a background thread on 127.0.0.1."""

    app: FastAPI
    db: Database
    settings: Settings
    _socket: socket.socket = field(init=False, repr=False)
    _server: uvicorn.Server = field(init=False, repr=False)
    _thread: threading.Thread = field(init=False, repr=False)

    @property
    def port(self) -> int:
        return self._socket.getsockname()[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def start(self) -> None:
        # Binding port 0 ourselves and handing uvicorn the socket avoids the race
        # between picking a free port and listening on it.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        config = uvicorn.Config(self.app, log_level="warning", lifespan="on", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="e2e-uvicorn", daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"citybase did not start on {self.base_url} within {SERVER_START_SECONDS} s")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()

    def add_user(self, username: str, role: str, unit_code: str | None = None, display_name: str | None = None,
                 password: str = PASSWORD) -> int:
        """Create a user straight in the database (audited as the CLI); return its id."""
        with self.db.session(Actor("cli", "e2e")) as session:
            user = auth_service.create_user(
                session, username=username, display_name=display_name or username, password=password,
                role=role, unit_code=unit_code,
            )
            return user.id


def log_in(page: Page, server: LiveServer, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form and wait for the page it leads to."""
    page.goto(server.url("/login"))
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    with page.expect_navigation():
        page.click("form[action='/login'] button[type=submit]")
    if page.url.rstrip("/").endswith("/login"):
        raise AssertionError(f"login as {username!r} failed; the page shows: {page.inner_text('main')[:300]}")


def click_and_wait(page: Page, selector: str) -> None:
    """Click a link or submit button and wait until the page it leads to has loaded.

    ``page.click`` returns once a navigation starts, so checks that do not wait
    (``is_visible``, ``count``) could otherwise read a half-loaded page.
    """
    with page.expect_navigation():
        page.click(selector)


def _format_violation(violation: dict[str, Any]) -> str:
    lines = [f"- {violation['id']} ({violation.get('impact') or 'n/a'}): {violation['help']}"]
    for node in violation["nodes"]:
        target = " ".join(str(part) for part in node["target"])
        snippet = re.sub(r"\s+", " ", node.get("html", ""))[:200]
        lines.append(f"    at {target}: {snippet}")
        summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
        if summary:
            lines.append(f"      {summary}")
    return "\n".join(lines)


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """Run axe-core's WCAG 2.1 A and AA rules on ``page``; return the violations."""
    options = {"runOnly": {"type": "tag", "values": WCAG_21_AA_TAGS}, "resultTypes": ["violations"]}
    return Axe().run(page, context=context, options=options).response["violations"]


def assert_accessible(page: Page, context: str | None = None) -> None:
    """Fail with a readable list when axe-core finds WCAG 2.1 A or AA violations."""
    violations = axe_violations(page, context)
    if violations:
        report = "\n".join(_format_violation(v) for v in violations)
        pytest.fail(f"axe-core found {len(violations)} WCAG 2.1 AA violation(s) on {page.url}:\n{report}",
                    pytrace=False)


def save_screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of ``page`` as test-artifacts/screenshots/<name>.png; return its path."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ValueError(f"screenshot name {name!r} must use only letters, digits, '.', '-' and '_'")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# Marks every focusable form control with data-e2e-tab="<n>" and returns their
# descriptions, so a Tab walk can report the controls it never reached.
_LABEL_CONTROLS_JS = """
() => {
  const selector = 'form input:not([type=hidden]), form select, form textarea, form button';
  const controls = [...document.querySelectorAll(selector)].filter(el => {
    const style = getComputedStyle(el);
    return !el.disabled && el.tabIndex >= 0 && style.visibility !== 'hidden' && style.display !== 'none'
      && el.getClientRects().length > 0;
  });
  return controls.map((el, i) => {
    el.dataset.e2eTab = String(i);
    const name = el.id || el.name || el.textContent.trim();
    return `${el.tagName.toLowerCase()}#${name} in form[action=${el.form ? el.form.getAttribute('action') : '?'}]`;
  });
}
"""

_ACTIVE_JS = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== 'none';
  return {tab: el.dataset.e2eTab ?? null, visibleFocus: visible, tag: el.tagName.toLowerCase(),
          text: (el.id || el.name || el.textContent || '').trim().slice(0, 40)};
}
"""


def assert_forms_reachable_by_tab(page: Page, max_presses: int = 200) -> None:
    """Press Tab from the top of the page until every form control has had focus.

    Fails naming the controls never reached, and those that showed no focus outline
    (WCAG 2.4.7), so a keyboard-only user can fill in every form on the page.
    """
    controls: list[str] = page.evaluate(_LABEL_CONTROLS_JS)
    assert controls, f"no form controls on {page.url}; this check needs at least one form"
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    reached: set[int] = set()
    no_outline: list[str] = []
    for _press in range(max_presses):
        page.keyboard.press("Tab")
        active = page.evaluate(_ACTIVE_JS)
        if active is None:
            break
        if not active["visibleFocus"]:
            no_outline.append(f"{active['tag']} {active['text']!r}")
        if active["tab"] is not None:
            reached.add(int(active["tab"]))
        if len(reached) == len(controls):
            break
    missing = [controls[i] for i in range(len(controls)) if i not in reached]
    assert not missing, f"Tab never reached these form controls on {page.url}: {missing}"
    assert not no_outline, f"these elements showed no focus outline on {page.url}: {no_outline}"


def assert_skip_link_works(page: Page) -> None:
    """The first Tab shows the skip link; Enter on it moves focus to <main>."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.keyboard.press("Tab")
    first = page.evaluate("() => ({cls: document.activeElement.className, href: document.activeElement.getAttribute('href')})")
    assert first == {"cls": "skip-link", "href": "#main"}, f"first Tab focused {first} on {page.url}, not the skip link"
    box = page.locator(".skip-link").bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert 0 <= box["x"] < viewport["width"], f"the focused skip link is off screen at {box}"
    assert 0 <= box["y"] < viewport["height"], f"the focused skip link is off screen at {box}"
    page.keyboard.press("Enter")
    focused = page.evaluate("() => document.activeElement.id")
    assert focused == "main", f"Enter on the skip link focused #{focused!r}, not #main"


def assert_accessible_in_every_mode(page: Page, path: str) -> None:
    """Run ``assert_accessible`` on ``path`` in Chinese, in English and in large-text mode.

    The language and text-size cookies are set for the page's origin and cleared again
    afterwards, so pages loaded later are Chinese and normal-size; the page left open is
    the large-text one.
    """
    origin = re.match(r"https?://[^/]+", page.url)
    assert origin is not None, f"open a page of the live server before this check, not {page.url!r}"
    modes = [{}, {"citybase_locale": "en"}, {"citybase_text": "large"}]
    try:
        for cookies in modes:
            page.context.clear_cookies(name=re.compile(r"^citybase_(locale|text)$"))
            if cookies:
                page.context.add_cookies([{"name": n, "value": v, "url": origin.group(0)} for n, v in cookies.items()])
            response = page.goto(origin.group(0) + path)
            assert response is not None and response.ok, f"{path} answered {response and response.status} in {cookies}"
            assert_accessible(page)
    finally:
        page.context.clear_cookies(name=re.compile(r"^citybase_(locale|text)$"))
