"""Two revocations of one result at the same time (PostgreSQL, real concurrent sessions): exactly
one wins; the other waits on the project's lock and is then refused (W672), so the ledger holds
one revoking entry, not two (which would take the credits away twice)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from modules.credits import corrections
from modules.credits.models import CreditEntry, TrainingResult
from modules.credits.tests.test_api import _project, _row, institution  # noqa: F401
from modules.credits.tests.test_races import _first_holds_the_lock, _me
from web.errors import Refusal

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres_only")]


def test_two_revocations_of_one_result_one_wins(ctx, as_user, world, institution):  # noqa: F811
    inst_id, inst_user = institution("360103")
    project = _project(as_user("info_manager@360103"), name="并发撤销", institution_id=inst_id)
    tid = world.teachers["3601030001"][0]
    url = f"/api/v1/training/projects/{project['id']}/results"
    assert as_user(inst_user).post(url, json={"rows": [_row(world, tid, 24)]}).status_code == 200
    county = as_user("info_reviewer@360103")
    assert county.post(f"{url}/confirm", json={}).json()["credits"] == "2.00"
    rid = county.get(url).json()["results"][0]["id"]
    revoke = lambda why: lambda s: corrections.revoke_result(  # noqa: E731
        s, _me(ctx, s, "info_reviewer@360103"), project["id"], rid, why, cat=ctx.catalogue)
    first, second = _first_holds_the_lock(ctx, revoke("第一次撤销"), revoke("第二次撤销"))
    assert first["state"] == "revoked"
    assert isinstance(second, Refusal) and second.code == "W672"
    with ctx.sessions() as s:
        entries = list(s.scalars(select(CreditEntry).where(CreditEntry.teacher_id == tid,
                                                           CreditEntry.project_id == project["id"])))
        assert sorted((e.kind, e.credits) for e in entries) == [("earned", Decimal("2.00")), ("revoked", Decimal("-2.00"))]
        assert s.get(TrainingResult, rid).reason == "第一次撤销"
