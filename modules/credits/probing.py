"""How many ID numbers a training institution may try (issue 17: an institution is "scoped to its
own projects' participants only").

An institution reads no teacher data, but the answer to the results it submits says whether an ID
number belongs to a teacher the project takes: a row is accepted, or refused as "does not match"
(results.check_rows words an unknown number, a wrong name and a teacher outside the project alike,
and a name is optional in the API's rows). On a province or national project the project takes a
whole province, so an institution sending made-up numbers could learn who teaches there.

So each distinct ID number an institution sends that matches no participant (dry runs, the API
and the Excel upload alike) is counted for the day (``credit_result_probes``: a keyed digest, not
the number). Up to ``LIMIT`` a day the rows are checked and answered as before — enough for the
typing mistakes of real rosters. A submission that would take the day past it is refused as a
whole (W661) without saying which rows matched, and so is every submission after it that day:
the institution learns nothing more until the next day (the hint: check the roster with the
project's authority or the schools, then submit tomorrow). The institution's row is locked while counting, so
two submissions at once cannot both pass the limit. The count and the refusal's audit entry are
kept although the request is refused (``Refusal.keeps_writes``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from engine import idnumber
from modules.credits import words as Wd
from modules.credits.models import ResultProbe, TrainingInstitution, TrainingProject
from web import audit
from web.db.models import Unit
from web.errors import Refusal
from web.principal import Principal

LIMIT = 20  # distinct unmatched ID numbers an institution may send a day
UNMATCHED = ("teacher", "unmatched")  # results.check_rows' keys of a number that matched no participant


def _today() -> Any:
    from web.people import clock

    return clock.today()


def _used(db: Session, institution_id: int, day: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(ResultProbe).where(
        ResultProbe.institution_id == institution_id, ResultProbe.day == day)) or 0)


def _refuse(db: Session, me: Principal, project: TrainingProject, used: int) -> Refusal:
    authority = db.get(Unit, project.unit_id)
    audit.record(db, "credits.results.probe_limit", actor=me, target_type="training_project", target_id=project.id,
                 unit_id=project.unit_id, detail={"institution": project.institution_id, "unmatched_today": used,
                                                  "limit": LIMIT})
    refusal = Refusal(Wd.W_PROBE_LIMIT, count=used, limit=LIMIT, authority=authority.name if authority else "")
    refusal.keeps_writes = True
    return refusal


def before(db: Session, me: Principal, project: TrainingProject) -> None:
    """Lock the institution's row and refuse at once (W661) when it has used up the day's tries."""
    db.execute(select(TrainingInstitution.id).where(TrainingInstitution.id == project.institution_id).with_for_update())
    used = _used(db, project.institution_id, _today())
    if used >= LIMIT:
        raise _refuse(db, me, project, used)


def after(db: Session, me: Principal, project: TrainingProject, rows: list[Any], problems: list[Any],
          first_row: int) -> bool:
    """Count the day's new unmatched numbers of these rows (``problems`` from results.check_rows,
    which numbered the rows from ``first_row``); W661 when the day goes past the limit. Returns
    whether anything was counted (then a refusal of the rows keeps the count)."""
    numbers = set()
    for p in problems:
        if p.column == "id_number" and p.key in UNMATCHED:
            raw = rows[p.row - first_row]
            number = idnumber.as_stored(raw.get("id_number") if isinstance(raw, dict) else None)
            if number:
                numbers.add(number)
    if not numbers:
        return False
    day = _today()
    digests = {audit.keyed(db, f"{project.institution_id}|{n}") for n in numbers}
    known = set(db.scalars(select(ResultProbe.digest).where(
        ResultProbe.institution_id == project.institution_id, ResultProbe.day == day, ResultProbe.digest.in_(digests))))
    new = [{"institution_id": project.institution_id, "day": day, "digest": d} for d in sorted(digests - known)]
    if new:
        db.execute(insert(ResultProbe), new)
    used = _used(db, project.institution_id, day)
    if used > LIMIT:
        raise _refuse(db, me, project, used)
    return bool(new)

