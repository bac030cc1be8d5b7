import re

from sqlalchemy import select

from citybase.core.audit import AuditEntry
from citybase.core.auth.models import LoginSession, User
from tests.conftest import TEST_PASSWORD, bearer_token, csrf_of, login, make_user


def _presession_csrf(client, path):
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def test_first_visit_redirects_to_setup(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/setup"


def test_setup_creates_admin_once(client, db):
    token = _presession_csrf(client, "/setup")
    response = client.post("/setup", data={
        "username": "admin", "display_name": "管理员", "password": TEST_PASSWORD,
        "password_again": TEST_PASSWORD, "csrf_token": token,
    }, follow_redirects=False)
    assert response.status_code == 303
    with db.session() as session:
        admin = session.scalar(select(User).where(User.username == "admin"))
        assert admin.role == "admin"
        assert admin.password_hash.startswith("$argon2")
    second = client.get("/setup", headers={"accept": "text/html"})
    assert second.status_code == 404
    assert "初始化已完成" in second.text


def test_setup_rejects_short_password_and_changes_nothing(client, db):
    token = _presession_csrf(client, "/setup")
    response = client.post("/setup", data={
        "username": "admin", "display_name": "管理员", "password": "short",
        "password_again": "short", "csrf_token": token,
    })
    assert response.status_code == 400
    assert "至少使用 10 个字符" in response.text
    with db.session() as session:
        assert session.scalar(select(User)) is None


def test_setup_refused_from_remote_address(app, db):
    from fastapi.testclient import TestClient

    with TestClient(app, client=("203.0.113.5", 5000)) as remote:
        response = remote.get("/setup", headers={"accept": "text/html"})
    assert response.status_code == 403
    assert "127.0.0.1" in response.text


def test_setup_without_csrf_is_refused(client, db):
    client.get("/setup")
    response = client.post("/setup", data={
        "username": "admin", "display_name": "x", "password": TEST_PASSWORD, "password_again": TEST_PASSWORD,
    })
    assert response.status_code == 403
    with db.session() as session:
        assert session.scalar(select(User)) is None


def test_login_wrong_password_shows_chinese_error(client, db):
    make_user(db, "alice", "viewer")
    token = _presession_csrf(client, "/login")
    response = client.post("/login", data={"username": "alice", "password": "wrong-password", "csrf_token": token})
    assert response.status_code == 400
    assert "用户名或密码错误" in response.text
    with db.session() as session:
        assert session.scalar(select(LoginSession)) is None


def test_login_and_logout(client, db):
    make_user(db, "alice", "viewer")
    csrf = login(client, "alice")
    assert "欢迎" in client.get("/").text
    response = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_post_without_csrf_is_refused(client, db):
    make_user(db, "alice", "viewer")
    login(client, "alice")
    response = client.post("/account/tokens", data={"name": "gateway"})
    assert response.status_code == 403


def test_viewer_cannot_manage_users(client, db):
    make_user(db, "alice", "viewer")
    csrf = login(client, "alice")
    assert client.get("/admin/users").status_code == 403
    response = client.post("/admin/users", data={
        "username": "bob", "display_name": "Bob", "password": TEST_PASSWORD, "role": "admin", "csrf_token": csrf,
    })
    assert response.status_code == 403
    with db.session() as session:
        assert session.scalar(select(User).where(User.username == "bob")) is None


def test_admin_adds_unit_reporter(client, db):
    make_user(db, "root", "admin")
    csrf = login(client, "root")
    response = client.post("/admin/users", data={
        "username": "nanxiang", "display_name": "南翔填报员", "password": TEST_PASSWORD, "role": "unit_reporter",
        "unit": "310114102", "csrf_token": csrf,
    }, follow_redirects=False)
    assert response.status_code == 303
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == "nanxiang"))
        assert user.unit.name == "南翔镇"
        entry = session.scalar(select(AuditEntry).where(AuditEntry.table == "users", AuditEntry.action == "insert",
                                                        AuditEntry.row_key == str(user.id)))
        assert entry.actor_name == "root"
        assert entry.after["username"] == "nanxiang"
        assert "password_hash" not in entry.after


def test_unit_reporter_needs_unit(client, db):
    make_user(db, "root", "admin")
    csrf = login(client, "root")
    response = client.post("/admin/users", data={
        "username": "nanxiang", "display_name": "x", "password": TEST_PASSWORD, "role": "unit_reporter", "csrf_token": csrf,
    })
    assert response.status_code == 400
    assert "单位填报员必须属于一个单位" in response.text


def test_token_page_creates_and_revokes(client, db):
    make_user(db, "alice", "viewer")
    csrf = login(client, "alice")
    response = client.post("/account/tokens", data={"name": "网关", "csrf_token": csrf})
    assert response.status_code == 201
    raw = re.search(r'<code class="token">(cb_[^<]+)</code>', response.text).group(1)
    api = client.get("/healthz", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200
    with db.session() as session:
        from citybase.core.auth.models import ApiToken

        token_id = session.scalar(select(ApiToken.id))
    revoke = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_of(client)},
                         follow_redirects=False)
    assert revoke.status_code == 303
    assert "已吊销" in client.get("/account/tokens").text


def test_revoked_bearer_token_is_refused(client, db):
    make_user(db, "svc", "viewer")
    raw = bearer_token(db, "svc")
    with db.session() as session:
        from citybase.core.auth import service
        from citybase.core.auth.models import ApiToken

        service.revoke_token(session, session.scalar(select(ApiToken.id)), None)
    response = client.get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_five_wrong_passwords_lock_the_account(client, db):
    make_user(db, "alice", "viewer")
    token = _presession_csrf(client, "/login")
    for _attempt in range(5):
        response = client.post("/login", data={"username": "alice", "password": "wrong-password", "csrf_token": token})
        assert response.status_code == 400
    locked = client.post("/login", data={"username": "alice", "password": TEST_PASSWORD, "csrf_token": token})
    assert locked.status_code == 403
    assert "账号已锁定" in locked.text
    with db.session() as session:
        user = session.scalar(select(User).where(User.username == "alice"))
        assert user.locked_until is not None
        assert session.scalar(select(LoginSession)) is None


def test_right_password_resets_failure_count(client, db):
    make_user(db, "alice", "viewer")
    token = _presession_csrf(client, "/login")
    for _attempt in range(3):
        client.post("/login", data={"username": "alice", "password": "wrong-password", "csrf_token": token})
    login(client, "alice")
    with db.session() as session:
        assert session.scalar(select(User.failed_logins).where(User.username == "alice")) == 0
