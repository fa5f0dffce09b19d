"""The credit bank's reads (学分银行): one teacher's credits (total, by year and category, every
entry, as of a day) and a page of a unit's teachers with their year, cycle and category sums.
The writes are in projects.py and results.py; the ledger itself in ledger.py."""

from __future__ import annotations

from datetime import date, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import credits as C
from modules.credits import ledger
from modules.credits.models import CreditEntry, TrainingProject
from modules.credits.results import rules_for
from web import audit, privacy, scope
from web.db.models import Teacher, Unit
from web.errors import Refusal
from web.principal import Principal

def rule_version_labels(db: Session, versions: set[str], lang: str = "zh") -> dict[str, str]:
    """What a person reads for a stored rule version ("<scope>:<version>", e.g. "36:2021"):
    "江西省 2021 版" (the province unit's name), "国家默认 2021 版" for the national default;
    a manual adjustment's "adjusted:<unit code>" reads "人工调整（<unit>）" (adjustments.py), carried-over
    credits' "carried:<unit code>" reads "结转（<unit>）" (carry_over.py)."""
    from modules.credits import adjustments as A
    from modules.credits import carry_over as CO

    scopes = {v.split(":", 1)[0] for v in versions if ":" in v}
    scopes |= {v.split(":", 1)[1] for v in versions if v.startswith((A.PREFIX + ":", CO.PREFIX + ":"))}  # the acting unit
    names = dict(db.execute(select(Unit.code, Unit.name).where(Unit.code.in_(scopes - {"national"}))).all()) if scopes else {}
    out = {}
    for v in versions:
        where, _, key = v.partition(":")
        if not key:
            out[v] = v
        elif where == A.PREFIX:
            out[v] = A.version_label(names.get(key, key), lang)
        elif where == CO.PREFIX:
            out[v] = CO.version_label(names.get(key, key), lang)
        elif where == "national":
            out[v] = f"国家默认 {key} 版" if lang != "en" else f"National default, version {key}"
        else:
            out[v] = f"{names.get(where, where)} {key} 版" if lang != "en" else f"{names.get(where, where)}, version {key}"
    return out


# the words the module itself writes into notes (claims.py, corrections.py) and their English;
# the rest of a note is the person's text (a claim's title, a reason, a project's name)
NOTE_PREFIXES = {"自主研修：": "Self-study: ", "撤销：": "Revoked: "}
REVOKED_SUFFIX = ("（撤销：", " (revoked: ")  # corrections.py: "<project>（撤销：<reason>）"


def note_en(note: str | None) -> str | None:
    """An entry's note for an English page: what the module wrote, in English."""
    if not note:
        return note
    for zh, en in NOTE_PREFIXES.items():
        if note.startswith(zh):
            return en + note[len(zh):]
    zh, en = REVOKED_SUFFIX
    if zh in note and note.endswith("）"):
        head, _, reason = note[:-1].rpartition(zh)
        return f"{head}{en}{reason})"
    return note


def what_of(kind: str, project: str | None, note: str | None, lang: str = "zh") -> str:
    """An entry's 项目 / 原因 as every page and the transcript show it: a revoked entry its note
    ("<project>（撤销：<reason>）": why it was taken back), an adjustment its reason, any other the
    project's name (or the note: a self-study claim's title, carried-over credits' source)."""
    text = note_en(note) if lang == "en" else note
    if kind == "revoked" and note:
        return text or ""
    if kind == "adjusted" and note:
        return ("Reason: " if lang == "en" else "原因：") + (text or "")
    return project or text or ""


def local_time(when: Any) -> str:
    """A stored (UTC) instant as people read it: the server's local time (a server in China runs
    with TZ=Asia/Shanghai), as the other pages show times (web/services/auth.py)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def recorders(db: Session, ids: set[int | None]) -> dict[int, tuple[str, str]]:
    """Who recorded entries (confirmed, adjusted, revoked, imported), by account id, in Chinese and
    in English: "<real name>（<account>）" / "<real name> (<account>)"; an account since removed is
    not named; a teacher's account (its username is the ID number) by its name only."""
    from web.db.models import Account

    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    out = {}
    for i, user, name, kind in db.execute(select(Account.id, Account.username, Account.real_name, Account.kind)
                                          .where(Account.id.in_(wanted))):
        out[i] = (name, name) if kind == "teacher" else \
            ((f"{name}（{user}）", f"{name} ({user})") if name else (user, user))
    return out


def teacher_credits(db: Session, me: Principal, teacher_id: int, *, as_of: date | None = None,
                    start: date | None = None, end: date | None = None) -> dict[str, Any]:
    """A teacher's credit bank: total, by year and category, and every entry (the teacher's own,
    or one within the reader's scope; another person's read is audited)."""
    teacher = scope.get_teacher(db, me, teacher_id)
    start, end = start or date(1900, 1, 1), end or date(2999, 12, 31)
    b = ledger.balance(db, teacher.id, start=start, end=end, as_of=as_of)
    names = dict(db.execute(select(TrainingProject.id, TrainingProject.name).where(
        TrainingProject.id.in_(select(CreditEntry.project_id).where(CreditEntry.teacher_id == teacher.id)))).all())
    found = ledger.entries(db, teacher.id, start=start, end=end, as_of=as_of)
    rule_labels = rule_version_labels(db, {e.rule_version for e in found})
    rule_labels_en = rule_version_labels(db, {e.rule_version for e in found}, lang="en")
    who = recorders(db, {e.confirmed_by for e in found})
    entries = [{"id": e.id, "kind": e.kind, "credits": str(e.credits), "hours": str(e.hours), "category": e.category,
                "effective": e.effective.isoformat(), "project_id": e.project_id, "project": names.get(e.project_id),
                "rule_version": e.rule_version, "rule_label": rule_labels.get(e.rule_version, e.rule_version),
                "rule_label_en": rule_labels_en.get(e.rule_version, e.rule_version),
                "confirmed_by": e.confirmed_by, "by": who.get(e.confirmed_by, (None, None))[0], "by_en": who.get(e.confirmed_by, (None, None))[1],
                "recorded_at": e.recorded_at.isoformat(), "recorded_local": local_time(e.recorded_at), "note": e.note, "note_en": note_en(e.note),
                "what": what_of(e.kind, names.get(e.project_id), e.note),
                "what_en": what_of(e.kind, names.get(e.project_id), e.note, "en")}
               for e in found]
    if me.teacher_id != teacher.id:
        audit.record(db, "credits.read", actor=me, target_type="teacher", target_id=teacher.id, unit_id=teacher.unit_id)
    return {"teacher_id": teacher.id, "name": teacher.name, "as_of": (as_of or date.today()).isoformat(),
            "total": str(b.credits), "hours": str(b.hours), "by_year": {str(y): str(v) for y, v in b.by_year.items()},
            "by_category": {k: str(v) for k, v in b.by_category.items()}, "entries": entries}


def registration_cycles(db: Session, root: Path, province: str | None, ids: list[int],
                        as_of: date | None = None) -> dict[int, Any]:
    """The registration module's cycle of each teacher, the one current on ``as_of`` ({} when that
    module is not here)."""
    if not ids:
        return {}
    try:
        from modules.registration import eligibility as EL
    except ImportError:
        return {}
    try:
        from web.modules import current

        if not any(m.key == "registration" for m in current().modules):
            return {}
    except Exception:  # no registry (a tool outside the app): the code is here, use it
        pass
    return EL.cycles_for(db, root, province, ids, as_of)


def balances_page(db: Session, me: Principal, *, root: Path, as_of: date | None = None, year: int | None = None,
                  limit: int = 50, offset: int = 0, unit: str | None = None, q: str | None = None) -> dict[str, Any]:
    """The credit bank of a unit's teachers (the caller's scope), one page: per teacher the credits
    of ``year``, of the registration cycle containing it, by category in the cycle and in all,
    as recorded by ``as_of``. One page of teachers (the order of the teacher list), then one
    grouped query over the ledger for those teachers only. ``unit``: the code of a unit within the
    scope (its teachers only; W713 otherwise); ``q``: part of the teacher's name."""
    scope.require(me, "teacher.read")
    day = as_of or date.today()
    year = year or day.year
    prov = scope.province_of(db, me.unit_id)
    try:
        cycle = rules_for(root, prov.code if prov else None).cycle
    except Refusal:
        cycle = C.Cycle()
    start, end = cycle.window(date(year, 7, 1))
    filters, shown = _filters(db, me, unit, q)
    total = scope.count_teachers(db, me) if not filters else db.scalar(
        select(func.count()).select_from(Teacher).where(scope.teacher_filter(me), *filters))
    rows = db.execute(select(Teacher.id, Teacher.name, Teacher.id_number, Unit.name, privacy.shown_column(me))
                      .join(Unit, Unit.id == Teacher.unit_id)
                      .where(scope.teacher_filter(me), *filters).order_by(Teacher.unit_id, Teacher.name, Teacher.id)
                      .limit(max(1, min(limit, 200))).offset(max(0, offset))).all()
    ids = [r[0] for r in rows]
    seen = privacy.listing_of(me, [(r[0], r[4]) for r in rows])  # web/privacy.py: full with personal.read
    # 本周期: each teacher's registration cycle (the registration module's, the same the warning
    # list counts "本周期学分 n/m" in), counted up to the day like the registration does; the
    # province's credit cycle (credits.yaml) only for a teacher without one, or without that module
    reg = registration_cycles(db, root, prov.code if prov else None, ids, day)
    windows = {i: ((reg[i].start, reg[i].end) if i in reg else (start, end)) for i in ids}
    sums: dict[int, dict[str, Any]] = {i: {"year": Decimal(0), "cycle": Decimal(0), "all": Decimal(0), "by_category": {}} for i in ids}
    if ids:
        stmt = (select(CreditEntry.teacher_id, CreditEntry.category, CreditEntry.effective, func.sum(CreditEntry.credits))
                .where(CreditEntry.teacher_id.in_(ids))
                .group_by(CreditEntry.teacher_id, CreditEntry.category, CreditEntry.effective))
        if as_of is not None:  # None: everything recorded until now
            stmt = stmt.where(CreditEntry.recorded_at < ledger._end_of(as_of))
        for tid, cat, eff, c in db.execute(stmt):
            s, c = sums[tid], Decimal(str(c or 0))
            eff = eff if isinstance(eff, date) else date.fromisoformat(str(eff)[:10])
            s["all"] += c
            if eff.year == year:
                s["year"] += c
            low, high = windows[tid]
            if low <= eff <= min(high, day):
                s["cycle"] += c
                s["by_category"][cat] = s["by_category"].get(cat, Decimal(0)) + c
    cent = ledger.CENT
    items = [{"id": tid, "name": name, "id_number": seen.id_number(tid, num), "masked": not seen.shown(tid), "unit_name": unit,
              "year": str(sums[tid]["year"].quantize(cent)), "cycle": str(sums[tid]["cycle"].quantize(cent)),
              "total": str(sums[tid]["all"].quantize(cent)), "registration_cycle": tid in reg,
              "cycle_start": windows[tid][0].isoformat(), "cycle_end": windows[tid][1].isoformat(),
              "by_category": {k: str(v.quantize(cent)) for k, v in sorted(sums[tid]["by_category"].items())}}
             for tid, name, num, unit, _ in rows]
    # like the teacher list: a page that showed someone's personal values is audited
    seen.audit(db, "credits.balances", ids, only_unmasked=True, offset=max(0, offset), year=year)
    return {"total": total, "as_of": day.isoformat(), "year": year, "offset": max(0, offset), "cycle": [start.isoformat(), end.isoformat()],
            "unit": shown, "q": (q or "").strip()[:40], "items": items}


def _filters(db: Session, me: Principal, unit: str | None, q: str | None) -> tuple[list[Any], dict[str, str] | None]:
    """The WHERE conditions of ?unit= (a unit within the reader's teacher.read scope, W713 otherwise:
    an unknown code and one outside the scope read the same) and ?q= (part of the name)."""
    from modules.credits import bound_words as Wb
    from web.db.models import UnitClosure

    out: list[Any] = []
    shown = None
    code = (unit or "").strip()
    if code:
        found = db.scalar(select(Unit).where(Unit.code == code[:40]))
        if found is None or not scope.unit_in_scope(db, me, found.id, "teacher.read"):
            raise Refusal(Wb.W_UNIT_FILTER, value=code[:40])
        out.append(Teacher.unit_id.in_(select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == found.id)))
        shown = {"code": found.code, "name": found.name}
    name = "".join((q or "").split())[:40]
    if name:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        out.append(Teacher.name.like(f"%{escaped}%", escape="\\"))
    return out, shown


def filter_units(db: Session, me: Principal, limit: int = 500) -> list[tuple[str, str]]:
    """The units below the reader within its scope (code, name), for the balances page's filter: a
    county its schools; a city or a province its authorities below (a school's code still filters
    through ?unit=: a province's thousands of schools make no list)."""
    from web.db.models import UnitClosure

    roots = me.roots("teacher.read")
    if not roots:
        return []
    mine = db.get(Unit, me.unit_id)
    stmt = (select(Unit.code, Unit.name).join(UnitClosure, UnitClosure.descendant_id == Unit.id)
            .where(UnitClosure.ancestor_id.in_(roots), Unit.id.not_in(roots)))
    if mine is not None and mine.level in ("ministry", "province", "city"):
        stmt = stmt.where(Unit.level != "school")
    return [(c, n) for c, n in db.execute(stmt.distinct().order_by(Unit.code).limit(limit))]
