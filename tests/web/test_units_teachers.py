"""Units (closure, maintenance, import), teachers (listing, masking, reading, numbers)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.web.conftest import four_items
from web.db.models import AuditEntry, Teacher, Unit, UnitClosure
from web.services import teachers as teacher_service
from web.services import units as unit_service


def test_closure_lists_every_ancestor(db, world):
    school = world.units["3601020001"]
    ancestors = db.scalars(select(UnitClosure.ancestor_id).where(UnitClosure.descendant_id == school)
                           .order_by(UnitClosure.depth)).all()
    assert ancestors == [school, world.units["360102"], world.units["3601"], world.units["36"]]
    assert unit_service.path_text(db, school) == "江西省 / 南昌市 / 东湖区 / 东湖区第一小学"


def test_rebuild_closure_gives_the_same_rows(db, world):
    before = set(db.execute(select(UnitClosure.ancestor_id, UnitClosure.descendant_id, UnitClosure.depth)).all())
    unit_service.rebuild_closure(db)
    after = set(db.execute(select(UnitClosure.ancestor_id, UnitClosure.descendant_id, UnitClosure.depth)).all())
    assert before == after


def test_units_listing_is_scoped(as_user):
    county = as_user("info_viewer@360102").get("/api/v1/units?limit=200").json()
    assert {u["code"] for u in county["items"]} >= {"360102", "3601020001", "3601020002"}
    assert not {u["code"] for u in county["items"]} & {"36", "3601", "360103", "62", "6201020001"}
    children = as_user("info_viewer@3601").get("/api/v1/units?parent=3601").json()
    assert {u["code"] for u in children["items"]} >= {"360102", "360103"}


def test_unit_create_and_update_within_scope(as_user):
    admin = as_user("system_admin@360103")
    r = admin.post("/api/v1/units", json={"code": "3601030099", "name": "西湖区新学校", "level": "school",
                                          "parent_code": "360103", "school_type": "primary"})
    assert r.status_code == 201, r.text
    r = admin.patch("/api/v1/units/3601030099", json={"name": "西湖区实验学校"})
    assert r.status_code == 200 and r.json()["name"] == "西湖区实验学校"
    assert admin.patch("/api/v1/units/360103", json={"name": "x"}).status_code == 403  # own unit: from above
    assert admin.patch("/api/v1/units/3601020001", json={"name": "x"}).status_code == 404
    r = admin.post("/api/v1/units", json={"code": "3601030098", "name": "x", "level": "county", "parent_code": "3601030099"})
    assert r.status_code == 422 and r.json()["code"] == "W303"
    r = admin.post("/api/v1/units", json={"code": "3601030099", "name": "x", "level": "school", "parent_code": "360103"})
    assert r.status_code == 409


def test_units_import_from_spreadsheet(tmp_path, db, settings, world):
    wb = Workbook()
    ws = wb.active
    ws.append(["学校代码", "学校名称", "层级", "上级代码", "办学类型", "城乡类型"])
    ws.append(["3602020077", "昌江区实验小学", "学校", "360202", "小学", "城区"])
    ws.append(["360299", "新县", "县", "3602", "", ""])  # parent row after child: order does not matter
    ws.append(["3602990001", "新县幼儿园", "学校", "360299", "幼儿园", "乡村"])
    path = tmp_path / "units.xlsx"
    wb.save(path)
    result = unit_service.import_xlsx(db, path, settings.repo_root)
    assert result.problems == [] and result.created == 3
    kid = unit_service.by_code(db, "3602990001")
    assert kid.school_type == "kindergarten" and kid.urban_rural == "3"
    assert unit_service.path_text(db, kid.id) == "江西省 / 景德镇市 / 新县 / 新县幼儿园"
    db.rollback()


def test_units_import_is_all_or_nothing_with_row_numbers(tmp_path, db, settings, world):
    wb = Workbook()
    ws = wb.active
    ws.append(["代码", "名称", "层级", "上级代码", "办学类型"])
    ws.append(["3602020078", "好学校", "学校", "360202", "小学"])
    ws.append(["3602020079", "坏学校", "学校", "999999", "小学"])
    ws.append(["3602020080", "怪学校", "学校", "360202", "大学"])
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    result = unit_service.import_xlsx(db, path, settings.repo_root)
    assert sorted(r for r, _, _ in result.problems) == [3, 4]
    db.rollback()
    assert unit_service.by_code(db, "3602020078") is None


def test_teacher_list_filters_paging_and_total(as_user, world):
    c = as_user("info_manager@3601")
    page = c.get("/api/v1/teachers?limit=2").json()
    assert page["total"] >= 9 and len(page["items"]) == 2
    school = c.get("/api/v1/teachers?unit=3601020002").json()
    assert school["total"] >= 3 and {t["unit_code"] for t in school["items"]} == {"3601020002"}
    named = c.get("/api/v1/teachers?q=教师00020").json()
    assert [t["name"] for t in named["items"]] == ["教师00020"]
    assert c.get("/api/v1/teachers?q=教师0002").json()["total"] == 3


def test_viewer_sees_masked_id_numbers_manager_does_not(as_user, world):
    viewer = as_user("info_viewer@360102").get("/api/v1/teachers?unit=3601020001").json()["items"]
    manager = as_user("info_manager@360102").get("/api/v1/teachers?unit=3601020001").json()["items"]
    assert all(t["masked"] and "*" in t["id_number"] and t["birth_date"] is None for t in viewer)
    assert all(not t["masked"] and "*" not in t["id_number"] for t in manager)
    tid = world.teachers["3601020001"][0]
    one = as_user("info_viewer@360102").get(f"/api/v1/teachers/{tid}").json()
    assert one["masked"] and "*" in one["id_number"] and "*" in one["sets"]["basic"][0]["values"]["id_number"]


def test_reading_a_file_is_audited_and_shows_every_set(as_user, world, db):
    tid = world.teachers["3601020002"][1]
    before = db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "teacher.read", AuditEntry.target_id == str(tid))) or 0
    r = as_user("info_reviewer@360102").get(f"/api/v1/teachers/{tid}")
    assert r.status_code == 200 and "basic" in r.json()["sets"]
    after = db.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "teacher.read", AuditEntry.target_id == str(tid)))
    assert after == before + 1


def test_teacher_reads_only_own_file(as_user, world):
    mine, other = world.teachers["3601020001"][:2]
    me = as_user(world.teacher_usernames[mine])
    assert me.get(f"/api/v1/teachers/{mine}").status_code == 200
    assert me.get(f"/api/v1/teachers/{other}").status_code == 404
    listing = me.get("/api/v1/teachers").json()
    assert [t["id"] for t in listing["items"]] == [mine]


def test_create_teacher_through_the_api(as_user):
    items = four_items("360102", "孙八")
    r = as_user("info_entry@3601020001").post("/api/v1/teachers", json={"unit_code": "3601020001", **items})
    assert r.status_code == 201, r.text
    assert r.json()["sets"]["basic"][0]["values"]["name"] == "孙八"
    again = as_user("info_entry@3601020002").post("/api/v1/teachers", json={"unit_code": "3601020002", **items})
    assert again.status_code == 409 and again.json()["code"] == "W401"
    county = as_user("info_entry@360102").post("/api/v1/teachers", json={"unit_code": "360102", **four_items()})
    assert county.status_code == 422  # teachers belong to schools


def test_teacher_numbers_follow_the_jiangxi_scheme(db, world):
    fmt = "{region:6}{unit:8}{seq:4}"
    unit = unit_service.create_unit_raw(db, code="3601020055", name="编号测试学校", level="school",
                                        parent=unit_service.by_code(db, "360102"), school_type="primary")
    people = [teacher_service.create_raw(db, unit, teacher_service.FourItems.parse(**four_items("360102")),
                                         catalogue_version="t") for _ in range(3)]
    numbers = [teacher_service.assign_teacher_number(db, t, fmt) for t in people]
    assert numbers == ["360102000000550001", "360102000000550002", "360102000000550003"]
    # a gap is not reused: the next is the largest + 1 (seed 000)
    people[0].teacher_number = None
    db.flush()
    newcomer = teacher_service.create_raw(db, unit, teacher_service.FourItems.parse(**four_items("360102")),
                                          catalogue_version="t")
    assert teacher_service.assign_teacher_number(db, newcomer, fmt) == "360102000000550004"
    assert teacher_service.assign_teacher_number(db, newcomer, fmt) == "360102000000550004"  # idempotent
    db.rollback()


def test_teacher_number_for_a_teaching_research_office():
    unit = Unit(code="36010100000001", name="南昌市教研室", level="school")
    assert teacher_service.number_prefix(unit, "{region:6}{unit:8}{seq:4}") == ("36010100000001", 4)
    with pytest.raises(Exception):
        teacher_service.parse_number_format("{region:6}{seq:4}")


def test_count_teachers_agrees_with_the_listing_at_every_scope(as_user, db, world, app):
    from web import scope as scope_module
    from web.services.auth import principal_of
    from web.db.models import Account
    for username in ("info_viewer@36", "info_viewer@3601", "info_viewer@360102", "info_viewer@3601020001",
                     "info_viewer@62"):
        acc = db.scalar(select(Account).where(Account.username == username))
        p = principal_of(acc, app.state.ctx)
        expected = db.scalar(select(func.count()).select_from(Teacher).where(scope_module.teacher_filter(p)))
        assert scope_module.count_teachers(db, p) == expected
        assert as_user(username).get("/api/v1/teachers?limit=1").json()["total"] == expected
