"""用户权限管理: the accounts of my unit and the system administrators of the units directly
below — list, create a real-name account, grant and revoke roles, reset a password (the new
initial password is shown once), enable or disable, delete. Teacher accounts use the same
account actions from 教师用户管理 (``back`` says where to return)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from web.admin import views
from web.admin.common import PAGE, back, one, page, page_of, read_form, run, show
from web.context import AppContext
from web.db.models import Unit
from web.deps import lang_of
from web.errors import Refusal
from web.principal import Principal
from web.services import accounts as svc

BACK = {"accounts": "/admin/accounts", "teachers": "/admin/teacher-accounts"}
WORDS = {  # flash messages after an action: (zh, en)
    "grant": ("已授予角色", "Role granted"), "revoke": ("已收回角色", "Role revoked"),
    "enable": ("账号已启用", "Account enabled"), "disable": ("账号已停用", "Account disabled"),
    "delete": ("账号已删除", "Account deleted"),
}


def _word(request: Request, key: str) -> str:
    zh, en = WORDS[key]
    return en if lang_of(request) == "en" else zh


class AccountPages(Controller):
    path = "/admin/accounts"
    include_in_schema = False

    def _page(self, request: Request, db: Session, ctx: AppContext, me: Principal, *, code: str | None,
              error: Refusal | None = None, form: dict[str, str] | None = None, status_code: int = 200) -> Template:
        unit = views.managed_unit(db, me, code, "account.manage")
        q = request.query_params.get("q", "").strip()
        n = page_of(request)
        total, rows = views.account_rows(db, ctx, me, unit, q=q, limit=PAGE, offset=(n - 1) * PAGE)
        return page(request, db, "admin/accounts.html", me=me, unit=unit, rows=rows, total=total, q=q, page=n,
                      pages=max(1, -(-total // PAGE)), children=views.children_with_admins(db, ctx, me, unit),
                      own_roles=views.own_unit_roles(ctx, me, unit), role_label=ctx.roles.label,
                      error=error, form=form or {}, msg=request.query_params.get("msg"), status_code=status_code)

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, ctx: AppContext, me: Principal, unit: str | None = None) -> Template:
        return self._page(request, db, ctx, me, code=unit)

    @post("/new", status_code=200)
    async def create(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        """A real-name account of my unit with roles, or the system administrator of a unit below."""
        form, _ = await read_form(request)
        fields = {k: one(form, k) for k in ("username", "real_name", "phone", "unit", "home")}
        try:
            account, issued = await run(db, lambda: svc.create_staff(
                db, ctx, me, username=fields["username"], real_name=fields["real_name"], unit_code=fields["unit"],
                roles=[r for r in form.get("roles", []) if r], phone=fields["phone"] or None))
        except Refusal as ref:
            return await show(lambda: self._page(request, db, ctx, me, code=fields["home"] or None, error=ref,
                                                 form=fields, status_code=ref.status))
        return await show(lambda: _issued(request, db, me, account.id, issued, "create", back_to="accounts",
                                          home=fields["home"]))

    @post("/{account_id:int}/grant")
    async def grant(self, request: Request, account_id: int, db: Session, ctx: AppContext, me: Principal) -> Redirect:
        form, _ = await read_form(request)
        await run(db, lambda: svc.grant(db, ctx, me, account_id, one(form, "role")))
        return back(_back_url(form), _word(request, "grant"))

    @post("/{account_id:int}/revoke")
    async def revoke(self, request: Request, account_id: int, db: Session, ctx: AppContext, me: Principal) -> Redirect:
        form, _ = await read_form(request)
        await run(db, lambda: svc.revoke(db, ctx, me, account_id, one(form, "role")))
        return back(_back_url(form), _word(request, "revoke"))

    @post("/{account_id:int}/reset-password", status_code=200)
    async def reset(self, request: Request, account_id: int, db: Session, ctx: AppContext, me: Principal) -> Template:
        form, _ = await read_form(request)
        account, issued = await run(db, lambda: svc.reset_password(db, ctx, me, account_id))
        return await show(lambda: _issued(request, db, me, account.id, issued, "reset",
                                          back_to=one(form, "back", "accounts"), home=one(form, "home")))

    @post("/{account_id:int}/enabled")
    async def enabled(self, request: Request, account_id: int, db: Session, ctx: AppContext, me: Principal) -> Redirect:
        form, _ = await read_form(request)
        on = one(form, "enabled") == "1"
        await run(db, lambda: svc.set_enabled(db, ctx, me, account_id, on))
        return back(_back_url(form), _word(request, "enable" if on else "disable"))

    @post("/{account_id:int}/delete")
    async def delete(self, request: Request, account_id: int, db: Session, ctx: AppContext, me: Principal) -> Redirect:
        form, _ = await read_form(request)
        await run(db, lambda: svc.delete(db, ctx, me, account_id))
        return back(_back_url(form), _word(request, "delete"))


def _back_url(form: dict[str, list[str]]) -> str:
    url = BACK.get(one(form, "back"), BACK["accounts"])
    home = one(form, "home")
    return f"{url}?unit={home}" if home.isalnum() else url


def _issued(request: Request, db: Session, me: Principal, account_id: int, issued: str, action: str, *,
            back_to: str, home: str) -> Template:
    """The new initial password, shown once (the response is not cached; no redirect carries it)."""
    account = svc.get(db, me, account_id)
    response = page(request, db, "admin/issued.html", me=me, account=account, unit=db.get(Unit, account.unit_id),
                      issued=issued, action=action, back_url=BACK.get(back_to, BACK["accounts"]),
                      home=home if home.isalnum() else "")
    response.headers["cache-control"] = "no-store"
    return response
