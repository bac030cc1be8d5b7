"""Pages and JSON API of the assessment: ranking, annual summary, exports, and who may use them."""

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook
from plan_builder import report_network, shanghai, submit_report

from citybase.core.auth.models import User
from citybase.plan.supervision import notices
from tests.conftest import bearer_token, login

NOW = shanghai(2022, 6, 10, 10)


@pytest.fixture
def may(db, plan, clock):
    """Science reports on time and gets an overdue notice; service reports late; the clock reads 10 June."""
    report_network(db, plan, "2022-05", shanghai(2022, 6, 2))
    submit_report(db, plan, "government_net", "2022-05", shanghai(2022, 6, 7), {"bandwidth": 30})
    with db.session() as session:
        notices.issue_notice(session, session.get(User, plan.users["office"]), unit_id=plan.units["science"],
                             title="加快推进", body="请报送进展。", now=shanghai(2022, 5, 10),
                             reply_due_on=dt.date(2022, 5, 20))
    clock.now = NOW
    return plan


def _as(client, web_users, name):
    client.cookies.clear()
    return login(client, web_users[name])


def _headers(db, web_users, name):
    return {"Authorization": f"Bearer {bearer_token(db, web_users[name])}"}


def test_ranking_page_for_office(client, web_users, may):
    _as(client, web_users, "office")
    page = client.get("/plan/supervision/ranking?period=2022-05")

    assert page.status_code == 200
    assert "单位分期排名" in page.text
    assert "数据截至2022-06-05 24:00" in page.text
    assert "区科委" in page.text
    assert "75.0" in page.text
    assert "2（并列）" in page.text
    assert "/plan/supervision/exports/bulletin.docx?period=2022-05" in page.text


def test_ranking_page_default_period(client, web_users, may):
    _as(client, web_users, "office")
    page = client.get("/plan/supervision/ranking")

    assert page.status_code == 200
    assert '<option value="2022-05" selected>' in page.text
    assert '<option value="2022-06"' not in page.text


def test_ranking_page_for_reporter(client, web_users, may):
    _as(client, web_users, "science")
    page = client.get("/plan/supervision/ranking?period=2022-05")

    assert page.status_code == 200
    assert "区城运中心" in page.text
    assert "exports/bulletin.docx" not in page.text
    own_rows = page.text.split('<tr class="own-unit">')
    assert len(own_rows) == 2
    assert own_rows[1].split("</tr>")[0].count("区科委") == 1
    assert '<span class="tag">本单位</span>' in own_rows[1].split("</tr>")[0]


def test_ranking_page_bad_period(client, web_users, may):
    _as(client, web_users, "office")
    page = client.get("/plan/supervision/ranking?period=2022-13")

    assert page.status_code == 400
    assert "报送周期“2022-13”格式不对，请按YYYY-MM填写，例如2022-05。" in page.text


def test_ranking_page_period_not_due(client, web_users, may):
    _as(client, web_users, "office")
    page = client.get("/plan/supervision/ranking?period=2022-06")

    assert page.status_code == 400
    assert "报送周期2022-06的进展报送截止日为2022-07-05，尚不能评估；请选择2022-05或更早的周期。" in page.text


def test_annual_page(client, web_users, may):
    _as(client, web_users, "viewer")
    page = client.get("/plan/supervision/ranking/annual?year=2022")

    assert page.status_code == 200
    assert "单位排名年度汇总" in page.text
    assert "2022-01、2022-02、2022-03、2022-04、2022-05" in page.text
    assert "15.0" in page.text


def test_annual_page_bad_year(client, web_users, may):
    _as(client, web_users, "viewer")
    page = client.get("/plan/supervision/ranking/annual?year=2030")

    assert page.status_code == 400
    assert "年度“2030”无效" in page.text


def test_overview_links_assessment(client, web_users, may):
    _as(client, web_users, "office")
    page = client.get("/plan/supervision")

    assert 'href="/plan/supervision/ranking"' in page.text
    assert 'href="/plan/supervision/exports"' in page.text


def test_exports_logged(client, web_users, may, caplog):
    _as(client, web_users, "office")
    with caplog.at_level("INFO", logger="citybase.plan.supervision.assessment"):
        client.get("/plan/supervision/exports/bulletin.docx?period=2022-05")

    assert "supervision bulletin 2022-05 exported by w_office" in caplog.text


def test_exports_page_and_downloads(client, web_users, may):
    _as(client, web_users, "office")
    page = client.get("/plan/supervision/exports")
    assert page.status_code == 200
    assert 'href="/plan/supervision/exports/ledger.xlsx"' in page.text

    ledger = client.get("/plan/supervision/exports/ledger.xlsx")
    assert ledger.status_code == 200
    assert ledger.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert 'filename="ledger-2022-06-10.xlsx"' in ledger.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(ledger.content)).active
    assert [cell.value for cell in sheet["A"] if isinstance(cell.value, int)] == [1, 2, 3]

    bulletin = client.get("/plan/supervision/exports/bulletin.docx?period=2022-05")
    assert bulletin.status_code == 200
    assert 'filename="bulletin-2022-05.docx"' in bulletin.headers["content-disposition"]
    texts = [paragraph.text for paragraph in Document(io.BytesIO(bulletin.content)).paragraphs]
    assert "行动方案共3项任务，其中绿灯1项、蓝灯0项、黄灯0项、红灯2项。" in texts


def test_bulletin_download_bad_period(client, web_users, may):
    _as(client, web_users, "office")
    response = client.get("/plan/supervision/exports/bulletin.docx?period=May")

    assert response.status_code == 400
    assert "报送周期“May”格式不对" in response.text


PAGES_REFUSED = [
    ("/plan/supervision/ranking", "dispatcher"),
    ("/plan/supervision/ranking/annual", "dispatcher"),
    ("/plan/supervision/exports", "science"),
    ("/plan/supervision/exports", "dispatcher"),
    ("/plan/supervision/exports/ledger.xlsx", "science"),
    ("/plan/supervision/exports/bulletin.docx?period=2022-05", "nanxiang"),
]


@pytest.mark.parametrize(("path", "role"), PAGES_REFUSED)
def test_pages_wrong_role_refused(client, web_users, may, path, role):
    _as(client, web_users, role)
    assert client.get(path).status_code == 403


def test_api_ranking(client, db, web_users, may):
    response = client.get("/api/plan/ranking?period=2022-05", headers=_headers(db, web_users, "viewer"))

    assert response.status_code == 200
    body = response.json()
    assert body["period"] == "2022-05"
    assert body["as_of"] == "2022-06-05T16:00:00Z"
    assert body["lights"] == {"green": 1, "blue": 0, "yellow": 0, "red": 2}
    assert body["weights"]["full_marks"] == "100"
    first = body["scorecards"][0]
    assert (first["unit_code"], first["rank"], first["score"]) == ("310114-D002", 1, "75.0")
    assert [card["rank"] for card in body["scorecards"]] == [1, 2, 2]
    assert [card["tied"] for card in body["scorecards"]] == [False, True, True]


def test_api_annual(client, db, web_users, may):
    response = client.get("/api/plan/ranking/annual?year=2022", headers=_headers(db, web_users, "science"))

    assert response.status_code == 200
    body = response.json()
    assert body["periods"] == ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05"]
    assert body["units"][0]["unit_code"] == "310114-D002"
    assert body["units"][0]["mean_score"] == "15.0"


def test_api_bad_period_problem(client, db, web_users, may):
    response = client.get("/api/plan/ranking?period=2022-5", headers=_headers(db, web_users, "office"))

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert error["field"] == "period"
    assert error["value"] == "2022-5"


def test_api_exports(client, db, web_users, may):
    headers = _headers(db, web_users, "office")
    ledger = client.get("/api/plan/exports/ledger", headers=headers)
    bulletin = client.get("/api/plan/exports/bulletin?period=2022-05", headers=headers)

    assert ledger.status_code == 200
    assert load_workbook(io.BytesIO(ledger.content)).active.cell(4, 1).value.startswith("（一）")
    assert bulletin.status_code == 200
    assert Document(io.BytesIO(bulletin.content)).paragraphs[0].text == "城市数字化转型行动方案督办通报"


API_REFUSED = [
    ("/api/plan/ranking?period=2022-05", "dispatcher"),
    ("/api/plan/ranking/annual?year=2022", "dispatcher"),
    ("/api/plan/exports/ledger", "science"),
    ("/api/plan/exports/bulletin?period=2022-05", "science"),
    ("/api/plan/exports/ledger", "dispatcher"),
]


@pytest.mark.parametrize(("path", "role"), API_REFUSED)
def test_api_wrong_role_refused(client, db, web_users, may, path, role):
    response = client.get(path, headers=_headers(db, web_users, role))

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_openapi_documents_assessment(client):
    schema = client.get("/openapi.json").json()

    assert "PeriodRankingOut" in schema["components"]["schemas"]
    assert "AnnualSummaryOut" in schema["components"]["schemas"]
    ledger = schema["paths"]["/api/plan/exports/ledger"]["get"]["responses"]["200"]["content"]
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in ledger


def test_ranking_page_in_english(client, web_users, may):
    _as(client, web_users, "office")
    page = client.get("/plan/supervision/ranking?period=2022-05&lang=en")

    assert page.status_code == 200
    assert "<h1>Unit ranking by period</h1>" in page.text
    assert "Lead units ranked by score out of 100 (3 units)" in page.text
