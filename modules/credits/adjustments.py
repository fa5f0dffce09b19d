"""Manual credit adjustments (调整学分): an education authority (county level or above) whose
reviewers reach the teacher's school adds an ``adjusted`` entry to the teacher's credit bank — a
correction either way (a negative amount takes credits away), with the reason in the entry's note.

One service function, ``adjust``, used by ``POST /api/v1/teachers/{tid}/credits/adjustments`` and
by the page /credits/teachers/{tid}. The entry's rule version is ``adjusted:<unit code>`` (the
adjusting authority), read as "人工调整（<unit>）" / "Manual adjustment (<unit>)"
(bank.rule_version_labels). A teacher's total in the category, all time as recorded now, never
goes below 0 (W676), nor its hours (W660): the teacher's row is locked (FOR UPDATE) before the ledger is summed, so two
adjustments at once are applied one after the other, each seeing the other."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from modules.credits import adjust_words as Wa
from modules.credits import caps, ledger
from modules.credits.models import KIND_LABELS, CreditEntry
from modules.credits.projects import _date, _decimal
from modules.credits.results import rules_for
from web import audit, scope
from web.db.models import Teacher, Unit
from web.errors import Refusal
from web.permissions import may
from web.principal import Principal

ADJUST = "credits.adjust"
PREFIX = "adjusted"
MAX_CREDITS = Decimal("1000")
MAX_HOURS = Decimal("10000")
REASON_MAX = 200
EARLIEST = date(1950, 1, 1)
FIELDS = ("category", "credits", "hours", "effective", "reason")  # the request's, as the form's names


def rule_version(unit_code: str) -> str:
    return f"{PREFIX}:{unit_code}"


def version_label(unit_name: str, lang: str = "zh") -> str:
    return f"人工调整（{unit_name}）" if lang != "en" else f"Manual adjustment ({unit_name})"


def today() -> date:
    from web.people import clock

    return clock.today()


def may_adjust(db: Session, me: Principal, teacher: Teacher) -> bool:
    """Staff with record.review held at their own authority unit (credits.adjust), reaching the
    teacher's unit with it, not the teacher's own unit (a school never adjusts its own teachers)."""
    unit = db.get(Unit, me.unit_id)
    return (unit is not None and unit.id != teacher.unit_id and may(me, ADJUST, unit, db=db)
            and scope.unit_in_scope(db, me, teacher.unit_id, "record.review"))


def categories_of(db: Session, root: Path, teacher: Teacher) -> dict[str, Any]:
    """The credit categories of the teacher's province (key → Text with zh / en)."""
    prov = scope.province_of(db, teacher.unit_id)
    return dict(rules_for(root, prov.code if prov else None).categories)


def _bad(field: str, field_en: str, detail: str, detail_en: str, hint: str, hint_en: str) -> Refusal:
    return Refusal(Wa.W_ADJUST_FIELD, field=field, field_en=field_en, detail=detail, detail_en=detail_en,
                   hint=hint, hint_en=hint_en)


def _amount(value: Any, field: str, field_en: str, limit: Decimal, example: str, *, required: bool) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        if not required:
            return ledger.ZERO
        raise _bad(field, field_en, "必填", "is required", f"填写一个数字，例如 {example}（负数表示减少）。",
                   f"Write a number such as {example} (negative = a reduction).")
    d = _decimal(value)
    if d is None:
        raise _bad(field, field_en, f"「{str(value)[:20]}」不是数字", f"'{str(value)[:20]}' is not a number",
                   f"写成数字，例如 {example}（负数表示减少）。", f"Write a number such as {example} (negative = a reduction).")
    if abs(d) > limit:  # first: quantizing 1E+999999 would fail
        raise _bad(field, field_en, f"绝对值不能超过 {limit}", f"must be within ±{limit}",
                   "一次调整的数额过大：核对数额。", "Too large for one adjustment: check the amount.")
    if d != d.quantize(ledger.CENT):
        raise _bad(field, field_en, f"{str(d)[:20]} 超过两位小数", f"{str(d)[:20]} has more than two decimals",
                   "最多保留两位小数，例如 1.25。", "At most two decimals, e.g. 1.25.")
    return d.quantize(ledger.CENT)


def check(data: Any, cats: dict[str, Any], on: date) -> dict[str, Any]:
    """The adjustment's fields, each checked in the order of the form (W677 the category, W678 the others)."""
    data = data if isinstance(data, dict) else {}
    raw_category = data.get("category")
    category = raw_category.strip() if isinstance(raw_category, str) else ""
    if category not in cats:
        raise Refusal(Wa.W_ADJUST_CATEGORY, value=(category or str(raw_category or ""))[:32],
                      allowed="、".join(f"{k}（{t.zh}）" for k, t in cats.items()),
                      allowed_en=", ".join(f"{k} ({t.en or t.zh})" for k, t in cats.items()))
    credits = _amount(data.get("credits"), "学分", "credits", MAX_CREDITS, "2 或 -1.5", required=True)
    if credits == 0:
        raise _bad("学分", "credits", "不能为 0", "must not be 0",
                   "增加写正数（如 2），减少写负数（如 -1.5）。", "Write a positive number to add (2), a negative one to take away (-1.5).")
    hours = _amount(data.get("hours"), "学时", "hours", MAX_HOURS, "8 或 -4", required=False)
    raw = data.get("effective")
    effective = _date(raw) if raw not in (None, "") else None
    if effective is None:
        raise _bad("生效日期", "effective", "须为日期" if raw in (None, "") else f"「{str(raw)[:20]}」不是日期",
                   "must be a date" if raw in (None, "") else f"'{str(raw)[:20]}' is not a date",
                   "写成 2024-06-30。", "Write it as 2024-06-30.")
    if effective > on:
        raise _bad("生效日期", "effective", f"{effective} 晚于今天（{on}）", f"{effective} is after today ({on})",
                   "调整只能在今天或以前生效。", "An adjustment takes effect today or earlier.")
    if effective < EARLIEST:
        raise _bad("生效日期", "effective", f"{effective} 早于 {EARLIEST}", f"{effective} is before {EARLIEST}",
                   "核对年份。", "Check the year.")
    raw_reason = data.get("reason")
    if raw_reason is not None and not isinstance(raw_reason, str):
        raise _bad("调整原因", "reason", "须为文字", "must be text", "写一句话说明调整的原因。", "Write a sentence saying why.")
    reason = " ".join((raw_reason or "").split())
    if not reason:
        raise _bad("调整原因", "reason", "必填", "is required",
                   f"写明调整的原因（不超过 {REASON_MAX} 字），例如 补录 2023 年市级培训学分。",
                   f"Say why (at most {REASON_MAX} characters), e.g. credits of a 2023 city course entered late.")
    if len(reason) > REASON_MAX:
        raise _bad("调整原因", "reason", f"有 {len(reason)} 字，超过 {REASON_MAX} 字",
                   f"has {len(reason)} characters, more than {REASON_MAX}",
                   f"精简到 {REASON_MAX} 字以内。", f"Shorten it to {REASON_MAX} characters.")
    return {"category": category, "credits": credits, "hours": hours, "effective": effective, "reason": reason}


def category_total(db: Session, teacher_id: int, category: str) -> tuple[Decimal, Decimal]:
    """The teacher's credits and hours in the category, every entry recorded until now."""
    credits, hours = db.execute(select(func.coalesce(func.sum(CreditEntry.credits), 0),
                                       func.coalesce(func.sum(CreditEntry.hours), 0)).where(
        CreditEntry.teacher_id == teacher_id, CreditEntry.category == category)).one()
    return Decimal(str(credits or 0)).quantize(ledger.CENT), Decimal(str(hours or 0)).quantize(ledger.CENT)


def adjust(db: Session, me: Principal, teacher_id: int, data: Any, *, root: Path) -> CreditEntry:
    """Add an ``adjusted`` entry to the teacher's credit bank (flushed; the caller commits).

    A teacher outside the caller's reading scope: W402, as GET …/credits; an account that may not
    adjust this teacher: W679; a field: W677 / W678; the category's total below 0: W676."""
    teacher = scope.get_teacher(db, me, teacher_id)
    if not may_adjust(db, me, teacher):
        raise Refusal(Wa.W_ADJUST_WHO)
    cats = categories_of(db, root, teacher)
    values = check(data, cats, today())
    caps.lock_teachers(db, [teacher.id])  # concurrent adjustments of one teacher: one after the other
    before, hours_before = category_total(db, teacher.id, values["category"])
    after = before + values["credits"]
    label = cats[values["category"]]
    if after < 0:
        raise Refusal(Wa.W_ADJUST_BELOW_ZERO, category=label.zh, category_en=label.en or label.zh,
                      before=str(before), after=str(after))
    hours_after = hours_before + (values["hours"] or 0)
    if hours_after < 0:
        raise Refusal(Wa.W_ADJUST_HOURS_BELOW_ZERO, category=label.zh, category_en=label.en or label.zh,
                      before=str(hours_before), after=str(hours_after))
    unit = db.get(Unit, me.unit_id)
    entry = ledger.post(db, teacher.id, kind="adjusted", credits=values["credits"], hours=values["hours"],
                        category=values["category"], effective=values["effective"],
                        rule_version=rule_version(unit.code), confirmed_by=me.account_id, note=values["reason"])
    audit.record(db, "credits.adjust", actor=me, target_type="teacher", target_id=teacher.id, unit_id=teacher.unit_id,
                 detail={"entry": entry.id, "category": entry.category, "credits": str(entry.credits),
                         "hours": str(entry.hours), "effective": entry.effective.isoformat(),
                         "reason": values["reason"], "before": str(before), "after": str(after)})
    return entry


def entry_json(db: Session, e: CreditEntry, lang: str = "zh") -> dict[str, Any]:
    """One entry as GET …/credits lists it, with its kind in words."""
    from modules.credits.bank import rule_version_labels

    zh, en = KIND_LABELS.get(e.kind, (e.kind, e.kind))
    return {"id": e.id, "kind": e.kind, "kind_label": zh, "kind_label_en": en, "credits": str(e.credits),
            "hours": str(e.hours), "category": e.category, "effective": e.effective.isoformat(),
            "project_id": e.project_id, "project": None, "rule_version": e.rule_version,
            "rule_label": rule_version_labels(db, {e.rule_version}, lang)[e.rule_version],
            "confirmed_by": e.confirmed_by, "recorded_at": e.recorded_at.isoformat(), "note": e.note}
