"""One evaluator per kind of registration condition (engine/registration.py ``KINDS``): a table,
not an if-chain. Each takes the teacher's facts, the condition, the cycle and the as-of date and
returns the unmet items, each named ("2023 年度考核 为 不合格", "本周期学分 96/120").

An item that names personal data (a sanction: the 处分 fields are ``personal: true``) says so,
and readers without ``personal.read`` see only that an ethics record bars registration."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from engine.registration import Condition


@dataclass(frozen=True)
class Unmet:
    key: str          # the condition's key
    kind: str
    zh: str
    en: str
    personal: bool = False

    def json(self, shown: bool = True) -> dict[str, Any]:
        if self.personal and not shown:
            return {"key": self.key, "kind": self.kind, "message": "存在不符合注册条件的师德记录（详情须有查看个人信息权限）",
                    "message_en": "An ethics record bars registration (details need the right to see personal data)",
                    "masked": True}
        return {"key": self.key, "kind": self.kind, "message": self.zh, "message_en": self.en, "masked": False}


@dataclass(frozen=True)
class Cycle:
    record_id: int
    kind: str                 # qualification_kind code
    certificate_number: str | None
    start: dt.date
    end: dt.date              # the cycle's last day

    def upto(self, as_of: dt.date) -> dt.date:
        return min(self.end, as_of)


@dataclass
class Facts:
    """What the conditions read of one teacher: records (documents) and the credit bank."""

    teacher_id: int
    assessments: list[dict[str, Any]]
    ethics: list[dict[str, Any]]
    balance: Callable[[dt.date, dt.date, dt.date], Any] | None   # (start, end, as_of) -> Balance; None: no credit bank
    label: Callable[[str, str, str], str]                        # (table, code, lang) -> label
    ancestors: Callable[[str, str], list[str]]                   # (table, code) -> the code and those above it


def number(value: Decimal | int | float) -> str:
    d = Decimal(str(value))
    return str(d.quantize(Decimal(1))) if d == d.to_integral_value() else format(d.normalize(), "f")


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def parse_month(value: Any) -> dt.date | None:
    try:
        y, m = str(value)[:7].split("-")
        return dt.date(int(y), int(m), 1)
    except (ValueError, TypeError):
        return None


# ------------------------------------------------------------------ the evaluators

def _training(measure: str, zh: str, en: str) -> Callable[[Facts, Condition, Cycle, dt.date], list[Unmet]]:
    def check(facts: Facts, c: Condition, cycle: Cycle, as_of: dt.date) -> list[Unmet]:
        if facts.balance is None:
            return [Unmet(c.key, c.kind, "学分数据不可用（学分银行未启用），无法核对培训要求",
                          "Credit data unavailable (no credit bank): the training requirement cannot be checked")]
        if as_of < cycle.start:
            return [Unmet(c.key, c.kind, f"本周期{zh} 0/{number(c.required)}", f"{en} this cycle 0/{number(c.required)}")]
        got = Decimal(getattr(facts.balance(cycle.start, cycle.upto(as_of), as_of), measure) or 0)
        need = Decimal(c.required or 0)
        if got >= need:
            return []
        return [Unmet(c.key, c.kind, f"本周期{zh} {number(got)}/{number(need)}", f"{en} this cycle {number(got)}/{number(need)}")]
    return check


def _assessment_years(cycle: Cycle, as_of: dt.date) -> list[int]:
    """The years of the cycle whose 年度考核 is due by ``as_of``: each calendar year from the
    cycle's first that has ended by then (and by the cycle's end)."""
    upto = cycle.upto(as_of)
    return [y for y in range(cycle.start.year, upto.year + 1) if dt.date(y, 12, 31) <= upto]


def assessment(facts: Facts, c: Condition, cycle: Cycle, as_of: dt.date) -> list[Unmet]:
    passing = set(c.codes("results"))
    by_year: dict[int, list[str]] = {}
    for doc in facts.assessments:
        try:
            year = int(doc.get("year"))
        except (TypeError, ValueError):
            continue
        by_year.setdefault(year, []).append(str(doc.get("result") or ""))
    out: list[Unmet] = []
    for year in _assessment_years(cycle, as_of):
        results = by_year.get(year)
        if not results or all(r == "" for r in results):
            out.append(Unmet(c.key, c.kind, f"{year} 年度考核 未填写", f"{year} annual assessment not recorded"))
            continue
        bad = next((r for r in results if r not in passing), None)
        if bad is not None:
            out.append(Unmet(c.key, c.kind, f"{year} 年度考核 为 {facts.label('assessment_result', bad, 'zh')}",
                             f"{year} annual assessment: {facts.label('assessment_result', bad, 'en')}"))
    return out


def ethics(facts: Facts, c: Condition, cycle: Cycle, as_of: dt.date) -> list[Unmet]:
    barred, failing = set(c.codes("punishments")), set(c.codes("ethics_results"))
    upto = cycle.upto(as_of)
    out: list[Unmet] = []
    for doc in facts.ethics:
        code = str(doc.get("punishment") or "0")
        if code != "0" and barred & set(facts.ancestors("punishment", code)):
            when = parse_date(doc.get("punishment_date")) or parse_date(doc.get("punishment_event_date"))
            lifted = parse_date(doc.get("revoke_date"))
            if when is not None and cycle.start <= when <= upto and (lifted is None or lifted > as_of):
                out.append(Unmet(c.key, c.kind, f"{when.isoformat()} 受到处分：{facts.label('punishment', code, 'zh')}",
                                 f"Sanctioned on {when.isoformat()}: {facts.label('punishment', code, 'en')}",
                                 personal=True))
        result = str(doc.get("assess_result") or "")
        month = parse_month(doc.get("assess_month"))
        if result in failing and month is not None and cycle.start.replace(day=1) <= month <= upto:
            out.append(Unmet(c.key, c.kind, f"{month:%Y-%m} 师德考核 为 {facts.label('ethics_result', result, 'zh')}",
                             f"Ethics assessment of {month:%Y-%m}: {facts.label('ethics_result', result, 'en')}"))
    return out


EVALUATORS: dict[str, Callable[[Facts, Condition, Cycle, dt.date], list[Unmet]]] = {
    "training_hours": _training("hours", "学时", "Training hours"),
    "training_credits": _training("credits", "学分", "Credits"),
    "assessment": assessment,
    "ethics": ethics,
}
