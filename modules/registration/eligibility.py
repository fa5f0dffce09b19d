"""Eligibility for periodic re-registration, as of a date (issue 17).

A qualification (a 教师资格 record with a kind other than 0 无) has a cycle of ``cycle_years``
years from the last of: its date of issue, its first registration and its last periodic
registration that were 注册合格. A registration made early (before the old cycle ended, within the
warning window) does not drop the rest of the old cycle: the new cycle starts the day after the
old one's end; one made late (after the end) starts it on the day of registration. The old end is
the one the application held (``registration_applications.cycle_end``), read per record with
``carried_starts``; a registration date typed by hand has no application and starts the cycle on
that date. Eligibility as of a date is every condition of the province
(engine/registration.py) evaluated by its kind's evaluator (conditions.py) on the teacher's
records and the credit bank (modules/credits ``ledger.balance``; without that module the training
condition reads "学分数据不可用", unmet). A teacher's answer is that of the qualification whose
cycle ends first; every qualification is listed too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import registration as R
from modules.registration.conditions import EVALUATORS, Cycle, Facts, Unmet, parse_date
from web.db.models import Record

QUALIFIED = "1"          # registration_conclusion 注册合格
REGISTRATIONS = (("first_registration_date", "first_registration_result"),
                 ("periodic_registration_date", "periodic_registration_result"))
SETS = ("qualification", "assessment", "ethics")


def rules_for(ctx: Any) -> R.Rules:
    from engine.catalogue import repo_root

    root = getattr(ctx.settings, "repo_root", None) or repo_root()
    found = R.conditions_for(root, ctx.settings.province)
    return found if found is not None else R.Rules(5, 12, [])


def add_years(day: dt.date, years: int) -> dt.date:
    if not dt.MINYEAR <= day.year + years <= dt.MAXYEAR:  # a stored date near 9999: the cycle never ends
        return dt.date.max if years > 0 else dt.date.min
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def cycle_of(record_id: int, doc: dict[str, Any], years: int, first_start: dt.date | None = None,
             carried: dict[dt.date, dt.date] | None = None, as_of: dt.date | None = None) -> Cycle | None:
    """The cycle of one qualification record (None: no kind, or no date to count from): from its
    last registration that was 注册合格 (or, when that registration was made early through an
    application, from the day after the old cycle's end: ``carried`` maps the day of registration to
    that start), else from its date of issue, or from ``first_start`` (the province's
    ``first_cycle_start``) when it was issued before the scheme began. ``as_of``: the cycle current
    on that day: a registration dated after it is not counted yet, a certificate issued after it
    does not exist yet (walk finding 4: as of 2024 a teacher registered in 2026 is in her old cycle)."""
    kind = str(doc.get("kind") or "0")
    if kind == "0":
        return None
    registered = [parse_date(doc.get(date_key)) for date_key, result_key in REGISTRATIONS
                  if str(doc.get(result_key) or "") == QUALIFIED]
    registered = [d for d in registered if d is not None]
    if as_of is not None and any(d > as_of for d in registered):
        # the record holds the last registration only: as of an earlier day, the registrations the
        # applications wrote before it (their outcome days, ``carried``) are the history
        registered = [d for d in registered + list(carried or {}) if d <= as_of]
    issued = parse_date(doc.get("issue_date"))
    if issued is not None and as_of is not None and issued > as_of:
        return None
    if registered:
        last = max(registered)
        start = max([(carried or {}).get(last, last)] + ([issued] if issued else []))
    elif issued is not None:
        start = max(issued, first_start) if first_start is not None else issued
    else:
        return None
    return Cycle(record_id, kind, doc.get("certificate_number") or None, start, add_years(start, years) - dt.timedelta(days=1))


def carried_starts(db: Session, record_ids: Any) -> dict[int, dict[dt.date, dt.date]]:
    """Per qualification record: the day of each 注册合格 written by an application -> the new
    cycle's start (the day after the old cycle's end when registered early, else that day).
    ``record_ids``: a list or a select of ids."""
    from modules.registration.models import RegistrationApplication as A

    out: dict[int, dict[dt.date, dt.date]] = {}
    ids = list(record_ids) if isinstance(record_ids, (list, tuple, set)) else None
    chunks = [ids[i:i + 500] for i in range(0, len(ids), 500)] if ids is not None else [record_ids]
    for chunk in chunks:
        if ids is not None and not chunk:
            continue
        rows = db.execute(select(A.record_id, A.outcome_date, A.cycle_end)
                          .where(A.record_id.in_(chunk), A.outcome_date.is_not(None), A.decision == "qualified"))
        for rid, day, end in rows:
            out.setdefault(rid, {})[day] = max(day, end + dt.timedelta(days=1))
    return out


def is_first(doc: dict[str, Any]) -> bool:
    """The qualification was never registered 注册合格 at its first registration: its next
    registration is the first (首次注册), whose outcome goes into the 首次注册 fields."""
    return str(doc.get("first_registration_result") or "") != QUALIFIED


@dataclass
class Answer:
    """One qualification's eligibility (or the teacher's, with ``cycle`` None when it has none)."""

    cycle: Cycle | None
    unmet: list[Unmet]
    as_of: dt.date
    kind_label: str = ""
    kind_label_en: str = ""

    @property
    def eligible(self) -> bool:
        return self.cycle is not None and not self.unmet

    def json(self, shown: bool = True) -> dict[str, Any]:
        c = self.cycle
        return {"cycle_start": c.start.isoformat() if c else None, "cycle_end": c.end.isoformat() if c else None,
                "eligible": self.eligible, "unmet": [u.json(shown) for u in self.unmet], "as_of": self.as_of.isoformat(),
                "qualification": {"record_id": c.record_id, "kind": c.kind, "kind_label": self.kind_label,
                                  "kind_label_en": self.kind_label_en or self.kind_label,
                                  "certificate_number": c.certificate_number} if c else None}


@dataclass
class TeacherAnswer:
    first: Answer
    all: list[Answer] = field(default_factory=list)

    def json(self, shown: bool = True) -> dict[str, Any]:
        return {**self.first.json(shown), "qualifications": [a.json(shown) for a in self.all]}


NO_QUALIFICATION = Unmet("qualification", "qualification", "无可注册的教师资格记录（须有资格种类和证书颁发日期）",
                         "No teacher qualification to register (it needs a kind and a date of issue)")


# ------------------------------------------------------------------ facts

def _balance_reader(db: Session, teacher_id: int) -> Callable[[dt.date, dt.date, dt.date], Any] | None:
    """The credit bank's balance of the teacher, or None when the credits module is not here."""
    if not credits_available():
        return None
    from modules.credits import ledger
    from web.people import clock

    today = clock.today()
    # as of today (or later) is everything recorded so far: the ledger counts days in China's
    # time, the app's clock in the server's, and an entry made tonight must count today
    return lambda start, end, as_of: ledger.balance(db, teacher_id, start=start, end=end,
                                                    as_of=None if as_of >= today else as_of)


def credits_available() -> bool:
    try:
        from modules.credits import ledger  # noqa: F401
    except ImportError:
        return False
    try:
        from web.modules import current

        return any(m.key == "credits" for m in current().modules)
    except Exception:  # no registry (a tool outside the app): the code is here, use it
        return True


def _labeller(cat: Any) -> Callable[[str, str, str], str]:
    def label(table: str, code: str, lang: str) -> str:
        t = cat.codes.get(table) if cat is not None else None
        item = t.by_code.get(code) if t is not None else None
        if item is None:
            return code
        return (item.en or item.zh) if lang == "en" else item.zh
    return label


def _ancestry(cat: Any) -> Callable[[str, str], list[str]]:
    def up(table: str, code: str) -> list[str]:
        t = cat.codes.get(table) if cat is not None else None
        out, seen = [code], {code}
        item = t.by_code.get(code) if t is not None else None
        while item is not None and item.parent and item.parent not in seen:
            out.append(item.parent)
            seen.add(item.parent)
            item = t.by_code.get(item.parent)
        return out
    return up


def records_of(db: Session, teacher_ids: list[int]) -> dict[int, dict[str, list[tuple[int, dict[str, Any]]]]]:
    """The live records (not 复本 copies) of the sets the conditions read, per teacher."""
    out: dict[int, dict[str, list[tuple[int, dict[str, Any]]]]] = {t: {s: [] for s in SETS} for t in teacher_ids}
    for i in range(0, len(teacher_ids), 500):
        chunk = teacher_ids[i:i + 500]
        rows = db.execute(select(Record.teacher_id, Record.set_key, Record.id, Record.document)
                          .where(Record.teacher_id.in_(chunk), Record.set_key.in_(SETS), Record.copy_of_id.is_(None))
                          .order_by(Record.teacher_id, Record.set_key, Record.position, Record.id))
        for tid, set_key, rid, doc in rows:
            out[tid][set_key].append((rid, dict(doc or {})))
    return out


def _carried_of(db: Session, recs: dict[str, list[tuple[int, dict[str, Any]]]]) -> dict[int, dict[dt.date, dt.date]]:
    ids = [rid for rid, doc in recs["qualification"] if doc.get("periodic_registration_date")
           or doc.get("first_registration_date")]
    return carried_starts(db, ids) if ids else {}


# ------------------------------------------------------------------ evaluation

def evaluate(facts: Facts, rules: R.Rules, cycle: Cycle, as_of: dt.date) -> list[Unmet]:
    out: list[Unmet] = []
    for c in rules.conditions:
        out += EVALUATORS[c.kind](facts, c, cycle, as_of)
    return out


def answer_for(db: Session, cat: Any, rules: R.Rules, teacher_id: int, as_of: dt.date,
               records: dict[str, list[tuple[int, dict[str, Any]]]] | None = None,
               credit_bank: bool = True) -> TeacherAnswer:
    """``credit_bank=False``: as if the credits module were not there (its condition unmet)."""
    recs = records if records is not None else records_of(db, [teacher_id])[teacher_id]
    facts = Facts(teacher_id, [d for _, d in recs["assessment"]], [d for _, d in recs["ethics"]],
                  _balance_reader(db, teacher_id) if credit_bank else None, _labeller(cat), _ancestry(cat))
    label = _labeller(cat)
    answers = []
    carried = _carried_of(db, recs)
    for rid, doc in recs["qualification"]:
        cycle = cycle_of(rid, doc, rules.cycle_years, rules.first_cycle_start, carried.get(rid), as_of)
        if cycle is not None:
            answers.append(Answer(cycle, evaluate(facts, rules, cycle, as_of), as_of,
                                  label("qualification_kind", cycle.kind, "zh"), label("qualification_kind", cycle.kind, "en")))
    if not answers:
        return TeacherAnswer(Answer(None, [NO_QUALIFICATION], as_of), [])
    answers.sort(key=lambda a: (a.cycle.end, a.cycle.record_id))
    return TeacherAnswer(answers[0], answers)


def cycles_for(db: Session, root: Any, province: str | None, teacher_ids: list[int],
               as_of: dt.date | None = None) -> dict[int, Cycle]:
    """Each teacher's registration cycle (that of the qualification whose cycle ends first, as in
    ``answer_for``), for a page of teachers: the one notion of 本周期 that other modules (the
    credit bank's balances) read, the one current on ``as_of`` (None: as recorded now). Teachers
    without a qualification to register are left out."""
    found = R.conditions_for(root, province)
    rules = found if found is not None else R.Rules(5, 12, [])
    ids = list(dict.fromkeys(teacher_ids))
    quals = {t: [] for t in ids} if ids else {}
    for i in range(0, len(ids), 500):
        for tid, rid, doc in db.execute(select(Record.teacher_id, Record.id, Record.document)
                                        .where(Record.teacher_id.in_(ids[i:i + 500]), Record.set_key == "qualification",
                                               Record.copy_of_id.is_(None))):
            quals[tid].append((rid, dict(doc or {})))
    carried = carried_starts(db, [rid for rows in quals.values() for rid, _ in rows])
    out: dict[int, Cycle] = {}
    for tid, rows in quals.items():
        found_cycles = [c for rid, doc in rows
                        if (c := cycle_of(rid, doc, rules.cycle_years, rules.first_cycle_start, carried.get(rid), as_of))]
        if found_cycles:
            out[tid] = min(found_cycles, key=lambda c: (c.end, c.record_id))
    return out


def due(cycle: Cycle, as_of: dt.date, warn_months: int) -> bool:
    """The cycle ends within ``warn_months`` of ``as_of`` (or has ended)."""
    return cycle.end <= add_months(as_of, warn_months)


def add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    y, m = day.year + m // 12, m % 12 + 1
    if not dt.MINYEAR <= y <= dt.MAXYEAR:
        return dt.date.max if months > 0 else dt.date.min
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(y, m, d)
        except ValueError:
            continue
    return dt.date(y, m, 28)
