"""What the statistics tests compare with: counts computed another way than the module does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from web.db.models import Account, Record, Teacher, Unit, UnitClosure
from web.people.roll import on_roll
from web.services import auth


def principal(ctx: Any, db: Any, username: str) -> Any:
    return auth.principal_of(db.scalar(select(Account).where(Account.username == username)), ctx)


def active_basic(db: Any, unit_code: str) -> list[tuple[Teacher, dict[str, Any], Unit]]:
    """Each active teacher below ``unit_code`` with the document of their approved 基本信息 and
    their unit: a plain query of the tables, not the module's facts."""
    root = db.scalar(select(Unit.id).where(Unit.code == unit_code))
    rows = db.execute(select(Teacher, Record.document, Unit).join(Record, Record.teacher_id == Teacher.id)
                      .join(Unit, Unit.id == Teacher.unit_id)
                      .where(Record.set_key == "basic", Record.state == "approved", Record.copy_of_id.is_(None),
                             on_roll(),
                             Teacher.unit_id.in_(select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == root)))
                      ).all()
    return [(t, doc, u) for t, doc, u in rows]


def count_by(items: list[Any], key: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        k = key(item)
        out[k] = out.get(k, 0) + 1
    return out


def as_counts(result_json: dict[str, Any], dim: str) -> dict[str, int]:
    return {r["dims"][dim]: r["count"] for r in result_json["rows"]}


def approved_total(db: Any, unit_code: str) -> int:
    root = db.scalar(select(Unit.id).where(Unit.code == unit_code))
    return int(db.scalar(select(func.count()).select_from(Teacher).where(
        Teacher.state == "approved", on_roll(),
        Teacher.unit_id.in_(select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == root)))) or 0)
