"""The app factory: ``create_app(settings) -> Litestar``.

Layers: handlers (web/api, web/pages) → services (web/services) → tables (web/db), with every
query on units, teachers, records and accounts filtered by web/scope.py. Sessions live in the
database, so any number of app processes can serve the same deployment.

CSRF: pages carry a token bound to the session (web/security/csrf.py: hidden ``_csrf_token`` field
in forms, the ``x-csrftoken`` header for htmx). The JSON API is excluded from that middleware and
protected differently: a state-changing API request signed in by cookie must be ``application/json`` or carry
an ``x-csrftoken`` header (a cross-site form can send neither without a CORS preflight, which this
app never grants), and when the browser names its ``Origin`` it must be this site; a request with
``Authorization: Bearer <token>`` is not cookie-driven at all.

Every answer carries the security headers of web/security/headers.py (CSP, no framing, no-store).
HTTPS: a request is HTTPS when it reached the app over TLS or when a trusted proxy
(``TMIS_TRUSTED_PROXIES``) says so in ``X-Forwarded-Proto``; cookies are then Secure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import pass_context
from litestar import Litestar, Request, Response
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from web.api.accounts import AccountController, TeacherAccountController
from web.api.audit import AuditController
from web.api.modules import ModuleController
from web.api.auth import AuthController
from web.api.teachers import TeacherController
from web.api.units import UnitController
from web.context import AppContext
from web.deps import SESSION_COOKIE, dependencies, lang_of
from web.errors import W_CSRF, W_TEACHER_LOGIN_OFF, Refusal
from web.pages.auth import AuthPages
from web import openapi
from web.security.csrf import session_csrf_middleware
from web.security.edge import chain, edge_guard
from web.security.errorlog import make_handlers
from web.security.headers import add_security_headers
from web.pages.common import entry_of_path
from web.settings import Settings
from web.tier.guard import national_write_guard

HERE = Path(__file__).resolve().parent
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# The core's handlers; its feature packages add theirs through ``route_handlers()`` and business
# modules theirs through the ``register_routes`` hook (web/hooks.py, web/modules.py).
CORE_HANDLERS: list[Any] = [AuthPages, AuthController, UnitController, AccountController,
                            TeacherAccountController, TeacherController, AuditController, ModuleController]


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def refusal_handler(request: Request, exc: Refusal) -> Response:
    if _is_api(request):
        return Response(exc.as_json(), status_code=exc.status)
    if exc.status == 401:
        if exc.args_.get("reason") == W_TEACHER_LOGIN_OFF:  # the school closed teacher logins: say so there
            return Redirect(path=f"/teacher/login?reason={W_TEACHER_LOGIN_OFF}", status_code=303)
        entry = entry_of_path(request.url.path)
        return Redirect(path=f"/{entry}/login?next={request.url.path}", status_code=303)
    if exc.code == "W106":  # must change the password first
        return Redirect(path="/account/password", status_code=303)
    return _page_error(request, exc)


def _page_error(request: Request, exc: Refusal) -> Response:
    from litestar.response import Template

    from web.pages.common import lang_href

    lang = lang_of(request)
    return Template(template_name="error.html", context={"lang": lang, "me": None, "error": exc,
                                                         "path": request.url.path, "request_method": request.method,
                                                         "lang_href": lang_href(request, lang)},
                    status_code=exc.status)


def permission_denied_handler(request: Request, exc: PermissionDeniedException) -> Response:
    # Litestar's CSRF middleware raises this when the token is missing or wrong
    refusal = Refusal(W_CSRF) if "csrf" in str(exc.detail).lower() else Refusal("W201", permission=str(exc.detail))
    return refusal_handler(request, refusal)


def api_csrf_guard(request: Request) -> None:
    """See the module docstring: cookie-signed API writes must be JSON or carry x-csrftoken."""
    if not _is_api(request) or request.method not in UNSAFE:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise Refusal(W_CSRF)  # defence in depth: a browser names the foreign site it comes from
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or request.headers.get("x-csrftoken"):
        return
    if request.method == "DELETE" and not content_type:
        return  # DELETE is never a "simple" cross-site request: browsers preflight it
    raise Refusal(W_CSRF)


@pass_context
def _t(context: Any, zh: str, en: str | None = None) -> str:
    return (en or zh) if context.get("lang") == "en" else zh


def _template_engine(engine: JinjaTemplateEngine) -> None:
    from web.menu import active_key, sections_for

    engine.engine.globals["t"] = _t

    def registry_of(context: Any) -> Any:
        request = context.get("request")
        return getattr(request.app.state, "modules", None) if request is not None else None

    @pass_context
    def nav_sections(context: Any, me: Any, unit: Any = None) -> Any:  # the shell's menu (web/menu.py)
        request = context.get("request")
        if me is None or request is None:
            return []
        if unit is None and me.kind == "staff":
            from web.db.models import Unit

            with request.app.state.ctx.sessions() as db:
                unit = db.get(Unit, me.unit_id)
        return sections_for(me, unit, None, registry_of(context))

    engine.engine.globals["nav_sections"] = nav_sections
    engine.engine.globals["nav_active"] = active_key

    @pass_context
    def person_identifiers(context: Any, teacher_id: int) -> dict[str, Any]:  # the file's head (web/tier)
        request = context.get("request")
        if request is None:
            return {"temporary": None, "formal": None}
        from web.tier.province import identifiers_of

        with request.app.state.ctx.sessions() as db:
            return identifiers_of(db, teacher_id)

    engine.engine.globals["person_identifiers"] = person_identifiers


def feature_handlers() -> list[Any]:
    """Handlers of the feature packages (each exposes ``route_handlers()``)."""
    from web.admin import route_handlers as admin_handlers
    from web.cases import route_handlers as case_handlers
    from web.excel import route_handlers as excel_handlers
    from web.forms import route_handlers as forms_handlers
    from web.review import route_handlers as review_handlers

    return [*forms_handlers(), *review_handlers(), *excel_handlers(), *admin_handlers(), *case_handlers()]


def _networks(trusted: tuple[str, ...]) -> tuple[Any, ...]:
    import ipaddress

    try:
        return tuple(ipaddress.ip_network(t, strict=False) for t in trusted)
    except ValueError as exc:
        raise ValueError(f"TMIS_TRUSTED_PROXIES: {exc} (addresses or CIDR networks, comma-separated)") from None


def forwarded_https(peer: str | None, proto: str, networks: tuple[Any, ...]) -> bool:
    """Did a trusted proxy receive this request over HTTPS? (X-Forwarded-Proto from anyone else
    proves nothing.) The last value counts: the one our own proxy set."""
    import ipaddress

    if not networks or peer is None or not proto:
        return False
    try:
        ip = ipaddress.ip_address(peer)
    except ValueError:
        return False
    if not any(ip in n for n in networks):
        return False
    return proto.split(",")[-1].strip().lower() == "https"


def forwarded_client(peer: str | None, forwarded_for: str, networks: tuple[Any, ...]) -> str | None:
    """The client address behind trusted proxies, or None to keep the socket peer.

    X-Forwarded-For is read from the right (the hop our own proxy added) and the first address
    that is not a trusted proxy is the client; anything further left was written by the client and
    proves nothing. A peer outside ``networks`` means the header is ignored altogether.
    """
    import ipaddress

    def trusted(addr: str) -> bool:
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return False
        return any(ip in n for n in networks)

    if not networks or peer is None or not trusted(peer):
        return None
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return None  # garbage in the header: keep the proxy's own address
    return hops[0] if hops else None


def trusted_proxy_middleware(networks: tuple[Any, ...]) -> Any:
    """ASGI middleware: the client address from X-Forwarded-For and the scheme from
    X-Forwarded-Proto when the peer is a trusted proxy."""
    def factory(app: Any) -> Any:
        async def middleware(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] in ("http", "websocket") and networks:
                client = scope.get("client")
                peer = client[0] if client else None
                header = ",".join(v.decode("latin-1") for k, v in scope.get("headers", ())
                                  if k.lower() == b"x-forwarded-for")
                proto = ",".join(v.decode("latin-1") for k, v in scope.get("headers", ())
                                 if k.lower() == b"x-forwarded-proto")
                real = forwarded_client(peer, header, networks)
                # changed in place: the before_send hook (security headers) sees the same scope
                if forwarded_https(peer, proto, networks):
                    scope["scheme"] = "https" if scope["type"] == "http" else "wss"
                if real is not None:
                    scope["client"] = (real, 0)
            await app(scope, receive, send)
        return middleware
    return factory


def create_app(settings: Settings | None = None, *, extra_handlers: list[Any] | None = None) -> Litestar:
    from web.excel.limits import Limits

    settings = settings or Settings.from_env()
    Limits.from_env()  # a bad TMIS_IMPORT_* stops the start (web.excel.limits.BadLimit says which), not an upload
    ctx = AppContext.build(settings)
    from web.modules import Registry, use

    registry = use(Registry.build(settings.repo_root, settings.province))  # web/hooks.py: the modules' plugins
    app = Litestar(
        route_handlers=[*CORE_HANDLERS, *feature_handlers(), *registry.routes(ctx), *(extra_handlers or []),
                        openapi.favicon,
                        create_static_files_router(path="/static", directories=[HERE / "static"],
                                                   include_in_schema=False)],
        dependencies=dependencies(),
        state=None,
        template_config=TemplateConfig(directory=[HERE / "templates", *registry.template_dirs()],
                                       engine=JinjaTemplateEngine,
                                       engine_callback=_template_engine),
        openapi_config=openapi.config(),  # Redoc vendored, refusals documented (web/openapi.py)
        # malformed input and unforeseen errors answer like every refusal (web/security/edge.py, errorlog.py)
        exception_handlers={**make_handlers(refusal_handler), Refusal: refusal_handler,
                            PermissionDeniedException: permission_denied_handler},
        before_request=chain(edge_guard, api_csrf_guard, national_write_guard(settings)),
        before_send=[add_security_headers],
        middleware=[trusted_proxy_middleware(_networks(settings.trusted_proxies)),
                    session_csrf_middleware(settings.secret_key, SESSION_COOKIE)],
        debug=settings.debug,
        on_startup=[lambda: registry.pm.hook.on_startup(ctx=ctx)],  # web/hooks.py on_startup
    )
    app.state.ctx = ctx
    app.state.modules = registry
    openapi.install(app)
    return app


def asgi() -> Litestar:
    """Entry point for ASGI servers: ``uvicorn --factory web.app:asgi``."""
    return create_app(Settings.from_env())
