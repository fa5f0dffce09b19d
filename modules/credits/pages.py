"""Pages of the credit bank: 我的学分 (a teacher's own credits), 学分银行 (an authority's or
school's balances of its teachers, a page at a time, per year, cycle and category, as of a day),
one teacher's credits (/credits/teachers/{tid}: every entry, and 调整学分 for an authority's
reviewers: adjustments.adjust, as the API) and the printable transcript 学分证明 of one teacher.
The same service functions as the API."""

from __future__ import annotations

from datetime import date
from typing import Any

import anyio
from litestar import Controller, MediaType, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from modules.credits import bank as B
from modules.credits import projects as P
from modules.credits import results as R
from modules.credits.models import KIND_LABELS
from web.context import AppContext
from web.db.models import Unit
from web.deps import lang_of, run_unit_of_work
from web.errors import Refusal
from web.pages.common import render
from web.principal import Principal


def _int(value: str | None, default: int, low: int, high: int) -> int:
    from web.security.edge import as_int  # ASCII digits within INT32 (int() refuses 4300 digits: a 500)

    number = as_int(value) if value else None
    return number if number is not None and low <= number <= high else default


class CreditPages(Controller):
    path = "/credits"
    include_in_schema = False

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, ctx: AppContext, me: Principal, as_of: str | None = None,
              year: str | None = None, offset: str | None = None, unit: str | None = None,
              q: str | None = None, claim: str | None = None) -> Template:
        from modules.credits import dates

        try:  # W553 / W708 / W709: as the API; a bad date shows the page as of today, the message above its field
            day, as_of_error = P.parse_day(as_of), None
        except Refusal as refusal:
            day, as_of_error = None, refusal
        status = as_of_error.status if as_of_error else 200
        today = dates.today().isoformat()
        if me.kind == "teacher" and me.teacher_id is not None:
            return mine_page(request, db, ctx, me, as_of=day, status_code=status, as_of_error=as_of_error,
                             as_of_typed=as_of or "", claim=_int(claim, 0, 1, 2**31), today=today)
        from modules.credits import bound_words as Wb

        error = as_of_error
        try:  # a bad year (W711) or unit (W713): the page without that filter, the message above
            y = dates.year(year)
        except Refusal as refusal:
            y, error = None, error or refusal
        from web.security import search

        q, q_token = search.query(ctx, me, q)  # ?q= is a search token: no name in the address (web/security/search.py)
        try:
            page = B.balances_page(db, me, root=ctx.settings.repo_root, as_of=day, year=y,
                                   offset=_int(offset, 0, 0, 10**7), unit=unit, q=q)
        except Refusal as refusal:
            if refusal.code != Wb.W_UNIT_FILTER:
                raise
            error = error or refusal
            page = B.balances_page(db, me, root=ctx.settings.repo_root, as_of=day, year=y,
                                   offset=_int(offset, 0, 0, 10**7), q=q)
        return render(request, "credits/balances.html", me=me, page=page, me_unit=db.get(Unit, me.unit_id),
                      categories=_categories(ctx, db, me, lang_of(request)), as_of=day.isoformat() if day else "",
                      today=today, units=B.filter_units(db, me), error=error, status_code=error.status if error else 200,
                      q_token=q_token)

    @post("/search", status_code=303)
    async def search(self, request: Request, ctx: AppContext, me: Principal) -> Redirect:
        """The 学分银行 filter form: posted, so a teacher's name typed in it never travels in an address;
        the list again with ``q`` as a search token (web/security/search.py), the other filters as they are."""
        from web.forms.pages import read_form
        from web.security import search

        return search.redirect("/credits/", ctx, me, await read_form(request), ("year", "as_of", "unit"))

    @get("/teachers/{teacher_id:int}/transcript", sync_to_thread=True)
    def transcript(self, request: Request, db: Session, ctx: AppContext, me: Principal, teacher_id: int,
                   as_of: str | None = None) -> Template:
        from web import privacy, scope

        bank = B.teacher_credits(db, me, teacher_id, as_of=P.parse_day(as_of))
        teacher = scope.get_teacher(db, me, teacher_id)
        policy = privacy.policy(db, me, teacher)  # the ID number as this reader may see it (masked without personal.read)
        policy.audit(db, "credits.transcript")
        return render(request, "credits/transcript.html", me=me, bank=bank,
                      categories=_categories(ctx, db, me, lang_of(request)), today=date.today().isoformat(),
                      person=policy.person(), unit=db.get(Unit, teacher.unit_id))

    @get("/teachers/{teacher_id:int}", sync_to_thread=True)
    def teacher(self, request: Request, db: Session, ctx: AppContext, me: Principal, teacher_id: int,
                as_of: str | None = None, adjusted: str | None = None) -> Template:
        return teacher_page(request, db, ctx, me, teacher_id, as_of=P.parse_day(as_of),
                            adjusted=_int(adjusted, 0, 1, 2**31))

    @post("/teachers/{teacher_id:int}/adjustments", status_code=303, media_type=MediaType.HTML)
    async def adjust(self, request: Request, db: Session, ctx: AppContext, me: Principal,
                     teacher_id: int) -> Redirect | Template:
        from modules.credits import adjustments as A
        from modules.credits import adjust_words as Wa

        form = {k: str(v) for k, v in (await request.form()).items() if k in A.FIELDS}

        def work() -> Redirect:
            entry = A.adjust(db, me, teacher_id, form, root=ctx.settings.repo_root)  # as POST …/credits/adjustments
            return Redirect(path=f"/credits/teachers/{teacher_id}?adjusted={entry.id}#entry-{entry.id}", status_code=303)

        try:
            return await run_unit_of_work(db, work)
        except Refusal as refusal:
            if refusal.code not in (Wa.W_ADJUST_BELOW_ZERO, Wa.W_ADJUST_CATEGORY, Wa.W_ADJUST_FIELD):
                raise  # not this form's (the teacher outside scope, an account that may not adjust)
            # the form comes back filled in, the refusal above it
            return await anyio.to_thread.run_sync(lambda: teacher_page(
                request, db, ctx, me, teacher_id, status_code=refusal.status, form=form, adjust_error=refusal))


def mine_page(request: Request, db: Session, ctx: AppContext, me: Principal, *, as_of: date | None = None,
              status_code: int = 200, claim: int = 0, **context: Any) -> Template:
    """我的学分: the teacher's own credits and self-study claims, with the claim form. After a claim
    is filed (POST /credits/claims/ redirects here with ?claim=<id>) the claim's state is shown
    from the database; a refused claim comes back in ``claim_form`` with ``claim_error`` beside
    the field it names (``claim_field``)."""
    from modules.credits import claims as K

    bank = B.teacher_credits(db, me, me.teacher_id, as_of=as_of)
    claims = K.mine(db, me)
    filed = next((c for c in claims if c["id"] == claim), None) if claim else None
    context.setdefault("claim_form", {})
    context.setdefault("resubmit_form", {})
    return render(request, "credits/mine.html", me=me, bank=bank, categories=_categories(ctx, db, me, lang_of(request)),
                  claims=claims, filed=filed, status_code=status_code, **context)


def teacher_page(request: Request, db: Session, ctx: AppContext, me: Principal, teacher_id: int, *,
                 as_of: date | None = None, status_code: int = 200, **context: Any) -> Template:
    """One teacher's credit bank (as GET /api/v1/teachers/{tid}/credits: scoped, the read audited):
    totals, every entry with its kind in words, and the adjustment form for those who may adjust."""
    from modules.credits import adjustments as A
    from web import scope

    bank = B.teacher_credits(db, me, teacher_id, as_of=as_of)
    teacher = scope.get_teacher(db, me, teacher_id)
    lang = lang_of(request)
    labels = B.rule_version_labels(db, {e["rule_version"] for e in bank["entries"]}, lang)
    may_adjust = A.may_adjust(db, me, teacher)
    try:
        cats = {k: (v.zh, v.en or v.zh) for k, v in A.categories_of(db, ctx.settings.repo_root, teacher).items()}
    except Refusal:  # no rules for the province: the keys, and no form
        cats, may_adjust = {}, False
    return render(request, "credits/teacher.html", me=me, bank=bank, labels=labels, kinds=KIND_LABELS, cats=cats,
                  unit=db.get(Unit, teacher.unit_id), may_adjust=may_adjust, today=A.today().isoformat(),
                  form=context.pop("form", {}), status_code=status_code, **context)


def _categories(ctx: AppContext, db: Session, me: Principal, lang: str = "zh") -> dict[str, str]:
    """The ledger's category names of the reader's province, in the page's language."""
    from web import scope

    prov = scope.province_of(db, me.unit_id)
    try:
        rules = R.rules_for(ctx.settings.repo_root, prov.code if prov else None)
    except Exception:  # no rules: show the keys
        return {}
    return {k: v.get(lang) for k, v in rules.categories.items()}

