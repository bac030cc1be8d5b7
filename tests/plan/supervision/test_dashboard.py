"""The dashboard (看板): its figures, charts, page, JSON API, roles, and the plotly.js asset route."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from decimal import Decimal

import pytest
from plan_builder import report_network, shanghai
from plotly.offline import get_plotlyjs_version

from citybase.core.auth.models import User
from citybase.plan.supervision import notices
from citybase.plan.supervision.dashboard import build_dashboard, progress_band
from citybase.plan.supervision.dashboard_charts import LIGHT_COLOURS, dashboard_figures, section_short_name
from citybase.plan.supervision.snapshots import snapshot_lights
from citybase.web.assets import PLOTLY_JS, plotly_js_url
from tests.conftest import bearer_token, login

NOW = shanghai(2022, 6, 2, 10)


def _as(client, web_users, name):
    client.cookies.clear()
    return login(client, web_users[name])


def _figure(html: str, name: str) -> dict:
    match = re.search(rf'<script type="application/json" id="fig-{name}">(.*?)</script>', html, re.S)
    assert match is not None, f"no figure {name} in the page"
    return json.loads(match.group(1))


def _issue_notice(db, plan, due_day):
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        notices.issue_notice(session, office, unit_id=plan.units["science"], task_id=plan.tasks["network"],
                             title="进度滞后", body="请报送整改措施。", reply_due_on=due_day, now=shanghai(2022, 5, 20, 9))


@pytest.mark.parametrize(("fraction", "met", "band"), [
    (None, False, "none"),
    (Decimal(0), False, "0-25"),
    (Decimal("0.2499"), False, "0-25"),
    (Decimal("0.25"), False, "25-50"),
    (Decimal("0.5"), False, "50-75"),
    (Decimal("0.75"), False, "75-100"),
    (Decimal("0.999"), False, "75-100"),
    (Decimal(1), True, "met"),
])
def test_progress_band_edges(fraction, met, band):
    assert progress_band(fraction, met) == band


@pytest.mark.parametrize(("name", "short"), [
    ("（一）“全域感知”要素数字化构建新框架", "（一）全域感知"),
    ("（五）“标杆示范”试点实践探索未来样板", "（五）标杆示范"),
    ("保障措施", "保障措施"),
])
def test_section_short_name(name, short):
    assert section_short_name(name) == short


def test_dashboard_figures_after_report(db, plan):
    report_network(db, plan, "2022-05", shanghai(2022, 5, 31, 9))
    _issue_notice(db, plan, dt.date(2022, 6, 10))

    with db.session() as session:
        dashboard = build_dashboard(session, NOW)

    assert dashboard.tasks == 3
    assert dashboard.complete == 0
    assert sum(dashboard.lights.values()) == 3
    # Task 1 is at 50% (stations 2250 of 1000→3500, broadband 80 of 40→120, fibre 50%); the others have nothing.
    assert dashboard.progress == Decimal("0.5") / 3
    assert dashboard.bands == {"none": 2, "0-25": 0, "25-50": 0, "50-75": 2, "75-100": 0, "met": 0}
    assert [(group.key, group.tasks) for group in dashboard.sections] == [("1", 3)]
    assert [group.key for group in dashboard.units] == ["310114-D002", "310114-D003", "310114-D004"]
    assert dashboard.units[0].progress == Decimal("0.5")
    stations = next(row for row in dashboard.indicators if row.indicator.text == "建成3500个5G基站")
    assert stations.value == Decimal(2250)
    assert stations.source == "report"
    assert stations.task_seq == 1
    assert dashboard.open_notices == 1
    assert dashboard.overdue_notices == 0
    assert dashboard.reports_to_review == 0
    assert dashboard.trend == []


def test_overdue_notice_and_review_counts(db, plan):
    report_network(db, plan, "2022-05", shanghai(2022, 5, 31, 9), accept=False)
    _issue_notice(db, plan, dt.date(2022, 5, 30))

    with db.session() as session:
        dashboard = build_dashboard(session, NOW)

    assert dashboard.reports_to_review == 1
    assert dashboard.open_notices == 1
    assert dashboard.overdue_notices == 1


def test_trend_from_stored_lights(db, plan):
    with db.session() as session:
        snapshot_lights(session, shanghai(2022, 4, 20, 9))
        snapshot_lights(session, shanghai(2022, 5, 20, 9))
    with db.session() as session:
        dashboard = build_dashboard(session, NOW)

    assert [key for key, _counts in dashboard.trend] == ["2022-04", "2022-05"]
    for _key, counts in dashboard.trend:
        assert sum(counts.values()) == 3
        assert set(counts) == {"green", "blue", "yellow", "red"}


def test_chart_colours_and_titles(db, plan):
    with db.session() as session:
        snapshot_lights(session, shanghai(2022, 5, 20, 9))
        dashboard = build_dashboard(session, NOW)
    figures = dashboard_figures(dashboard)

    assert set(figures) == {"lights", "sections", "units", "bands", "trend"}
    lights = figures["lights"]["data"][0]
    assert lights["marker"]["color"] == [LIGHT_COLOURS[light] for light in ("green", "blue", "yellow", "red")]
    assert list(lights["y"]) == [dashboard.lights[light] for light in ("green", "blue", "yellow", "red")]
    assert [trace["marker"]["color"] for trace in figures["units"]["data"]] == list(LIGHT_COLOURS.values())


def test_trend_chart_left_out_without_snapshots(db, plan):
    with db.session() as session:
        figures = dashboard_figures(build_dashboard(session, NOW))

    assert "trend" not in figures


def test_office_page_shows_figures_and_charts(client, clock, web_users, plan, db):
    report_network(db, plan, "2022-05", shanghai(2022, 5, 31, 9))
    _as(client, web_users, "office")

    page = client.get("/plan/dashboard")

    assert page.status_code == 200
    html = page.text
    assert "<h1>督办看板</h1>" in html
    assert f'<script src="{plotly_js_url()}" defer></script>' in html
    assert "cdn" not in html.lower()
    assert '<a href="/plan/units/310114-D002">区科委</a></td><td class="num">1</td><td class="num">0</td><td class="num">50.0%</td>' in html
    assert "2250个" in html
    lights = _figure(html, "lights")
    assert lights["layout"]["title"]["text"] == "各灯色任务数"
    assert list(lights["data"][0]["x"]) == ["绿灯", "蓝灯", "黄灯", "红灯"]
    sections = _figure(html, "sections")
    assert sections["layout"]["xaxis"]["title"]["text"] == "完成进度（%）"
    assert list(sections["data"][1]["x"]) == [16.7]
    assert "尚未记录任何周期的亮灯" in html


def test_dashboard_in_english(client, clock, web_users, plan):
    _as(client, web_users, "viewer")

    html = client.get("/plan/dashboard?lang=en").text

    assert _figure(html, "lights")["layout"]["title"]["text"] == "Tasks by status light"
    assert "<h1>Dashboard</h1>" in html


def test_dashboard_in_navigation(client, clock, web_users, plan):
    _as(client, web_users, "viewer")
    assert 'href="/plan/dashboard"' in client.get("/").text

    _as(client, web_users, "science")
    assert 'href="/plan/dashboard"' not in client.get("/").text


@pytest.mark.parametrize("role", ["science", "dispatcher"])
def test_page_wrong_role_refused(client, clock, web_users, plan, role):
    _as(client, web_users, role)

    assert client.get("/plan/dashboard").status_code == 403


def test_page_needs_login(client, clock, plan):
    response = client.get("/plan/dashboard", headers={"accept": "text/html"}, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_api_returns_figures(client, clock, web_users, plan, db):
    report_network(db, plan, "2022-05", shanghai(2022, 5, 31, 9))
    headers = {"Authorization": f"Bearer {bearer_token(db, web_users['viewer'])}"}

    response = client.get("/api/plan/dashboard", headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert body["tasks"] == 3
    assert body["at"] == "2022-06-02T10:00:00+08:00"
    assert body["indicator_bands"]["50-75"] == 2
    assert body["units"][0] == {
        "key": "310114-D002", "name": "区科委", "tasks": 1, "complete": 0, "progress": "0.5000", "expected": body["units"][0]["expected"],
        "lights": body["units"][0]["lights"],
    }
    stations = next(row for row in body["indicators"] if row["text"] == "建成3500个5G基站")
    assert Decimal(stations["current"]) == 2250
    assert stations["source"] == "report"
    assert stations["band"] == "50-75"


@pytest.mark.parametrize("role", ["science", "dispatcher"])
def test_api_wrong_role_refused(client, clock, web_users, plan, db, role):
    headers = {"Authorization": f"Bearer {bearer_token(db, web_users[role])}"}

    response = client.get("/api/plan/dashboard", headers=headers)

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_api_needs_token(client, clock, plan):
    assert client.get("/api/plan/dashboard").status_code == 401


def test_plotly_js_served_with_long_caching(client):
    raw = PLOTLY_JS.read_bytes()

    plain = client.get(plotly_js_url(), headers={"accept-encoding": "identity"})
    packed = client.get(plotly_js_url(), headers={"accept-encoding": "gzip"})

    assert plain.status_code == 200
    assert plain.content == raw
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert plain.headers["content-type"].startswith("text/javascript")
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.content == raw  # the test client decodes gzip
    assert len(gzip.compress(raw)) < len(raw) / 2
    assert get_plotlyjs_version() in plotly_js_url()


def test_plotly_js_other_version_not_found(client):
    response = client.get("/assets/plotly-0.0.1.min.js")

    assert response.status_code == 404


def test_ranking_of_latest_due_period(client, clock, web_users, plan, db):
    report_network(db, plan, "2022-04", shanghai(2022, 5, 4, 9))
    _as(client, web_users, "office")

    html = client.get("/plan/dashboard").text

    # On 2 June the latest period whose reports are due (by 5 May) is 2022-04.
    assert "2022-04单位排名（赛马）" in html
    ranking = _figure(html, "ranking")
    names = list(ranking["data"][0]["y"])
    assert len(names) == 3
    assert names[-1] == "1. 区科委"  # the only unit that reported on time ranks first, drawn on top
    assert 'href="/plan/supervision/ranking?period=2022-04"' in html


def test_api_ranking(client, clock, web_users, plan, db):
    report_network(db, plan, "2022-04", shanghai(2022, 5, 4, 9))
    headers = {"Authorization": f"Bearer {bearer_token(db, web_users['office'])}"}

    ranking = client.get("/api/plan/dashboard", headers=headers).json()["ranking"]

    assert ranking["period"] == "2022-04"
    assert [unit["rank"] for unit in ranking["units"]][0] == 1
    assert ranking["units"][0]["unit_code"] == "310114-D002"
    assert Decimal(ranking["units"][0]["on_time_rate"]) == 1
    assert len(ranking["units"]) == 3
