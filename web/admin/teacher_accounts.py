"""教师用户管理 (a school's 系统管理员): teacher accounts from the four items (姓名, 性别, 出生日期,
身份证件号), one by one or from a spreadsheet (sample workbook; a result per row; a person already
on file elsewhere is reported with where they are and pointed to that unit), the account list as
xlsx (initial passwords only while unchanged), and the switch for all the school's teacher logins.
Reset, enable/disable and delete use the account actions of ``web.admin.accounts``."""

from __future__ import annotations

import io
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from web import scope
from web.admin import samples, views
from web.admin.accounts import _issued
from web.admin.common import PAGE, XLSX, attachment, back, one, page, page_of, read_form, run, show
from web.context import AppContext
from web.deps import lang_of
from web.errors import W_BAD_REQUEST, Refusal
from web.principal import Principal
from web.security import search
from web.services import account_import
from web.services import accounts as svc
from web.excel.web import max_body
from web.services import units as unit_service
from web.services.teachers import FourItems

FOUR = ("name", "gender", "birth_date", "id_number")


class TeacherAccountPages(Controller):
    path = "/admin/teacher-accounts"
    include_in_schema = False

    def _page(self, request: Request, db: Session, ctx: AppContext, me: Principal, *, code: str | None,
              error: Refusal | None = None, form: dict[str, str] | None = None, result: dict[str, Any] | None = None,
              status_code: int = 200) -> Template:
        unit = views.school_unit(db, me, code)
        q, q_token = search.query(ctx, me, request.query_params.get("q"))  # a token in the URL
        n = page_of(request)
        total, accounts = svc.listing(db, me, unit_code=unit.code, kind="teacher", q=q or None, limit=PAGE,
                                      offset=(n - 1) * PAGE)
        # usernames are ID numbers: masked on the page; the (audited) export carries them in full
        rows = [(a, scope.mask_id_number(a.username)) for a in accounts]
        return page(request, db, "admin/teacher_accounts.html", me=me, unit=unit, rows=rows, total=total, q=q, q_token=q_token,
                    page=n, pages=max(1, -(-total // PAGE)), error=error, form=form or {}, result=result,
                    msg=request.query_params.get("msg"), status_code=status_code)

    @get("/", sync_to_thread=True)
    def index(self, request: Request, db: Session, ctx: AppContext, me: Principal, unit: str | None = None) -> Template:
        return self._page(request, db, ctx, me, code=unit)

    @post("/", status_code=303)
    async def search_form(self, request: Request, ctx: AppContext, me: Principal) -> Redirect:
        """The search form posts what was typed (an ID number stays out of the URL)."""
        fields, _files = await read_form(request)
        return search.redirect("/admin/teacher-accounts", ctx, me, fields, ("unit",))

    @post("/new", status_code=200)
    async def create(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Template:
        form, _ = await read_form(request)
        fields = {k: one(form, k) for k in (*FOUR, "unit")}

        def work():
            items = FourItems.parse(*(fields[k] for k in FOUR), cat=ctx.catalogue)
            account, issued, _attached = svc.create_teacher_account(db, ctx, me, fields["unit"], items)
            return account.id, issued
        try:
            account_id, issued = await run(db, work)
        except Refusal as ref:
            return await show(lambda: self._page(request, db, ctx, me, code=fields["unit"] or None, error=ref,
                                                 form=fields, status_code=ref.status))
        return await show(lambda: _issued(request, db, me, account_id, issued, "create", back_to="teachers",
                                          home=fields["unit"]))

    @post("/import", status_code=200, request_max_body_size=max_body())
    async def import_file(self, request: Request, db: Session, ctx: AppContext, me: Principal) -> Any:
        """The same job as the API (web/services/account_import.py): a small file's summary on this
        page, a larger one's progress bar on its own page."""
        form, files = await read_form(request)
        code = one(form, "unit")
        content = files.get("file") or b""
        if not content:
            error = Refusal(W_BAD_REQUEST, detail="请选择要导入的表格", detail_en="choose a workbook to import")
            return await show(lambda: self._page(request, db, ctx, me, code=code or None, error=error,
                                                 status_code=error.status))
        try:
            result = await run(db, lambda: account_import.start(ctx, db, me, code, io.BytesIO(content), "upload.xlsx"))
        except Refusal as ref:
            return await show(lambda: self._page(request, db, ctx, me, code=code or None, error=ref,
                                                 status_code=ref.status))
        if result["state"] not in ("done", "failed"):
            return Redirect(path=f"/admin/teacher-accounts/imports/{result['id']}", status_code=303)
        return await show(lambda: self._page(request, db, ctx, me, code=code or None, result=result))

    @get("/imports/{job_id:str}", sync_to_thread=True)
    def import_job(self, request: Request, job_id: str, db: Session, me: Principal) -> Template:
        job = account_import.visible_job(db, me, job_id)
        return page(request, db, "admin/account_import_job.html", me=me, job=account_import.job_json(job),
                    unit_code=(job.options or {}).get("unit", ""))

    @get("/imports/{job_id:str}/status", sync_to_thread=True)
    def import_status(self, request: Request, job_id: str, db: Session, me: Principal) -> Template:
        """The fragment the job page polls: the progress bar until the import ends, then the summary."""
        job = account_import.visible_job(db, me, job_id)
        return page(request, db, "admin/_account_import_status.html", me=me, job=account_import.job_json(job))

    @get("/sample.xlsx", sync_to_thread=False)
    def sample(self, me: Principal) -> Response[bytes]:
        scope.require(me, "grant.teacher")
        return Response(samples.teacher_accounts(), media_type=XLSX, headers=attachment("teacher-accounts-sample.xlsx"))

    @get("/export", sync_to_thread=True)
    def export(self, db: Session, ctx: AppContext, me: Principal, unit: str | None = None) -> Response[bytes]:
        school = views.school_unit(db, me, unit)
        content = svc.export_xlsx(db, ctx, me, school.code)
        return Response(content, media_type=XLSX, headers={**attachment(f"teacher-accounts-{school.code}.xlsx"),
                                                           "cache-control": "no-store"})

    @post("/login-switch")
    async def login_switch(self, request: Request, db: Session, me: Principal) -> Redirect:
        form, _ = await read_form(request)
        code, on = one(form, "unit"), one(form, "enabled") == "1"
        await run(db, lambda: unit_service.set_teacher_login(db, me, code, on))
        en = lang_of(request) == "en"
        msg = ("Teacher logins are on" if on else "Teacher logins are off") if en else \
            ("已开放本校教师登录" if on else "已关闭本校教师登录")
        return back(f"/admin/teacher-accounts?unit={code}" if code.isalnum() else "/admin/teacher-accounts", msg)
