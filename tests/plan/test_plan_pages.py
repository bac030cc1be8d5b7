"""Plan pages: who may see them, what they show, and the upload page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from citybase.plan.models import PlanImport, Task
from tests.conftest import csrf_of, login, make_user
from tests.plan.conftest import seed_data

HTML = {"accept": "text/html"}

READ_PAGES = ["/plan", "/plan/tasks", "/plan/tasks/1", "/plan/units/310114-D002"]


def text_of(html: str) -> str:
    """Return the page's text without tags, with whitespace squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def task_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Task.id)))


@pytest.fixture
def viewer(client, db):
    make_user(db, "viewer", "viewer")
    login(client, "viewer")
    return client


@pytest.fixture
def office(client, db):
    make_user(db, "office", "digital_office")
    login(client, "office")
    return client


@pytest.mark.parametrize("path", [*READ_PAGES, "/plan/import"])
def test_anonymous_redirected_to_login(client, imported, path: str) -> None:
    response = client.get(path, headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", [*READ_PAGES, "/plan/import"])
def test_public_role_refused(client, db, imported, path: str) -> None:
    make_user(db, "citizen", "public")
    login(client, "citizen")
    response = client.get(path, headers=HTML)
    assert response.status_code == 403
    assert "plan." in response.text


@pytest.mark.parametrize("role", ["viewer", "unit_reporter", "dispatcher", "data_steward", "digital_office", "admin"])
def test_read_pages_open_to_staff(client, db, imported, role: str) -> None:
    make_user(db, "someone", role, "310114-D002" if role == "unit_reporter" else None)
    login(client, "someone")
    for path in READ_PAGES:
        assert client.get(path, headers=HTML).status_code == 200, path


def test_import_page_refused_to_viewer(viewer) -> None:
    assert viewer.get("/plan/import", headers=HTML).status_code == 403
    token = csrf_of(viewer)
    response = viewer.post(
        "/plan/import", data={"csrf_token": token}, files={"file": ("t.txt", seed_data(), "text/plain")}, headers=HTML,
    )
    assert response.status_code == 403


def test_overview_shows_counts(viewer, imported) -> None:
    page = viewer.get("/plan", headers=HTML)
    text = text_of(page.text)
    assert "嘉定区城市数字化转型行动方案（2021-2023年）工作任务清单" in text
    assert "95 任务" in text
    assert "34 重点项目" in text
    assert "23 量化指标" in text
    assert "（三）“全景赋能”生活数字化满足新需求 8 22 6" in text
    assert "5、探索构建数字孪生城市 编号为推定" in text
    assert "区行政服务中心 牵头 12 · 配合 3" in text
    # The same count as the import summary: aliases merged, placeholders apart.
    assert "52 责任单位（别名合并计） 另有3个统称（如各街镇）" in text
    assert "存算一体数据中心机架数 2万架至3万架 力争 累计" in text
    assert "在线新经济总产出 约3000亿元" in text
    assert "“一网通办”平台实际办件网办比例 不少于80%" in text


def test_overview_before_any_import(viewer) -> None:
    text = text_of(viewer.get("/plan", headers=HTML).text)
    assert "尚未导入任务清单。" in text


def test_task_list_filters(viewer, imported) -> None:
    def seqs(query: str) -> list[int]:
        page = viewer.get(f"/plan/tasks?{query}", headers=HTML)
        assert page.status_code == 200
        return [int(s) for s in re.findall(r'<td class="num">(\d+)</td>\s*<td><a href="/plan/tasks/', page.text)]

    assert len(seqs("")) == 50  # first page of 95
    assert seqs("page=2")[0] == 51
    assert seqs("section=5") == [71, 72, 73, 74, 75]
    assert seqs("has_indicators=yes&section=1") == [1, 2, 3, 5]
    assert seqs("unit=310114-D030") == [49, 82, 90, 91]
    assert seqs("unit=310114-D030&role=lead") == [82]
    assert seqs("unit=310114-D030&role=cooperator") == [49, 90, 91]
    assert seqs("q=5G基站") == [1]
    assert seqs("q=区人社局") == [82]
    assert seqs("q=不存在的内容") == []


@pytest.mark.parametrize(("query", "message"), [
    ("role=boss", "请从以下选项中选择：any, lead, cooperator。"),
    ("has_indicators=maybe", "请从以下选择：yes, no。"),
    ("section=9", "没有第9部分；任务清单共有第1至6部分。"),
    ("unit=310114-X999", "没有代码为310114-X999的单位；/api/units 列出全部代码。"),
])
def test_task_list_unknown_filter(viewer, imported, query: str, message: str) -> None:
    page = viewer.get(f"/plan/tasks?{query}", headers=HTML)
    assert page.status_code == 400
    assert message in text_of(page.text)


def test_task_list_key_project_filter(viewer, imported) -> None:
    page = viewer.get("/plan/tasks", headers=HTML)
    kp_id = re.search(r'<option value="(\d+)">5、探索构建数字孪生城市</option>', page.text).group(1)
    filtered = viewer.get(f"/plan/tasks?key_project={kp_id}", headers=HTML)
    assert "共找到2项任务。" in text_of(filtered.text)


def test_task_list_bad_number_filter(viewer, imported) -> None:
    response = viewer.get("/plan/tasks?section=abc", headers=HTML)
    assert response.status_code == 400
    assert "请输入整数" in response.text


def test_task_page(viewer, imported) -> None:
    text = text_of(viewer.get("/plan/tasks/82", headers=HTML).text)
    assert "任务82" in text
    assert "充分释放人才创新活力" in text
    assert "（三）引导多元主体参与" in text
    assert "牵头 区人社局 区人力资源社会保障局 310114-D030" in text
    assert "此任务没有量化目标。" in text
    assert "后续导入未改变此任务。" in text


def test_task_page_missing_task(viewer, imported) -> None:
    response = viewer.get("/plan/tasks/999", headers=HTML)
    assert response.status_code == 404
    assert "没有序号为999的任务。" in response.text


def test_unit_page(viewer, imported) -> None:
    text = text_of(viewer.get("/plan/units/310114-D030", headers=HTML).text)
    assert "区人力资源社会保障局" in text
    assert "1 牵头 3 配合" in text


def test_town_page_lists_placeholder_tasks(viewer, imported) -> None:
    page = viewer.get("/plan/units/310114102", headers=HTML)
    text = text_of(page.text)
    assert "南翔镇" in text
    assert "交由各街镇或相关街镇的任务" in text
    assert 'href="/plan/tasks/1"' in page.text  # 区科委、各街镇
    assert 'href="/plan/tasks/54"' not in page.text  # 各街道 covers the three 街道 only


def test_street_page_lists_streets_placeholder(viewer, imported) -> None:
    page = viewer.get("/plan/units/310114001", headers=HTML)
    assert 'href="/plan/tasks/54"' in page.text


def test_unit_page_unknown_code(viewer, imported) -> None:
    assert viewer.get("/plan/units/nope", headers=HTML).status_code == 404


def test_upload_page_imports_and_shows_summary(office, db) -> None:
    form = office.get("/plan/import", headers=HTML)
    assert form.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    response = office.post(
        "/plan/import", data={"csrf_token": token}, files={"file": ("task_list.txt", seed_data(), "text/plain")},
        headers=HTML,
    )
    assert response.status_code == 200
    text = text_of(response.text)
    assert "已导入task_list.txt。" in text
    assert "任务 95" in text
    assert "新增任务 95" in text
    assert "重点项目“探索构建数字孪生城市”缺少编号；已按其位置编为5。" in text
    assert "第71行第3列（重点项目和应用场景）" in text
    assert task_count(db) == 95

    again = office.post(
        "/plan/import", data={"csrf_token": token}, files={"file": ("task_list.txt", seed_data(), "text/plain")},
        headers=HTML,
    )
    assert "方案已与task_list.txt一致，未作任何更改。" in text_of(again.text)
    with db.session() as session:
        assert session.scalar(select(func.count(PlanImport.id))) == 1


def test_upload_malformed_file_shows_errors(office, db) -> None:
    token = csrf_of(office, "/plan/import")
    bad = seed_data().replace(b"\t12\n", b"\t1two\n").replace(b"\t40\n", b"\t39\n")
    response = office.post(
        "/plan/import", data={"csrf_token": token}, files={"file": ("bad.txt", bad, "text/plain")}, headers=HTML,
    )
    assert response.status_code == 400
    text = text_of(response.text)
    assert "bad.txt：发现2处问题，未导入任何内容。" in text
    assert "第91行第1列（序号）：序号为“1two”；应为整数。" in text
    assert "序号39未接在39之后；应为大于39的数字。" in text
    assert task_count(db) == 0


def test_upload_without_file(office) -> None:
    token = csrf_of(office, "/plan/import")
    response = office.post("/plan/import", data={"csrf_token": token}, headers=HTML)
    assert response.status_code == 400
    assert "请选择要导入的任务清单文件。" in response.text


def test_upload_without_csrf_refused(office, db) -> None:
    response = office.post("/plan/import", files={"file": ("t.txt", seed_data(), "text/plain")}, headers=HTML)
    assert response.status_code == 403
    assert task_count(db) == 0


def test_past_import_page(office, imported) -> None:
    page = office.get(f"/plan/imports/{imported.import_id}", headers=HTML)
    assert page.status_code == 200
    assert "新增任务 95" in text_of(page.text)
    assert office.get("/plan/imports/999", headers=HTML).status_code == 404


def test_navigation_has_plan_link(viewer) -> None:
    assert 'href="/plan"' in viewer.get("/", headers=HTML).text


def test_past_import_page_refused_to_viewer(viewer, imported) -> None:
    assert viewer.get(f"/plan/imports/{imported.import_id}", headers=HTML).status_code == 403


def test_pages_in_english(viewer, imported) -> None:
    page = viewer.get("/plan?lang=en", headers=HTML)
    text = text_of(page.text)
    assert "Action plan" in text
    assert "Quantified indicators and their targets" in text
    assert "about 300,000,000,000 元" in text
