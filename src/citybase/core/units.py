"""Responsible units (责任单位): departments, town-level units, placeholders and aliases.

Town-level codes are the National Bureau of Statistics codes under 嘉定区 (310114,
GB/T 2260). Departments have no public code, so citybase numbers them itself as
``310114-Dnnn``; placeholders such as 各街镇 are ``310114-Pnn``. The numbers of the
seeded units never change, so exported codes stay stable across installations.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from citybase.core.db import Base, UTCDateTime, utcnow

DISTRICT_CODE = "310114"

KIND_DEPARTMENT = "department"
KIND_TOWN = "town"
KIND_PLACEHOLDER = "placeholder"
KIND_OTHER = "other"


class Unit(Base):
    """A responsible unit (责任单位)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default=KIND_DEPARTMENT)
    # For placeholders: which town-level units it stands for ("street" = 街道 only).
    expands_to: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    aliases: Mapped[list[UnitAlias]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def urn(self) -> str:
        return f"urn:ngsi-ld:Unit:{self.code}"

    def __repr__(self) -> str:
        return f"Unit({self.code!r}, {self.name!r})"


class UnitAlias(Base):
    """Another name of a unit, such as 区人社局 for 区人力资源社会保障局."""

    __tablename__ = "unit_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    alias: Mapped[str] = mapped_column(String(100), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    unit: Mapped[Unit] = relationship(back_populates="aliases")


@dataclass(frozen=True)
class SeedUnit:
    code: str
    name: str
    kind: str
    full_name: str | None = None
    aliases: tuple[str, ...] = ()
    expands_to: str | None = None


TOWNS: tuple[SeedUnit, ...] = (
    SeedUnit("310114001", "新成路街道", KIND_TOWN),
    SeedUnit("310114002", "真新街道", KIND_TOWN),
    SeedUnit("310114004", "嘉定镇街道", KIND_TOWN),
    SeedUnit("310114102", "南翔镇", KIND_TOWN),
    SeedUnit("310114103", "安亭镇", KIND_TOWN),
    SeedUnit("310114106", "马陆镇", KIND_TOWN),
    SeedUnit("310114109", "徐行镇", KIND_TOWN),
    SeedUnit("310114111", "华亭镇", KIND_TOWN),
    SeedUnit("310114114", "外冈镇", KIND_TOWN),
    SeedUnit("310114118", "江桥镇", KIND_TOWN),
    SeedUnit("310114401", "菊园新区", KIND_TOWN, "菊园新区管委会"),
    SeedUnit("310114501", "嘉定工业区", KIND_TOWN, "嘉定工业区管委会"),
)

STREET_CODES = ("310114001", "310114002", "310114004")

PLACEHOLDERS: tuple[SeedUnit, ...] = (
    SeedUnit("310114-P01", "各街镇", KIND_PLACEHOLDER, expands_to="towns"),
    SeedUnit("310114-P02", "相关街镇", KIND_PLACEHOLDER, aliases=("各相关街镇",), expands_to="towns"),
    SeedUnit("310114-P03", "各街道", KIND_PLACEHOLDER, expands_to="streets"),
)


def _department(number: int, name: str, full_name: str | None = None, *aliases: str) -> SeedUnit:
    return SeedUnit(f"{DISTRICT_CODE}-D{number:03d}", name, KIND_DEPARTMENT, full_name, aliases)


DEPARTMENTS: tuple[SeedUnit, ...] = (
    _department(1, "区数字办", "区城市数字化转型工作领导小组办公室"),
    _department(2, "区科委", "区科学技术委员会"),
    _department(3, "区行政服务中心"),
    _department(4, "区城运中心", "区城市运行管理中心"),
    _department(5, "公安嘉定分局", "上海市公安局嘉定分局"),
    _department(6, "区水务局"),
    _department(7, "区绿化市容局", "区绿化和市容管理局"),
    _department(8, "区生态环境局"),
    _department(9, "区文化旅游局", "区文化和旅游局"),
    _department(10, "区经委", "区经济委员会", "区经委（金融办）", "区金融办"),
    _department(11, "区建设管理委", "区建设和管理委员会"),
    _department(12, "区交通委", "区交通委员会"),
    _department(13, "国际汽车城", "上海国际汽车城（集团）有限公司"),
    _department(14, "区投促中心", "区投资促进中心"),
    _department(15, "新城公司", "上海嘉定新城发展有限公司"),
    _department(16, "区商务委", "区商务委员会"),
    _department(17, "嘉定综合保税区"),
    _department(18, "区农业农村委", "区农业农村委员会"),
    _department(19, "区国资委", "区国有资产监督管理委员会"),
    _department(20, "交发集团", "嘉定区交通发展集团"),
    _department(21, "区卫生健康委", "区卫生健康委员会"),
    _department(22, "区民政局"),
    _department(23, "区残联", "区残疾人联合会"),
    _department(24, "区委网信办", "区委网络安全和信息化委员会办公室"),
    _department(25, "区档案局"),
    _department(26, "区体育局"),
    _department(27, "区教育局"),
    _department(28, "区地区办", "区地区工作办公室"),
    _department(29, "区市场监管局", "区市场监督管理局"),
    _department(30, "区人力资源社会保障局", None, "区人社局"),
    _department(31, "区妇联", "区妇女联合会"),
    _department(32, "区应急管理局"),
    _department(33, "区气象局"),
    _department(34, "区消防支队", "嘉定区消防救援支队"),
    _department(35, "区民防办", "区民防办公室"),
    _department(36, "区委政法委", "区委政法委员会"),
    _department(37, "区规划资源局", "区规划和自然资源局"),
    _department(38, "区发展改革委", "区发展和改革委员会"),
    _department(39, "国资集团", "嘉定区国有资产经营（集团）有限公司"),
    _department(40, "区新城办", "区新城建设推进办公室"),
    _department(41, "区府办", "区人民政府办公室"),
    _department(42, "区财政局"),
    _department(43, "区委组织部"),
    _department(44, "区人才办", "区人才工作领导小组办公室"),
    _department(45, "区房管局", "区房屋管理局"),
    _department(46, "区委宣传部"),
    _department(47, "区城市数字化转型工作领导小组成员单位"),
)

SEED_UNITS: tuple[SeedUnit, ...] = TOWNS + PLACEHOLDERS + DEPARTMENTS


def normalize_unit_name(name: str) -> str:
    """Fold full-width characters (NFKC) and drop whitespace, so lookups match."""
    folded = unicodedata.normalize("NFKC", name)
    folded = re.sub(r"\s+", "", folded)
    return folded.replace("(", "（").replace(")", "）")


def seed_units(session: Session) -> int:
    """Insert the seeded units and aliases that are missing; return how many were added."""
    existing = {u.code: u for u in session.scalars(select(Unit))}
    known_aliases = set(session.scalars(select(UnitAlias.alias)))
    added = 0
    for seed in SEED_UNITS:
        unit = existing.get(seed.code)
        if unit is None:
            unit = Unit(
                code=seed.code, name=seed.name, full_name=seed.full_name,
                kind=seed.kind, expands_to=seed.expands_to,
            )
            session.add(unit)
            added += 1
        names = [seed.full_name] if seed.full_name else []
        for alias in (*seed.aliases, *names):
            if alias and alias not in known_aliases:
                unit.aliases.append(UnitAlias(alias=alias))
                known_aliases.add(alias)
    session.flush()
    return added


def find_unit(session: Session, name: str) -> Unit | None:
    """Return the unit called ``name`` or known by it as an alias, else None."""
    key = normalize_unit_name(name)
    unit = session.scalar(select(Unit).where(Unit.name == key))
    if unit is not None:
        return unit
    return session.scalar(select(Unit).join(UnitAlias).where(UnitAlias.alias == key))


def next_department_code(session: Session) -> str:
    codes = session.scalars(select(Unit.code).where(Unit.code.like(f"{DISTRICT_CODE}-D%")))
    numbers = [int(code.rsplit("D", 1)[1]) for code in codes if code.rsplit("D", 1)[1].isdigit()]
    return f"{DISTRICT_CODE}-D{max(numbers, default=0) + 1:03d}"


def expand_placeholder(session: Session, unit: Unit) -> list[Unit]:
    """Return the town-level units a placeholder stands for; a real unit stands for itself."""
    if unit.kind != KIND_PLACEHOLDER:
        return [unit]
    query = select(Unit).where(Unit.kind == KIND_TOWN).order_by(Unit.code)
    if unit.expands_to == "streets":
        query = query.where(Unit.code.in_(STREET_CODES))
    return list(session.scalars(query))
