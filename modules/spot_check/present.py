"""A spot check as the caller may see it (JSON for the API, the same dict for the pages).

A teacher in the sample shows name, school and ID number, the number masked (3601********1234)
unless the caller holds personal.read over the teacher's school: web/privacy.py's Policy decides
(one place, as for every page showing person data); a list naming teachers is a read of personal
data and is audited (``spot_check.read``) either way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.spot_check import service as S
from modules.spot_check import words as W
from modules.spot_check.models import OPEN, SpotCheck, SpotCheckItem
from web import audit, permissions, scope
from web.db.models import Teacher, Unit
from web.principal import Principal
from web.privacy import Policy

METHOD = ("每个对象按 SHA-256(种子|代码) 排序，取最小的 {size} 个（学校的代码为单位代码，教师为系统内编号）；"
          "种子和总体相同，结果必然相同。",
          "Each member is ranked by SHA-256(seed|key) and the {size} lowest are taken (a school's key is its unit "
          "code, a teacher's its id in the system): the same seed and population always give the same sample.")


def _day(when: Any) -> str | None:
    return when.astimezone().strftime("%Y-%m-%d %H:%M") if when else None


def summary_json(db: Session, me: Principal, check: SpotCheck, lang: str = "zh") -> dict[str, Any]:
    unit = db.get(Unit, check.unit_id)
    counts = S.tally(db, check)
    checked = counts["ok"] + counts["wrong"]
    return {"id": check.id, "title": check.title, "kind": check.kind, "kind_label": W.word(W.KINDS, check.kind, lang),
            "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
            "seed": check.seed, "size": check.size, "population": check.population,
            "fingerprint": check.fingerprint, "state": check.state, "state_label": W.word(W.STATES, check.state, lang),
            "created_at": _day(check.created_at), "created_by": check.created_by_name,
            "published_at": _day(check.published_at), "published_by": check.published_by_name,
            "summary": check.summary, "counts": counts,
            "error_rate": round(counts["wrong"] / checked, 4) if checked else None,
            "method": METHOD[1 if lang == "en" else 0].format(size=check.size)}


def check_json(db: Session, me: Principal, check: SpotCheck, lang: str = "zh", *, verify: bool = False) -> dict[str, Any]:
    """The check with the items the caller may see; teachers' ID numbers masked without personal.read."""
    out = summary_json(db, me, check, lang)
    rows = S.items(db, me, check)
    whole = S.whole(db, me, check)
    tids = [i.teacher_id for i in rows if i.teacher_id]
    # each teacher with what the Policy shows of them (personal.read reaching the teacher's unit: unmasked)
    seen = {t.id: Policy(me, t, bool(personal)).person() for t, personal in db.execute(
        select(Teacher, scope.personal_visible(me)).where(Teacher.id.in_(tids)))} if tids else {}
    codes = dict(db.execute(select(Unit.id, Unit.code).where(Unit.id.in_({i.unit_id for i in rows}))).all()) if rows else {}
    items = []
    for i in rows:
        item: dict[str, Any] = {"id": i.id, "position": i.position,
                                "unit": {"code": codes.get(i.unit_id), "name": i.unit_name},
                                "result": i.result, "result_label": W.word(W.RESULTS, i.result, lang) if i.result else None,
                                "note": i.note, "checked_by": i.checked_by_name, "checked_at": _day(i.checked_at)}
        if check.kind == "teacher":
            person = seen.get(i.teacher_id or -1)
            item["teacher"] = {"name": i.teacher_name, "id_number": person["id_number"] if person else None,
                               "masked": person["masked"] if person else True}
        items.append(item)
    out.update(items=items, whole=whole,
               may_verify=check.state == OPEN and permissions.may(me, S.DRAW, db.get(Unit, check.unit_id)))
    if verify and whole:
        out["reproduced"] = S.reproduce(db, check)
    if tids:
        audit.record(db, "spot_check.read", actor=me, target_type="spot_check", target_id=check.id,
                     unit_id=check.unit_id, detail={"teachers": len(tids),
                                                    "unmasked": sum(1 for p in seen.values() if not p["masked"])})
    return out


def may_draw(db: Session, me: Principal) -> bool:
    return permissions.may(me, S.DRAW, db.get(Unit, me.unit_id))


__all__ = ["summary_json", "check_json", "may_draw", "SpotCheckItem"]
