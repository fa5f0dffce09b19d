"""From a cell of a statistics table to the teachers it counts (issue 16: drill to individuals).

A cell is a unit (with the dashboard's filters) and a code for each of the table's dimensions
(``education=21``, ``age_band=30-34`` …, computed dimensions as well); its teachers are the live
summary's fact rows of the unit's subtree with those codes (``stat_facts``, the rows the cell's
count was summed from), so the list holds exactly the cell's count. Without summary tables they
are found from the approved records (facts.build_rows), as the figures are.

The rule, decided here and nowhere else (the dashboards and the cross table ask ``may_open`` to
draw a link, the list asks it again before showing anyone): the caller needs ``teacher.read`` at
the unit, and a cell of fewer than ``MIN_CELL`` teachers is opened only by a caller who may read
personal data (``personal.read``) there — at every level, a county's cell of two as well as a
school's. Person data on the list goes through web/privacy.py's Policy (ID numbers masked unless
personal.read reaches the teacher); every page shown is audited (``teacher.list``, via statistics).
Frozen snapshots are not drilled into: who was counted then is not who is on the roll now.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from modules.statistics import service as stats
from modules.statistics import words as W
from modules.statistics.catalogue import definitions
from modules.statistics.models import COLUMNS, LIVE, StatFact
from web import audit, scope
from web.db.models import Teacher, Unit, UnitClosure
from web.errors import Refusal
from web.principal import Principal
from web.privacy import Policy

MIN_CELL = 5
PAGE = 50


@dataclass(frozen=True)
class Access:
    """What the caller may do with the cells of one unit."""

    lists: bool     # teacher.read at the unit: cells may open the teacher list
    personal: bool  # personal.read there: small cells too

    def opens(self, count: int) -> bool:
        return self.lists and count > 0 and (count >= MIN_CELL or self.personal)

    def small(self, count: int) -> bool:
        """A cell the caller could open but for its size (the page says why there is no link)."""
        return self.lists and not self.personal and 0 < count < MIN_CELL


def access(db: Session, me: Principal, unit: Any) -> Access:
    """Both rights at the unit in one query (web/scope.py's filter as columns)."""
    lists, personal = db.execute(select(scope.unit_filter(me, "teacher.read", Unit.id),
                                        scope.unit_filter(me, "personal.read", Unit.id))
                                 .where(Unit.id == unit.id)).one()
    return Access(bool(lists), bool(personal))


def may_open(db: Session, me: Principal, unit: Any, count: int) -> bool:
    return access(db, me, unit).opens(count)


def href(unit_code: str, cell: Mapping[str, str], query: str = "") -> str:
    """The list of a cell: /statistics/units/<code>/teachers?cell=<dim>:<code>&… (+ the page's filters)."""
    parts = [f"cell={quote(k, safe='')}:{quote(v, safe='')}" for k, v in cell.items()]
    if query:
        parts.append(query)
    return f"/statistics/units/{unit_code}/teachers?" + "&".join(parts)


def parse_cell(values: list[str], cat: Any = None) -> dict[str, str]:
    """``["education:21", "gender:2"]`` → {"education": "21", "gender": "2"}; an unknown dimension is W478."""
    defs = definitions(cat)
    out: dict[str, str] = {}
    for v in values:
        key, sep, code = str(v).partition(":")
        key = key.strip()
        if not sep or not key:
            raise Refusal(W.W_BAD_CELL, cell=str(v)[:60])
        if key not in defs.dimensions:
            raise stats.UnknownDimension(key, defs.dimensions)
        out[key] = code.strip()
    if not out:
        raise Refusal(W.W_BAD_CELL, cell="")
    return out


def _column(dim: str) -> Any:
    return getattr(StatFact, dim) if dim in COLUMNS else func.coalesce(StatFact.extra[dim].as_string(), literal(""))


def _member_ids(db: Session, where: stats.Scope, cell: Mapping[str, str], src: Any, cat: Any) -> Any:
    """The cell's teachers: a subquery of the live facts, or (no summary tables) ids from the records."""
    if getattr(src, "name", "") == "summary":
        units = (where.unit_ids if where.unit_ids is not None else
                 select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == where.unit.id))
        stmt = select(StatFact.teacher_id).where(StatFact.snapshot_id == LIVE, StatFact.unit_id.in_(units),
                                                 *[_column(d) == code for d, code in cell.items()])
        if where.school_types is not None:
            stmt = stmt.where(StatFact.school_type.in_(where.school_types))
        return stmt
    from modules.statistics.facts import build_rows, subtree_ids

    unit_ids = where.unit_ids if where.unit_ids is not None else subtree_ids(where.unit.id)
    return [row["teacher_id"] for row in build_rows(db, cat=cat, unit_ids=unit_ids)
            if all(row["dims"].get(d, "") == code for d, code in cell.items())
            and (where.school_types is None or row["school_type"] in where.school_types)] or [-1]


@dataclass
class CellList:
    unit: Unit
    cell: dict[str, str]
    labels: list[tuple[str, str]]  # (dimension label, value label)
    count: int                      # the cell's teachers (what the table shows)
    items: list[dict[str, Any]]     # this page of them, person data as the Policy shows it
    page: int
    pages: int


def teachers(db: Session, me: Principal, unit_code: str, cell: Mapping[str, str] | list[str], *,
             filters: Mapping[str, Any] | None = None, snapshot: Any = None, cat: Any = None,
             page: int = 1, lang: str = "zh") -> CellList:
    """The teachers a cell counts, a page at a time, within the caller's scope (the rule above)."""
    cat = stats._cat(cat)
    defs = definitions(cat)
    unit = stats.resolve_unit(db, me, unit_code)  # stats.read within scope (W475/W476/W480)
    if snapshot not in (None, "", LIVE, str(LIVE)):
        raise Refusal(W.W_DRILL_SNAPSHOT)
    rights = access(db, me, unit)
    if not rights.lists:
        raise Refusal(W.W_DRILL_NO_LIST, unit=unit.name)
    if not isinstance(cell, Mapping):  # the query's cell=<dim>:<code> values
        cell = parse_cell(list(cell), cat)
    where = stats._scope(db, unit, filters, cat)
    src = stats._source(db, None, cat)
    members = _member_ids(db, where, cell, src, cat)
    base = (select(Teacher, Unit.code, Unit.name, scope.personal_visible(me).label("personal"))
            .join(Unit, Unit.id == Teacher.unit_id)
            .where(scope.teacher_filter(me, "teacher.read"), Teacher.id.in_(members)))
    count = int(db.scalar(select(func.count()).select_from(base.order_by(None).subquery())) or 0)
    if rights.small(count):
        raise Refusal(W.W_DRILL_SMALL, n=str(count), min=str(MIN_CELL))
    pages = max((count + PAGE - 1) // PAGE, 1)
    page = min(max(int(page or 1), 1), pages)
    rows = db.execute(base.order_by(Unit.code, Teacher.name, Teacher.id).limit(PAGE).offset((page - 1) * PAGE)).all()
    items = []
    for t, code, name, personal in rows:
        seen = Policy(me, t, bool(personal)).person()  # web/privacy.py decides what is shown
        items.append({"id": t.id, "name": t.name, "id_number": seen["id_number"], "masked": seen["masked"],
                      "unit_code": code, "unit_name": name})
    audit.record(db, "teacher.list", actor=me, target_type="teacher", unit_id=unit.id,
                 detail={"via": "statistics", "unit": unit.code, "cell": dict(cell), "filters": dict(filters or {}),
                         "offset": (page - 1) * PAGE, "rows": len(items),
                         "unmasked": sum(1 for i in items if not i["masked"])})
    labels = [(defs.dimensions[d].label.get(lang), defs.dimensions[d].label_of(c, lang)) for d, c in cell.items()]
    return CellList(unit, dict(cell), labels, count, items, page, pages)
