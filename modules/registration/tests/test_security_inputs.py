"""Hostile values typed into the registration pages' forms answer the page with a catalogue
refusal, never a server error (sec2). A number of 5000 digits is past Python's 4300-digit limit
of int(str), which str.isdigit() does not know; a version that is not the page's own is stale."""

from __future__ import annotations

import pytest

from modules.registration.tests.test_batch import due  # noqa: F401
from tests.web.conftest import post_form

BIG = "9" * 5000


@pytest.mark.parametrize("typed", [BIG, "99999999999999999999999"])
def test_a_teacher_id_of_any_length_is_no_such_teacher(as_user, world, typed):
    school = as_user("info_manager@3601020001")
    school.http.raise_server_exceptions = False
    r = post_form(school, "/registration", "/registration/apply", {"teacher_id": typed})
    assert r.status_code == 404, r.text[-600:]
    assert "W402" in r.text


@pytest.mark.parametrize("version", [BIG, "abc", "-1", "²"])
def test_a_version_that_is_not_the_pages_own_is_stale_and_nothing_is_saved(as_user, world, due, version):  # noqa: F811
    tid = due()
    bid = as_user("info_manager@3601020001").post("/api/v1/registration/batches", json={"teacher_ids": [tid]}).json()["id"]
    county = as_user("info_reviewer@360102")
    county.http.raise_server_exceptions = False
    url = f"/registration/batches/{bid}"
    r = post_form(county, url, f"{url}/decide", {"version": version, f"decision-{tid}": "deferred",
                                                 f"reason-{tid}": "培训学分不足"})
    assert r.status_code == 409, r.text[-600:]
    assert "W584" in r.text
    teachers = county.get(f"/api/v1/registration/batches/{bid}").json()["teachers"]
    assert [t["decision"] for t in teachers] == [None]


@pytest.mark.parametrize("reason", [{"a": 1}, 42, ["理由"], True])
def test_a_reason_that_is_not_text_is_refused_not_kept_as_its_python_form(as_user, world, due, reason):  # noqa: F811
    tid = due()
    bid = as_user("info_manager@3601020001").post("/api/v1/registration/batches", json={"teacher_ids": [tid]}).json()["id"]
    county = as_user("info_reviewer@360102")
    r = county.post(f"/api/v1/registration/batches/{bid}/decisions",
                    json={"decisions": [{"teacher_id": tid, "decision": "deferred", "reason": reason}]})
    assert r.status_code == 400 and r.json()["code"] == "W933", r.text
    assert "decisions[0].reason" in r.json()["message"]
    assert [t["decision"] for t in county.get(f"/api/v1/registration/batches/{bid}").json()["teachers"]] == [None]


def test_a_teacher_id_of_300_digits_is_named_short(as_user, world, due):  # noqa: F811
    tid = due()
    bid = as_user("info_manager@3601020001").post("/api/v1/registration/batches", json={"teacher_ids": [tid]}).json()["id"]
    r = as_user("info_reviewer@360102").post(f"/api/v1/registration/batches/{bid}/decisions", content=b'{"decisions": [{"teacher_id": 1e308, "decision": "qualified"}]}', headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "W582"
    assert len(r.json()["message"]) < 60


def test_a_teacher_transferred_during_an_application_leaves_it_and_the_new_school_applies(ctx, cats, as_user, world, due):  # noqa: F811
    """A school applies; before the route ends the teacher is transferred to a school of another
    city. The old route (its county, its city) went on deciding for a teacher it no longer
    reaches and, at the end, wrote 注册 fields into that teacher's 教师资格; the new school could
    not apply (W573: the qualification was still in the old application). Now the move takes the
    teacher out of the open application (logged 'withdraw', audited) and the new school applies."""
    from sqlalchemy import select

    from modules.registration.models import RegistrationDecision
    from web.people import moves

    tid, other = due(), due(name="注册丙")
    bid = as_user("info_manager@3601020001").post("/api/v1/registration/batches", json={"teacher_ids": [tid, other]}).json()["id"]
    county = as_user("info_reviewer@360102")
    read_before = county.get(f"/api/v1/registration/batches/{bid}").json()["version"]
    with ctx.sessions() as db:
        moves.transfer(db, cats["36"], None, tid, world.units["3602020001"])
        db.commit()
    batch = county.get(f"/api/v1/registration/batches/{bid}").json()
    assert [t["teacher_id"] for t in batch["teachers"]] == [other]
    # a decision made on the page read before the move is stale, not applied to what changed under it
    r = county.post(f"/api/v1/registration/batches/{bid}/decisions",
                    json={"version": read_before, "decisions": [{"teacher_id": other, "decision": "qualified"}]})
    assert r.status_code == 409 and r.json()["code"] == "W584", r.text
    r = county.post(f"/api/v1/registration/batches/{bid}/decisions", json={"decisions": [{"teacher_id": tid, "decision": "qualified"}]})
    assert r.status_code == 422 and r.json()["code"] == "W582"
    with ctx.sessions() as db:
        assert db.scalar(select(RegistrationDecision.action).where(RegistrationDecision.batch_id == bid,
                                                                   RegistrationDecision.action == "withdraw")) == "withdraw"
    r = as_user("info_manager@3602020001").post("/api/v1/registration/batches", json={"teacher_ids": [tid]})
    assert r.status_code == 201, r.text
