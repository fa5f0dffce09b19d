"""The registration module without the credits module: the training condition reads '学分数据不可用'
(unmet), nothing fails; and tmis check stays clean without the registration module (a province's
registration.yaml is still checked on its own)."""

from __future__ import annotations

from sqlalchemy import select

from engine.catalogue import check_repo
from tests.web.conftest import Client, make_settings
from tests.web.test_modules import keep_registry, make_root  # noqa: F401  (the fixture)
from web.app import create_app
from web.db.models import Record


def test_without_the_credits_module_training_is_unavailable_not_a_crash(tmp_path, ctx, db_url, world, cats,
                                                                        keep_registry):  # noqa: F811
    tid = world.teachers["3601020002"][0]
    with ctx.sessions() as db:
        if not db.scalar(select(Record.id).where(Record.teacher_id == tid, Record.set_key == "qualification")):
            db.add(Record(teacher_id=tid, set_key="qualification", position=0, catalogue_version=cats["36"].version,
                          document={"kind": "2", "issue_date": "2024-09-01"}))
            db.commit()
    app = create_app(make_settings(db_url, repo_root=make_root(tmp_path, without=("credits",), example=False)))
    try:
        assert "credits" not in {m.key for m in app.state.modules.modules}
        r = Client(app, "info_manager@3601020002").get(f"/api/v1/teachers/{tid}/registration")
        assert r.status_code == 200, r.text
        assert r.json()["unmet"][0]["message"] == "学分数据不可用（学分银行未启用），无法核对培训要求"
    finally:
        app.state.ctx.engine.dispose()


def test_tmis_check_is_clean_without_the_registration_module(tmp_path):
    root = make_root(tmp_path, without=("registration",), example=False)
    _, problems = check_repo(root, ["36"])
    assert problems == []
