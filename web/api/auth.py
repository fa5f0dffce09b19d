from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from litestar import Controller, Request, Response, get, post
from sqlalchemy.orm import Session

from web.context import AppContext
from web.deps import SESSION_COOKIE, client_ip, session_token
from web.errors import Refusal
from web.principal import Principal
from web.services import auth
from web.services.accounts import account_dict
from web.db.models import Account


@dataclass
class LoginIn:
    username: str
    password: str
    entry: Literal["admin", "teacher"] | None = None


@dataclass
class PasswordIn:
    old_password: str
    new_password: str


def session_cookie(ctx: AppContext, request: Request, token: str) -> dict[str, Any]:
    """Secure whenever the request is HTTPS (directly, or a trusted proxy says so: web/app.py)
    or the deployment says so (TMIS_COOKIE_SECURE)."""
    secure = ctx.settings.cookie_secure or request.url.scheme == "https"
    return {"key": SESSION_COOKIE, "value": token, "httponly": True, "samesite": "lax",
            "secure": secure, "path": "/"}


def me_dict(db: Session, principal: Principal) -> dict[str, Any]:
    account = db.get(Account, principal.account_id)
    out = account_dict(account)
    out["roles"] = principal.role_keys
    out["permissions"] = sorted({p for _, r in principal.grants for p in principal.roles.perms(r)})
    return out


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post("/login", sync_to_thread=True, summary="Sign in (sets the session cookie, returns a bearer token)")
    def login(self, request: Request, data: LoginIn, db: Session, ctx: AppContext) -> Response[dict[str, Any]]:
        try:
            token, account = auth.login(db, ctx, data.username, data.password, entry=data.entry,
                                        ip=client_ip(request), user_agent=request.headers.get("user-agent"))
        except Refusal:
            db.commit()  # keep the failure counter and the audit entry
            raise
        body = {"token": token, "must_change_password": account.must_change_password,
                "account": account_dict(account)}
        response = Response(body, status_code=200)
        response.set_cookie(**session_cookie(ctx, request, token))
        return response

    @post("/logout", sync_to_thread=True, status_code=200)
    def logout(self, request: Request, db: Session, principal: Principal | None) -> Response[dict[str, Any]]:
        auth.logout(db, principal, session_token(request))
        response = Response({"ok": True})
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @get("/me", sync_to_thread=True)
    def me(self, db: Session, me: Principal) -> dict[str, Any]:
        return me_dict(db, me)

    @post("/password", sync_to_thread=True, status_code=200)
    def password(self, data: PasswordIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        auth.change_password(db, ctx, me, data.old_password, data.new_password)
        return {"ok": True}
