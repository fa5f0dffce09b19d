"""单位管理: the unit tree below mine (search, expand with htmx), create and edit a unit below
mine, import units from a spreadsheet (all or nothing; sample workbook), and move a unit with
everything below it to another parent within my subtree (``web.services.units.move``)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from web import scope
from web.admin import samples, views
from web.admin.common import XLSX, attachment, back, one, page, read_form, run, show
from web.context import AppContext
from web.deps import lang_of
from web.errors import W_BAD_REQUEST, Refusal
from web.principal import Principal
from web.services import units as svc


def _en(request: Request) -> bool:
    return lang_of(request) == "en"


class UnitPages(Controller):
    path = "/admin/units"
    include_in_schema = False

    def _tree(self, request: Request, db: Session, ctx: AppContext, me: Principal, *, code: str | None,
              error: Refusal | None = None, result: svc.ImportResult | None = None, status_code: int = 200) -> Template:
        # by default my own unit; any unit of my subtree can be the root of the view
        root = (scope.require_unit(db, me, svc.by_code(db, code), "unit.manage") if code
                else views.managed_unit(db, me, None, "unit.manage"))
        q = request.query_params.get("q", "").strip()
        return page(request, db, "admin/units.html", me=me, root=root, nodes=views.nodes(db, me, root),
                    q=q, found=views.search(db, me, root, q) if q else None, error=error, result=result,
                    msg=request.query_params.get("msg"), status_code=status_code, **views.context(ctx))

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, ctx: AppContext, me: Principal, root: str | None = None) -> Template:
        return self._tree(request, db, ctx, me, code=root)

    @get("/{code:str}/children", sync_to_thread=True)
    def children(self, request: Request, code: str, db: Session, ctx: AppContext, me: Principal) -> Template:
        """htmx: the units directly below one unit of the tree."""
        parent = scope.require_unit(db, me, svc.by_code(db, code), "unit.manage")
        return page(request, db, "admin/_unit_nodes.html", me=me, nodes=views.nodes(db, me, parent), **views.context(ctx))

    # ------------------------------------------------------------------ create and edit

    def _form(self, request: Request, db: Session, ctx: AppContext, me: Principal, *, parent_code: str | None,
              unit_code: str | None = None, values: dict[str, str] | None = None, error: Refusal | None = None,
              status_code: int = 200) -> Template:
        if unit_code:  # edit
            unit = scope.require_unit(db, me, svc.by_code(db, unit_code), "unit.manage")
            values = values or {k: getattr(unit, k) or "" for k in ("code", "name", "level", "school_type", "urban_rural")}
            parent, levels = unit.parent, [unit.level]
        else:
            unit = None
            parent = scope.require_unit(db, me, svc.by_code(db, parent_code or ""), "unit.manage")
            levels = views.levels_below(parent)
            values = values or {"level": levels[0] if levels else ""}
        return page(request, db, "admin/unit_form.html", me=me, unit=unit, parent=parent, levels=levels,
                    values=values, error=error, status_code=status_code, **views.context(ctx))

    @get("/new", sync_to_thread=True)
    def new_form(self, request: Request, db: Session, ctx: AppContext, me: Principal, parent: str) -> Template:
        return self._form(request, db, ctx, me, parent_code=parent)

    @post("/new", status_code=200)
    async def create(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template | Redirect:
        form, _ = await read_form(request)
        v = {k: one(form, k) for k in ("parent", "code", "name", "level", "school_type", "urban_rural")}
        try:
            await run(db, lambda: svc.create(db, me, code=v["code"], name=v["name"], level=v["level"],
                                             parent_code=v["parent"], school_type=v["school_type"] or None,
                                             urban_rural=v["urban_rural"] or None))
        except Refusal as ref:
            return await show(lambda: self._form(request, db, ctx, me, parent_code=v["parent"], values=v, error=ref,
                                                 status_code=ref.status))
        return back(f"/admin/units?q={v['code']}", f"Unit {v['code']} created" if _en(request) else f"已新增单位 {v['code']}")

    @get("/{code:str}/edit", sync_to_thread=True)
    def edit_form(self, request: Request, code: str, db: Session, ctx: AppContext, me: Principal) -> Template:
        return self._form(request, db, ctx, me, parent_code=None, unit_code=code)

    @post("/{code:str}/edit", status_code=200)
    async def edit(self, request: Request, code: str, db: Session, ctx: AppContext, me: Principal) -> Template | Redirect:
        form, _ = await read_form(request)
        changes = {k: one(form, k) or None for k in svc.EDITABLE}
        if not changes["name"]:
            changes.pop("name")
        try:
            await run(db, lambda: svc.update(db, me, code, changes))
        except Refusal as ref:
            values = {"code": code, **{k: v or "" for k, v in changes.items()}}
            return await show(lambda: self._form(request, db, ctx, me, parent_code=None, unit_code=code,
                                                 values=values, error=ref, status_code=ref.status))
        return back(f"/admin/units?q={code}", f"Unit {code} saved" if _en(request) else f"已保存单位 {code}")

    # ------------------------------------------------------------------ move

    def _move_form(self, request: Request, db: Session, me: Principal, code: str, *, error: Refusal | None = None,
                   status_code: int = 200) -> Template:
        unit = scope.require_unit(db, me, svc.by_code(db, code), "unit.manage")
        return page(request, db, "admin/unit_move.html", me=me, unit=unit, path_text=svc.path_text(db, unit.id),
                    candidates=views.parent_candidates(db, me, unit), below=views.child_count(db, unit),
                    error=error, status_code=status_code)

    @get("/{code:str}/move", sync_to_thread=True)
    def move_form(self, request: Request, code: str, db: Session, me: Principal) -> Template:
        return self._move_form(request, db, me, code)

    @post("/{code:str}/move", status_code=200)
    async def move(self, request: Request, code: str, db: Session, me: Principal) -> Template | Redirect:
        form, _ = await read_form(request)
        target = one(form, "parent")
        try:
            await run(db, lambda: svc.move(db, me, code, target))
        except Refusal as ref:
            return await show(lambda: self._move_form(request, db, me, code, error=ref, status_code=ref.status))
        return back(f"/admin/units?q={code}", f"Unit {code} is now below {target}" if _en(request)
                    else f"已将单位 {code} 移到 {target} 之下")

    # ------------------------------------------------------------------ import

    @get("/sample.xlsx", sync_to_thread=False)
    def sample(self, me: Principal) -> Response[bytes]:
        scope.require(me, "unit.manage")
        return Response(samples.units(), media_type=XLSX, headers=attachment("units-sample.xlsx"))

    @post("/import", status_code=200)
    async def import_file(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        form, files = await read_form(request)
        root, content = one(form, "root") or None, files.get("file") or b""
        if not content:
            error = Refusal(W_BAD_REQUEST, detail="请选择要导入的表格", detail_en="choose a workbook to import")
            return await show(lambda: self._tree(request, db, ctx, me, code=root, error=error, status_code=error.status))
        result = await run(db, lambda: svc.import_upload(db, me, content, ctx.settings.repo_root))
        status = 422 if result.problems else 200
        return await show(lambda: self._tree(request, db, ctx, me, code=root, result=result, status_code=status))
