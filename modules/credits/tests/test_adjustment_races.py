"""Two adjustments of one teacher's credits at the same time (PostgreSQL, real concurrent
sessions): each alone leaves the category at or above 0, both together would not; the second
waits on the teacher's row locked by the first, sees its entry and is refused (W676)."""

from __future__ import annotations

import pytest

from modules.credits import adjustments as A
from modules.credits.adjust_words import W_ADJUST_BELOW_ZERO
from modules.credits.tests.test_races import _first_holds_the_lock, _me
from web.errors import Refusal

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres_only")]

COUNTY, CITY = "info_reviewer@360102", "info_reviewer@3601"


def _take(ctx, who, tid, credits, reason):
    body = {"category": "face_to_face", "credits": credits, "effective": "2024-06-01", "reason": reason}
    return lambda s: A.adjust(s, _me(ctx, s, who), tid, body, root=ctx.settings.repo_root).id


def test_two_reductions_at_once_never_take_a_category_below_zero(ctx, as_user, new_teacher):
    tid = new_teacher("3601020001", complete=False)
    r = as_user(COUNTY).post(f"/api/v1/teachers/{tid}/credits/adjustments",
                             json={"category": "face_to_face", "credits": "3", "effective": "2024-05-01", "reason": "补录"})
    assert r.status_code == 201, r.text
    first, second = _first_holds_the_lock(ctx, _take(ctx, COUNTY, tid, "-2", "县里减去重复的 2 学分"),
                                          _take(ctx, CITY, tid, "-2", "市里也减去同样的 2 学分"))
    assert isinstance(first, int)
    assert isinstance(second, Refusal) and second.code == W_ADJUST_BELOW_ZERO, second
    assert second.args_["before"] == "1.00" and second.args_["after"] == "-1.00"  # it saw the first's entry
    bank = as_user(COUNTY).get(f"/api/v1/teachers/{tid}/credits").json()
    assert bank["by_category"] == {"face_to_face": "1.00"} and len(bank["entries"]) == 2
