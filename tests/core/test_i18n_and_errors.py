from citybase.core import i18n, i18n_tools
from citybase.core.errors import FieldError, InvalidInput
from citybase.web.errors import problem_body


def test_every_msgid_has_chinese():
    assert i18n_tools.missing("zh_CN") == {}


def test_msgids_translated_alike_in_every_module():
    # The merged catalogue keeps the first module's translation, so a second one is never shown.
    assert i18n_tools.conflicts("zh_CN") == {}


def test_default_locale_is_chinese():
    assert i18n.current_locale() == "zh_CN"
    assert i18n.gettext_("Log in") == "登录"


def test_english_locale_keeps_msgid():
    with i18n.use_locale("en"):
        assert i18n.gettext_("Log in") == "Log in"


def test_placeholders_are_filled():
    assert i18n.gettext_("Token {id} revoked.", id=7) == "令牌 7 已吊销。"


def test_problem_body_shape(client):
    response = client.get("/api/tokens")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "instance"}
    assert body["status"] == 401
    assert body["title"] == "请先登录"
    assert body["instance"] == "/api/tokens"


def test_field_errors_in_problem_body():
    class _Request:
        class url:
            path = "/api/x"

    error = InvalidInput("The user could not be created.",
                         errors=[FieldError("password", "Use at least {min} characters.", None, {"min": 10})])
    body = problem_body(_Request(), error)
    assert body["errors"] == [{"field": "password", "value": None, "message": "至少使用 10 个字符。"}]
    assert body["detail"] == "用户创建失败。"


def test_validation_error_names_field(client, db):
    from tests.conftest import bearer_token, make_user

    make_user(db, "svc", "viewer")
    token = bearer_token(db, "svc", write=True)
    response = client.post("/api/tokens", json={"name": "x", "days": "many"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    fields = [e["field"] for e in response.json()["errors"]]
    assert fields == ["days"]


def test_html_404_is_chinese_page(client):
    response = client.get("/no-such-page", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert "<html lang=\"zh-CN\"" in response.text
    assert "没有页面或资源" in response.text


def test_openapi_schema_names_unique(client):
    # FastAPI renames two response models of the same class name to their module paths,
    # which breaks clients generated from the schema; each model needs its own name.
    names = client.get("/openapi.json").json()["components"]["schemas"]
    qualified = [name for name in names if name.startswith("citybase__")]
    assert qualified == []
