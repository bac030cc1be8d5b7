"""Browser tests: citybase served by uvicorn, driven by Debian's Chromium through Playwright.

How to write one (put the file in tests/e2e/, named test_<pages>.py; a test module
elsewhere imports the fixtures it uses, e.g. ``from tests.e2e.conftest import browser,
context, live_server, page, playwright_driver``)::

    import pytest
    from tests.e2e.harness import assert_accessible, assert_forms_reachable_by_tab, save_screenshot

    pytestmark = pytest.mark.e2e

    def test_tokens_page(live_server, admin_page):
        admin_page.goto("/account/tokens")             # relative to live_server.base_url
        assert admin_page.locator("h1").inner_text() == "API 访问令牌"
        assert_accessible(admin_page)                  # axe-core, WCAG 2.1 A and AA
        assert_forms_reachable_by_tab(admin_page)      # every form control gets focus by Tab
        save_screenshot(admin_page, "tokens")          # test-artifacts/screenshots/tokens.png

Fixtures (all function-scoped unless noted otherwise):

- ``live_server``: a fresh app on a free 127.0.0.1 port with its own data directory and
  the shared ``db`` fixture's database (a copy of the migrated SQLite template, or a
  truncated private PostgreSQL database when CITYBASE_TEST_DATABASE_URL is set). It has
  ``url(path)``, ``db`` (assert stored rows through ``db.session()``), ``settings`` and
  ``add_user(username, role, unit_code=None)``; every user gets ``harness.PASSWORD``.
  The worker does not run; call a module's job functions on ``live_server.db`` instead.
- ``browser`` (session-scoped): headless Chromium from /usr/bin/chromium, one per test
  process, closed when the process exits. No browser is ever downloaded; the test fails
  with the install command when Chromium is missing.
- ``page``: a new tab in a fresh context (no cookies), zh-CN, Asia/Shanghai, 1280x900,
  whose relative ``goto("/path")`` resolves against the live server.
- ``admin_page``: ``page`` logged in as ``admin`` (role admin). For another role, create
  the user with ``live_server.add_user`` and call ``harness.log_in(page, live_server, name)``.

Helpers in ``tests/e2e/harness.py``:

- ``assert_accessible(page)`` fails with each violation's rule, element and fix;
  ``assert_accessible_in_every_mode(page, path)`` checks ``path`` in Chinese, English and
  large-text mode.
- ``assert_forms_reachable_by_tab(page)`` presses Tab until every form control on the
  page had focus with a visible outline; ``assert_skip_link_works(page)``.
- ``click_and_wait(page, selector)`` clicks and waits for the next page to load; use it
  for every click that navigates, so checks never read a half-loaded page.
- ``save_screenshot(page, name)`` writes a full-page PNG; test-artifacts/ is git-ignored.
  Open the PNGs and look at them: axe cannot see overlapping text or clipped Chinese.

Every test collected under tests/e2e/ gets the ``e2e`` mark (``pytestmark`` above makes
it explicit), so ``pytest -m "not e2e"`` leaves the browser out and ``pytest -m e2e`` runs
only it. Playwright's default timeout is 30 s here: long enough for an argon2 login on a
loaded machine, short enough that a missing element fails within a minute.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright

from citybase.core.auth.roles import ADMIN
from citybase.core.db import Database
from citybase.core.settings import Settings
from tests.e2e.harness import CHROMIUM_PATH, LiveServer, log_in, shared_browser

# Generous because argon2 hashing on a loaded CI machine can take several seconds per login.
DEFAULT_TIMEOUT_MS = 30_000
E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def live_server(db: Database, tmp_path: Path) -> Iterator[LiveServer]:
    from citybase.web.app import create_app

    data_dir = tmp_path / "server-data"
    data_dir.mkdir()
    settings = Settings(data_dir=data_dir, worker_in_serve=False, _env_file=None)
    app = create_app(settings, db, run_worker=False, migrate_on_start=False)
    server = LiveServer(app=app, db=db, settings=settings)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_driver() -> Playwright:
    if not os.access(CHROMIUM_PATH, os.X_OK):
        pytest.fail(f"{CHROMIUM_PATH} is missing; install Debian's browser with `sudo apt-get install chromium` "
                    "(make test does this)", pytrace=False)
    driver, _browser = shared_browser()
    return driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Browser:
    _driver, browser = shared_browser()
    return browser


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    context = browser.new_context(
        base_url=live_server.base_url, locale="zh-CN", timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def admin_page(page: Page, live_server: LiveServer) -> Page:
    live_server.add_user("admin", ADMIN, display_name="王管理")
    log_in(page, live_server, "admin")
    return page
