"""Request-scoped dependencies: the database unit of work and the signed-in principal."""

from __future__ import annotations

from typing import Any, Callable, Generator

import anyio

from litestar import Request
from litestar.datastructures import State
from sqlalchemy.orm import Session

from web.context import AppContext
from web.errors import W_MUST_CHANGE, W_NOT_SIGNED_IN, Refusal
from web.principal import Principal
from web.services import auth

SESSION_COOKIE = "tmis_session"
# paths a principal who must change the password may still use
CHANGE_PASSWORD_PATHS = ("/account/password", "/logout", "/api/v1/auth/password", "/api/v1/auth/logout",
                         "/api/v1/auth/me")


def provide_ctx(state: State) -> AppContext:
    return state.ctx


def _end_refused(db: Session, exc: Exception) -> None:
    """A failed request's transaction: rolled back, unless a refusal keeps what was written
    before it (``Refusal.keeps_writes``)."""
    if isinstance(exc, Refusal) and exc.keeps_writes:
        db.commit()
    else:
        db.rollback()


def provide_db(state: State) -> Generator[Session, None, None]:
    """One transaction per request: committed when the handler returns, rolled back on error."""
    db: Session = state.ctx.sessions()
    try:
        yield db
        db.commit()
    except Exception as exc:
        _end_refused(db, exc)
        raise
    finally:
        db.close()


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def session_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def provide_principal(request: Request, db: Session, ctx: AppContext) -> Principal | None:
    cached = request.scope.get("tmis_principal", False)
    if cached is not False:
        return cached
    token = session_token(request)
    principal = auth.resolve(db, ctx, token, client_ip(request))
    request.scope["tmis_principal"] = principal  # type: ignore[typeddict-unknown-key]
    if principal is None and token:
        request.scope["tmis_signed_out"] = auth.why_signed_out(db, token)  # type: ignore[typeddict-unknown-key]
    return principal


def provide_me(request: Request, principal: Principal | None) -> Principal:
    """The signed-in principal; refuses anonymous requests and (until changed) first logins."""
    if principal is None:
        # why, when it is news (W104: the school closed teacher logins): pages send the teacher to the
        # teacher login, which says so; the API keeps 401 and names the reason
        why = request.scope.get("tmis_signed_out")
        raise Refusal(W_NOT_SIGNED_IN, **({"reason": why} if why else {}))
    if principal.must_change_password and not request.url.path.startswith(CHANGE_PASSWORD_PATHS):
        raise Refusal(W_MUST_CHANGE)
    return principal


def lang_of(request: Request) -> str:
    wanted = request.query_params.get("lang") or request.cookies.get("tmis_lang") or "zh"
    return "en" if wanted == "en" else "zh"


def dependencies() -> dict[str, Any]:
    from litestar.di import Provide

    return {
        "ctx": Provide(provide_ctx, sync_to_thread=False),
        "db": Provide(provide_db),
        "principal": Provide(provide_principal, sync_to_thread=True),
        "me": Provide(provide_me, sync_to_thread=False),
    }


async def run_unit_of_work(db: Session, fn: Callable[[], Any]) -> Any:
    """Database work of an async page handler, off the event loop: commit on success, roll back
    on any error (re-raised, so refusals still reach the error handlers)."""
    def work() -> Any:
        try:
            out = fn()
            db.commit()
            return out
        except Exception as exc:
            _end_refused(db, exc)
            raise
    return await anyio.to_thread.run_sync(work)
