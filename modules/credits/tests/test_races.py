"""Submissions and confirmations at the same time (PostgreSQL, real concurrent sessions): a
resubmission never overwrites a result confirmed meanwhile, two submissions of one new teacher
never hit the unique key (a 500), and two projects confirmed at once for one teacher apply the
yearly cap one after the other."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from modules.credits import results as R
from modules.credits.models import CreditEntry, TrainingResult
from modules.credits.tests.test_api import _project, _row, institution  # noqa: F401
from web.db.models import Account
from web.errors import Refusal
from web.services.auth import principal_of

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres_only")]


def _me(ctx, s, username):
    return principal_of(s.scalar(select(Account).where(Account.username == username)), ctx)


def _first_holds_the_lock(ctx, first, second):
    """``first`` runs and keeps its transaction open; ``second`` starts meanwhile in another
    session and must wait for it; ``first`` commits. Returns (first's result, second's result)."""
    out: dict[str, object] = {}
    with ctx.sessions() as a:
        out["first"] = first(a)

        def run() -> None:
            with ctx.sessions() as b:
                try:
                    out["second"] = second(b)
                    b.commit()
                except Refusal as r:
                    b.rollback()
                    out["second"] = r

        t = threading.Thread(target=run)
        t.start()
        time.sleep(1.0)  # the second is now waiting on the first's lock (or, unfixed, already done)
        a.commit()
    t.join(30)
    return out["first"], out["second"]


def test_a_resubmission_racing_a_confirmation_never_overwrites_it(ctx, as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    project = _project(as_user("info_manager@360102"), institution_id=inst_id)
    tid = world.teachers["3601020001"][0]
    assert as_user(inst_user).post(f"/api/v1/training/projects/{project['id']}/results",
                                   json={"rows": [_row(world, tid, 24)]}).status_code == 200
    root = ctx.settings.repo_root
    first, second = _first_holds_the_lock(
        ctx, lambda s: R.confirm_results(s, _me(ctx, s, "info_reviewer@360102"), project["id"], root=root),
        lambda s: R.submit_results(s, _me(ctx, s, inst_user), project["id"], [_row(world, tid, 10)]))
    assert first["confirmed"] == 1
    assert isinstance(second, R.RowsRefused) and second.problems[0].key == "confirmed"
    with ctx.sessions() as s:
        r = s.scalar(select(TrainingResult).where(TrainingResult.project_id == project["id"]))
        assert (r.state, r.hours) == ("confirmed", Decimal("24.00"))


def test_two_submissions_of_one_new_teacher_are_one_after_the_other(ctx, as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360102")
    project = _project(as_user("info_manager@360102"), institution_id=inst_id)
    tid = world.teachers["3601020001"][1]
    first, second = _first_holds_the_lock(
        ctx, lambda s: R.submit_results(s, _me(ctx, s, inst_user), project["id"], [_row(world, tid, 20)]),
        lambda s: R.submit_results(s, _me(ctx, s, inst_user), project["id"], [_row(world, tid, 22)]))
    assert first["saved"] == 1 and second["saved"] == 1  # the second replaces the first's unconfirmed result
    with ctx.sessions() as s:
        rows = list(s.scalars(select(TrainingResult).where(TrainingResult.project_id == project["id"])))
        assert [(r.teacher_id, r.hours) for r in rows] == [(tid, Decimal("22.00"))]


def test_two_projects_confirmed_at_once_share_the_yearly_cap(ctx, as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360103")
    county = as_user("info_manager@360103")
    tid = world.teachers["3601030001"][2]
    pids = []
    for name in ("并发网络研修一", "并发网络研修二"):
        p = _project(county, name=name, type="online", hours=120, institution_id=inst_id, start="2023-03-01", end="2023-03-30")
        assert as_user(inst_user).post(f"/api/v1/training/projects/{p['id']}/results",
                                       json={"rows": [_row(world, tid, 120)]}).status_code == 200
        pids.append(p["id"])
    root = ctx.settings.repo_root
    confirm = lambda pid: lambda s: R.confirm_results(s, _me(ctx, s, "info_reviewer@360103"), pid, root=root)  # noqa: E731
    alone = _first_holds_the_lock(ctx, confirm(pids[0]), confirm(pids[1]))
    with ctx.sessions() as s:
        total = s.scalar(select(func.sum(CreditEntry.credits)).where(CreditEntry.teacher_id == tid,
                                                                         CreditEntry.project_id.in_(pids)))
    # the same two projects confirmed one after the other (test_api.test_yearly_cap_per_category) give the cap
    assert Decimal(alone[0]["credits"]) + Decimal(alone[1]["credits"]) == total
    assert (alone[0]["credits"], alone[1]["credits"]) == ("10.00", "2.00")  # the second saw the first's credits (cap 12)
