"""/api/v1/spot-checks: list, draw, read one, record an item's result, publish (随机抽查)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from sqlalchemy.orm import Session

from modules.spot_check import present as P
from modules.spot_check import service as S
from web.deps import lang_of
from web.principal import Principal


@dataclass
class DrawIn:
    kind: str
    size: int | str
    title: str
    seed: str | None = None
    unit: str | None = None


@dataclass
class ResultIn:
    result: str
    note: str | None = None


@dataclass
class PublishIn:
    summary: str | None = None


class SpotCheckController(Controller):
    path = "/api/v1/spot-checks"
    tags = ["spot checks"]

    @get("/", sync_to_thread=True, summary="Spot checks the caller may see (its area's, and those published to it)")
    def index(self, request: Request, db: Session, me: Principal) -> dict[str, Any]:
        lang = lang_of(request)
        return {"items": [P.summary_json(db, me, c, lang) for c in S.listing(db, me)], "may_draw": P.may_draw(db, me)}

    @post("/", sync_to_thread=True, status_code=201, summary="Draw a spot check (an authority's reviewers)")
    def create(self, data: DrawIn, request: Request, db: Session, me: Principal) -> dict[str, Any]:
        check = S.draw(db, me, kind=data.kind, size=data.size, seed=data.seed, title=data.title, unit_code=data.unit)
        return P.check_json(db, me, check, lang_of(request))

    @get("/{check_id:int}", sync_to_thread=True, summary="One spot check with the items the caller may see")
    def one(self, check_id: int, request: Request, db: Session, me: Principal, verify: bool = False) -> dict[str, Any]:
        return P.check_json(db, me, S.get(db, me, check_id), lang_of(request), verify=verify)

    @post("/{check_id:int}/items/{item_id:int}", sync_to_thread=True, status_code=200,
          summary="Record an item's verification: ok (核实无误) or wrong (有误, with a note)")
    def record(self, check_id: int, item_id: int, data: ResultIn, request: Request, db: Session,
               me: Principal) -> dict[str, Any]:
        S.record(db, me, check_id, item_id, data.result, data.note)
        return P.check_json(db, me, S.get(db, me, check_id), lang_of(request))

    @post("/{check_id:int}/publish", sync_to_thread=True, status_code=200,
          summary="Publish the summary (通报) to the units below")
    def publish(self, check_id: int, data: PublishIn, request: Request, db: Session, me: Principal) -> dict[str, Any]:
        check = S.publish(db, me, check_id, data.summary)
        return P.check_json(db, me, check, lang_of(request))
