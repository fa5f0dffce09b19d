"""The credits module's results of a training project: the institution's (or organiser's) rows
checked and submitted, a reviewer rejecting one or confirming them into the ledger under the
credits rules, and the reads of results. Projects themselves are in projects.py. Every check of
who may do what is here (web.permissions)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import String, cast, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session

from engine import credits as C
from engine import idnumber
from modules.credits import caps, ledger
from modules.credits import words as Wd
from modules.credits.models import CreditEntry, TrainingInstitution, TrainingProject, TrainingResult
from modules.credits.projects import STATE_LABELS, _decimal, get_project, institution_of
from web import audit, privacy, scope
from web.db.models import Teacher, Unit, UnitClosure
from web.errors import Refusal
from web.permissions import require
from web.principal import Principal

SUBMIT = "credits.results.submit"
CONFIRM = "credits.results.confirm"


# ------------------------------------------------------------------ rules (cached per file state)

_RULES: dict[tuple[Any, ...], C.Rules] = {}


def rules_for(root: Path, province: str | None) -> C.Rules:
    files = [root / C.NATIONAL_FILE, root / "provinces" / (province or "-") / "credits.yaml"]
    key = (str(root), province, tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in files))
    if key not in _RULES:
        rules, problems = C.load(root, province)
        if rules is None or problems:
            raise Refusal(Wd.W_NO_RULE, detail="; ".join(str(p) for p in problems[:3]) or "no credits.yaml")
        _RULES[key] = rules
    return _RULES[key]


# ------------------------------------------------------------------ small parsers

PASSED = {"true": True, "1": True, "合格": True, "yes": True, "false": False, "0": False, "不合格": False, "no": False}


def _passed(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    return PASSED.get(str(value).strip().lower()) if value is not None else None


# ------------------------------------------------------------------ results

@dataclass
class RowProblem:
    row: int
    column: str
    key: str
    args: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        zh, en, hint, hint_en = Wd.ROW[self.key]
        code = Wd.ROW_CODES.get(self.key)
        return {"row": self.row, "column": self.column, "message": zh.format(**self.args),
                "message_en": en.format(**self.args), "hint": hint.format(**self.args),
                "hint_en": hint_en.format(**self.args), **({"code": code} if code else {})}


class RowsRefused(Refusal):
    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(Wd.W_RESULT_ROWS, count=len(problems))
        self.problems = problems

    def as_json(self) -> dict[str, Any]:
        return {**super().as_json(), "problems": [p.as_json() for p in self.problems]}


def _may_submit(db: Session, me: Principal, project: TrainingProject) -> None:
    inst = institution_of(db, me) if me.has("training.results") else None
    if inst is not None and project.institution_id == inst.id:
        require(me, SUBMIT)
        return
    # the organiser's own data staff may enter results of a project without an institution
    if project.institution_id is None and scope.unit_in_scope(db, me, project.unit_id, "record.edit"):
        return
    raise Refusal(Wd.W_PROJECT_NOT_FOUND)


def _reach(project: TrainingProject) -> Any:
    """The teachers a project takes: national projects anyone, others the organiser's subtree."""
    if project.level == "national":
        return None
    return Teacher.unit_id.in_(select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == project.unit_id))


def _name(value: Any) -> str:
    return "".join(str(value or "").split())


_DIGITS = re.compile(r"[0-9]+[0-9X]")


def _id_problem(value: Any, number: str) -> str | None:
    """What the ID number as sent says by itself, whoever's it might be (so saying it reveals
    nothing): a number (Excel turned it into one: W631); 18 characters shaped like a resident ID
    number whose check character (engine.idnumber.check_digit) does not fit, or 16, 17 or 19
    digits: one missing or doubled (W632)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "as_number"
    if idnumber.shaped(number) and idnumber.check_digit(number[:17]) != number[17]:
        return "malformed"  # (the check character only: 外国人永久居留身份证 numbers share it, not the address code)
    if len(number) in (16, 17, 19) and _DIGITS.fullmatch(number):  # a digit missing or doubled: no ID type has these
        return "malformed"
    return None


def check_rows(db: Session, project: TrainingProject, rows: list[dict[str, Any]], first_row: int = 1, *,
               by_name: bool = False) -> tuple[list[dict[str, Any]], list[RowProblem]]:
    """Each row checked on its own (row numbers from ``first_row``); the good rows resolved to teachers.

    A row is {"id_number", "hours", "passed"} (+ "score", "name"): the ID number identifies the
    participant among the teachers the project takes; a name, when given, must be theirs.
    ``by_name``: the submitter (a training institution) does not read teachers, so an unknown
    number, a wrong name and a teacher outside the project's reach read the same ("unmatched",
    or "teacher" without a name): the check is no way to learn whether an ID number exists
    elsewhere or whose it is. A number sent as a number, or one failing its check character, is
    named as such (what the value says by itself)."""
    problems: list[RowProblem] = []
    numbers = {idnumber.as_stored(r.get("id_number")) for r in rows if isinstance(r, dict)}
    stmt = select(Teacher.id_number, Teacher.id, Teacher.name).where(Teacher.id_number.in_([n for n in numbers if n]))
    reach = _reach(project)
    if reach is not None:
        stmt = stmt.where(reach)
    found = {num: (tid, name) for num, tid, name in db.execute(stmt).all()} if numbers else {}
    closed = dict(db.execute(select(TrainingResult.teacher_id, TrainingResult.state).where(  # confirmed or revoked
        TrainingResult.project_id == project.id, TrainingResult.state.in_(("confirmed", "revoked")))).all())
    seen: dict[int, int] = {}
    good: list[dict[str, Any]] = []
    for i, raw in enumerate(rows):
        n = first_row + i
        r = raw if isinstance(raw, dict) else {}
        raw_id = r.get("id_number")
        number = "" if isinstance(raw_id, float) else idnumber.as_stored(raw_id)
        tid, tname = found.get(number, (None, None))
        id_problem = _id_problem(raw_id, number)
        if id_problem == "as_number" and abs(raw_id) < 10**15 and tid is not None:
            id_problem = None  # a short number (a passport's, say) sent as a number still reads exactly
        named = _name(r.get("name"))
        wrong_name = tid is not None and bool(named) and named != _name(tname)
        if by_name and wrong_name:
            tid = None
        hours, passed = _decimal(r.get("hours")), _passed(r.get("passed"))
        score = _decimal(r.get("score")) if r.get("score") not in (None, "") else Decimal(-1)
        before = len(problems)
        if r.get("id_number") in (None, "") or not str(r.get("id_number")).strip():
            problems.append(RowProblem(n, "id_number", "required", {"label": "身份证件号", "label_en": "ID number"}))
        elif id_problem == "as_number":
            problems.append(RowProblem(n, "id_number", id_problem, {}))
        elif tid is None:
            problems.append(RowProblem(n, "id_number", id_problem or ("unmatched" if by_name and named else "teacher"), {}))
        elif wrong_name:  # staff who may read the teacher: the name alone is wrong
            problems.append(RowProblem(n, "name", "name", {}))
        elif tid in seen:
            problems.append(RowProblem(n, "id_number", "twice", {"first": seen[tid]}))
        elif tid in closed:
            problems.append(RowProblem(n, "id_number", closed[tid], {}))
        if hours is None or not Decimal(0) <= hours <= project.hours:
            problems.append(RowProblem(n, "hours", "hours", {"max": str(project.hours)}))
        if passed is None:
            problems.append(RowProblem(n, "passed", "passed", {}))
        if score is None or (score != -1 and not Decimal(0) <= score <= 100):
            problems.append(RowProblem(n, "score", "score", {}))
        if tid is not None:
            seen.setdefault(tid, n)
        if len(problems) == before:
            good.append({"teacher_id": tid, "hours": hours.quantize(ledger.CENT), "passed": passed,
                         "score": None if score == -1 else score.quantize(ledger.CENT)})
    return good, problems


def _as_institution(db: Session, me: Principal, project: TrainingProject) -> bool:
    """Is ``me`` the project's training institution (which reads no teacher data)?"""
    inst = institution_of(db, me) if me.has("training.results") else None
    return inst is not None and project.institution_id == inst.id


def project_for_submitter(db: Session, me: Principal, project_id: int) -> TrainingProject:
    """The project, when ``me`` may submit its results (its institution, or the organiser's staff)."""
    project = get_project(db, me, project_id) if not me.has("training.results") else db.get(TrainingProject, project_id)
    if project is None:
        raise Refusal(Wd.W_PROJECT_NOT_FOUND)
    _may_submit(db, me, project)
    return project


def may_submit(db: Session, me: Principal, project_id: int) -> bool:
    """Whether submit_results would take results of this project from ``me`` (the pages' template
    link and upload form): its institution; for a project without one, the organiser's data staff
    (a school its approved school-based plan, an authority its own project)."""
    try:
        project_for_submitter(db, me, project_id)
    except Refusal:
        return False
    return True


def _locked(db: Session, project_id: int) -> TrainingProject:
    """The project, its row locked (FOR UPDATE) until the transaction ends: submissions and
    confirmations of one project run one after the other, so a resubmission never overwrites a
    result confirmed meanwhile and two submissions never insert the same teacher twice."""
    project = db.scalar(select(TrainingProject).where(TrainingProject.id == project_id).with_for_update()
                        .execution_options(populate_existing=True))
    if project is None:
        raise Refusal(Wd.W_PROJECT_NOT_FOUND)
    return project


def submit_results(db: Session, me: Principal, project_id: int, rows: Any, *, dry_run: bool = False,
                   first_row: int = 1) -> dict[str, Any]:
    """The institution's results for its project: all rows or none (RowsRefused naming each
    problem by row and column, rows counted from ``first_row``: 1 for the API's list, 2 for a
    workbook's first data row); a teacher's earlier unconfirmed result is replaced."""
    project = _locked(db, project_for_submitter(db, me, project_id).id)
    if project.state != "active":
        raise Refusal(Wd.W_PROJECT_STATE, name=project.name, state=STATE_LABELS[project.state][0],
                      state_en=STATE_LABELS[project.state][1], action="提交成绩", action_en="take results")
    from modules.credits import plausible

    plausible.taking_results(project)  # W718 not begun yet
    if not isinstance(rows, list) or not rows or len(rows) > 100_000:
        raise Refusal(Wd.W_BAD_BODY, detail="rows 须为 1–100000 行的列表", detail_en="rows must be a list of 1–100000 rows")
    from modules.credits import probing

    by_name = _as_institution(db, me, project)
    if by_name:  # an institution: the ID numbers it may try are counted (W661)
        probing.before(db, me, project)
    good, problems = check_rows(db, project, rows, first_row, by_name=by_name)
    counted = by_name and probing.after(db, me, project, rows, problems, first_row)
    if problems:
        refused = RowsRefused(problems)
        refused.keeps_writes = counted
        raise refused
    if dry_run:
        return {"project_id": project.id, "rows": len(good), "dry_run": True, "saved": 0}
    tids = [g["teacher_id"] for g in good]
    existing = dict(db.execute(select(TrainingResult.teacher_id, TrainingResult.id).where(
        TrainingResult.project_id == project.id, TrainingResult.teacher_id.in_(tids))).all()) if len(tids) < 30000 else \
        dict(db.execute(select(TrainingResult.teacher_id, TrainingResult.id).where(TrainingResult.project_id == project.id)).all())
    now = datetime.now(timezone.utc)
    new = [dict(project_id=project.id, state="submitted", submitted_by=me.account_id, submitted_at=now, **g)
           for g in good if g["teacher_id"] not in existing]
    changed = [dict(id=existing[g["teacher_id"]], hours=g["hours"], passed=g["passed"], score=g["score"],
                    submitted_by=me.account_id, submitted_at=now, state="submitted", reason=None)
               for g in good if g["teacher_id"] in existing]
    if new:
        db.execute(insert(TrainingResult), new)
    if changed:  # under the project's lock no result was confirmed since check_rows; the state guard says so again
        # (no IN here: an executemany takes no expanding parameter, so two or more rows failed with a 500)
        db.execute(update(TrainingResult).where(or_(TrainingResult.state == "submitted", TrainingResult.state == "rejected")),
                   changed, execution_options={"synchronize_session": None})
    audit.record(db, "credits.results.submit", actor=me, target_type="training_project", target_id=project.id,
                 unit_id=project.unit_id, detail={"rows": len(good), "new": len(new), "replaced": len(changed)})
    return {"project_id": project.id, "rows": len(good), "dry_run": False, "saved": len(good)}


# ------------------------------------------------------------------ confirmation → ledger

def _confirm_scope(db: Session, me: Principal, project: TrainingProject) -> tuple[Any, str | None]:
    """(a WHERE on the results' teachers, the province whose rules apply). A national project is
    confirmed by each province for its own teachers under its own rules; any other by its
    organiser (or above) for all its participants, under the organiser's province's rules."""
    if project.level == "national":
        prov = scope.province_of(db, me.unit_id)
        if prov is None or not me.holds_at("record.review", prov.id):
            raise Refusal(Wd.W_PROJECT_NOT_FOUND)
        require(me, CONFIRM, prov, db=db)
        return scope.unit_filter(me, "record.review", Teacher.unit_id), prov.code
    if not scope.unit_in_scope(db, me, project.unit_id, "record.review"):
        raise Refusal(Wd.W_PROJECT_NOT_FOUND)
    require(me, CONFIRM, project.unit_id, db=db)
    prov = scope.province_of(db, project.unit_id)
    return None, prov.code if prov else None


def reject_result(db: Session, me: Principal, project_id: int, result_id: int, reason: str) -> dict[str, Any]:
    """The reviewer who may confirm the project's results sends one waiting row back with a
    reason: it leaves the rows a confirmation takes, the institution sees the reason beside it
    and resubmitting the teacher's row makes it waiting again. The row's submitter does not
    reject it (W662: resubmitting corrects it), as it does not confirm it (W630)."""
    reason = " ".join(str(reason or "").split())
    if not 1 <= len(reason) <= 200:
        raise Refusal(Wd.W_REJECT_REASON)
    project = _locked(db, project_id)
    where, _ = _confirm_scope(db, me, project)
    stmt = (select(TrainingResult).join(Teacher, Teacher.id == TrainingResult.teacher_id)
            .where(TrainingResult.id == result_id, TrainingResult.project_id == project.id))
    if where is not None:
        stmt = stmt.where(where)
    result = db.scalar(stmt.with_for_update(of=TrainingResult))
    if result is None:
        raise Refusal(Wd.W_PROJECT_NOT_FOUND)
    if result.state != "submitted":
        raise Refusal(Wd.W_RESULT_NOT_WAITING)
    if result.submitted_by == me.account_id:  # one submits, another reviews (as confirming, W630)
        raise Refusal(Wd.W_OWN_ROW, who=f"{me.real_name}，{me.username}" if me.real_name else me.username)
    result.state, result.reason = "rejected", reason
    db.flush()
    audit.record(db, "credits.results.reject", actor=me, target_type="training_project", target_id=project.id,
                 unit_id=project.unit_id, detail={"result": result.id, "reason": reason})
    return {"id": result.id, "state": result.state, "reason": reason}


def _not_own(db: Session, me: Principal, mine: list[Any]) -> None:
    """Separation of duties: the account that submitted results waiting here does not confirm
    them (W630): a second person does."""
    if db.scalar(select(TrainingResult.id).where(*mine, TrainingResult.submitted_by == me.account_id).limit(1)):
        raise Refusal(Wd.W_OWN_RESULTS, who=f"{me.real_name}，{me.username}" if me.real_name else me.username)


def submitted_by_me(db: Session, me: Principal, project_id: int) -> bool:
    """Whether results of the project waiting for confirmation were submitted by ``me`` (the
    project page then says a second person confirms, instead of offering the button)."""
    return db.scalar(select(TrainingResult.id).where(
        TrainingResult.project_id == project_id, TrainingResult.state == "submitted",
        TrainingResult.submitted_by == me.account_id).limit(1)) is not None


def may_confirm(db: Session, me: Principal, project_id: int) -> bool:
    """Whether confirm_results would accept the caller for this project (the pages' button)."""
    project = db.get(TrainingProject, project_id)
    try:
        return project is not None and project.state == "active" and _confirm_scope(db, me, project) is not None
    except Refusal:
        return False


def confirm_results(db: Session, me: Principal, project_id: int, *, root: Path, cat: Any = None) -> dict[str, Any]:
    """Confirm every submitted result of the project within the caller's reach: passed results
    are converted under the rule version valid on the project's end day (caps per category per
    year and per cycle applied against the teacher's ledger), frozen on the result and posted to
    the ledger in one go; 不合格 results are confirmed with no credits."""
    project = _locked(db, project_id)
    where, province = _confirm_scope(db, me, project)
    if project.state != "active":
        raise Refusal(Wd.W_PROJECT_STATE, name=project.name, state=STATE_LABELS[project.state][0],
                      state_en=STATE_LABELS[project.state][1], action="确认成绩", action_en="be confirmed")
    from modules.credits import plausible

    plausible.project_dates(project.start_date, project.end_date)  # a stored 9999: W708, not a 500
    from modules.credits.conversion import Conversion

    conv = Conversion(rules_for(root, province), project)  # the preview on the page converts the same way
    on = conv.on
    # the results confirmed: the project's submitted ones within the caller's reach (under the
    # project's lock and their own, the same rows for every statement below)
    mine = [TrainingResult.project_id == project.id, TrainingResult.state == "submitted"]
    if where is not None:
        mine.append(TrainingResult.teacher_id.in_(select(Teacher.id).where(where)))
    pending = db.execute(select(TrainingResult.id, TrainingResult.teacher_id, TrainingResult.hours, TrainingResult.passed)
                         .where(*mine).order_by(TrainingResult.id).with_for_update(of=TrainingResult)).all()
    if not pending:
        raise Refusal(Wd.W_NOTHING_TO_CONFIRM)
    _not_own(db, me, mine)
    conv.caps()
    sample, category = conv.sample, conv.category
    participants = select(TrainingResult.teacher_id).where(*mine)
    locked = caps.lock_teachers(db, participants)  # once: the 国内培训 batch below reuses it
    conv.read_used(db)
    entries: list[dict[str, Any]] = []
    now = ledger._now()  # when the entries are recorded (the demo records its history on the days it happened)
    total = Decimal(0)
    for rid, tid, hours, passed in pending:
        if not passed:
            continue
        credits = conv.credits(tid, hours)
        entries.append({"teacher_id": tid, "kind": "earned", "credits": credits, "hours": hours,
                        "category": category, "effective": on, "project_id": project.id,
                        "rule_version": sample.version, "confirmed_by": me.account_id, "recorded_at": now,
                        "note": project.name[:100], "source": f"result:{rid}"})
        total += credits
    ledger.insert_many(db, entries)
    # every result confirmed in one statement, each frozen with its entry's credits (none: 0)
    earned = (select(CreditEntry.credits).where(CreditEntry.source == literal("result:", String) + cast(TrainingResult.id, String))
              .scalar_subquery())
    db.execute(update(TrainingResult).where(*mine).values(
        state="confirmed", confirmed_by=me.account_id, confirmed_at=now, credits=func.coalesce(earned, 0),
        rule_version=sample.version), execution_options={"synchronize_session": False})
    if cat is not None and entries:  # confirmed training in the teachers' 国内培训 (来自学分银行)
        from modules.credits import records

        inst = db.get(TrainingInstitution, project.institution_id) if project.institution_id else None
        records.from_results(db, cat, me, project, [(e["teacher_id"], e["hours"], e["credits"]) for e in entries],
                             institution=inst.name if inst else project.organiser, among=participants, locked=locked)
    audit.record(db, "credits.results.confirm", actor=me, target_type="training_project", target_id=project.id,
                 unit_id=project.unit_id, detail={"confirmed": len(pending), "credits": str(total),
                                                  "rule_version": sample.version, "rule": sample.rule})
    return {"project_id": project.id, "confirmed": len(pending), "passed": len(entries), "credits": str(total),
            "rule_version": sample.version, "rule": sample.rule}


def results_of(db: Session, me: Principal, project_id: int) -> list[dict[str, Any]]:
    """A project's results as its institution or an authority sees them. The institution sees
    only what it sent (the ID number masked, hours, passed, score and the state), never the
    teacher's name or school; the authority's staff see the teachers within their scope, the ID
    number as web/privacy.py's Listing shows it (full with personal.read at the teacher's unit,
    else masked), and the read is audited (how many were shown unmasked)."""
    project = db.get(TrainingProject, project_id)
    if project is None:
        raise Refusal(Wd.W_PROJECT_NOT_FOUND)
    if _as_institution(db, me, project):
        stmt = (select(TrainingResult, Teacher.id_number).join(Teacher, Teacher.id == TrainingResult.teacher_id)
                .where(TrainingResult.project_id == project.id))
        # an institution holds no personal.read anywhere: the Listing masks every number
        found = db.execute(stmt.order_by(TrainingResult.id).limit(5000)).all()
        seen = privacy.listing(db, me, [r.teacher_id for r, _ in found])
        return [{"id": r.id, "id_number": seen.id_number(r.teacher_id, num), "hours": str(r.hours), "passed": r.passed,
                 "score": None if r.score is None else str(r.score), "state": r.state, "reason": r.reason}
                for r, num in found]
    get_project(db, me, project_id)
    stmt = (select(TrainingResult, Teacher.name, Teacher.id_number, Unit.name, privacy.shown_column(me))
            .join(Teacher, Teacher.id == TrainingResult.teacher_id).join(Unit, Unit.id == Teacher.unit_id)
            .where(TrainingResult.project_id == project.id, scope.teacher_filter(me)))
    found = db.execute(stmt.order_by(TrainingResult.id).limit(5000)).all()
    seen = privacy.listing_of(me, [(r.teacher_id, shown) for r, _, _, _, shown in found])
    out = [{"id": r.id, "name": name, "id_number": seen.id_number(r.teacher_id, num), "school": school,
            "hours": str(r.hours), "passed": r.passed, "score": None if r.score is None else str(r.score),
            "state": r.state, "reason": r.reason, "credits": None if r.credits is None else str(r.credits),
            "rule_version": r.rule_version, "mine": r.submitted_by == me.account_id}
           for r, name, num, school, _ in found]
    if out:
        from modules.credits.corrections import annotate

        annotate(db, out)  # who revoked a revoked row, and when
    seen.audit(db, "credits.results", [r.teacher_id for r, *_ in found], action="credits.results.read",
               target_type="training_project", target_id=project.id, unit_id=project.unit_id, teachers=len(out))
    return out
