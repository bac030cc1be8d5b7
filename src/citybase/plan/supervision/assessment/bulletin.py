"""The supervision bulletin (督办通报) of one reporting period, as .docx.

Sections: the title and period; 1. overview figures (tasks by light, on-time reporting,
notices); 2. red and 3. yellow tasks by lead unit; 4. the unit ranking with the score
rule; 5. notices issued and closed in the period. Every run names its East Asian font
(w:eastAsia), because Word and WPS otherwise pick a Latin font's fallback for Chinese.
docs/exports.md describes the layout.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.run import Run
from sqlalchemy.orm import Session

from citybase.core.i18n import gettext_ as _
from citybase.core.i18n_marker import N_
from citybase.plan.queries import plan_name
from citybase.plan.supervision.assessment.labels import LIGHT_FILLS, LIGHT_WORDS
from citybase.plan.supervision.assessment.scorecard import (
    PeriodAssessment, assess_period, notice_state, notices_of_period,
)
from citybase.plan.supervision.assessment.timefmt import figures_time
from citybase.plan.supervision.clock import due_day
from citybase.plan.supervision.models import LIGHT_RED, LIGHT_YELLOW, LIGHTS, ReportingPeriod, SupervisionNotice
from citybase.plan.supervision.progress import format_number, format_percent
from citybase.plan.supervision.settings import SupervisionSettings, get_supervision_settings
from citybase.plan.supervision.summary import TaskStatus

TITLE_FONT = "黑体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"

NOTICE_STATES = {
    "closed": N_("Closed"),
    "overdue": N_("Overdue"),
    "open": N_("Being handled"),
}


def set_run_font(run: Run, east_asian: str, size: float | None = None, bold: bool | None = None) -> None:
    """Set a run's Latin and East Asian fonts (w:rFonts ascii, hAnsi and eastAsia)."""
    run.font.name = LATIN_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def _set_style_font(document: DocumentObject, style_name: str, east_asian: str, size: float) -> None:
    style = document.styles[style_name]
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)


def _paragraph(document: DocumentObject, text: str, font: str = BODY_FONT, size: float = 14, bold: bool = False,
               align: WD_ALIGN_PARAGRAPH | None = None, indent: bool = False, space_before: float = 0) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(space_before)
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    set_run_font(paragraph.add_run(text), font, size, bold)


def _heading(document: DocumentObject, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(12)
    paragraph.paragraph_format.keep_with_next = True
    set_run_font(paragraph.add_run(text), HEADING_FONT, 16)


def _shade(cell: _Cell, colour: str) -> None:
    properties = cell._element.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    properties.append(shading)


def _write_cell(cell: _Cell, text: str, bold: bool = False, centre: bool = False) -> None:
    """Replace the cell's content with one paragraph holding ``text`` in the table font."""
    paragraphs = cell.paragraphs
    for extra in paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    paragraph = paragraphs[0]
    for run in paragraph.runs:
        run._r.getparent().remove(run._r)
    if centre:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_run_font(paragraph.add_run(text), TABLE_FONT, 10.5, bold)


def _table(document: DocumentObject, headers: Sequence[str], rows: Sequence[Sequence[str]],
           widths_mm: Sequence[float], centred: Sequence[int] = ()) -> Table:
    """Add a bordered table whose header row repeats on every page."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, text in zip(header.cells, headers, strict=True):
        _write_cell(cell, text, bold=True, centre=True)
        _shade(cell, "DDEBF7")
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
            _write_cell(cell, text, centre=index in centred)
    # Word reads the cell widths, LibreOffice the grid columns: set both, and stop autofit.
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    return table


def merge_runs(table: Table, column: int, first_row: int = 1) -> None:
    """Merge runs of equal text in ``column`` (below the header) into one cell, as a grouped list prints."""
    rows = table.rows
    start = first_row
    while start < len(rows):
        text = rows[start].cells[column].text
        end = start
        while end + 1 < len(rows) and rows[end + 1].cells[column].text == text:
            end += 1
        if end > start:
            merged = rows[start].cells[column].merge(rows[end].cells[column])
            _write_cell(merged, text)
            merged.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        start = end + 1


def period_title(period: ReportingPeriod) -> str:
    return _("Reporting period {key} ({start} to {end})", key=period.key, start=period.starts_on.isoformat(),
             end=period.ends_on.isoformat())


def _overview(document: DocumentObject, assessment: PeriodAssessment) -> None:
    _heading(document, _("1. Overview"))
    lights = assessment.lights
    total = sum(lights.values())
    _paragraph(document, _(
        "The plan has {total} tasks: {green} green, {blue} blue, {yellow} yellow and {red} red.",
        total=total, green=lights["green"], blue=lights["blue"], yellow=lights["yellow"], red=lights["red"]), indent=True)
    _paragraph(document, _(
        "Reports owed for the period: {expected}; submitted on time: {on_time}; on-time reporting rate: {rate}.",
        expected=assessment.reports_expected, on_time=assessment.reports_on_time,
        rate=format_percent(assessment.on_time_rate)), indent=True)
    _paragraph(document, _(
        "Supervision notices issued in the period: {issued}; closed in the period: {closed}; "
        "not closed at the assessment time: {open}, of which overdue: {overdue}.",
        issued=assessment.notices_issued, closed=assessment.notices_closed, open=assessment.notices_open,
        overdue=assessment.notices_overdue), indent=True)
    rows = [(LIGHT_WORDS[light].render(), str(lights[light]), format_percent(_share(lights[light], total)))
            for light in LIGHTS]
    table = _table(document, [_("Status light"), _("Number of tasks"), _("Share")], rows, (40, 30, 30), centred=(0, 1, 2))
    for index, light in enumerate(LIGHTS, start=1):
        _shade(table.rows[index].cells[0], LIGHT_FILLS[light])


def _share(part: int, whole: int) -> Decimal | None:
    return Decimal(part) / Decimal(whole) if whole else None


TASK_TEXT_LIMIT = 60


def shorten(text: str, limit: int = TASK_TEXT_LIMIT) -> str:
    """Return ``text`` cut to ``limit`` characters with an ellipsis (……), for the task lists."""
    return text if len(text) <= limit else text[:limit] + "……"


LIGHT_LIST_TITLES = {
    LIGHT_RED: N_("2. Red-light tasks by lead unit ({count})"),
    LIGHT_YELLOW: N_("3. Yellow-light tasks by lead unit ({count})"),
}


def _light_list(document: DocumentObject, light: str, statuses: Sequence[TaskStatus]) -> None:
    chosen = [status for status in statuses if status.light.light == light]
    chosen.sort(key=lambda status: (status.task.lead_unit.code if status.task.lead_unit else "", status.task.seq))
    _heading(document, _(LIGHT_LIST_TITLES[light], count=len(chosen)))
    if not chosen:
        _paragraph(document, _("None."), indent=True)
        return
    rows = [
        (status.task.lead_unit.name if status.task.lead_unit else "—", str(status.task.seq),
         shorten(status.task.text), status.light.reasons[0].render() if status.light.reasons else "")
        for status in chosen
    ]
    table = _table(document, [_("Lead unit"), _("No."), _("Task"), _("Reason")], rows, (30, 12, 73, 55), centred=(1,))
    merge_runs(table, 0)


def _ranking(document: DocumentObject, assessment: PeriodAssessment) -> None:
    _heading(document, _("4. Unit ranking"))
    weights = assessment.weights
    _paragraph(document, _(
        "Score out of {full}: on-time reporting rate × {on_time}, mean indicator progress × {completion}, "
        "(1 − (red + {yellow_share} × yellow) ÷ tasks led) × {lights}, minus {penalty} per overdue notice. "
        "Units with equal scores share a rank and are listed by unit code.",
        full=format_number(weights.full_marks), on_time=format_number(weights.on_time_weight),
        completion=format_number(weights.completion_weight), yellow_share=format_number(weights.yellow_share),
        lights=format_number(weights.lights_weight), penalty=format_number(weights.overdue_notice_penalty)), indent=True)
    rows = [
        (_("{rank} (tied)", rank=card.rank) if card.tied else str(card.rank), card.unit_name, str(card.tasks),
         f"{card.reports_on_time}/{card.reports_expected}", format_percent(card.completion), str(card.red),
         str(card.yellow), str(card.notices_overdue), f"{card.score}")
        for card in assessment.scorecards
    ]
    headers = [_("Rank"), _("Unit"), _("Tasks led"), _("Reports on time"), _("Completion"), _("Red"), _("Yellow"),
               _("Overdue notices"), _("Score")]
    _table(document, headers, rows, (12, 46, 14, 18, 18, 12, 12, 18, 16), centred=(0, 2, 3, 4, 5, 6, 7, 8))


def _notice_rows(notices: Sequence[SupervisionNotice], as_of: dt.datetime) -> list[tuple[str, ...]]:
    return [
        (notice.label, notice.unit.name, str(notice.task.seq) if notice.task else "—", notice.title,
         due_day(notice.reply_due_at).isoformat(), _(NOTICE_STATES[notice_state(notice, as_of)]))
        for notice in notices
    ]


def _notices(document: DocumentObject, session: Session, assessment: PeriodAssessment) -> None:
    found = notices_of_period(session, assessment.period, assessment.as_of)
    headers = [_("Number"), _("Unit"), _("Task No."), _("Title"), _("Reply due"), _("State")]
    widths = (36, 30, 15, 49, 22, 18)
    _heading(document, _("5. Supervision notices"))
    for title, notices in ((_("Issued in the period ({count})", count=len(found.issued)), found.issued),
                           (_("Closed in the period ({count})", count=len(found.closed)), found.closed)):
        _paragraph(document, title, font=HEADING_FONT, size=14, space_before=8)
        if notices:
            _table(document, headers, _notice_rows(notices, assessment.as_of), widths, centred=(2, 4, 5))
        else:
            _paragraph(document, _("None."), indent=True)


def _page_setup(document: DocumentObject) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(25)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    _set_style_font(document, "Normal", BODY_FONT, 14)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number_field(footer.add_run())


def _page_number_field(run: Run) -> None:
    """Insert a PAGE field, which Word and WPS replace with the page number."""
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind is None:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._element.append(element)
    set_run_font(run, TABLE_FONT, 10.5)


def build_bulletin(
    session: Session, period: ReportingPeriod, now: dt.datetime, settings: SupervisionSettings | None = None,
    assessment: PeriodAssessment | None = None,
) -> bytes:
    """Return the bulletin of ``period`` as assessed at ``now``, as the bytes of a .docx file."""
    settings = settings or get_supervision_settings()
    assessment = assessment or assess_period(session, period, now, settings)
    document = Document()
    _page_setup(document)

    name = plan_name(session)
    title = (_("{plan}: supervision bulletin", plan=name) if name
             else _("City Digital Transformation Action Plan: supervision bulletin"))
    _paragraph(document, title, TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, period_title(period), size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, _("Figures as of {time} (Shanghai time).",
                           time=figures_time(assessment.as_of)),
               size=12, align=WD_ALIGN_PARAGRAPH.CENTER)

    _overview(document, assessment)
    _light_list(document, LIGHT_RED, assessment.statuses)
    _light_list(document, LIGHT_YELLOW, assessment.statuses)
    _ranking(document, assessment)
    _notices(document, session, assessment)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
