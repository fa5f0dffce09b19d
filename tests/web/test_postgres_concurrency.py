"""Concurrency on PostgreSQL with real connections: the audit chain stays one chain and teacher
numbers never collide when many transactions write at the same moment."""

from __future__ import annotations


import pytest
from sqlalchemy import select

from tests.web.conftest import four_items, fresh_pg_database, make_settings, run_together
from web import audit
from web.db.migrate import upgrade
from web.services import teachers as teacher_service
from web.services import units as unit_service

pytestmark = pytest.mark.postgres




def test_concurrent_audit_appends_keep_one_chain(pg_ctx):
    def work(i: int) -> None:
        for j in range(10):
            with pg_ctx.sessions() as db:
                audit.record(db, "test.concurrent", actor_name=f"worker{i}", detail={"j": j})
                db.commit()

    assert run_together(8, work) == []
    with pg_ctx.sessions() as db:
        result = audit.verify(db)
        assert result.ok, result.problems
        assert result.checked >= 80


def test_concurrent_teacher_numbers_are_unique_and_dense(pg_ctx):
    with pg_ctx.sessions() as db:
        province = unit_service.create_unit_raw(db, code="36", name="江西省", level="province", parent=None)
        county = unit_service.create_unit_raw(db, code="360102", name="东湖区", level="county", parent=province)
        school = unit_service.create_unit_raw(db, code="3601020001", name="一小", level="school", parent=county)
        ids = [teacher_service.create_raw(db, school, teacher_service.FourItems.parse(**four_items()),
                                          catalogue_version="t").id for _ in range(8)]
        db.commit()

    def work(i: int) -> None:
        with pg_ctx.sessions() as db:
            teacher = db.get(teacher_service.Teacher, ids[i])
            teacher_service.assign_teacher_number(db, teacher, "{region:6}{unit:8}{seq:4}")
            db.commit()

    assert run_together(8, work) == []
    with pg_ctx.sessions() as db:
        numbers = sorted(db.scalars(select(teacher_service.Teacher.teacher_number)
                                    .where(teacher_service.Teacher.id.in_(ids))))
    assert numbers == [f"36010200000001{n:04d}" for n in range(1, 9)]


def test_twenty_simultaneous_sign_ins_and_reads_all_finish(pg_admin_url) -> None:
    """The real server (uvicorn, one process) under 20 users signing in at the same moment and
    then reading their home page: every request finishes well within its time limit. (A request
    used to hold the audit log's head row locked until it finished, so sign-ins queued behind
    each other until they timed out.)"""
    import httpx

    from web.app import create_app
    from web.forms import sample
    from web.forms.liveserver import serve

    url, drop = fresh_pg_database(pg_admin_url)
    upgrade(url)
    app = create_app(make_settings(url))
    seeded = sample.seed(app.state.ctx, teachers=2)
    results: list[int] = []

    def sign_in_and_read(base: str) -> None:
        with httpx.Client(base_url=base, timeout=20) as client:
            r = client.post("/api/v1/auth/login", json={"username": seeded.manager, "password": seeded.password})
            token = r.json()["token"]
            me = client.get("/api/v1/auth/me", headers={"authorization": f"Bearer {token}"})
            results.extend([r.status_code, me.status_code])

    try:
        with serve(app) as base:
            errors = run_together(20, lambda i: sign_in_and_read(base))
        assert errors == []
        assert results == [200] * 40
        with app.state.ctx.sessions() as db:
            assert audit.verify(db).ok
    finally:
        app.state.ctx.engine.dispose()
        drop()
