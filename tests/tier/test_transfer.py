"""A transfer between provinces through the national tier (issue 19): a 江西 (36) school asks for a
甘肃 (62) teacher on its transfers page (外省调入); the request travels 36 → national → 62 by logical
replication, 62's chain (school → county → city) decides on its 外省调出 page, and the decision
travels back: approved, the teacher appears at the 江西 school with the approved file and leaves
甘肃 (人员状态 307); refused, the school reads the reason. A cluster stopped mid-way catches up."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.tier.conftest import PASSWORD, Client, clusters, scalar, wait_for
from tests.web.conftest import post_form

pytestmark = [pytest.mark.postgres, pytest.mark.tier]

SCHOOL_36 = "3601020001"


@pytest.fixture(scope="module")
def apps(tiers):
    from web.app import create_app

    made = {p: create_app(tiers.settings(p)) for p in ("36", "62")}
    yield made
    for app in made.values():
        app.state.ctx.engine.dispose()


def _teacher(url: str, taken: set[int]) -> dict[str, Any]:
    """An approved 甘肃 teacher on the roll, with no open case, at a school with a manager account."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT t.id, t.id_number, t.name, u.code FROM teachers t JOIN units u ON u.id = t.unit_id "
            "WHERE t.state = 'approved' AND t.left_on IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM mobility_cases c WHERE c.open_teacher_id = t.id) "
            "AND EXISTS (SELECT 1 FROM accounts a WHERE a.username = 'manager-' || u.code) ORDER BY t.id")).all()
    engine.dispose()
    row = next(r for r in rows if r[0] not in taken)
    taken.add(row[0])
    return dict(zip(("id", "id_number", "name", "school"), row))


TAKEN: set[int] = set()


def _receive(tiers, province: str) -> dict[str, int]:
    """What the app does when someone of the province opens a page (the home page's hook)."""
    from modules.transfer.interprovince import receive_all

    ctx = tiers.ctx(province)
    try:
        return receive_all(ctx)
    finally:
        ctx.engine.dispose()


def _case_of(url: str, request_id: int) -> int | None:
    return scalar(url, "SELECT id FROM mobility_cases WHERE kind = 'transfer_out' AND payload->>'request_province' = '36' "
                       "AND (payload->>'request_id')::int = :r", r=request_id)


def _ask(apps, teacher: dict[str, Any]) -> int:
    """The 江西 school's 信息管理员 asks from the transfers page: 外省调入, province 62."""
    manager = Client(apps["36"], f"manager-{SCHOOL_36}", PASSWORD)
    page = manager.get("/cases/transfers")
    assert page.status_code == 200 and "外省调入" in page.text
    r = post_form(manager, "/cases/transfers", "/cases/transfers",
                  {"from": "other", "province": "62", "id_number": teacher["id_number"], "name": teacher["name"]})
    assert r.status_code == 303, r.text[:2000]
    request_id = int(r.headers["location"].rsplit("#xfer-", 1)[1])
    listing = manager.get("/cases/transfers")
    row = listing.text.split(f'id="xfer-{request_id}" data-state="pending"', 1)[1].split("</tr>", 1)[0]
    assert "<td>甘肃省</td>" in row
    return request_id


def _state_in_36(apps, request_id: int) -> str:
    page = Client(apps["36"], f"manager-{SCHOOL_36}", PASSWORD).get("/cases/transfers")
    marker = f'id="xfer-{request_id}" data-state="'
    return page.text.split(marker, 1)[1].split('"', 1)[0]


def _act(apps, url: str, case_id: int, action: str, reason: str = "") -> Any:
    """The acting unit's account acts on the 外省调出 case page; returns the unit codes that acted."""
    step_unit = scalar(url, "SELECT u.code FROM mobility_cases c JOIN units u ON u.id = c.acting_unit_id WHERE c.id = :c",
                       c=case_id)
    level = scalar(url, "SELECT level FROM units WHERE code = :c", c=step_unit)
    who = Client(apps["62"], f"{'manager' if level == 'school' else 'reviewer'}-{step_unit}", PASSWORD)
    r = post_form(who, f"/cases/transfers-out/{case_id}", f"/cases/transfers-out/{case_id}/{action}",
                  {"reason": reason} if reason else {})
    assert r.status_code == 303, r.text[:2000]
    return step_unit


def test_approved_in_62s_chain_the_teacher_moves_to_36(tiers, apps):
    gs, jx, nat = tiers.urls["62"], tiers.urls["36"], tiers.urls["national"]
    t = _teacher(gs, TAKEN)
    request_id = _ask(apps, t)
    wait_for(lambda: scalar(nat, "SELECT count(*) FROM tier_xfer_requests WHERE province = '36' AND request_id = :r",
                            r=request_id), what="the request at the national tier")
    # relayed to 62 only (row filter), where it opens a 外省调出 case at the teacher's school
    case_id = wait_for(lambda: _receive(tiers, "62") is not None and _case_of(gs, request_id), what="the case in 62")
    assert scalar(gs, "SELECT count(*) FROM tier_xfer_requests WHERE province = '36'") >= 1
    assert _receive(tiers, "62")["requests"] == 0  # acted on once
    assert scalar(gs, "SELECT count(*) FROM mobility_cases WHERE kind = 'transfer_out' AND open_teacher_id = :t",
                  t=t["id"]) == 1
    # the school's 信息管理员 sees it in the todo list of its home page and on 外省调出
    school = Client(apps["62"], f"manager-{t['school']}", PASSWORD)
    home = school.get("/admin/").text
    assert 'id="todo-transfer-out_waiting"><a href="/cases/transfers-out"><span class="count">1</span> 待办理的外省调出' in home
    assert f"/cases/transfers-out/{case_id}" in school.get("/cases/transfers-out").text
    acted = [_act(apps, gs, case_id, "approve") for _ in range(3)]
    assert acted[0] == t["school"] and len(set(acted)) == 3  # school → county → city
    assert scalar(gs, "SELECT state FROM mobility_cases WHERE id = :c", c=case_id) == "completed"
    # 62: the teacher left (调出: 人员状态 307, off the roll)
    assert scalar(gs, "SELECT left_on IS NOT NULL FROM teachers WHERE id = :t", t=t["id"])
    assert scalar(gs, "SELECT document->>'person_status' FROM records WHERE teacher_id = :t AND set_key = 'basic'",
                  t=t["id"]) == "307"
    # 36: the decision arrives through the national tier; the teacher is created at the school, approved
    wait_for(lambda: _receive(tiers, "36") is not None and scalar(jx, "SELECT count(*) FROM teachers WHERE id_number = :n",
                                                                    n=t["id_number"]), what="the teacher in 36")
    row = create_engine(jx).connect().execute(text(
        "SELECT t.id, t.name, t.state, u.code, t.teacher_number FROM teachers t JOIN units u ON u.id = t.unit_id "
        "WHERE t.id_number = :n"), {"n": t["id_number"]}).one()
    assert row[1] == t["name"] and row[2] == "approved" and row[3] == SCHOOL_36 and row[4]
    # every approved record of a set 江西 has came along (a 甘肃-only set has no place in 江西's file)
    ctx = tiers.ctx("36")
    known = set(ctx.catalogue.set_keys())
    ctx.engine.dispose()
    counts = "SELECT set_key, count(*) FROM records WHERE teacher_id = :t AND state = 'approved' AND copy_of_id IS NULL GROUP BY 1"
    with create_engine(gs).connect() as conn:
        there = {k: n for k, n in conn.execute(text(counts), {"t": t["id"]}) if k in known}
    with create_engine(jx).connect() as conn:
        here = dict(conn.execute(text(counts), {"t": row[0]}).all())
    assert here == there and len(here) >= 10
    assert _state_in_36(apps, request_id) == "completed"
    assert _receive(tiers, "36")["decisions"] == 0
    # the school reads the file now; 36 publishes it to the national tier like any approval
    manager = Client(apps["36"], f"manager-{SCHOOL_36}", PASSWORD)
    assert manager.get(f"/api/v1/teachers/{row[0]}").status_code == 200
    wait_for(lambda: scalar(nat, "SELECT count(*) FROM tier_files WHERE province = '36' AND teacher_key = :k",
                            k=row[0]), what="the moved file published by 36")
    # …and 62's published file shows the teacher left
    wait_for(lambda: scalar(nat, "SELECT left_on IS NOT NULL FROM tier_files WHERE province = '62' AND teacher_key = :k",
                            k=t["id"]), what="62's file of the teacher shows the departure")
    # nationally the one person now has two files (62's, left; 36's): the duplicates queue holds the
    # pair for a reviewer (同一人 gives both one formal identifier), nothing refused it
    from web.tier import dedup

    ctx = tiers.ctx("national")
    try:
        with ctx.sessions() as db:
            dedup.find(db)
            db.commit()
            groups = [m for (m,) in db.execute(text("SELECT members FROM tier_duplicates WHERE kind = 'id_number' "
                                                    "AND state = 'open'"))]
    finally:
        ctx.engine.dispose()
    assert [["36", row[0]], ["62", t["id"]]] in groups


def test_a_refusal_returns_with_its_reason(tiers, apps):
    gs = tiers.urls["62"]
    t = _teacher(gs, TAKEN)
    request_id = _ask(apps, t)
    case_id = wait_for(lambda: _receive(tiers, "62") is not None and _case_of(gs, request_id), what="the case in 62")
    _act(apps, gs, case_id, "approve")
    county = _act(apps, gs, case_id, "reject", "该教师服务期未满")
    assert scalar(gs, "SELECT state FROM mobility_cases WHERE id = :c", c=case_id) == "rejected"
    assert scalar(gs, "SELECT left_on FROM teachers WHERE id = :t", t=t["id"]) is None  # still 甘肃's
    wait_for(lambda: _receive(tiers, "36") is not None and _state_in_36(apps, request_id) == "refused",
             what="the refusal in 36")
    page = Client(apps["36"], f"manager-{SCHOOL_36}", PASSWORD).get("/cases/transfers").text
    row = page.split(f'id="xfer-{request_id}"', 1)[1].split("</tr>", 1)[0]
    assert "该教师服务期未满" in row and scalar(gs, "SELECT name FROM units WHERE code = :c", c=county) in row
    assert scalar(tiers.urls["36"], "SELECT count(*) FROM teachers WHERE id_number = :n", n=t["id_number"]) == 0
    # a number and name that match no 甘肃 teacher are refused at once, with the reason
    unknown = _ask(apps, {**t, "name": "查无此人"})
    wait_for(lambda: _receive(tiers, "62") is not None and _receive(tiers, "36") is not None
             and _state_in_36(apps, unknown) == "refused", what="the automatic refusal")


def test_the_receiving_school_withdraws_and_the_releasing_case_closes(tiers, apps):
    gs = tiers.urls["62"]
    t = _teacher(gs, TAKEN)
    request_id = _ask(apps, t)
    case_id = wait_for(lambda: _receive(tiers, "62") is not None and _case_of(gs, request_id), what="the case in 62")
    manager = Client(apps["36"], f"manager-{SCHOOL_36}", PASSWORD)
    r = post_form(manager, "/cases/transfers", "/cases/transfers", {"withdraw_request": str(request_id)})
    assert r.status_code == 303, r.text[:1500]
    assert _state_in_36(apps, request_id) == "withdrawn"
    wait_for(lambda: _receive(tiers, "62") is not None
             and scalar(gs, "SELECT state FROM mobility_cases WHERE id = :c", c=case_id) == "withdrawn",
             what="the withdrawal closing 62's case")
    assert scalar(gs, "SELECT left_on FROM teachers WHERE id = :t", t=t["id"]) is None


def test_a_cluster_stopped_mid_flow_catches_up(tiers, apps):
    """The national tier is down while 36 asks and while 62 decides; nothing is lost."""
    gs, jx = tiers.urls["62"], tiers.urls["36"]
    t = _teacher(gs, TAKEN)
    clusters.stop("national")
    try:
        request_id = _ask(apps, t)  # written in 36, waiting in 36's slot
        assert _receive(tiers, "62")["requests"] == 0
    finally:
        clusters.start("national")
    case_id = wait_for(lambda: _receive(tiers, "62") is not None and _case_of(gs, request_id), timeout=90,
                       what="the request reaching 62 after the national tier is back")
    _act(apps, gs, case_id, "approve")
    _act(apps, gs, case_id, "approve")
    clusters.stop("36")  # the receiving province is down when the last approval is given
    try:
        _act(apps, gs, case_id, "approve")
        assert scalar(gs, "SELECT state FROM mobility_cases WHERE id = :c", c=case_id) == "completed"
    finally:
        clusters.start("36")
        apps["36"].state.ctx.engine.dispose()  # its pooled connections died with the cluster
    wait_for(lambda: _receive(tiers, "36") is not None and scalar(jx, "SELECT count(*) FROM teachers WHERE id_number = :n",
                                                                    n=t["id_number"]), timeout=90,
             what="the teacher in 36 after its restart")
    assert _state_in_36(apps, request_id) == "completed"


def test_a_province_set_up_before_transfers_gets_them_by_subscribing_again(tiers):
    """A subscription without the transfers' publication (a province connected before tf01) gains it
    when `tmis tier subscribe` runs again; nothing else changes."""
    from web.tier import national

    ctx = tiers.ctx("36")
    try:
        url = tiers.urls["36"]
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("ALTER SUBSCRIPTION tmis_identifiers_36 DROP PUBLICATION tmis_xfer_to_36 "
                              "WITH (refresh = false)"))
        engine.dispose()
        with ctx.sessions() as db:
            out = national.subscribe_identifiers(db, tiers.conninfo("national"))
            assert out == "tmis_identifiers_36: 已加入 / added tmis_xfer_to_36"
            assert national.subscribe_identifiers(db, tiers.conninfo("national")) == "tmis_identifiers_36: 已存在 / exists"
        assert scalar(url, "SELECT array_to_string(subpublications, ',') FROM pg_subscription "
                           "WHERE subname = 'tmis_identifiers_36'") == "tmis_ids_36,tmis_xfer_to_36"
        # and messages still flow: a row 62 writes for 36 arrives (once: no copy conflict)
        engine = create_engine(tiers.urls["62"])
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO tier_xfer_decisions (province, request_province, request_id, decision, reason, "
                              "decided_at) VALUES ('62', '36', 999999, 'refused', 'probe', now())"))
        engine.dispose()
        wait_for(lambda: scalar(url, "SELECT count(*) FROM tier_xfer_decisions WHERE request_id = 999999"),
                 what="a decision after re-subscribing")
    finally:
        ctx.engine.dispose()
