"""An institution's account (培训机构管理员) sits at the authority that registered its institution:
its home page names the institution ("<name>（培训机构）"), not that authority as if it were the
province's or the county's staff (web/hooks.py home_heading). Without the credits module the
same account's home page names its unit again, and answers."""

from __future__ import annotations

import re

from sqlalchemy import select

from modules.credits.models import TrainingInstitution
from modules.credits.tests.test_api import institution  # noqa: F401
from tests.web.conftest import Client, make_settings
from tests.web.test_modules import keep_registry, make_root  # noqa: F401
from web.app import create_app

HEADING = re.compile(r'<h1 id="home-heading">([^<]*)</h1>')


def _heading(client, lang="zh"):
    page = client.get(f"/admin/?lang={lang}")
    assert page.status_code == 200
    return HEADING.search(page.text).group(1)


def test_an_institution_account_home_reads_as_the_institution(ctx, as_user, institution):  # noqa: F811
    inst_id, user = institution("36")
    with ctx.sessions() as db:
        name = db.scalar(select(TrainingInstitution.name).where(TrainingInstitution.id == inst_id))
    inst = as_user(user)
    assert _heading(inst) == f"{name}（培训机构）"
    assert _heading(inst, "en") == f"{name} (training institution)"
    province = _heading(as_user("info_manager@36"))
    assert province != _heading(inst) and province not in _heading(inst)  # the province's staff: the province
    assert _heading(as_user("info_manager@360102")) not in (province, f"{name}（培训机构）")


def test_without_the_module_the_account_home_names_its_unit(tmp_path, db_url, world, institution, keep_registry):  # noqa: F811
    _, user = institution("36")
    app = create_app(make_settings(db_url, repo_root=make_root(tmp_path, without=("credits",), example=False)))
    try:
        assert "（培训机构）" not in _heading(Client(app, user))
        assert _heading(Client(app, user)) == _heading(Client(app, "info_manager@36"))
    finally:
        app.state.ctx.engine.dispose()
