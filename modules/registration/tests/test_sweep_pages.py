"""Security review of issue 17: a tampered form on the registration pages (a teacher id or a
version too long for a number, or past what the database holds) is refused with a message on the
page, never a server error (ValueError from int() past 4300 digits, OverflowError from SQLite,
"out of range" from PostgreSQL)."""

from __future__ import annotations

import re

import pytest

from modules.registration.tests.test_batch import _qualification, due  # noqa: F401  (the fixture)
from tests.web.conftest import post_form

HUGE = ["9" * 5000, "99999999999999999999", "9223372036854775807", "2147483648"]


@pytest.mark.parametrize("tid", HUGE, ids=lambda v: f"{len(v)}-digits")
def test_applying_for_a_teacher_id_past_any_number_is_refused_on_the_page(as_user, tid):
    school = as_user("info_manager@3601020001")
    r = post_form(school, "/registration", "/registration/apply", {"teacher_id": tid})
    assert r.status_code in (404, 422), r.text[:300]
    assert re.search(r"W\d{3}", r.text), r.text[:300]  # the catalogue's refusal, on the page


def test_a_decision_with_a_version_past_any_number_is_told_the_page_is_stale(ctx, world, as_user, due):  # noqa: F811
    tid = due(failing_year=True, name="超长版本甲")
    school = as_user("info_manager@3601020001")
    r = post_form(school, "/registration", "/registration/apply", {"teacher_id": str(tid)})
    url = r.headers["location"].split("?")[0]
    bid = int(re.search(r"/batches/(\d+)", url).group(1))
    county = as_user("info_reviewer@360102")
    for version in HUGE:
        r = post_form(county, url, f"/registration/batches/{bid}/decide",
                      {"version": version, f"decision-{tid}": "qualified"})
        assert r.status_code == 409, (len(version), r.status_code, r.text[:300])
    page = county.get(url).text
    assert f'name="decision-{tid}"' in page  # still undecided, the reviewer decides on a fresh page
