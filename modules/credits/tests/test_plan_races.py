"""Two reviewers deciding one school-based plan at once (PostgreSQL, real concurrent sessions;
sec2): the county approves while the city rejects. Unlocked, both read 待审批 and both wrote, the
last commit won (the plan 未批准 although the school was told 已批准, both audited). Now the plan's
row is locked: the second waits, then finds the plan decided (W551). (A second security tester
found the same; its test was this one.)"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from modules.credits import projects as P
from modules.credits.models import TrainingProject
from modules.credits.tests.test_api import _project
from modules.credits.tests.test_races import _first_holds_the_lock, _me
from web.errors import Refusal

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres_only")]


def test_a_plan_approved_and_rejected_at_once_is_decided_once(ctx, as_user, world):
    plan = _project(as_user("info_manager@3601020001"), level="school", type="school_based", name="校本研修：并发审批", hours=16)
    first, second = _first_holds_the_lock(
        ctx,
        lambda s: P.decide_plan(s, _me(ctx, s, "info_reviewer@360102"), plan["id"], True).state,
        lambda s: P.decide_plan(s, _me(ctx, s, "info_reviewer@3601"), plan["id"], False, "学时不足").state)
    assert first == "active"
    assert isinstance(second, Refusal) and second.code == "W551", second
    with ctx.sessions() as s:  # the first decision stands: approved, no rejection reason written over it
        found = s.scalar(select(TrainingProject).where(TrainingProject.id == plan["id"]))
        assert (found.state, found.reason) == ("active", None)
