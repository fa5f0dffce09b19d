"""Sign-in pages for both entry points, sign-out, and (forced) password change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from web.api.auth import session_cookie
from web.context import AppContext
from web.deps import SESSION_COOKIE, client_ip, lang_of, session_token
from web.errors import W_TEACHER_LOGIN_OFF, Refusal
from web.pages.common import render
from web.principal import Principal
from web.services import auth

Form = Body(media_type=RequestEncodingType.URL_ENCODED)

HOME = {"admin": "/admin/", "teacher": "/teacher/"}
SIGNED_OUT_REASONS = (W_TEACHER_LOGIN_OFF,)


@dataclass
class LoginForm:
    username: str = ""
    password: str = ""
    next: str = ""


@dataclass
class PasswordForm:
    old_password: str = ""
    new_password: str = ""
    confirm_password: str = ""


def _safe_next(value: str, entry: str) -> str:
    # only local paths: never redirect to another site after sign-in
    if value.startswith("/") and not value.startswith("//"):
        return value
    return HOME[entry]


class AuthPages(Controller):
    include_in_schema = False

    @get("/", sync_to_thread=False)
    def index(self, request: Request, principal: Principal | None) -> Template | Redirect:
        """The sign-in choice; a signed-in user goes on to their own home (the header's link too)."""
        if principal is not None:
            return Redirect(path=HOME["teacher" if principal.kind == "teacher" else "admin"], status_code=303)
        return render(request, "index.html", me=principal)

    @get(["/admin/login", "/teacher/login"], sync_to_thread=False)
    def login_page(self, request: Request, next: str = "", reason: str = "") -> Template:
        entry = "teacher" if request.url.path.startswith("/teacher") else "admin"
        # why the user was sent here (only codes that say so: a link cannot put other words on the page)
        error = Refusal(reason) if reason in SIGNED_OUT_REASONS else None
        return render(request, "login.html", entry=entry, next=next, username="", error=error)

    # one handler per path: a handler registered on two paths gets wrapped for threads twice
    @post("/admin/login", sync_to_thread=True)
    def admin_login(self, request: Request, data: Annotated[LoginForm, Form], db: Session,
                    ctx: AppContext) -> Template | Redirect:
        return _login(request, data, db, ctx, "admin")

    @post("/teacher/login", sync_to_thread=True)
    def teacher_login(self, request: Request, data: Annotated[LoginForm, Form], db: Session,
                      ctx: AppContext) -> Template | Redirect:
        return _login(request, data, db, ctx, "teacher")

    @post("/logout", sync_to_thread=True)
    def logout(self, request: Request, db: Session, principal: Principal | None) -> Redirect:
        entry = "teacher" if principal is not None and principal.kind == "teacher" else "admin"
        auth.logout(db, principal, session_token(request))
        response = Redirect(path=f"/{entry}/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get("/account/password", sync_to_thread=False)
    def password_page(self, request: Request, me: Principal) -> Template:
        return render(request, "password.html", me=me, error=None, done=False)

    @post("/account/password", sync_to_thread=True)
    def change_password(self, request: Request, data: Annotated[PasswordForm, Form], db: Session,
                        ctx: AppContext, me: Principal) -> Template | Redirect:
        try:
            auth.change_password(db, ctx, me, data.old_password, data.new_password, data.confirm_password)
        except Refusal as ref:
            db.commit()
            return render(request, "password.html", me=me, error=ref, done=False, status_code=ref.status)
        home = HOME["teacher" if me.kind == "teacher" else "admin"]
        return Redirect(path=f"{home}?changed=1", status_code=303)

    @get("/admin/", sync_to_thread=True)
    def admin_home(self, request: Request, db: Session, me: Principal) -> Template | Redirect:
        if me.kind == "teacher":
            return Redirect(path="/teacher/", status_code=303)
        from web.db.models import Unit

        from web import home

        unit = db.get(Unit, me.unit_id)
        roles = [(u, r, me.roles.label(r, "zh"), me.roles.label(r, "en")) for u, r in me.grants]
        ctx: AppContext = request.app.state.ctx
        view = home.staff_home(db, ctx.catalogue, me, unit, request.app.state.modules, ctx, lang_of(request))
        return render(request, "home/staff.html", me=me, unit=unit, me_unit=unit, roles=roles, home=view,
                      changed=request.query_params.get("changed") == "1")

    @get("/teacher/", sync_to_thread=True)
    def teacher_home(self, request: Request, db: Session, me: Principal) -> Template | Redirect:
        if me.kind != "teacher":
            return Redirect(path="/admin/", status_code=303)
        from web import home

        view = home.teacher_home(db, request.app.state.ctx.catalogue, me, lang_of(request))
        return render(request, "home/teacher.html", me=me, home=view,
                      changed=request.query_params.get("changed") == "1")


def _login(request: Request, data: LoginForm, db: Session, ctx: AppContext, entry: str) -> Template | Redirect:
    try:
        token, account = auth.login(db, ctx, data.username, data.password, entry=entry,
                                    ip=client_ip(request), user_agent=request.headers.get("user-agent"))
    except Refusal as ref:
        db.commit()  # keep the failure counter and the audit entry
        return render(request, "login.html", entry=entry, next=data.next, username=data.username,
                      error=ref, status_code=ref.status)
    target = "/account/password" if account.must_change_password else _safe_next(data.next, entry)
    response = Redirect(path=target, status_code=303)
    response.set_cookie(**session_cookie(ctx, request, token))
    return response
