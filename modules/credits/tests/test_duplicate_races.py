"""The same project (or self-study claim) registered twice at the same moment (PostgreSQL, real
concurrent sessions): the second waits for the first (the unit's or the teacher's row lock) and
is then refused as a duplicate (W716 / W715): one project, not two."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from modules.credits import projects as P
from modules.credits.models import TrainingProject
from modules.credits.tests.test_races import _first_holds_the_lock, _me
from web.errors import Refusal

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres_only")]


def test_the_same_project_twice_at_once_one_wins(ctx):
    body = dict(name="并发重复登记", level="county", type="online", hours=20, start="2024-03-04", end="2024-03-08")
    register = lambda s: P.register_project(s, _me(ctx, s, "info_manager@360103"), dict(body)).id  # noqa: E731
    first, second = _first_holds_the_lock(ctx, register, register)
    assert isinstance(first, int)
    assert isinstance(second, Refusal) and second.code == "W716", second
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(TrainingProject).where(TrainingProject.name == "并发重复登记")) == 1


def test_the_same_claim_twice_at_once_one_wins(ctx, world):
    from modules.credits import claims as K
    from modules.credits.models import CreditClaim
    from modules.credits.tests.test_claims import pdf_bytes

    tid = world.teachers["3601030001"][1]
    data = {"title": "并发重复申报", "start": "2025-02-03", "end": "2025-02-07", "hours": "10"}
    submit = lambda s: K.submit(s, _me(ctx, s, world.teacher_usernames[tid]), dict(data), "a.pdf", pdf_bytes()).id  # noqa: E731
    first, second = _first_holds_the_lock(ctx, submit, submit)
    assert isinstance(first, int)
    assert isinstance(second, Refusal) and second.code == "W715", second
    with ctx.sessions() as s:
        assert s.scalar(select(func.count()).select_from(CreditClaim).where(CreditClaim.teacher_id == tid,
                                                                            CreditClaim.title == "并发重复申报")) == 1
