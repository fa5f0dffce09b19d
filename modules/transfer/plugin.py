"""The transfer module's hooks (web/hooks.py): its API, the case pages' kinds 教师调动 and 外省调出,
its menu entry under 业务管理 and the count of transfers waiting for the caller's unit. A transfer
from another province (外省调入) starts on the same page and travels through the national tier
(modules/transfer/interprovince.py)."""

from __future__ import annotations

from typing import Any

from modules.transfer import interprovince as XP
from modules.transfer import service as T
from web.cases import service as S
from web.db.models import Unit
from web.hooks import MenuEntry, Todo, hookimpl

LEVELS = ("province", "city", "county", "school")


def _start_from_page(db: Any, ctx: Any, me: Any, form: dict[str, str]) -> Any:
    """The receiving school starts a transfer into itself: from this province, or (外省调入, a
    province code given) from another one through the national tier."""
    if form.get("withdraw_request", "").isdigit():  # 撤回 on a row of 外省调入申请 (this same form route)
        XP.withdraw(db, me, int(form["withdraw_request"]), form.get("reason"))
        return "/cases/transfers?msg=%E5%B7%B2%E6%92%A4%E5%9B%9E#xfer-requests"
    if form.get("from") == "other":
        row = XP.request(db, ctx.catalogue, me, form.get("province", ""), form.get("id_number", ""),
                         form.get("name", ""), province=ctx.settings.province)
        return f"/cases/transfers?msg=%E5%B7%B2%E6%8F%90%E4%BA%A4%E5%A4%96%E7%9C%81%E8%B0%83%E5%85%A5%E7%94%B3%E8%AF%B7#xfer-{row.request_id}"
    unit = db.get(Unit, me.unit_id)
    return T.start(db, ctx.catalogue, me, form.get("id_number", ""), form.get("name", ""),
                   unit.code if unit else "", province=ctx.settings.province)


def _receive(db: Any, ctx: Any) -> None:
    """Act on what the national tier relayed (in a savepoint of the request's transaction)."""
    XP.receive(db, ctx.catalogue)


def _transfers_extra(db: Any, ctx: Any, me: Any, lang: str) -> dict[str, Any]:
    _receive(db, ctx)
    own = XP._province()(db)
    return {"xfer_requests": XP.outgoing(db, me, lang, ctx.catalogue), "xfer_connected": own is not None,
            "xfer_provinces": XP.provinces(ctx.catalogue, own)}


def _out_extra(db: Any, ctx: Any, me: Any, lang: str) -> dict[str, Any]:
    _receive(db, ctx)
    return {"startable": False}


def _no_start(db: Any, ctx: Any, me: Any, form: dict[str, str]) -> Any:
    from web.cases import words as C
    from web.errors import Refusal

    raise Refusal(C.W_CASE_NOT_FOUND)


PAGE = S.register_pages(S.PageKind("transfer", "transfers", "transfer", "教师调动", "Transfers", _start_from_page,
                                   _transfers_extra))
OUT_PAGE = S.register_pages(S.PageKind("transfer", "transfers-out", XP.KIND, "外省调出", "Transfers to other provinces",
                                       _no_start, _out_extra))


@hookimpl
def register_routes(ctx: Any) -> list[Any]:
    from modules.transfer.api import TransferController

    return [TransferController]


@hookimpl
def menu_entries(ctx: Any) -> list[MenuEntry]:
    return [MenuEntry("transfers", "business", "/cases/transfers", "教师调动", "Transfers", permission="teacher.read",
                      levels=LEVELS, order=10)]


@hookimpl
def home_todos(ctx: Any, me: Any, unit: Any, db: Any) -> list[Todo]:
    if me.kind != "teacher":
        _receive(db, ctx)
    out = [Todo("transfer.out_waiting", t.zh, t.en, t.count, t.href) for t in S.waiting_todo(db, me, OUT_PAGE)]
    return S.waiting_todo(db, me, PAGE) + out
