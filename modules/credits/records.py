"""Confirmed training in the teacher's 国内培训 set (issue 17): when the credit bank confirms a
training, a 国内培训 record is written through the one write path for business-owned records
(``web.services.records.write_from_case``), marked 来源 = 来自学分银行 (the field ``source``,
``owns_record``): the form shows it read-only and the write path refuses changing or deleting it
(W659). Revoking the credit removes the record (``remove_from_case``).

The set's fields (schemas/sets/training.yaml; indicators.md §1.13): 培训年度, 培训类别 (the
project's level), 培训项目名称, 培训机构名称, 培训方式 (from the project's type), 培训获得学时 and
培训获得学分 — both integers in the national set, so rounded half up there; the exact figures
stay in the credit bank."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.orm import Session

from modules.credits.models import CreditClaim
from web.principal import Principal

SET = "training"
FROM_BANK = "1"  # training_source: 来自学分银行
CATEGORY = {"national": "1", "province": "2", "city": "3", "county": "4", "school": "5"}  # training_category
MODE = {"face_to_face": "1", "online": "3", "blended": "4", "school_based": "2", "self_study": "2"}  # training_mode
SELF_STUDY_CATEGORY = "9"  # 其他: a teacher's own study, organised by no authority


def _whole(value: Decimal) -> int:
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def values(*, year: int, category: str, name: str, institution: str, mode: str, hours: Decimal,
           credits: Decimal) -> dict[str, Any]:
    out = {"training_year": int(year), "training_category": category, "project_name": name[:200],
           "training_mode": mode, "hours": _whole(hours), "credits": _whole(credits), "source": FROM_BANK}
    if institution:
        out["institution_name"] = institution[:100]
    return out


def from_claim(db: Session, cat: Any, me: Principal | None, claim: CreditClaim) -> int:
    """The confirmed claim's 国内培训 record (its id is kept on the claim)."""
    from web.services import records

    row = records.write_from_case(db, cat, me, claim.teacher_id, None, values(
        year=claim.end_date.year, category=SELF_STUDY_CATEGORY, name=f"自主研修：{claim.title}", institution="",
        mode=MODE["self_study"], hours=claim.hours, credits=claim.credits or Decimal(0)),
        via="credits.claim", case_id=claim.id, set_key=SET)
    claim.record_id = row.id
    return row.id


def from_results(db: Session, cat: Any, me: Principal | None, project: Any, passed: list[tuple[int, Decimal, Decimal]],
                 institution: str = "", **batch: Any) -> int:
    """The 国内培训 records of a project's confirmed, passed results ((teacher, hours, credits)),
    added in one batch (``records.add_many_from_case``; ``batch``: its ``among`` / ``locked``)."""
    from web.services import records

    made: dict[tuple[Decimal, Decimal], dict[str, Any]] = {}  # one record's values per (hours, credits)
    for _, hours, credits in passed:
        if (hours, credits) not in made:
            made[hours, credits] = values(year=project.end_date.year, category=CATEGORY.get(project.level, "9"),
                                          name=project.name, institution=institution, mode=MODE.get(project.kind, "9"),
                                          hours=hours, credits=credits)
    items = [(tid, made[hours, credits]) for tid, hours, credits in passed]
    return records.add_many_from_case(db, cat, me, items, set_key=SET, via="credits.results", case_id=project.id, **batch)


def remove(db: Session, cat: Any, me: Principal | None, teacher_id: int, record_id: int | None, *,
           via: str, case_id: int) -> None:
    """The record of a revoked credit goes (nothing when there was none)."""
    from web.services import records

    if record_id is not None:
        records.remove_from_case(db, cat, me, teacher_id, record_id, via=via, case_id=case_id)
