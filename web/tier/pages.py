"""The national tier's pages (/national/…) and API (/api/v1/national/…): the provinces'
replication lag, national statistics, the duplicates queue (decide a group; find duplicates and
issue identifiers now). Served only when TMIS_TIER=national, to ministry accounts."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from web.context import AppContext
from web.pages.common import render
from web.principal import Principal
from web.security.edge import as_int
from web.tier import service as S


class NationalPages(Controller):
    path = "/national"
    include_in_schema = False

    @get("/lag", sync_to_thread=True)
    def lag(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        unit = S.require(db, me, S.LAG, ctx.settings)
        return render(request, "national/lag.html", me=me, me_unit=unit, rows=S.lag(db))

    @get("/statistics", sync_to_thread=True)
    def statistics(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        unit = S.require(db, me, S.READ, ctx.settings)
        rows = S.statistics(db)
        total = {k: sum(r[k] for r in rows) for k in ("schools", "files", "on_roll", "women", "formal_identifiers",
                                                        "movements")}
        return render(request, "national/statistics.html", me=me, me_unit=unit, rows=rows, total=total)

    @get("/duplicates", sync_to_thread=True)
    def duplicates(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        unit = S.require(db, me, S.REVIEW, ctx.settings)
        state = request.query_params.get("state") or "open"
        if state not in ("open", "same_person", "different", "gone", "all"):
            state = "open"
        return render(request, "national/duplicates.html", me=me, me_unit=unit, state=state,
                      groups=S.duplicates(db, me, unit, state=state), done=request.query_params.get("done"))

    @post("/duplicates/{dup_id:str}")
    async def decide(self, request: Request, db: Session, ctx: AppContext, me: Principal, dup_id: str) -> Redirect:
        form = await request.form()

        def work() -> Redirect:
            S.require(db, me, S.REVIEW, ctx.settings)
            out = S.decide(db, me, as_int(dup_id) or 0, str(form.get("decision") or ""), str(form.get("note") or ""))
            return Redirect(path=f"/national/duplicates?done={out['id']}", status_code=303)
        from web.deps import run_unit_of_work

        return await run_unit_of_work(db, work)

    @post("/dedup", sync_to_thread=True)
    def dedup(self, db: Session, ctx: AppContext, me: Principal) -> Redirect:
        S.require(db, me, S.REVIEW, ctx.settings)
        S.run_dedup(db, me)
        return Redirect(path="/national/duplicates?done=dedup", status_code=303)


class NationalApi(Controller):
    path = "/api/v1/national"
    tags = ["national"]

    @get("/lag", sync_to_thread=True, summary="Each province's replication: streaming, last sync, bytes behind")
    def lag(self, db: Session, ctx: AppContext, me: Principal) -> list[dict[str, Any]]:
        S.require(db, me, S.LAG, ctx.settings)
        return S.lag(db)

    @get("/statistics", sync_to_thread=True, summary="Counts by province from the replicated files")
    def statistics(self, db: Session, ctx: AppContext, me: Principal) -> list[dict[str, Any]]:
        S.require(db, me, S.READ, ctx.settings)
        return S.statistics(db)

    @get("/duplicates", sync_to_thread=True, summary="The national duplicates queue (state=open|same_person|different|gone|all)")
    def duplicates(self, db: Session, ctx: AppContext, me: Principal,
                   queue_state: Annotated[str, Parameter(query="state")] = "open") -> list[dict[str, Any]]:
        unit = S.require(db, me, S.REVIEW, ctx.settings)
        state = queue_state
        if state not in ("open", "same_person", "different", "gone", "all"):
            from web.errors import Refusal

            raise Refusal("W813", value=state[:40])
        return S.duplicates(db, me, unit, state=state)

    @post("/duplicates/{dup_id:str}", sync_to_thread=True, status_code=200,
          summary="Decide a group: {\"decision\": \"same_person\" | \"different\", \"note\": …}")
    def decide(self, db: Session, ctx: AppContext, me: Principal, dup_id: str, data: dict[str, Any]) -> dict[str, Any]:
        S.require(db, me, S.REVIEW, ctx.settings)
        note = data.get("note") if isinstance(data.get("note"), str) else None
        return S.decide(db, me, as_int(dup_id) or 0, str(data.get("decision") or "")[:40], note)

    @post("/dedup", sync_to_thread=True, status_code=200, summary="Find duplicates across provinces, issue formal identifiers")
    def dedup(self, db: Session, ctx: AppContext, me: Principal) -> dict[str, int]:
        S.require(db, me, S.REVIEW, ctx.settings)
        return S.run_dedup(db, me)
