"""The catalogue tool finds msgids however deeply a call is nested, and they render in Chinese."""

from __future__ import annotations

import io
import re

from citybase.core import i18n_tools, registry
from citybase.core.i18n import gettext_, use_locale
from tests.conftest import TEST_PASSWORD, csrf_of, login, make_user

NESTED = '''
from citybase.core.errors import FieldError, InvalidInput
from citybase.core.auth import service

def check(name, days):
    raise InvalidInput(errors=[FieldError("name", "Nested message one.", name)])

def other():
    errors = [service.FieldError("days", message="Keyword message two.")]
    raise InvalidInput("Outer detail.", errors=[*errors, FieldError("x", f"not {1}")])
'''


def _extract(source: str) -> list[tuple[int, str, object]]:
    from babel.messages.extract import extract

    found = extract(i18n_tools.extract_python, io.BytesIO(source.encode()), i18n_tools.KEYWORDS)
    return [(lineno, message) for lineno, message, _comments, _context in found]


def test_nested_and_keyword_field_errors_are_extracted() -> None:
    messages = [message for _line, message in _extract(NESTED)]
    # The f-string is not a msgid and is left out.
    assert sorted(messages) == ["Keyword message two.", "Nested message one.", "Outer detail."]


def test_plural_keyword_keeps_both_forms() -> None:
    source = 'x = ngettext_("{count} task", "{count} tasks", n)\n'
    assert [message for _line, message in _extract(source)] == [("{count} task", "{count} tasks")]


def test_core_catalogue_holds_the_nested_messages() -> None:
    core = next(module for module in registry.modules() if module.name == "core")
    template = i18n_tools.extract(core, core.path, [])
    ids = {message.id for message in template}
    assert "The two passwords differ; type the same password twice." in ids
    assert "Give the token a name that says where it is used." in ids
    assert "Use a positive number of days, or leave it empty." in ids


def test_nested_errors_render_in_chinese() -> None:
    with use_locale("zh_CN"):
        assert gettext_("The two passwords differ; type the same password twice.") == "两次输入的密码不一致，请输入相同的密码两次。"
        assert gettext_("Give the token a name that says where it is used.") == "请为令牌命名，说明它用在哪里。"
        assert gettext_("Use a positive number of days, or leave it empty.") == "请填写正整数天数，或留空表示永不过期。"


def test_token_form_errors_show_in_chinese(client, db) -> None:
    make_user(db, "office", "digital_office")
    csrf = login(client, "office")
    response = client.post("/account/tokens", data={"name": " ", "days": "", "csrf_token": csrf})
    assert response.status_code == 400
    assert "请为令牌命名，说明它用在哪里。" in response.text
    response = client.post("/account/tokens", data={"name": "网关", "days": "-3", "csrf_token": csrf_of(client)})
    assert response.status_code == 400
    assert "请填写正整数天数，或留空表示永不过期。" in response.text


def test_setup_password_mismatch_shows_in_chinese(client, db) -> None:
    page = client.get("/setup")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/setup", data={
        "username": "admin", "display_name": "管理员", "password": TEST_PASSWORD,
        "password_again": TEST_PASSWORD + "x", "csrf_token": token,
    })
    assert response.status_code == 400
    assert "两次输入的密码不一致，请输入相同的密码两次。" in response.text
