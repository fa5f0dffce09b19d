"""Security review of issue 17: tampered numbers on the credits pages (a query's offset, adjusted
or claim, a form's institution) — a superscript digit, thousands of digits, past what the database
holds — are ignored or refused with a message on the page, never a server error."""

from __future__ import annotations

import pytest

from tests.web.conftest import post_form

BIG = "9" * 5000


def test_page_numbers_past_any_number_are_ignored_not_server_errors(as_user, world):
    reviewer = as_user("info_reviewer@360102")
    tid = world.teachers["3601020001"][0]
    teacher = as_user(world.teacher_usernames[tid], entry="teacher")
    for client, url in [(reviewer, f"/credits/?offset={BIG}"), (reviewer, f"/credits/teachers/{tid}?adjusted={BIG}"),
                        (teacher, f"/credits/?claim={BIG}")]:
        r = client.get(url)
        assert r.status_code == 200, (url[:40], r.status_code)


@pytest.mark.parametrize("inst", ["²", BIG, "99999999999999999999", "2147483648", "abc"], ids=lambda v: v[:6])
def test_a_project_form_with_an_institution_that_is_no_number_says_no_such_institution(as_user, inst):
    county = as_user("info_manager@360102")
    r = post_form(county, "/credits/projects/", "/credits/projects/new",
                  {"name": f"篡改机构{len(inst)}{inst[:2]}", "level": "county", "type": "online", "hours": "10",
                   "start": "2024-03-01", "end": "2024-03-02", "institution_id": inst})
    assert r.status_code == 422, r.status_code
    assert "没有该培训机构" in r.text  # the form back with the refusal above it, nothing registered
