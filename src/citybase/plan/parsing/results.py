"""The result of parsing a plan file: sections, key projects, tasks and their targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from citybase.plan.parsing.issues import PlanFileIssue


class Comparator(StrEnum):
    """The comparison between a measured value and a target's value.

    ``=`` is a target to reach (达/建成/打造 N), scored as at least N. Following Civil
    Code art. 1259, 以上/以下/以内 include the number and 超过/不满 exclude it.
    """

    REACH = "="
    AT_LEAST = ">="
    MORE_THAN = ">"
    ABOUT = "~"
    RANGE = "range"
    AT_MOST = "<="
    LESS_THAN = "<"


@dataclass(frozen=True)
class ParsedIndicator:
    """A quantified target found in a task's text, with 万/亿 applied to the values."""

    text: str  # the phrase as written, e.g. 建成3500个5G基站
    metric: str  # what is counted, e.g. 5G基站
    comparator: Comparator
    value: Decimal
    value_max: Decimal | None  # the upper end of a range, else None
    unit: str  # 个, Mbps, 架, %, 元, 平方公里 …
    aspirational: bool = False  # 力争
    cumulative: bool = False  # 累计


@dataclass
class ParsedKeyProject:
    """A key project or scenario (重点项目和应用场景)."""

    position: int  # 1-based order within its section
    number: int | None  # 5 for "5、", 3 for "（三）"; inferred when the label is missing
    label: str | None  # the label as written; None when the file omits it
    title: str
    line: int
    number_inferred: bool = False


@dataclass
class ParsedSection:
    """A section (领域): （一） to （五） and 保障措施, which has no number."""

    position: int  # 1-based order in the plan
    number: int | None
    label: str | None  # "（一）"
    title: str
    line: int
    key_projects: list[ParsedKeyProject] = field(default_factory=list)

    @property
    def heading(self) -> str:
        """The section as the list writes it, e.g. （一）“全域感知”要素数字化构建新框架."""
        return f"{self.label or ''}{self.title}"


@dataclass
class ParsedTask:
    """A task (具体任务) with its place in the plan, units and targets."""

    seq: int
    line: int
    section: ParsedSection
    key_project: ParsedKeyProject
    sub_number: int | None  # 1 for "（1）"
    text: str  # the task without its "（1）" label
    units: list[str]  # as written, lead first, 等 dropped, placeholders kept
    indicators: list[ParsedIndicator] = field(default_factory=list)
    qualitative_targets: list[str] = field(default_factory=list)

    @property
    def section_title(self) -> str:
        return self.section.title

    @property
    def section_no(self) -> int | None:
        return self.section.number

    @property
    def key_project_title(self) -> str:
        return self.key_project.title

    @property
    def key_project_no(self) -> int | None:
        return self.key_project.number

    @property
    def lead_unit(self) -> str | None:
        return self.units[0] if self.units else None


@dataclass
class ParsedPlan:
    """A whole task list, ready for the importer."""

    title: str | None
    source_format: str  # "txt", "docx" or "xlsx"
    sections: list[ParsedSection]
    tasks: list[ParsedTask]
    warnings: list[PlanFileIssue] = field(default_factory=list)

    @property
    def key_projects(self) -> list[ParsedKeyProject]:
        return [kp for section in self.sections for kp in section.key_projects]
