"""/api/v1/statistics as a user calls it: the tables, one table for a unit, its drill-down; who may
read what (a school's viewer reads its school, not its county: 403), coded refusals, English."""

from __future__ import annotations

import pytest

from modules.statistics.tests.conftest import DEMO_PASSWORD
from tests.web.conftest import Client


@pytest.fixture(scope="module")
def as_(demo):
    clients: dict[str, Client] = {}

    def get(username: str) -> Client:
        if username not in clients:
            clients[username] = Client(demo, username, DEMO_PASSWORD)
        return clients[username]

    return get


def test_the_tables_a_reader_may_read(as_):
    body = as_("city-viewer").get("/api/v1/statistics").json()
    keys = [t["key"] for t in body["tables"]]
    for standard in ("overview", "age_structure", "subject", "urban_rural", "gender", "education", "title_level"):
        assert standard in keys
    overview = next(t for t in body["tables"] if t["key"] == "overview")
    assert [d["key"] for d in overview["dims"]] == ["school_type", "education", "title_level"]
    assert body["unit"]["code"] == "3601"
    assert {"age_band", "teaching_years_band"} <= {d["key"] for d in body["dimensions"]}


def test_one_table_for_a_unit(as_):
    r = as_("county-reviewer").get("/api/v1/statistics/gender?unit=3601020001")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) >= {"as_of", "unit", "rows", "total"}
    assert body["unit"] == {"code": "3601020001", "name": body["unit"]["name"], "level": "school"}
    assert body["total"] == sum(row["count"] for row in body["rows"]) > 0
    assert {row["labels"]["gender"] for row in body["rows"]} <= {"男", "女"}
    en = as_("county-reviewer").get("/api/v1/statistics/gender?unit=3601020001&lang=en").json()
    assert {row["labels"]["gender"] for row in en["rows"]} <= {"Male", "Female"}
    assert en["total"] == body["total"]


def test_without_a_unit_the_callers_own(as_):
    own = as_("school-viewer").get("/api/v1/statistics/age_structure").json()
    assert own["unit"]["code"] == "3601020001"
    assert own == {**as_("school-viewer").get("/api/v1/statistics/age_structure?unit=3601020001").json(),
                   "as_of": own["as_of"]}


def test_a_school_viewer_cannot_read_its_county_or_province(as_):
    for unit in ("360102", "36", "3604020001"):
        r = as_("school-viewer").get(f"/api/v1/statistics/gender?unit={unit}")
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "W475"
        assert unit not in r.text.replace("3601020001", "")  # nothing of the unit leaks (its own code aside)
    assert as_("school-viewer").get("/api/v1/statistics/gender/children?unit=36").status_code == 403


def test_who_holds_no_stats_read_is_refused(as_, demo):
    r = as_("school-admin").get("/api/v1/statistics")  # a system administrator holds no data role
    assert r.status_code == 403 and r.json()["code"] == "W480"


def test_unknown_table_and_unit_say_what_exists(as_):
    r = as_("province-viewer").get("/api/v1/statistics/gendr?unit=36")
    assert r.status_code == 404 and r.json()["code"] == "W477"
    assert "gender" in r.json()["message"]  # did you mean
    r = as_("province-viewer").get("/api/v1/statistics/gender?unit=99")
    assert r.status_code == 404 and r.json()["code"] == "W476"
    r = as_("province-viewer").get("/api/v1/statistics/gender?unit=36&school_type=castle")
    assert r.status_code == 422 and r.json()["code"] == "W479"
    r = as_("province-viewer").get("/api/v1/statistics/gender?unit=3601&within=3604")
    assert r.status_code == 422 and r.json()["code"] == "W479"


def test_the_drill_down_lists_the_units_one_level_below(as_):
    body = as_("province-viewer").get("/api/v1/statistics/urban_rural/children?unit=3601").json()
    assert [c["unit"]["level"] for c in body["children"]] == ["county"] * len(body["children"])
    whole = as_("province-viewer").get("/api/v1/statistics/urban_rural?unit=3601").json()
    assert sum(c["total"] for c in body["children"]) == whole["total"]
