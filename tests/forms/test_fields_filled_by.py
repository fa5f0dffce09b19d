"""Issue 18 point 11: a province may give single fields of a set to the teacher or to the school
(``sets.<set>.fields_filled_by`` in its overlay). Here a test overlay (tests/forms/data/fields_filled_by.yaml,
laid over 江西's) gives 聘任开始年月 of the school's 岗位聘任 to the teacher and Email of the teacher's
联系方式 to the school. The teacher's own form lets the teacher edit exactly those fields, the school's
form the rest; every write path refuses the rest (W800 / W801, W802 for adding records), nothing stored."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from engine.catalogue import check_repo, repo_root
from engine.explain import explain
from tests.web.conftest import Client, csrf_of, fresh_database, make_settings
from web.app import create_app
from web.db.models import Account, Record, Teacher, Unit
from web.demo import FIRST_LOGIN, build_demo
from web.services.impact import changes

PASSWORD = "Demo@2024x"
SCHOOL = "3601020001"
OVERLAY = Path(__file__).parent / "data" / "fields_filled_by.yaml"


def _repo(tmp: Path) -> Path:
    """This repository's definitions with the test overlay laid over province 36's."""
    for top in ("schemas", "rules", "provinces", "modules", "workflows"):
        if (repo_root() / top).is_dir():
            shutil.copytree(repo_root() / top, tmp / top)
    path = tmp / "provinces" / "36" / "overlay.yaml"
    overlay = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, extra in yaml.safe_load(OVERLAY.read_text(encoding="utf-8"))["sets"].items():
        overlay.setdefault("sets", {}).setdefault(key, {}).update(extra)
    path.write_text(yaml.safe_dump(overlay, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return tmp


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = _repo(tmp_path_factory.mktemp("filled_by_repo"))
    with fresh_database(tmp_path_factory.mktemp("filled_by")) as url:
        application = create_app(make_settings(url, repo_root=root))
        build_demo(application.state.ctx.settings, password=PASSWORD, teachers=36, seed=7)
        yield application
        application.state.ctx.engine.dispose()


@pytest.fixture(scope="module")
def people(app):
    """(teacher id, the teacher's username, a post record id) of an unsubmitted file at SCHOOL."""
    with app.state.ctx.sessions() as db:
        rows = db.execute(select(Teacher, Record.id).join(Record, Record.teacher_id == Teacher.id)
                          .join(Unit, Unit.id == Teacher.unit_id)
                          .join(Account, Account.teacher_id == Teacher.id)
                          .where(Unit.code == SCHOOL, Record.set_key == "post", Teacher.state == "unsubmitted",
                                 Teacher.id_number != FIRST_LOGIN.id_number, Record.copy_of_id.is_(None))
                          .order_by(Teacher.id, Record.id)).all()
        assert rows, "the demo has an unsubmitted teacher with a post record at the school"
        teacher, rid = rows[0]
        return teacher.id, teacher.id_number, rid


def _doc(app, rid: int) -> dict:
    with app.state.ctx.sessions() as db:
        return dict(db.get(Record, rid).document)


def _version(app, rid: int) -> int:
    with app.state.ctx.sessions() as db:
        return db.get(Record, rid).version


def _inputs(html: str) -> set[str]:
    """Names of the fields a person can type into on the form."""
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([a-z_.]+)"', html)) - {"_csrf_token", "_fields",
                                                                                       "_version", "_record_id"}


def test_check_and_explain_show_who_fills_each_field(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    catalogues, problems = check_repo(root, ["36"])
    assert problems == []
    post = catalogues["36"].sets["post"]
    assert post.filled_by == "school" and post.filler(next(f for f in post.all_fields() if f.key == "start_month")) == "teacher"
    lines = explain(catalogues["36"], set_key="post")
    start = next(ln for ln in lines if " start_month " in ln)
    assert "填写方: 教师" in start
    assert "填写方" not in next(ln for ln in lines if " post_category " in ln)  # the set's filler: said once, above
    # who fills what makes no record valid or invalid: tmis impact has nothing to assess
    assert changes(check_repo(repo_root(), ["36"])[0]["36"], catalogues["36"]) == {}


def test_an_unknown_field_is_reported_at_its_line_with_a_did_you_mean(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    path = root / "provinces" / "36" / "overlay.yaml"
    text = path.read_text(encoding="utf-8").replace("start_month: teacher", "start_monht: teacher")
    path.write_text(text, encoding="utf-8")
    _, problems = check_repo(root, ["36"])
    line = text.splitlines().index(next(ln for ln in text.splitlines() if "start_monht" in ln)) + 1
    assert [(p.loc.file, p.loc.line, p.code) for p in problems] == [("provinces/36/overlay.yaml", line, "E204")]
    assert "start_month" in problems[0].message("zh")


def test_the_teachers_form_edits_exactly_the_teachers_fields(app, people) -> None:
    tid, username, rid = people
    teacher = Client(app, username, PASSWORD, entry="teacher")
    page = teacher.get(f"/forms/teachers/{tid}/sets/post/records/{rid}")
    assert page.status_code == 200, page.text[:300]
    assert _inputs(page.text) == {"start_month"}
    assert "由学校填写，教师本人不能修改" in page.text  # beside the fields drawn as text
    before = _doc(app, rid)
    r = teacher.post(f"/forms/teachers/{tid}/sets/post/records/{rid}",
                     data={"_csrf_token": csrf_of(page.text), "_fields": "start_month", "start_month": "2019-09",
                           "_version": str(_version(app, rid))}, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    assert _doc(app, rid) == {**before, "start_month": "2019-09"}

    contact = teacher.get(f"/forms/teachers/{tid}/sets/contact")  # the teacher's set, but Email is the school's
    assert "email" not in _inputs(contact.text) and {"phone", "mobile"} <= _inputs(contact.text)


def test_the_teacher_cannot_write_the_schools_fields_nor_add_records(app, people) -> None:
    tid, username, rid = people
    teacher = Client(app, username, PASSWORD, entry="teacher")
    before = _doc(app, rid)
    r = teacher.http.put(f"/api/v1/teachers/{tid}/sets/post/records/{rid}",
                         json={"values": {"post_category": "3", "post_grade": "201"}, "version": _version(app, rid)})
    assert r.status_code == 422, r.text[:300]
    codes = {(e["field"], e["rule"]) for e in r.json()["errors"]}
    assert ("post_category", "W801") in codes and ("post_grade", "W801") in codes
    assert any("「岗位类别」由学校填写，教师本人不能修改" in e["message"] for e in r.json()["errors"])
    assert _doc(app, rid) == before

    r = teacher.post(f"/api/v1/teachers/{tid}/sets/post/", json={"values": {"start_month": "2020-09"}})
    assert r.status_code == 403 and r.json()["code"] == "W802", r.text[:300]
    assert "聘任开始年月" in r.text  # what the teacher may fill instead
    r = teacher.delete(f"/api/v1/teachers/{tid}/sets/post/records/{rid}", headers={"If-Match": f'"{_version(app, rid)}"'})
    assert r.status_code == 403 and r.json()["code"] == "W802"
    assert _doc(app, rid) == before


def test_the_schools_form_edits_the_rest_and_cannot_write_the_teachers_field(app, people) -> None:
    tid, _username, rid = people
    school = Client(app, "school-manager", PASSWORD)
    page = school.get(f"/forms/teachers/{tid}/sets/post/records/{rid}")
    assert page.status_code == 200
    inputs = _inputs(page.text)
    assert "start_month" not in inputs and {"post_category", "post_grade"} <= inputs
    assert "由教师本人填写，学校不能修改" in page.text
    before = _doc(app, rid)
    r = school.http.put(f"/api/v1/teachers/{tid}/sets/post/records/{rid}",
                        json={"values": {"start_month": "2001-01"}, "version": _version(app, rid)})
    assert r.status_code == 422 and [(e["field"], e["rule"]) for e in r.json()["errors"]] == [("start_month", "W800")]
    assert _doc(app, rid) == before

    # a new record: the school fills its fields; 聘任开始年月 (required) is left to the teacher, not a block
    r = school.post(f"/api/v1/teachers/{tid}/sets/post/",
                    json={"values": {"post_category": "1", "post_grade": "110", "school_duty": ["00"]}})
    assert r.status_code == 201, r.text[:400]
    assert ("start_month", "V001") in {(w["field"], w["rule"]) for w in r.json()["warnings"]}

    r = school.http.put(f"/api/v1/teachers/{tid}/sets/contact/", json={"values": {"email": "school@example.cn"}},
                        headers={"If-Match": f'"{_contact_version(app, tid)}"'})
    assert r.status_code == 200, r.text[:300]


def _contact_version(app, tid: int) -> int:
    with app.state.ctx.sessions() as db:
        return db.scalar(select(Record.version).where(Record.teacher_id == tid, Record.set_key == "contact"))
