"""``tmis people apply-dates`` as the daily job runs it (a real process on the test database)."""

from __future__ import annotations

import datetime as dt

from tests.web.test_cli import tmis
from web.people import moves


def test_the_daily_run_sets_and_clears_the_rotation_status(ctx, cats, world, settings):
    cat = cats["36"]
    tid = world.teachers["3601030001"][2]
    with ctx.sessions() as db:
        moves.second(db, cat, None, tid, world.units["3602020001"], dt.date(2041, 3, 1), dt.date(2041, 6, 30))
        db.commit()
    url = settings.database_url
    r = tmis("people", "apply-dates", "--day", "2041-03-02", "--database-url", url)
    assert r.returncode == 0 and "开始 1 人" in r.stdout, r.stdout + r.stderr
    with ctx.sessions() as db:
        assert moves.person_status(db, tid) == "205"
    r = tmis("people", "apply-dates", "--day", "2041-07-01", "--database-url", url)
    assert r.returncode == 0 and "结束 1 人" in r.stdout, r.stdout + r.stderr
    with ctx.sessions() as db:
        assert moves.person_status(db, tid) == "100"
    r = tmis("people", "apply-dates", "--day", "2041-02-30", "--database-url", url)
    assert r.returncode == 2 and "yyyy-MM-dd" in r.stderr
