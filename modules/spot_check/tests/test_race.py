"""A verification racing the publication (PostgreSQL, two real sessions): the publication holds
the check until it commits; the verification then finds it published and is refused, so no
item changes after its report went out."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from modules.spot_check import service as S
from modules.spot_check.models import SpotCheckItem
from modules.spot_check.tests.conftest import COUNTY
from web.db.models import Account
from web.errors import Refusal
from web.services.auth import principal_of

pytestmark = pytest.mark.postgres
API = "/api/v1/spot-checks"


def test_a_verification_racing_the_publication_is_refused(ctx, as_user, area):
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("races need PostgreSQL: set TMIS_TEST_DATABASE_URL")
    reviewer = as_user(f"info_reviewer@{COUNTY}")
    check = reviewer.post(API + "/", json={"kind": "teacher", "size": 2, "title": "并发抽查", "seed": "7"}).json()
    items = [i["id"] for i in check["items"]]
    for item in items:
        assert reviewer.post(f"{API}/{check['id']}/items/{item}", json={"result": "ok"}).status_code in (200, 201)

    def me(s):
        return principal_of(s.scalar(select(Account).where(Account.username == f"info_reviewer@{COUNTY}")), ctx)

    out: dict[str, object] = {}
    with ctx.sessions() as a:
        S.publish(a, me(a), check["id"], "通报")

        def late() -> None:
            with ctx.sessions() as b:
                try:
                    out["late"] = S.record(b, me(b), check["id"], items[0], "wrong", "迟到的更正")
                    b.commit()
                except Refusal as r:
                    b.rollback()
                    out["late"] = r

        t = threading.Thread(target=late)
        t.start()
        time.sleep(1.0)  # the verification now waits on the publication's lock (unfixed: already written)
        a.commit()
    t.join(30)
    assert isinstance(out["late"], Refusal)
    with ctx.sessions() as s:
        assert s.get(SpotCheckItem, items[0]).result == "ok"
