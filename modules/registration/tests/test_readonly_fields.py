"""The registration fields of 教师资格 are read-only for people (issue 17: written only from the
case): a person's API write that names them changes nothing of them; only the application's
last step writes them (test_batch.py)."""

from __future__ import annotations

from sqlalchemy import select

from web.db.models import Record


def test_a_person_cannot_write_the_registration_fields(ctx, world, as_user, cats):
    tid = world.teachers["3601030001"][0]
    c = as_user("info_manager@3601030001")
    r = c.post(f"/api/v1/teachers/{tid}/sets/qualification",
               json={"values": {"kind": "2", "issue_date": "2019-09-01", "periodic_registration_result": "1",
                                "periodic_registration_date": "2024-09-01"}})
    with ctx.sessions() as db:
        docs = [d for d in db.scalars(select(Record.document).where(Record.teacher_id == tid,
                                                                   Record.set_key == "qualification"))]
    assert all("periodic_registration_result" not in d and "periodic_registration_date" not in d for d in docs), (r.status_code, docs)


def test_a_change_that_leaves_them_out_keeps_them(ctx, world, as_user, cats):
    tid = world.teachers["3601030001"][1]
    with ctx.sessions() as db:
        row = Record(teacher_id=tid, set_key="qualification", position=0, catalogue_version=cats["36"].version,
                     document={"kind": "2", "issue_date": "2019-09-01", "periodic_registration_result": "1",
                               "periodic_registration_date": "2024-09-01"})
        db.add(row)
        db.commit()
        rid, version = row.id, row.version
    c = as_user("info_manager@3601030001")
    r = c.http.put(f"/api/v1/teachers/{tid}/sets/qualification/records/{rid}",
              json={"values": {"kind": "2", "issue_date": "2019-09-02"}, "version": version})
    assert r.status_code == 200, r.text
    r = c.http.put(f"/api/v1/teachers/{tid}/sets/qualification/records/{rid}",
              json={"values": {"kind": "2", "issue_date": "2019-09-02", "periodic_registration_result": "3"},
                    "version": r.json()["version"]})
    assert r.status_code == 422 and "W587" in r.text
    with ctx.sessions() as db:
        doc = db.get(Record, rid).document
    assert doc["issue_date"] == "2019-09-02" and doc["periodic_registration_result"] == "1"
