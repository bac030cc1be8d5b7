"""Indicator values: non-finite, absurdly large and meaningless negative values are refused."""

import datetime as dt
from decimal import Decimal

import pytest
from plan_builder import shanghai

from citybase.core.auth.models import User
from citybase.core.i18n import gettext_, use_locale
from citybase.plan.models import Indicator
from citybase.plan.supervision import periods, reports, values
from citybase.plan.supervision.errors import InvalidInput
from citybase.plan.supervision.models import IndicatorValue
from citybase.plan.supervision.reports import ReportDraft, ValueInput

NOW = shanghai(2022, 6, 2, 10)


def _save(db, plan, stations):
    with db.session() as session:
        science = session.get(User, plan.users["science"])
        period = periods.period_by_key(session, "2022-05")
        report = reports.open_report(session, science, plan.tasks["network"], period, NOW)
        session.commit()
        draft = ReportDraft(narrative="进展", values={plan.indicators["stations"]: ValueInput(stations)})
        return reports.save_report(session, science, report.id, draft, NOW)


@pytest.mark.parametrize("typed", ["1e400", "-1e400", "1e15", "inf", "NaN", "Infinity"])
def test_non_finite_and_absurd_values_refused(db, plan, typed):
    with pytest.raises(InvalidInput) as caught:
        _save(db, plan, typed)
    (error,) = caught.value.errors
    assert error.field == f"values[{plan.indicators['stations']}].value"
    assert error.value == typed
    with use_locale("zh_CN"):
        text = gettext_(error.message, **error.params)
    assert ("不是数字" in text) or ("过大" in text and "10^15" in text)


def test_large_but_real_value_accepted(db, plan):
    report = _save(db, plan, "300,000,000,000")
    assert report.values[0].value == Decimal("300000000000")


def test_negative_count_refused_with_reason(db, plan):
    with pytest.raises(InvalidInput) as caught:
        _save(db, plan, "-5")
    (error,) = caught.value.errors
    with use_locale("zh_CN"):
        text = gettext_(error.message, **error.params)
    assert "建成3500个5G基站" in text
    assert "不能为负" in text
    assert error.value == "-5"


def test_negative_allowed_when_target_negative(db, plan):
    with db.session() as session:
        session.get(Indicator, plan.indicators["stations"]).value = Decimal(-10)
        session.commit()
    report = _save(db, plan, "-5")
    assert report.values[0].value == Decimal(-5)


def test_office_manual_value_refuses_negative(db, plan):
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        with pytest.raises(InvalidInput) as caught:
            values.record_manual_value(session, office, plan.indicators["stations"], Decimal(-1), dt.date(2022, 6, 1), NOW)
        assert caught.value.errors[0].field == "value"
        session.rollback()
        assert session.query(IndicatorValue).count() == 0


def test_manual_value_page_refuses_huge_number(client, clock, web_users, plan, db):
    from tests.conftest import login
    token = login(client, web_users["office"])
    response = client.post(f"/plan/supervision/indicators/{plan.indicators['stations']}/values",
                           data={"csrf_token": token, "value": "1e400", "as_of": "2022-06-01"})
    assert response.status_code == 400
    assert "1e400" in response.text
    assert "过大" in response.text
    with db.session() as session:
        assert session.query(IndicatorValue).count() == 0
