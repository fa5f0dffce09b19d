"""Each level's decision on a re-registration application (walk2 finding 2).

An application's ``decision`` is the acting step's: the city's 审定 starts from the county's 初审
and may change it, after which the county's conclusion is no longer on the application. Every
step's ``forward`` logs each teacher's decision as it left that step (registration_decisions,
append-only): that row is the level's conclusion. ``of_batch`` reads them back per application,
in the route's order, for the application's page (the 初审意见 beside the city's own fields; each
level's conclusion once done) and ``of_applications`` for a teacher's 我的注册.

Reasons are masked as the application's own reason is (batch._app_json): for a reader who may
not see the teacher's personal data when a masked 师德 condition stands beside it."""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.registration import words as W
from modules.registration.models import RegistrationBatch, RegistrationDecision
from web import privacy


def _read(db: Session, app_ids: Iterable[int]) -> dict[int, dict[str, RegistrationDecision]]:
    """application id -> step key -> the last ``forward`` row of that step."""
    ids = list(app_ids)
    if not ids:
        return {}
    out: dict[int, dict[str, RegistrationDecision]] = {}
    rows = db.scalars(select(RegistrationDecision).where(RegistrationDecision.application_id.in_(ids),
                                                         RegistrationDecision.action == "forward")
                      .order_by(RegistrationDecision.id))
    for row in rows:
        if row.step_key is not None:
            out.setdefault(row.application_id, {})[row.step_key] = row   # a later row of a step wins
    return out


def _json(step: dict[str, Any], row: RegistrationDecision, masked: bool) -> dict[str, Any]:
    word = W.DECISIONS.get(row.decision or "")
    return {"step": step["key"], "label": step["label"], "label_en": step.get("label_en") or step["label"],
            "unit_name": row.unit_name or step.get("unit_name"), "decision": row.decision,
            "decision_label": word[1] if word else None, "decision_label_en": word[2] if word else None,
            "reason": (None if not row.reason else privacy.MASK if masked else row.reason),
            "reason_masked": bool(row.reason) and masked, "on": row.at.date().isoformat() if row.at else None}


def of_batch(db: Session, batch: RegistrationBatch, masked: dict[int, bool]) -> dict[int, list[dict[str, Any]]]:
    """application id -> the conclusions of the steps done so far, in the route's order.
    ``masked``: application id -> whether its reasons are hidden from the reader."""
    found = _read(db, masked)
    return {app_id: [_json(s, by_step[s["key"]], masked.get(app_id, False))
                     for s in batch.steps if s["key"] in by_step]
            for app_id, by_step in found.items()}


def of_applications(db: Session, pairs: list[tuple[int, RegistrationBatch]]) -> dict[int, list[dict[str, Any]]]:
    """The same for applications of several batches (a teacher's own: nothing masked)."""
    found = _read(db, [a for a, _ in pairs])
    return {app_id: [_json(s, found[app_id][s["key"]], False) for s in batch.steps if s["key"] in found[app_id]]
            for app_id, batch in pairs if app_id in found}


def heading(batch: RegistrationBatch, acting: bool) -> tuple[str, str] | None:
    """The column's heading on the application's page, or None before any step is done: for the
    acting step the levels below it (one: its label's 初审意见), else each level's."""
    done = batch.steps[:batch.step] if batch.state == "pending" else batch.steps
    if not done:
        return None
    if acting and len(done) == 1:
        return ("初审意见", "First review's decision") if "初审" in done[0]["label"] else (
            f"{done[0]['label']}意见", f"Decision at: {done[0].get('label_en') or done[0]['label']}")
    if acting:
        return ("下级审核意见", "Decisions of the levels below")
    return ("各级审核意见", "Decision at each level")
