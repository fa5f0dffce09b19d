"""Pages of the credit bank: 我的学分 (a teacher's own credits), 学分银行 (an authority's or
school's balances of its teachers, a page at a time, per year, cycle and category, as of a day) and
the printable transcript 学分证明 of one teacher. Reads only: the same service functions as the API."""

from __future__ import annotations

from datetime import date
from litestar import Controller, Request, get
from litestar.response import Template
from sqlalchemy.orm import Session

from modules.credits import bank as B
from modules.credits import service as S
from web.context import AppContext
from web.db.models import Unit
from web.pages.common import render
from web.principal import Principal


def _int(value: str | None, default: int, low: int, high: int) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and low <= int(value) <= high else default


class CreditPages(Controller):
    path = "/credits"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, ctx: AppContext, me: Principal, as_of: str | None = None,
              year: str | None = None, offset: str | None = None) -> Template:
        day = S.parse_day(as_of)
        if me.kind == "teacher" and me.teacher_id is not None:
            bank = B.teacher_credits(db, me, me.teacher_id, as_of=day)
            from modules.credits import claims as K

            return render(request, "credits/mine.html", me=me, bank=bank, categories=_categories(ctx, db, me),
                          claims=K.mine(db, me))
        y = _int(year, (day or date.today()).year, 1900, 2999)
        page = B.balances_page(db, me, root=ctx.settings.repo_root, as_of=day, year=y,
                               offset=_int(offset, 0, 0, 10**7))
        return render(request, "credits/balances.html", me=me, page=page, me_unit=db.get(Unit, me.unit_id),
                      categories=_categories(ctx, db, me), as_of=as_of or "")

    @get("/teachers/{teacher_id:int}/transcript", sync_to_thread=True)
    def transcript(self, request: Request, db: Session, ctx: AppContext, me: Principal, teacher_id: int,
                   as_of: str | None = None) -> Template:
        bank = B.teacher_credits(db, me, teacher_id, as_of=S.parse_day(as_of))
        return render(request, "credits/transcript.html", me=me, bank=bank, categories=_categories(ctx, db, me),
                      today=date.today().isoformat())


def _categories(ctx: AppContext, db: Session, me: Principal) -> dict[str, str]:
    from web import scope

    prov = scope.province_of(db, me.unit_id)
    try:
        rules = S.rules_for(ctx.settings.repo_root, prov.code if prov else None)
    except Exception:  # no rules: show the keys
        return {}
    return {k: v.zh for k, v in rules.categories.items()}

