from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Response, delete, get, post
from litestar.response import File
from litestar.enums import RequestEncodingType
from litestar.datastructures import UploadFile
from litestar.params import Body
from sqlalchemy.orm import Session

from web.context import AppContext
from web.errors import W_ID_IN_URL, Refusal
from web.security import search
from web.principal import Principal
from web.services import account_import
from web.services import accounts as svc
from web.excel.web import XLSX, max_body
from web.services.teachers import FourItems


@dataclass
class AccountIn:
    username: str
    real_name: str
    unit_code: str
    roles: list[str] = field(default_factory=list)
    phone: str | None = None


@dataclass
class GrantIn:
    role: str
    unit_code: str | None = None


@dataclass
class Switch:
    enabled: bool


@dataclass
class AccountsUpload:
    data: UploadFile | None = None  # the workbook (姓名, 性别, 出生日期, 身份证件号)


@dataclass
class TeacherAccountIn:
    unit_code: str
    name: str
    gender: str
    birth_date: str
    id_number: str
    id_type: str = "1"


@dataclass
class AccountSearch:
    q: str | None = None
    unit: str | None = None
    kind: str | None = None
    limit: int = 50
    offset: int = 0


class AccountController(Controller):
    path = "/api/v1/accounts"
    tags = ["accounts"]

    @get("/", sync_to_thread=True)
    def list_accounts(self, db: Session, ctx: AppContext, me: Principal, unit: str | None = None,
                      kind: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        if search.looks_like_id_number(q):  # a teacher's username is the ID number
            raise Refusal(W_ID_IN_URL, field="q", path="/api/v1/accounts/search")
        return self._list(db, ctx, me, AccountSearch(unit=unit, kind=kind, q=q, limit=limit, offset=offset))

    @post("/search", sync_to_thread=True, status_code=200,
          summary="Accounts within scope, the search (username, name) in the body")
    def search_accounts(self, data: AccountSearch, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        return self._list(db, ctx, me, data)

    def _list(self, db: Session, ctx: AppContext, me: Principal, s: AccountSearch) -> dict[str, Any]:
        limit = max(1, min(s.limit, ctx.settings.page_size_max))
        total, rows = svc.listing(db, me, unit_code=s.unit, kind=s.kind, q=s.q, limit=limit, offset=max(0, s.offset))
        return {"total": total, "limit": limit, "offset": s.offset, "items": [svc.account_dict(a) for a in rows]}

    @get("/{account_id:int}", sync_to_thread=True)
    def get_account(self, account_id: int, db: Session, me: Principal) -> dict[str, Any]:
        return svc.account_dict(svc.get(db, me, account_id))

    @post("/", sync_to_thread=True, summary="Create a real-name unit account with roles")
    def create_account(self, data: AccountIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        account, issued = svc.create_staff(db, ctx, me, username=data.username, real_name=data.real_name,
                                           unit_code=data.unit_code, roles=data.roles, phone=data.phone)
        return {**svc.account_dict(account), "initial_password": issued}

    @post("/{account_id:int}/grants", sync_to_thread=True, status_code=200)
    def grant(self, account_id: int, data: GrantIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        return svc.account_dict(svc.grant(db, ctx, me, account_id, data.role, data.unit_code))

    @delete("/{account_id:int}/grants/{role:str}", sync_to_thread=True, status_code=200)
    def revoke(self, account_id: int, role: str, db: Session, ctx: AppContext, me: Principal,
               unit: str | None = None) -> dict[str, Any]:
        return svc.account_dict(svc.revoke(db, ctx, me, account_id, role, unit))

    @post("/{account_id:int}/reset-password", sync_to_thread=True, status_code=200)
    def reset_password(self, account_id: int, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        account, issued = svc.reset_password(db, ctx, me, account_id)
        return {**svc.account_dict(account), "initial_password": issued}

    @post("/{account_id:int}/enabled", sync_to_thread=True, status_code=200)
    def set_enabled(self, account_id: int, data: Switch, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        return svc.account_dict(svc.set_enabled(db, ctx, me, account_id, data.enabled))

    @delete("/{account_id:int}", sync_to_thread=True, status_code=200,
            summary="Delete an account; a teacher's file stays and can get a new account")
    def delete_account(self, account_id: int, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        svc.delete(db, ctx, me, account_id)
        return {"ok": True}


class TeacherAccountController(Controller):
    path = "/api/v1/teacher-accounts"
    tags = ["accounts"]

    @post("/", sync_to_thread=True, summary="Create a teacher account from the four items")
    def create(self, data: TeacherAccountIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        items = FourItems.parse(data.name, data.gender, data.birth_date, data.id_number, data.id_type,
                                 cat=ctx.catalogue)
        account, issued, attached = svc.create_teacher_account(db, ctx, me, data.unit_code, items)
        return {**svc.account_dict(account), "initial_password": issued, "attached": attached}

    @post("/import", sync_to_thread=True, request_max_body_size=max_body(),
          summary="Create teacher accounts from a spreadsheet (姓名, 性别, 出生日期, 身份证件号): 200 with the "
                  "summary when done at once, 202 while a larger one runs in the background (poll its url)")
    def import_xlsx(self, data: Annotated[AccountsUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
                    db: Session, ctx: AppContext, me: Principal, unit: str) -> Response[dict[str, Any]]:
        if not isinstance(data.data, UploadFile):
            raise Refusal(account_import.W_UPLOAD_BAD, detail="没有收到文件（表单字段 data）",
                          detail_en="no file received (form field 'data')")
        out = account_import.start(ctx, db, me, unit, data.data.file, data.data.filename)
        return Response(out, status_code=200 if out["state"] in ("done", "failed") else 202)

    @get("/imports/{job_id:str}", sync_to_thread=True, summary="A teacher-account import: state, progress, summary")
    def import_job(self, job_id: str, db: Session, me: Principal) -> dict[str, Any]:
        return account_import.job_json(account_import.visible_job(db, me, job_id))

    @get("/imports/{job_id:str}/report", sync_to_thread=True,
         summary="The uploaded workbook with every problem marked (xlsx)")
    def import_report(self, job_id: str, db: Session, me: Principal) -> File:
        path = account_import.report_path(account_import.visible_job(db, me, job_id))
        return File(path=path, filename="teacher-accounts-problems.xlsx", media_type=XLSX)

    @get("/export", sync_to_thread=True, summary="The school's teacher accounts as xlsx")
    def export(self, db: Session, ctx: AppContext, me: Principal, unit: str) -> Response[bytes]:
        content = svc.export_xlsx(db, ctx, me, unit)
        return Response(content, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"content-disposition": f'attachment; filename="teacher-accounts-{unit}.xlsx"'})
