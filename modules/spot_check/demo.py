"""The demo's spot checks (``tmis demo``, web/hooks.py ``build_demo``): 东湖区 (360102) has drawn
five teachers with the seed 20260331, found one file wrong and published the report, so the schools
below see it on their home page; 南昌市 (3601) has drawn three schools and not verified them yet."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from modules.spot_check import service as S
from web.db.models import Account


def build(db: Any, ctx: Any) -> list[str]:
    from web.services import auth

    def who(username: str) -> Any:
        account = db.scalar(select(Account).where(Account.username == username))
        return auth.principal_of(account, ctx) if account is not None else None

    county, city = who("county-reviewer"), who("city-reviewer")
    if county is None or city is None:
        return []
    try:
        with db.begin_nested():
            check = S.draw(db, county, kind="teacher", size=5, seed="20260331", title="2026 年春季教师信息随机抽查")
            items = S.items(db, county, check)
            for i, item in enumerate(items):
                wrong = i == 1
                S.record(db, county, check.id, item.id, "wrong" if wrong else "ok",
                         "最高学历与学历证书不一致，请学校更正。" if wrong else None)
            S.publish(db, county, check.id, f"共抽查教师 {len(items)} 人，1 人信息有误，请相关学校于两周内更正。")
            S.draw(db, city, kind="school", size=3, seed="2026", title="2026 年学校信息抽查")
    except Exception as exc:  # a demo too small for a sample (tests' tiny demos): no spot checks
        from web.errors import Refusal

        if not isinstance(exc, Refusal):
            raise
        return []
    return ["随机抽查 / spot checks: 东湖区 published one (5 teachers, seed 20260331), 南昌市 one open (3 schools)"]
