"""Security review of issue 17 (PostgreSQL, real concurrent sessions): two reviewers deciding one
school-based plan (校本研修) at the same moment. The second waits for the first and is then told
the plan was decided already (W551); it never overwrites the first decision, so the school never
reads 已登记 on one screen while the plan is 未批准 in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from modules.credits import projects as P
from modules.credits.models import TrainingProject
from modules.credits.tests.test_races import _first_holds_the_lock, _me
from web.errors import Refusal

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgres_only(ctx):
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("races need PostgreSQL: set TMIS_TEST_DATABASE_URL")


def test_two_reviewers_deciding_one_plan_at_once_the_second_is_told_it_is_decided(ctx):
    body = dict(name="校本研修：并发审批", level="school", type="school_based", hours=16,
                start="2024-03-04", end="2024-03-08")
    with ctx.sessions() as s:
        pid = P.register_project(s, _me(ctx, s, "info_manager@3601020001"), body).id
        s.commit()
    approve = lambda s: P.decide_plan(s, _me(ctx, s, "info_reviewer@360102"), pid, True).state  # noqa: E731
    reject = lambda s: P.decide_plan(s, _me(ctx, s, "info_reviewer@3601"), pid, False, "未附研修方案").state  # noqa: E731
    first, second = _first_holds_the_lock(ctx, approve, reject)
    assert first == "active"
    assert isinstance(second, Refusal) and second.code == "W551", second
    with ctx.sessions() as s:
        plan = s.scalar(select(TrainingProject).where(TrainingProject.id == pid))
        assert (plan.state, plan.reason) == ("active", None)
