"""Administrators reset passwords and deactivate users, from the pages, the CLI and the API."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from citybase.cli import app as cli_app
from citybase.core.audit import AuditEntry
from citybase.core.auth.models import LoginSession, User
from citybase.core.settings import get_settings
from tests.conftest import TEST_PASSWORD, bearer_token, csrf_of, login, make_user

NEW_PASSWORD = "a-new-password-42"


def _user(db, username: str) -> User:
    with db.session() as session:
        return session.scalar(select(User).where(User.username == username))


def _login_form(client, username: str, password: str):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=False)


@pytest.fixture
def admin_and_alice(app, db):
    from fastapi.testclient import TestClient

    make_user(db, "admin", "admin")
    make_user(db, "alice", "viewer")
    with TestClient(app) as admin, TestClient(app) as alice:
        login(admin, "admin")
        login(alice, "alice")
        yield admin, alice


def test_add_user_form_defaults_to_viewer(client, db) -> None:
    make_user(db, "admin", "admin")
    login(client, "admin")
    page = client.get("/admin/users")
    assert '<option value="viewer" selected>查看者</option>' in page.text
    assert '<option value="admin" selected>' not in page.text


def test_reset_with_generated_password_forces_a_change(admin_and_alice, db) -> None:
    admin, alice = admin_and_alice
    csrf = csrf_of(admin, "/admin/users/alice")
    page = admin.post("/admin/users/alice/password", data={"new_password": "", "csrf_token": csrf})
    assert page.status_code == 200
    assert "alice 的密码已重置；该用户下次登录时须设置新密码。" in page.text
    temporary = re.search(r'<code class="token">([^<]+)</code>', page.text).group(1)
    assert len(temporary) == 12
    # Shown once: the user's page does not show it again.
    assert temporary not in admin.get("/admin/users/alice").text
    assert _user(db, "alice").must_change_password is True
    # Alice's session ended at once.
    assert alice.get("/notifications", headers={"accept": "text/html"},
                     follow_redirects=False).headers["location"].startswith("/login")
    assert _login_form(alice, "alice", TEST_PASSWORD).status_code == 400
    response = _login_form(alice, "alice", temporary)
    assert response.headers["location"] == "/account/password"
    # Every other page sends her to the change-password page; the API refuses with 403.
    blocked = alice.get("/units", headers={"accept": "text/html"}, follow_redirects=False)
    assert (blocked.status_code, blocked.headers["location"]) == (303, "/account/password")
    assert alice.get("/", follow_redirects=False).headers["location"] == "/account/password"
    api = alice.get("/api/me")
    assert api.status_code == 403
    assert "/account/password" in api.json()["detail"]
    form = alice.get("/account/password")
    assert "管理员已重置你的密码" in form.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    wrong = alice.post("/account/password", data={
        "current_password": "nope", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD, "csrf_token": csrf,
    })
    assert wrong.status_code == 400
    assert "当前密码不正确。" in wrong.text
    assert _user(db, "alice").must_change_password is True
    done = alice.post("/account/password", data={
        "current_password": temporary, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD,
        "csrf_token": csrf,
    }, follow_redirects=False)
    assert done.headers["location"] == "/?password_changed=1"
    assert "新密码已保存。" in alice.get(done.headers["location"]).text
    assert alice.get("/units").status_code == 200
    assert _user(db, "alice").must_change_password is False
    with db.session() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.table == "users")).all()
        reset = [e for e in entries if e.after and e.after.get("must_change_password") is True]
        assert reset and reset[0].actor_name == "admin"
        assert all("password_hash" not in (e.after or {}) for e in entries)


def test_reset_with_chosen_password_and_short_one_rejected(admin_and_alice, db) -> None:
    admin, _alice = admin_and_alice
    csrf = csrf_of(admin, "/admin/users/alice")
    short = admin.post("/admin/users/alice/password", data={"new_password": "short", "csrf_token": csrf})
    assert short.status_code == 400
    assert "至少使用 10 个字符" in short.text
    assert _user(db, "alice").must_change_password is False
    chosen = admin.post("/admin/users/alice/password", data={"new_password": NEW_PASSWORD, "csrf_token": csrf})
    assert chosen.status_code == 200
    assert '<code class="token">' not in chosen.text
    assert _login_form(admin.__class__(admin.app), "alice", NEW_PASSWORD).headers["location"] == "/account/password"


def test_deactivate_blocks_login_and_tokens(admin_and_alice, client, db) -> None:
    admin, alice = admin_and_alice
    token = bearer_token(db, "alice")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/me", headers=headers).status_code == 200
    csrf = csrf_of(admin, "/admin/users/alice")
    response = admin.post("/admin/users/alice/active", data={"active": "0", "csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert "已停用：无法登录" in admin.get("/admin/users/alice").text
    assert client.get("/api/me", headers=headers).status_code == 401
    assert alice.get("/api/me").status_code == 401
    refused = _login_form(client, "alice", TEST_PASSWORD)
    assert refused.status_code == 403
    assert "此账号已停用；请联系管理员重新启用。" in refused.text
    assert "此账号已停用" not in _login_form(client, "alice", "wrong-password").text
    with db.session() as session:
        assert session.scalar(select(LoginSession).join(User).where(User.username == "alice")) is None
    admin.post("/admin/users/alice/active", data={"active": "1", "csrf_token": csrf})
    assert client.get("/api/me", headers=headers).status_code == 200
    assert _login_form(client, "alice", TEST_PASSWORD).status_code == 303


def test_admin_cannot_deactivate_self_or_last_admin(admin_and_alice, db) -> None:
    admin, _alice = admin_and_alice
    csrf = csrf_of(admin, "/admin/users/admin")
    response = admin.post("/admin/users/admin/active", data={"active": "0", "csrf_token": csrf},
                          headers={"accept": "text/html"})
    assert response.status_code == 409
    assert "不能停用自己的账号" in response.text
    assert _user(db, "admin").is_active is True


@pytest.mark.parametrize("role", ["viewer", "digital_office", "unit_reporter"])
def test_wrong_role_refused_on_pages(client, db, role: str) -> None:
    make_user(db, "alice", "viewer")
    make_user(db, "someone", role, "310114001" if role == "unit_reporter" else None)
    csrf = login(client, "someone")
    assert client.get("/admin/users/alice").status_code == 403
    assert client.post("/admin/users/alice/password", data={"new_password": "", "csrf_token": csrf}).status_code == 403
    assert client.post("/admin/users/alice/active", data={"active": "0", "csrf_token": csrf}).status_code == 403
    user = _user(db, "alice")
    assert user.is_active and not user.must_change_password


def test_api_reset_deactivate_reactivate(client, db) -> None:
    make_user(db, "admin", "admin")
    make_user(db, "office", "digital_office")
    make_user(db, "alice", "viewer")
    admin = {"Authorization": f"Bearer {bearer_token(db, 'admin', write=True)}"}
    listed = client.get("/api/users", headers=admin).json()
    assert [u["username"] for u in listed] == ["admin", "alice", "office"]
    body = client.post("/api/users/alice/password-reset", json={}, headers=admin).json()
    assert len(body["temporary_password"]) == 12
    assert body["user"]["must_change_password"] is True
    body = client.post("/api/users/alice/password-reset", json={"password": "short"}, headers=admin)
    assert body.status_code == 400
    assert body.json()["errors"][0]["field"] == "password"
    assert client.post("/api/users/alice/password-reset", json={"password": NEW_PASSWORD}, headers=admin).json()[
        "temporary_password"] is None
    assert client.post("/api/users/alice/deactivate", headers=admin).json()["is_active"] is False
    again = client.post("/api/users/alice/deactivate", headers=admin)
    assert again.status_code == 409
    assert again.json()["detail"] == "用户 alice 已是停用状态。"
    assert client.post("/api/users/alice/reactivate", headers=admin).json()["is_active"] is True
    assert client.post("/api/users/nobody/deactivate", headers=admin).status_code == 404
    # Wrong role and read-only token.
    office = {"Authorization": f"Bearer {bearer_token(db, 'office', write=True)}"}
    read_only = {"Authorization": f"Bearer {bearer_token(db, 'admin')}"}
    for headers in (office, read_only):
        assert client.post("/api/users/alice/deactivate", headers=headers).status_code == 403
        assert client.post("/api/users/alice/password-reset", json={}, headers=headers).status_code == 403
    assert client.get("/api/users", headers=office).status_code == 403
    assert _user(db, "alice").is_active is True


@pytest.fixture
def cli_env(db, data_dir, monkeypatch):
    monkeypatch.setenv("CITYBASE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CITYBASE_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def test_cli_reset_deactivate_reactivate(cli_env) -> None:
    db = cli_env
    make_user(db, "alice", "viewer")
    runner = CliRunner()
    result = runner.invoke(cli_app, ["users", "reset-password", "alice"])
    assert result.exit_code == 0, result.output
    assert "alice 的密码已重置" in result.output
    assert "临时密码（只显示这一次）：" in result.output
    assert _user(db, "alice").must_change_password is True
    result = runner.invoke(cli_app, ["users", "reset-password", "alice", "--password-stdin"], input="short\n")
    assert result.exit_code == 1
    assert "至少使用 10 个字符" in result.output
    result = runner.invoke(cli_app, ["users", "deactivate", "alice"])
    assert result.exit_code == 0, result.output
    assert "用户 alice 已停用" in result.output
    assert _user(db, "alice").is_active is False
    assert "否" in runner.invoke(cli_app, ["users", "list"]).output
    result = runner.invoke(cli_app, ["users", "reactivate", "alice"])
    assert result.exit_code == 0
    assert _user(db, "alice").is_active is True
    result = runner.invoke(cli_app, ["users", "deactivate", "nobody"])
    assert result.exit_code == 1
    assert "没有名为 nobody 的用户" in result.output
    with db.session() as session:
        actors = set(session.scalars(select(AuditEntry.actor_name).where(AuditEntry.table == "users")))
    assert any(actor.startswith("cli:") for actor in actors)
