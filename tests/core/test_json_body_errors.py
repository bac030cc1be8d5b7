"""A body that is not JSON gets a Chinese error on field "body" saying where the JSON breaks."""


def test_invalid_json_body_names_body_line_and_column(client, db):
    from tests.conftest import bearer_token, make_user

    make_user(db, "svc", "viewer")
    token = bearer_token(db, "svc", write=True)
    body = b'{"name": "x",\n "days": }'
    response = client.post("/api/tokens", content=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept-Language": "zh-CN",
    })
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "body"
    assert error["value"] == "}"
    assert "不是有效的 JSON" in error["message"]
    assert "第 2 行第 10 列" in error["message"]
    assert "JSON decode error" not in response.text


def test_invalid_json_changes_nothing(client, db):
    from sqlalchemy import select

    from citybase.core.auth.models import ApiToken
    from tests.conftest import bearer_token, make_user

    make_user(db, "svc", "viewer")
    token = bearer_token(db, "svc", write=True)
    with db.session() as session:
        before = len(session.scalars(select(ApiToken)).all())
    response = client.post("/api/tokens", content=b"{name: x}", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"
    with db.session() as session:
        assert len(session.scalars(select(ApiToken)).all()) == before
