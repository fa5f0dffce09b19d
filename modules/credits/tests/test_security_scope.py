"""Attacks across units on training projects (sec2): what one authority may not do with what
belongs to another."""

from __future__ import annotations

from modules.credits.tests.test_api import _n, _project, _row, institution  # noqa: F401


def test_a_project_takes_an_institution_of_its_own_line_of_units_never_a_siblings_or_another_provinces(as_user, world, institution):  # noqa: F811
    """The project form offers the institutions registered at the caller's unit; the API took any
    institution id of any unit or province, so a county could hand the results of its teachers to
    another county's (or province's) institution, and learn by trying which ids exist. Now such an
    id reads as one that does not exist (W545), and that institution never sees the project."""
    county = as_user("info_manager@360102")
    body = dict(name=f"县级培训（他人机构{next(_n)}）", level="county", type="face_to_face", hours=30,
                start="2024-07-01", end="2024-07-10")
    missing = county.post("/api/v1/training/projects", json=body | {"institution_id": 2_000_000_000})
    assert missing.status_code == 422 and missing.json()["code"] == "W545"
    for unit in ("360103", "62"):  # a sibling county; another province
        other_id, other_user = institution(unit)
        r = county.post("/api/v1/training/projects", json=body | {"institution_id": other_id})
        assert r.status_code == 422, r.text
        assert r.json()["message"] == missing.json()["message"]  # as if it did not exist
        assert as_user(other_user).get("/api/v1/training/projects").json()["projects"] == []
    # the county's own institution, and one its province registered, are taken (a province also
    # takes its counties': test_project_pages.py::test_the_confirm_button_only_where_the_service_allows)
    own_id, _ = institution("360102")
    assert county.post("/api/v1/training/projects", json=body | {"institution_id": own_id}).status_code == 201
    prov_id, prov_user = institution("36")
    p = county.post("/api/v1/training/projects", json=body | {"name": body["name"] + "省", "institution_id": prov_id})
    assert p.status_code == 201, p.text
    tid = world.teachers["3601020001"][0]
    assert as_user(prov_user).post(f"/api/v1/training/projects/{p.json()['id']}/results",
                                   json={"rows": [_row(world, tid)]}).status_code == 200


def test_a_claim_follows_its_teacher_to_a_new_school(as_user, world, ctx, cats):
    """A teacher files a self-study claim and is transferred to a school of another county before
    it is reviewed. The old school could still approve it and the old county confirm credits and
    write a 国内培训 record into a teacher it no longer reaches (and both listed the claim with the
    teacher's name). Now a claim not yet confirmed goes with the teacher: the new school reviews it,
    the old school and county find no such claim (W650's 'not found')."""
    from modules.credits.tests.test_claims import URL, _form, _teacher, pdf_bytes
    from web.people import moves

    tid, teacher = _teacher(as_user, world, "3601020001", 2)
    claim = teacher.post(URL, data=_form(title="调动前申报的自主研修"), files={"file": ("a.pdf", pdf_bytes(), "application/pdf")})
    assert claim.status_code == 201, claim.text
    cid = claim.json()["id"]
    with ctx.sessions() as db:
        moves.transfer(db, cats["36"], None, tid, world.units["3601030001"])
        db.commit()
    old_school, old_county = as_user("info_reviewer@3601020001"), as_user("info_reviewer@360102")
    assert all(c["id"] != cid for c in old_school.get("/api/v1/credit-claims").json()["claims"])
    r = old_school.post(f"/api/v1/credit-claims/{cid}/review", json={"approve": True})
    assert r.status_code == 404, r.text
    new_school = as_user("info_reviewer@3601030001")
    assert any(c["id"] == cid for c in new_school.get("/api/v1/credit-claims?state=waiting").json()["claims"])
    assert new_school.post(f"/api/v1/credit-claims/{cid}/review", json={"approve": True}).status_code == 200
    assert old_county.post(f"/api/v1/credit-claims/{cid}/confirm", json={}).status_code == 404
    r = as_user("info_reviewer@360103").post(f"/api/v1/credit-claims/{cid}/confirm", json={})
    assert r.status_code == 200, r.text
