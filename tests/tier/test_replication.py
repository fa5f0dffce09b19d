"""Both provinces' data arrive nationally, a province offline loses nothing, the national unit tree
is the ministry with the provinces' trees below it."""

from __future__ import annotations

import pytest

from tests.tier.conftest import clusters, scalar, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.tier]


def _files(url: str, province: str | None = None) -> int:
    if province is None:  # a province: its approved files
        return scalar(url, "SELECT count(*) FROM teachers WHERE state = 'approved'")
    return scalar(url, "SELECT count(*) FROM tier_files WHERE province = :p", p=province)


def _arrived(tiers, province: str) -> bool:
    return _files(tiers.urls["national"], province) == _files(tiers.urls[province])


def test_both_provinces_demo_data_arrive_nationally(tiers):
    for p in ("36", "62"):
        assert _files(tiers.urls[p]) >= 8
        wait_for(lambda p=p: _arrived(tiers, p), what=f"files of {p}")
        units = scalar(tiers.urls[p], "SELECT count(*) FROM units")
        wait_for(lambda p=p, units=units: scalar(tiers.urls["national"], "SELECT count(*) FROM tier_units WHERE province = :p",
                                                 p=p) == units, what=f"units of {p}")
    nat = tiers.urls["national"]
    # the records came along: each file holds its approved 基本信息
    assert scalar(nat, "SELECT count(*) FROM tier_files WHERE records ? 'basic'") == _files(nat, "36") + _files(nat, "62")
    # the national unit tree: the ministry, both provinces below it, every unit in the ministry's subtree
    total = scalar(tiers.urls["36"], "SELECT count(*) FROM units") + scalar(tiers.urls["62"], "SELECT count(*) FROM units")
    wait_for(lambda: scalar(nat, "SELECT count(*) FROM unit_closure c JOIN units m ON m.id = c.ancestor_id "
                                 "WHERE m.level = 'ministry'") == total + 1, what="national unit tree")
    assert scalar(nat, "SELECT string_agg(u.code, ',' ORDER BY u.code) FROM units u JOIN units m ON m.id = u.parent_id "
                       "WHERE m.level = 'ministry'") == "36,62"
    school = scalar(nat, "SELECT count(*) FROM unit_closure c JOIN units a ON a.id = c.ancestor_id "
                         "JOIN units d ON d.id = c.descendant_id WHERE a.code = '36' AND d.code = '3601020001'")
    assert school == 1


def test_a_province_offline_loses_nothing(tiers):
    """36 approves, goes down (its last approvals not yet necessarily shipped), 62 keeps approving;
    36 comes back: everything of both arrives, and the lag page said 36 was down meanwhile."""
    from web.tier import service
    from web.tier.demo import approve_files

    assert approve_files(tiers.ctx("36"), 3)["approved"] == 3
    clusters.stop("36")
    try:
        assert approve_files(tiers.ctx("62"), 3)["approved"] == 3
        wait_for(lambda: _arrived(tiers, "62"), what="62 while 36 is down")
        ctx = tiers.ctx("national")
        with ctx.sessions() as db:
            rows = {r["province"]: r for r in wait_for(
                lambda: [r for r in service.lag(db) if r["province"] == "36" and not r["streaming"]] and service.lag(db),
                what="the lag page noticing 36 is down")}
        assert rows["36"]["unreachable"] and rows["36"]["bytes_behind"] is None
        assert rows["62"]["streaming"] and rows["62"]["bytes_behind"] is not None
        ctx.engine.dispose()
    finally:
        clusters.start("36")
    assert approve_files(tiers.ctx("36"), 2)["approved"] == 2
    wait_for(lambda: _arrived(tiers, "36"), timeout=90, what="36 catching up after its restart")
    assert _arrived(tiers, "62")
