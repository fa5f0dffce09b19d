"""Issue 18 point 13: after a catalogue change is deployed, records saved under the old version that
the catalogue now rejects are listed for their school (规则调整后需核实的记录), and leave the list when
they are saved right (a save re-checks them against the catalogue in force)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.web.conftest import Client, fresh_database, make_settings
from web.app import create_app
from web.db.models import Account, Record, Teacher, Unit
from web.demo import build_demo
from web.forms import service
from web.services import auth
from web.services.recheck import needs_recheck

PASSWORD = "Demo@2024x"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("recheck")) as url:
        application = create_app(make_settings(url))
        build_demo(application.state.ctx.settings, password=PASSWORD, teachers=36, seed=7)
        yield application
        application.state.ctx.engine.dispose()


def _post_record(db, school: str) -> tuple[Record, Teacher]:
    return db.execute(select(Record, Teacher).join(Teacher, Teacher.id == Record.teacher_id)
                      .join(Unit, Unit.id == Teacher.unit_id)
                      .where(Unit.code == school, Record.set_key == "post", Record.copy_of_id.is_(None))
                      .order_by(Record.id)).first()


def test_records_saved_before_a_rule_change_that_now_fail_are_listed_for_their_school(app) -> None:
    ctx = app.state.ctx
    cat = ctx.catalogue
    with ctx.sessions() as db:
        stale, teacher = _post_record(db, "3601020001")
        good = dict(stale.document)
        # saved under an earlier catalogue whose rules allowed what the current one refuses
        stale.document = {**good, "post_category": "1", "post_grade": "301"}
        stale.catalogue_version = "000000000000"
        # the same mistake in a record saved under the current version is no rule change's doing: not listed
        other = db.scalars(select(Record).join(Teacher, Teacher.id == Record.teacher_id)
                           .where(Teacher.unit_id == teacher.unit_id, Teacher.id != teacher.id,
                                  Record.set_key == "post")).first()
        other.document = {**other.document, "post_category": "1", "post_grade": "301"}
        db.commit()
        stale_id, tid, name = stale.id, teacher.id, teacher.name

    page = Client(app, "school-manager", PASSWORD).get("/admin/recheck/")
    assert page.status_code == 200, page.text[:300]
    assert "规则调整后需核实的记录" in page.text
    assert f"/forms/teachers/{tid}/sets/post" in page.text and "岗位聘任" in page.text
    assert name not in page.text and name[0] + "*" in page.text  # masked
    assert "岗位等级与岗位类别不符" in page.text
    assert 'href="/admin/recheck"' in Client(app, "school-manager", PASSWORD).get("/admin/recheck/").text

    with ctx.sessions() as db:
        me = auth.principal_of(db.scalar(select(Account).where(Account.username == "school-manager")), ctx)
        assert [s.teacher_id for s in needs_recheck(db, cat, me)] == [tid]
        # saving it unchanged is refused (re-checked against the catalogue in force) …
        tf = service.load_file(db, cat, me, tid)
        with pytest.raises(service.Refused):
            service.save(db, cat, me, tf, "post", dict(db.get(Record, stale_id).document), record_id=stale_id)
        db.rollback()
        # … saving it right stamps the current version and it leaves the list
        tf = service.load_file(db, cat, me, tid)
        row, _ = service.save(db, cat, me, tf, "post", good, record_id=stale_id)
        assert row.catalogue_version == cat.version
        db.commit()
        assert needs_recheck(db, cat, me) == []
