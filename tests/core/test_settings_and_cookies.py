"""Settings that reach the code (.env locale, time zone, Secure cookies) and the sliding login cookie."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from typer.testing import CliRunner

# Imported here, in the default locale: the CLI's help texts are translated at import.
from citybase.cli import app as cli_app
from citybase.core import i18n
from citybase.core.auth.models import LoginSession
from citybase.core.db import utcnow
from citybase.core.settings import Settings, get_settings
from tests.conftest import TEST_PASSWORD, login, make_user


@pytest.fixture
def env_file_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db) -> Path:
    """A working directory whose .env sets English and the test database."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / ".env").write_text(
        f"CITYBASE_LOCALE=en\nCITYBASE_DATA_DIR={tmp_path / 'data-env'}\nCITYBASE_DATABASE_URL={db.url}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(folder)
    for name in ("CITYBASE_LOCALE", "CITYBASE_DATA_DIR", "CITYBASE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def test_locale_from_env_file_sets_cli_language(env_file_dir: Path, db) -> None:
    assert get_settings().locale == "en"
    assert i18n.default_locale() == "en"
    assert i18n.gettext_("Log in") == "Log in"
    make_user(db, "alice", "viewer")
    result = CliRunner().invoke(cli_app, ["users", "list"])
    assert result.exit_code == 0, result.output
    assert "Username" in result.output
    assert "用户名" not in result.output


def test_environment_wins_over_env_file(env_file_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYBASE_LOCALE", "zh_CN")
    get_settings.cache_clear()
    assert i18n.default_locale() == "zh_CN"


def test_locale_from_env_file_sets_page_language(env_file_dir: Path, db, data_dir: Path) -> None:
    from citybase.web.app import create_app

    settings = Settings(data_dir=data_dir, worker_in_serve=False, _env_file=env_file_dir / ".env")
    assert settings.locale == "en"
    app = create_app(settings, db, run_worker=False, migrate_on_start=False)
    make_user(db, "alice", "viewer")
    with TestClient(app) as client:
        page = client.get("/login")
        assert '<html lang="en"' in page.text
        assert "Log in" in page.text
        assert "登录" not in page.text.replace("中文", "")


def test_secret_key_setting_is_gone() -> None:
    assert "secret_key" not in Settings.model_fields
    text = (Path(__file__).resolve().parents[2] / "docs" / "settings.md").read_text(encoding="utf-8")
    assert "CITYBASE_SECRET_KEY" not in text


def test_timezone_must_be_a_real_zone() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(timezone="Mars/Olympus", _env_file=None)
    assert "CITYBASE_TIMEZONE must be an IANA time zone such as Asia/Shanghai, got 'Mars/Olympus'" in str(caught.value)


def test_timezone_sets_displayed_times_and_calendar_days() -> None:
    from citybase.plan.supervision import clock

    moment = dt.datetime(2022, 5, 31, 17, 30, tzinfo=dt.UTC)
    try:
        i18n.configure_timezone("Asia/Shanghai")
        with i18n.use_locale("zh_CN"):
            assert i18n.format_datetime(moment) == "2022-06-01 01:30"
        assert clock.local_date(moment) == dt.date(2022, 6, 1)
        assert clock.start_of_day(dt.date(2022, 6, 1)) == dt.datetime(2022, 5, 31, 16, 0, tzinfo=dt.UTC)
        i18n.configure_timezone("Europe/London")
        with i18n.use_locale("zh_CN"):
            assert i18n.format_datetime(moment) == "2022-05-31 18:30"
        assert clock.local_date(moment) == dt.date(2022, 5, 31)
        assert clock.start_of_day(dt.date(2022, 6, 1)) == dt.datetime(2022, 5, 31, 23, 0, tzinfo=dt.UTC)
    finally:
        i18n.configure_timezone("Asia/Shanghai")


def test_app_uses_its_settings_timezone(db, data_dir: Path) -> None:
    from citybase.web.app import create_app

    try:
        create_app(Settings(data_dir=data_dir, timezone="UTC", _env_file=None), db, run_worker=False,
                   migrate_on_start=False)
        assert i18n.local_zone().key == "UTC"
    finally:
        i18n.configure_timezone("Asia/Shanghai")


def _session_cookie(response) -> str:
    [cookie] = [v for v in response.headers.get_list("set-cookie") if v.startswith("citybase_session=")]
    return cookie


def test_login_cookie_flags_default(client, db) -> None:
    make_user(db, "alice", "viewer")
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/login", data={"username": "alice", "password": TEST_PASSWORD, "csrf_token": token},
                           follow_redirects=False)
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Max-Age=43200" in cookie
    assert "Secure" not in cookie


def test_cookie_secure_setting(db, data_dir: Path) -> None:
    from citybase.web.app import create_app

    settings = Settings(data_dir=data_dir, cookie_secure=True, worker_in_serve=False, _env_file=None)
    app = create_app(settings, db, run_worker=False, migrate_on_start=False)
    make_user(db, "alice", "viewer")
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/login")
        assert "Secure" in [v for v in page.headers.get_list("set-cookie") if v.startswith("citybase_csrf=")][0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = client.post("/login", data={"username": "alice", "password": TEST_PASSWORD, "csrf_token": token},
                               follow_redirects=False)
        assert "Secure" in _session_cookie(response)


def test_sliding_expiry_renews_the_cookie(client, db) -> None:
    make_user(db, "alice", "viewer")
    login(client, "alice")
    with db.session() as session:
        row = session.scalar(select(LoginSession))
        row.expires_at = utcnow() + dt.timedelta(hours=1)
    response = client.get("/notifications")
    assert response.status_code == 200
    cookie = _session_cookie(response)
    assert "Max-Age=43200" in cookie
    assert "HttpOnly" in cookie
    with db.session() as session:
        left = session.scalar(select(LoginSession)).expires_at - utcnow()
    assert dt.timedelta(hours=11, minutes=59) < left <= dt.timedelta(hours=12)
    # A fresh session is not re-sent on every request.
    again = client.get("/notifications")
    assert not [v for v in again.headers.get_list("set-cookie") if v.startswith("citybase_session=")]
