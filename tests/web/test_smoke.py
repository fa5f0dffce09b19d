"""The app starts, serves its OpenAPI document and pages, and migrations match the models."""

from alembic import command

from web.db.migrate import alembic_config


def test_migrations_match_models(db_url):
    # fails if a model changed without a migration
    command.check(alembic_config(db_url))


def test_openapi_lists_the_api(anon):
    r = anon.get("/schema/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for p in ("/api/v1/auth/login", "/api/v1/units", "/api/v1/accounts", "/api/v1/teachers",
              "/api/v1/teachers/{teacher_id}", "/api/v1/teacher-accounts"):
        assert p in paths, p


def test_start_page_offers_both_entries_in_chinese(anon):
    r = anon.get("/")
    assert r.status_code == 200
    assert "管理端" in r.text and "教师自助" in r.text
    assert 'lang="zh-CN"' in r.text


def test_english_switch(anon):
    r = anon.get("/admin/login?lang=en")
    assert "Management sign-in" in r.text
    assert anon.get("/admin/login").text.count("Management sign-in") == 1  # remembered by cookie
