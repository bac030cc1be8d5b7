"""Forms report every invalid field in one round, and their error summaries name the field."""

import re

from sqlalchemy import select

from citybase.plan.supervision.models import ExtensionRequest, ProgressReport
from tests.conftest import login


def _as(client, web_users, name):
    client.cookies.clear()
    return login(client, web_users[name])


def _start_report(client, web_users, plan):
    token = _as(client, web_users, "science")
    response = client.post("/plan/my/report", data={"csrf_token": token, "task": "1", "period": "2022-05"},
                           follow_redirects=False)
    assert response.status_code == 303
    return int(response.headers["location"].rsplit("/", 1)[1]), token


def _summary(html):
    block = re.search(r'<ul class="error-list">(.*?)</ul>', html, re.S)
    assert block, "no error summary"
    return re.findall(r"<li>(.*?)</li>", block.group(1), re.S)


def test_submit_reports_values_and_narrative_together(client, clock, web_users, plan, db):
    report_id, token = _start_report(client, web_users, plan)
    stations = plan.indicators["stations"]
    response = client.post(f"/plan/reports/{report_id}", data={
        "csrf_token": token, "action": "submit", "narrative": "  ",
        f"values[{stations}].value": "两千", f"values[{stations}].as_of": "2022-13-01",
        f"values[{plan.indicators['broadband']}].value": "",
        f"targets[{plan.targets['fibre']}].percent": "50",
    })
    assert response.status_code == 400
    items = _summary(response.text)
    joined = "\n".join(items)
    # The value, its date, the narrative and the missing broadband value: all in the first round.
    assert f'href="#f-values[{stations}].value"' in joined
    assert f'href="#f-values[{stations}].as_of"' in joined
    assert 'href="#f-narrative"' in joined
    assert f'href="#f-values[{plan.indicators["broadband"]}].value"' in joined
    assert len(items) == 4
    with db.session() as session:
        report = session.get(ProgressReport, report_id)
        assert report.status == "draft" and report.values == [] and report.narrative == ""


def test_submit_with_valid_values_but_no_narrative_names_only_narrative(client, clock, web_users, plan, db):
    report_id, token = _start_report(client, web_users, plan)
    response = client.post(f"/plan/reports/{report_id}", data={
        "csrf_token": token, "action": "submit", "narrative": "",
        f"values[{plan.indicators['stations']}].value": "2250",
        f"values[{plan.indicators['broadband']}].value": "80",
        f"targets[{plan.targets['fibre']}].percent": "50",
    })
    assert response.status_code == 400
    items = _summary(response.text)
    assert len(items) == 1 and 'href="#f-narrative"' in items[0]


def test_extension_form_reports_date_and_reason_together(client, clock, web_users, plan, db):
    token = _as(client, web_users, "science")
    response = client.post("/plan/supervision/tasks/1/extension", data={
        "csrf_token": token, "requested_due_on": "2024-02-30", "reason": " ", "indicator_id": "",
    })
    assert response.status_code == 400
    joined = "\n".join(_summary(response.text))
    assert 'href="#f-requested_due_on"' in joined and 'href="#f-reason"' in joined
    with db.session() as session:
        assert session.scalars(select(ExtensionRequest)).all() == []
