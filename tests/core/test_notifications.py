"""Notifications are shown in the reader's locale, on the page and through the API."""

from __future__ import annotations

from sqlalchemy import select

from citybase.core.audit import Actor
from citybase.core.auth.models import User
from citybase.core.messages import msg
from citybase.core.notifications import notify
from tests.conftest import bearer_token, login, make_user

TITLE = msg("Supervision notice {label}: {title}", label="督办〔2024〕1号", title="5G 基站建设滞后")
BODY = msg("Reply by {due}.", due="2024-06-30")


def _send(db, username: str) -> tuple[int, int]:
    with db.session(Actor("cli", "test")) as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        note = notify(session, kind="plan_supervision", title=TITLE.render("zh_CN"), body=BODY.render("zh_CN"),
                      user_id=user_id, link="/plan/notices/1",
                      data={"title": TITLE.as_dict(), "body": BODY.as_dict()})
        plain = notify(session, kind="other", title="系统维护通知", user_id=user_id)
        return note.id, plain.id


def test_page_renders_readers_locale(client, db) -> None:
    make_user(db, "office", "digital_office")
    _send(db, "office")
    login(client, "office")
    chinese = client.get("/notifications").text
    assert "督办单 督办〔2024〕1号：5G 基站建设滞后" in chinese
    assert "请于 2024-06-30 前反馈。" in chinese
    english = client.get("/notifications", params={"lang": "en"}).text
    assert "Supervision notice 督办〔2024〕1号: 5G 基站建设滞后" in english
    assert "Reply by 2024-06-30." in english
    # A notification stored without a message is shown as it was stored, in every locale.
    assert "系统维护通知" in english


def test_api_lists_and_marks_read(client, db) -> None:
    make_user(db, "office", "digital_office")
    note_id, plain_id = _send(db, "office")
    reader = {"Authorization": f"Bearer {bearer_token(db, 'office')}"}
    writer = {"Authorization": f"Bearer {bearer_token(db, 'office', write=True)}"}
    listed = client.get("/api/notifications", headers=reader).json()
    assert [item["id"] for item in listed] == [plain_id, note_id]
    assert listed[1]["title"] == "督办单 督办〔2024〕1号：5G 基站建设滞后"
    assert listed[1]["read"] is False
    assert listed[1]["addressed_to"] == "user"
    english = client.get("/api/notifications", params={"lang": "en"}, headers=reader).json()
    assert english[1]["body"] == "Reply by 2024-06-30."
    rejected = client.post(f"/api/notifications/{note_id}/read", headers=reader)
    assert rejected.status_code == 403
    assert "只读" in rejected.json()["detail"]
    marked = client.post(f"/api/notifications/{note_id}/read", headers=writer)
    assert marked.status_code == 200
    assert marked.json()["read"] is True
    unread = client.get("/api/notifications", params={"unread": "true"}, headers=reader).json()
    assert [item["id"] for item in unread] == [plain_id]


def test_api_hides_other_users_notes(client, db) -> None:
    make_user(db, "office", "digital_office")
    make_user(db, "viewer1", "viewer")
    note_id, _ = _send(db, "office")
    other = {"Authorization": f"Bearer {bearer_token(db, 'viewer1', write=True)}"}
    response = client.post(f"/api/notifications/{note_id}/read", headers=other)
    assert response.status_code == 404
    assert str(note_id) in response.json()["detail"]
    assert client.get("/api/notifications", headers=other).json() == []
    owner = {"Authorization": f"Bearer {bearer_token(db, 'office')}"}
    assert client.get("/api/notifications", headers=owner).json()[1]["read"] is False
