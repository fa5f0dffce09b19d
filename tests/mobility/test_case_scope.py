"""Scope of the mobility endpoints (issue 15, Demo and tests): every role of the receiving school
sees nothing of the file before a transfer completes (only the case's card: name, masked ID
number, current school), every role of the old school nothing after; cases are visible to their
parties, the units acting on them and the units above, to no one else; only the roles a step
names may act on it."""

from __future__ import annotations

import pytest

from web.db.models import Teacher

ROLES = ("system_admin", "info_manager", "info_entry", "info_reviewer", "info_viewer")


def _file_endpoints(tid: int) -> list[str]:
    return [f"/api/v1/teachers/{tid}", f"/api/v1/review/files/{tid}", f"/api/v1/review/files/{tid}/timeline",
            f"/forms/teachers/{tid}", f"/forms/teachers/{tid}/sets/basic"]


def _sees_file(client, tid: int, card: dict | None = None) -> list[int]:
    """Final status of each file endpoint (redirects followed). A page may send an account without
    a data role to its own home (200): then nothing of the teacher may be on it (→ counted 404)."""
    codes = []
    for url in _file_endpoints(tid):
        r = client.get(url)
        if r.status_code == 200 and card is not None and str(r.url).split("?")[0].endswith(url) is False:
            assert card["id_number"] not in r.text and card["name"] not in r.text, (url, str(r.url))
            codes.append(404)
            continue
        codes.append(r.status_code)
    return codes


@pytest.fixture()
def transfer(ctx, world, as_user, approved_teacher):
    """A transfer of a teacher of 3601020001 to 3601030001 (another county), started."""
    tid = approved_teacher("3601020001")
    with ctx.sessions() as db:
        t = db.get(Teacher, tid)
        card = {"id_number": t.id_number, "name": t.name}
    r = as_user("info_manager@3601030001").post("/api/v1/transfers", json={**card, "to_unit": "3601030001"})
    assert r.status_code == 201, r.text
    return tid, r.json()["id"], card


def _complete(as_user, cid):
    for unit in ("360103", "3601", "36", "3601020001", "360102"):
        r = as_user(f"info_reviewer@{unit}").post(f"/api/v1/transfers/{cid}/approve", json={})
        assert r.status_code == 200, r.text
    assert r.json()["state"] == "completed"


def test_the_receiving_school_sees_nothing_of_the_file_before_completion_the_old_school_nothing_after(
        ctx, world, as_user, transfer):
    tid, cid, card = transfer
    for role in ROLES:
        receiving = as_user(f"{role}@3601030001")
        assert all(code in (403, 404) for code in _sees_file(receiving, tid, card)), role
        listed = receiving.get("/api/v1/teachers?unit=3601030001")
        assert listed.status_code in (200, 403, 404) and card["id_number"] not in listed.text, role
        case = receiving.get(f"/api/v1/transfers/{cid}")
        if role == "system_admin":  # holds no data role: no teacher data, no cases
            assert case.status_code in (403, 404)
            continue
        assert case.status_code == 200, role
        assert card["id_number"] not in case.text and case.json()["teacher"]["masked"] is True
    # the old school's data roles read the file while it is theirs
    assert _sees_file(as_user("info_manager@3601020001"), tid)[0] == 200
    _complete(as_user, cid)
    for role in ROLES:
        old = as_user(f"{role}@3601020001")
        assert all(code in (403, 404) for code in _sees_file(old, tid, card)), role
        listed = old.get("/api/v1/teachers?unit=3601020001")
        assert card["id_number"] not in listed.text, role
    for role in ("info_manager", "info_entry", "info_reviewer"):
        assert _sees_file(as_user(f"{role}@3601030001"), tid)[0] == 200, role
    # the old county's reach ended too; the new county's began
    assert as_user("info_reviewer@360102").get(f"/api/v1/teachers/{tid}").status_code == 404
    assert as_user("info_reviewer@360103").get(f"/api/v1/teachers/{tid}").status_code == 200


@pytest.mark.parametrize("unit,seen", [("3601030001", True), ("360103", True), ("3601", True), ("36", True),
                                       ("3601020001", True), ("360102", True), ("3601020002", False),
                                       ("3602020001", False), ("360202", False), ("6201020001", False),
                                       ("620102", False)])
def test_a_case_is_seen_by_its_parties_and_the_units_above_them_only(world, as_user, transfer, unit, seen):
    _, cid, _ = transfer
    client = as_user(f"info_reviewer@{unit}")
    assert (client.get(f"/api/v1/transfers/{cid}").status_code == 200) is seen
    assert (cid in [c["id"] for c in client.get("/api/v1/transfers").json()]) is seen
    if not seen:
        r = client.post(f"/api/v1/transfers/{cid}/approve", json={})
        assert r.status_code == 404 and r.json()["code"] == "W775"


@pytest.mark.parametrize("role,may", [("info_manager", True), ("info_reviewer", True), ("info_entry", False),
                                      ("info_viewer", False), ("system_admin", False)])
def test_only_the_roles_a_step_names_may_act(world, as_user, transfer, role, may):
    _, cid, _ = transfer
    r = as_user(f"{role}@360103").post(f"/api/v1/transfers/{cid}/approve", json={})
    assert (r.status_code == 200) is may, r.text
    if not may:
        assert r.status_code in (403, 404)


@pytest.mark.parametrize("role,may", [("info_manager", True), ("info_entry", False), ("info_reviewer", False),
                                      ("info_viewer", False), ("system_admin", False)])
def test_only_the_schools_information_manager_starts_a_transfer(ctx, world, as_user, approved_teacher, role, may):
    tid = approved_teacher("3601020001")
    with ctx.sessions() as db:
        t = db.get(Teacher, tid)
        card = {"id_number": t.id_number, "name": t.name}
    r = as_user(f"{role}@3601020002").post("/api/v1/transfers", json={**card, "to_unit": "3601020002"})
    assert (r.status_code == 201) is may, r.text
    if not may:
        assert r.status_code in (403, 404) and card["id_number"] not in r.text
