"""A project's results converted into credits: one code for the confirmation
(results.confirm_results, which posts them to the ledger) and for its preview (``expected``: the
预计学分 a reviewer reads beside each waiting row on /credits/projects/{id} before confirming,
walk2 finding 9).

The rule version is the one valid on the project's end day; caps per category per year and per
cycle are applied against the credits each teacher already holds in the ledger. A preview reads
the ledger as it is now: credits confirmed for the teacher before this project's confirmation
may lower a capped row (the page says so)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import credits as C
from modules.credits import caps
from modules.credits import words as Wd
from modules.credits.models import TrainingProject, TrainingResult
from web.db.models import Teacher
from web.errors import Refusal
from web.principal import Principal


class Conversion:
    """The project's rule (W_NO_RULE when none applies), then per row its credits under the caps."""

    def __init__(self, rules: C.Rules, project: TrainingProject) -> None:
        self.rules, self.project, self.on = rules, project, project.end_date
        self.version = rules.version_on(self.on)
        try:
            C.convert(rules, level=project.level, kind=project.kind, hours=Decimal(1), on=self.on)
        except C.NoRule as exc:
            raise Refusal(Wd.W_NO_RULE, detail=str(exc)) from exc
        self._by_hours: dict[Decimal, Decimal] = {}

    def caps(self) -> None:
        """The project's category and its caps (the rule of the project's own hours)."""
        p = self.project
        self.sample = C.convert(self.rules, level=p.level, kind=p.kind, hours=p.hours, on=self.on)
        self.category = self.sample.category
        self.year_cap = self.version.caps.yearly.get(self.category)
        self.cycle_cap = self.version.caps.cycle.get(self.category)

    def read_used(self, db: Session) -> None:
        """The credits the participants already hold in the category, in the year and the cycle."""
        self.used_year, self.used_cycle = caps.used(db, self.project.id, self.category, self.on,
                                                    self.rules.cycle.window(self.on), (self.year_cap, self.cycle_cap))

    def before_caps(self, hours: Decimal) -> Decimal:
        if hours not in self._by_hours:
            p = self.project
            self._by_hours[hours] = C.convert(self.rules, level=p.level, kind=p.kind, hours=hours, on=self.on).credits
        return self._by_hours[hours]

    def credits(self, teacher_id: int, hours: Decimal) -> Decimal:
        credits = self.before_caps(hours)
        if self.year_cap is not None:
            credits = max(Decimal(0), min(credits, self.year_cap - self.used_year.get(teacher_id, 0)))
        if self.cycle_cap is not None:
            credits = max(Decimal(0), min(credits, self.cycle_cap - self.used_cycle.get(teacher_id, 0)))
        return credits


def expected(db: Session, me: Principal, project_id: int, root: Path) -> dict[int, dict[str, str]]:
    """For the reviewer who may confirm the project: result id -> {"credits", "before_caps"} of
    each waiting row confirm_results would take now (不合格: 0). Nothing (an empty dict) for
    anyone else, or when no rule applies (confirming then says why). Reads only: no lock."""
    from modules.credits import plausible
    from modules.credits import results as R

    project = db.get(TrainingProject, project_id)
    if project is None or project.state != "active":
        return {}
    try:
        where, province = R._confirm_scope(db, me, project)
        plausible.project_dates(project.start_date, project.end_date)
        conv = Conversion(R.rules_for(root, province), project)
        conv.caps()
    except (Refusal, C.NoRule):
        return {}
    mine = [TrainingResult.project_id == project.id, TrainingResult.state == "submitted"]
    if where is not None:
        mine.append(TrainingResult.teacher_id.in_(select(Teacher.id).where(where)))
    rows = db.execute(select(TrainingResult.id, TrainingResult.teacher_id, TrainingResult.hours, TrainingResult.passed)
                      .where(*mine)).all()
    if not rows:
        return {}
    conv.read_used(db)
    out: dict[int, dict[str, Any]] = {}
    for rid, tid, hours, passed in rows:
        if not passed:
            out[rid] = {"credits": "0.00", "before_caps": "0.00"}
            continue
        got, before = conv.credits(tid, hours), conv.before_caps(hours)
        out[rid] = {"credits": f"{got:.2f}", "before_caps": f"{before:.2f}"}
    return out
