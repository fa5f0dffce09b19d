"""National statistics with the statistics module's tables: from two provinces' demo data as
replicated, the national tier's /api/v1/statistics gives, for the ministry, every standard table's
figures equal to the sum of what each province's own system says, and for a province that
province's own figures."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.tier.conftest import NATIONAL_PASSWORD, PASSWORD, Client, scalar, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.tier]


def _caught_up(tiers, province: str) -> bool:
    own = scalar(tiers.urls[province], "SELECT count(*) FROM teachers WHERE state = 'approved'")
    there = scalar(tiers.urls["national"], "SELECT count(*) FROM tier_files WHERE province = :p", p=province)
    return own == there


def _figures(client: Client, table: str, unit: str) -> tuple[int, Counter]:
    r = client.get(f"/api/v1/statistics/{table}?unit={unit}")
    assert r.status_code == 200, r.text
    body = r.json()
    return body["total"], Counter({tuple(sorted(row["dims"].items())): row["count"] for row in body["rows"] if row["count"]})


def test_national_totals_are_the_sum_of_the_provinces(tiers):
    from web.app import create_app
    from web.tier.service import run_statistics

    for p in ("36", "62"):
        wait_for(lambda p=p: _caught_up(tiers, p), what=f"files of {p}")
    ctx = tiers.ctx("national")
    with ctx.sessions() as db:
        built = run_statistics(db, None, ctx.catalogue)
        db.commit()
    ctx.engine.dispose()
    assert built["teachers"] > 0

    apps = {t: create_app(tiers.settings(t)) for t in ("36", "62", "national")}
    try:
        nation = Client(apps["national"], "ministry-viewer", NATIONAL_PASSWORD)
        jx, gs = Client(apps["36"], "province-viewer", PASSWORD), Client(apps["62"], "province-viewer", PASSWORD)
        national_tables = {t["key"] for t in nation.get("/api/v1/statistics").json()["tables"]}
        shared = national_tables & {t["key"] for t in jx.get("/api/v1/statistics").json()["tables"]} \
            & {t["key"] for t in gs.get("/api/v1/statistics").json()["tables"]}
        assert len(shared) >= 5, shared  # the national standard tables, in every system
        for table in sorted(shared):
            total_36, rows_36 = _figures(jx, table, "36")
            total_62, rows_62 = _figures(gs, table, "62")
            total, rows = _figures(nation, table, "00")
            assert total == total_36 + total_62 > 0, table
            assert rows == rows_36 + rows_62, table
            assert _figures(nation, table, "36") == (total_36, rows_36), table
            assert _figures(nation, table, "62") == (total_62, rows_62), table
        # the module's pages too: the ministry's dashboard and a province's, from the national summary
        for code in ("00", "36", "62"):
            page = nation.get(f"/statistics/units/{code}")
            assert page.status_code == 200, (code, page.text[:300])
        xlsx = nation.get(f"/statistics/units/00/export.xlsx?table={sorted(shared)[0]}")
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    finally:
        for app in apps.values():
            app.state.ctx.engine.dispose()


def test_statistics_are_built_on_the_national_tier_only(tiers):
    from web.tier.service import run_statistics

    ctx = tiers.ctx("36")
    with ctx.sessions() as db, pytest.raises(RuntimeError, match="E572"):
        run_statistics(db, None, ctx.catalogue)
    ctx.engine.dispose()
