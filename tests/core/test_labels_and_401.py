"""What readers see: actors, audit actions and role names in Chinese; the API's 401 says how to log in."""

from __future__ import annotations

import getpass

from citybase.core import registry
from citybase.core.actors import actor_label
from citybase.core.auth.roles import permission_label
from citybase.core.audit import Actor
from citybase.core.i18n import use_locale
from citybase.plan.importer import import_plan
from tests.conftest import bearer_token, login, make_user
from tests.plan.conftest import seed_data


def test_actor_labels() -> None:
    with use_locale("zh_CN"):
        assert actor_label("cli:root") == "命令行（系统用户 root）"
        assert actor_label("worker") == "后台定时任务"
        assert actor_label("setup") == "首次设置页面"
        assert actor_label("alice") == "alice"
        assert actor_label("mallory", "anonymous") == "mallory（未登录）"
    with use_locale("en"):
        assert actor_label("cli:root") == "Command line (system user root)"


def test_cli_import_shows_a_clear_actor(client, db) -> None:
    user = getpass.getuser()
    with db.session(Actor("cli", f"cli:{user}")) as session:
        import_plan(session, seed_data(), "task_list.txt")
    make_user(db, "office", "digital_office")
    login(client, "office")
    expected = f"命令行（系统用户 {user}）"
    page = client.get("/plan/import")
    assert expected in page.text
    assert f"cli:{user}" not in page.text
    assert expected in client.get("/plan").text
    audit = client.get("/admin/audit", params={"actor": f"cli:{user}"})
    assert f'<option value="cli:{user}" selected>{expected}</option>' in audit.text
    assert f"<td>{expected}</td><td>新增</td><td>plan_tasks</td>" in audit.text
    token = bearer_token(db, "office")
    rows = client.get("/api/audit", params={"table": "plan_tasks", "limit": 1},
                      headers={"Authorization": f"Bearer {token}"}).json()
    assert rows[0]["actor_name"] == f"cli:{user}"
    assert rows[0]["actor_label"] == expected


def test_audit_page_shows_actions_in_chinese(client, db) -> None:
    make_user(db, "admin", "admin")
    csrf = login(client, "admin")
    client.post("/account/tokens", data={"name": "网关", "days": "", "csrf_token": csrf})
    page = client.get("/admin/audit", params={"table": "api_tokens"})
    assert "<td>admin</td><td>新增</td><td>api_tokens</td>" in page.text
    assert ">insert<" not in page.text


def test_403_page_shows_the_role_in_chinese(client, db) -> None:
    make_user(db, "office", "digital_office")
    login(client, "office")
    page = client.get("/admin/users", headers={"accept": "text/html"})
    assert page.status_code == 403
    assert "区数字办" in page.text
    assert "digital_office" not in page.text
    token = bearer_token(db, "office")
    body = client.get("/api/audit", headers={"Authorization": f"Bearer {token}"}).json()
    assert isinstance(body, list)
    make_user(db, "viewer1", "viewer")
    viewer_token = bearer_token(db, "viewer1")
    body = client.get("/api/audit", headers={"Authorization": f"Bearer {viewer_token}"}).json()
    assert body["status"] == 403
    assert "viewer" not in body["detail"]
    assert "查看者" in body["detail"]


def test_403_names_the_missing_permission_in_chinese(client, db) -> None:
    make_user(db, "office", "digital_office")
    login(client, "office")
    page = client.get("/admin/users", headers={"accept": "text/html"})
    assert page.status_code == 403
    assert "需要“管理用户”权限（users.manage）" in page.text
    make_user(db, "viewer1", "viewer")
    viewer_token = bearer_token(db, "viewer1")
    body = client.get("/api/audit", headers={"Authorization": f"Bearer {viewer_token}"}).json()
    assert "需要“查看审计日志”权限（audit.read）" in body["detail"]
    english = client.get("/api/audit", params={"lang": "en"},
                         headers={"Authorization": f"Bearer {viewer_token}"}).json()
    assert "the permission “Read the audit log” (audit.read)" in english["detail"]


def test_every_permission_has_a_name_in_both_locales() -> None:
    names = registry.permission_labels()
    unnamed = sorted(set(registry.permissions()) - set(names))
    assert unnamed == []
    with use_locale("zh_CN"):
        untranslated = sorted(code for code in names if permission_label(code) == names[code])
    assert untranslated == []
    with use_locale("en"):
        assert permission_label("users.manage") == "Manage users"
        assert permission_label("no.such.permission") == "no.such.permission"


def test_api_401_says_how_to_authenticate(client, db) -> None:
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    detail = response.json()["detail"]
    assert "Authorization: Bearer <令牌>" in detail
    assert "citybase tokens create" in detail
    assert detail != "请先登录"
    english = client.get("/api/plan/overview", params={"lang": "en"}).json()["detail"]
    assert "Authorization: Bearer <token>" in english
    # A page still sends the browser to the login form.
    page = client.get("/admin/users", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")


def test_login_is_recorded_as_the_user(client, db) -> None:
    from sqlalchemy import select

    from citybase.core.audit import AuditEntry

    make_user(db, "alice", "viewer")
    login(client, "alice")
    with db.session() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.table == "users").order_by(AuditEntry.id.desc())
        ).first()
    assert "last_login_at" in entry.after
    assert (entry.actor_kind, entry.actor_name) == ("user", "alice")
