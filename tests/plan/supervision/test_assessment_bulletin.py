"""The supervision bulletin read back with python-docx: figures, lists, ranking, notices and fonts."""

import datetime as dt
import io

from docx import Document
from docx.oxml.ns import qn
from plan_builder import report_network, shanghai, submit_report
from seed_reports import report_seed_task

from citybase.core.auth.models import User
from citybase.core.i18n import use_locale
from citybase.plan.supervision import notices, periods
from citybase.plan.supervision.assessment.bulletin import build_bulletin
from citybase.plan.supervision.assessment.scorecard import assess_period

NOW = shanghai(2022, 6, 10)


def _bulletin(db, period_key="2022-05"):
    with db.session() as session, use_locale("zh_CN"):
        data = build_bulletin(session, periods.period_by_key(session, period_key), NOW)
    return Document(io.BytesIO(data))


def _texts(document):
    return [paragraph.text for paragraph in document.paragraphs]


def _rows(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def _may(db, plan):
    report_network(db, plan, "2022-05", shanghai(2022, 6, 2))
    submit_report(db, plan, "government_net", "2022-05", shanghai(2022, 6, 7), {"bandwidth": 30})
    with db.session() as session:
        office = session.get(User, plan.users["office"])
        notices.issue_notice(session, office, unit_id=plan.units["science"], task_id=plan.tasks["network"],
                             title="加快推进5G基站建设", body="请报送进展。", now=shanghai(2022, 5, 10),
                             reply_due_on=dt.date(2022, 5, 20))
        closed = notices.issue_notice(session, office, unit_id=plan.units["service"], title="核实带宽",
                                      body="请核实。", now=shanghai(2022, 5, 12), reply_due_on=dt.date(2022, 5, 30))
        notices.close_notice(session, office, closed.id, "电话核实。", shanghai(2022, 5, 25))


def test_bulletin_summary_figures(db, plan):
    _may(db, plan)
    texts = _texts(_bulletin(db))

    assert texts[0] == "城市数字化转型行动方案督办通报"
    assert texts[1] == "报送周期：2022-05（2022-05-01至2022-05-31）"
    assert texts[2] == "数据截至2022-06-05 24:00（北京时间）。"
    assert "行动方案共3项任务，其中绿灯1项、蓝灯0项、黄灯0项、红灯2项。" in texts
    assert "本期应报送进展3份，按时报送1份，按时报送率33.3%。" in texts
    assert "本期下发督办单2份，办结1份；截至评估时点未办结1份，其中逾期1份。" in texts


def test_bulletin_light_lists(db, plan):
    _may(db, plan)
    document = _bulletin(db)
    texts = _texts(document)

    assert "二、红灯任务（按牵头单位，共2项）" in texts
    assert "三、黄灯任务（按牵头单位，共0项）" in texts
    lights, red = document.tables[0], document.tables[1]
    assert _rows(lights)[1:] == [["绿灯", "1", "33.3%"], ["蓝灯", "0", "0.0%"], ["黄灯", "0", "0.0%"],
                                 ["红灯", "2", "66.7%"]]
    red_rows = _rows(red)
    assert red_rows[0] == ["牵头单位", "序号", "任务", "理由"]
    assert [row[:2] for row in red_rows[1:]] == [["区行政服务中心", "2"], ["区城运中心", "3"]]
    assert red_rows[1][3] == "2022-05 期进展未报送（截止 2022-06-05）。"


def test_bulletin_ranking_table(db, plan):
    _may(db, plan)
    document = _bulletin(db)
    ranking = _rows(document.tables[2])

    assert ranking[0] == ["名次", "单位", "牵头任务", "按时报送", "完成度", "红灯", "黄灯", "逾期督办单", "得分"]
    assert ranking[1] == ["1", "区科委", "1", "1/1", "50.0%", "0", "0", "1", "75.0"]
    assert [row[:2] for row in ranking[2:]] == [["2（并列）", "区行政服务中心"], ["2（并列）", "区城运中心"]]
    with db.session() as session:
        assessment = assess_period(session, periods.period_by_key(session, "2022-05"), NOW)
        assert [row[8] for row in ranking[1:]] == [str(card.score) for card in assessment.scorecards]
    assert any(text.startswith("得分满分100分：按时报送率 × 30分") for text in _texts(document))


def test_bulletin_notice_tables(db, plan):
    _may(db, plan)
    document = _bulletin(db)
    issued, closed = _rows(document.tables[3]), _rows(document.tables[4])

    assert "本期下发的督办单（2份）" in _texts(document)
    assert issued[1] == ["督办〔2022〕1号", "区科委", "1", "加快推进5G基站建设", "2022-05-20", "逾期"]
    assert issued[2] == ["督办〔2022〕2号", "区行政服务中心", "—", "核实带宽", "2022-05-30", "已办结"]
    assert closed[1:] == [issued[2]]


def test_bulletin_without_notices(db, plan):
    document = _bulletin(db, "2022-04")
    texts = _texts(document)

    assert "本期下发的督办单（0份）" in texts
    assert texts.count("无。") >= 3  # no yellow tasks, no notices issued, none closed


def test_bulletin_east_asian_fonts(db, plan):
    document = _bulletin(db)
    normal = document.styles["Normal"].element.rPr.rFonts

    assert normal.get(qn("w:eastAsia")) == "仿宋"
    title = document.paragraphs[0].runs[0]
    assert title._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    cell_run = document.tables[2].rows[1].cells[1].paragraphs[0].runs[0]
    assert cell_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"
    header = document.tables[2].rows[0]._tr
    assert header.trPr.find(qn("w:tblHeader")) is not None


def test_bulletin_page_setup(db, plan):
    section = _bulletin(db).sections[0]

    assert round(section.page_width.mm) == 210
    assert round(section.page_height.mm) == 297
    assert "PAGE" in section.footer.paragraphs[0]._p.xml


def test_bulletin_on_seed(db, imported):
    for seq in (1, 2, 3):
        report_seed_task(db, seq, "2022-05", shanghai(2022, 6, 2), "0.5")
    texts = _texts(_bulletin(db))

    assert texts[0] == "嘉定区城市数字化转型行动方案（2021-2023年）督办通报"
    with db.session() as session:
        assessment = assess_period(session, periods.period_by_key(session, "2022-05"), NOW)
        lights = assessment.lights
    assert sum(lights.values()) == 95
    expected = (f"行动方案共95项任务，其中绿灯{lights['green']}项、蓝灯{lights['blue']}项、"
                f"黄灯{lights['yellow']}项、红灯{lights['red']}项。")
    assert expected in texts
    assert assessment.reports_on_time == 3
    assert f"本期应报送进展{assessment.reports_expected}份，按时报送3份，" in "".join(texts)
