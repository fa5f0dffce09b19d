"""Derived fields: 最高学历/学位 in 基本信息 come from 学习经历, 现任岗位 from 岗位聘任."""

from engine.catalogue import build_catalogues, repo_root

CAT = build_catalogues(repo_root(), ["36"])["36"]


def test_highest_education_and_degree_skip_none_and_degree_free_records() -> None:
    file = {"education": [
        {"edu_level": "61", "institution": "南昌一中", "degree_level": "0"},
        {"edu_level": "21", "institution": "江西师范大学", "degree_level": "4", "degree": "404",
         "degree_institution": "江西师范大学"},
        {"edu_level": "31", "institution": "九江学院", "degree_level": "0"},
    ]}
    derived = CAT.derive("basic", "primary", file)
    assert derived["highest_education"] == "21"
    assert derived["highest_education_institution"] == "江西师范大学"
    assert derived["highest_degree_level"] == "4"
    assert derived["highest_degree"] == "404"


def test_only_a_none_record_gives_nothing() -> None:
    derived = CAT.derive("basic", "primary", {"education": [{"edu_level": "0"}]})
    assert derived["highest_education"] is None and derived["highest_degree_level"] is None


def test_current_post_is_the_latest_appointment() -> None:
    file = {"post": [
        {"post_category": "1", "post_grade": "112", "start_month": "2012-09"},
        {"post_category": "1", "post_grade": "110", "start_month": "2018-09"},
    ]}
    derived = CAT.derive("basic", "primary", file)
    assert derived["current_post_grade"] == "110"
