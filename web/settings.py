"""Settings of the web tier, read once from the environment.

Every knob is one field of a frozen dataclass with its environment variable and default
documented beside it, so ``Settings.from_env()`` is the whole configuration surface. Tests build
``Settings(...)`` directly; nothing else reads ``os.environ``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parent.parent  # the checkout that holds schemas/, provinces/


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    return raw.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Settings:
    # TMIS_DATABASE_URL: SQLAlchemy URL. SQLite (a file in the working directory) by default,
    # PostgreSQL in production: postgresql+psycopg://user@host:5432/tmis
    database_url: str = "sqlite:///tmis.sqlite3"
    # TMIS_SECRET_KEY: signs CSRF tokens and derives the key that encrypts initial passwords.
    # Must be the same on every app process of a deployment. A random key (fine for tests and a
    # one-process demo) is generated when unset; initial passwords then cannot be shown after a restart.
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # TMIS_REPO_ROOT: where schemas/, rules/, provinces/ and modules/ live.
    repo_root: Path = SOURCE_ROOT
    # TMIS_PROVINCE: the province this deployment serves (GB/T 2260 two-digit code).
    province: str = "36"
    # TMIS_TIER: "province" (the default: one province's system) or "national" (the Ministry's
    # deployment: subscribes to every province, reads across provinces, never writes province data;
    # docs/two-level.md).
    tier: str = "province"
    # TMIS_LOCKOUT_ATTEMPTS: failed logins in a row that lock an account ...
    lockout_attempts: int = 5
    # TMIS_LOCKOUT_MINUTES: ... for this many minutes.
    lockout_minutes: int = 15
    # TMIS_SESSION_MINUTES: a session ends after this many minutes without a request.
    session_minutes: int = 120
    # TMIS_SESSION_MAX_HOURS: and in any case this many hours after login.
    session_max_hours: int = 12
    # TMIS_COOKIE_SECURE: always mark cookies Secure. Without it they are Secure whenever the
    # request is HTTPS: reached the app over TLS, or a proxy in TMIS_TRUSTED_PROXIES says
    # X-Forwarded-Proto: https.
    cookie_secure: bool = False
    # TMIS_ARGON2_TIME_COST / TMIS_ARGON2_MEMORY_KIB: password hashing cost (argon2id).
    # Tests lower them; production keeps the argon2-cffi defaults (3, 64 MiB).
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    # TMIS_PAGE_SIZE_MAX: upper bound for ?limit= on list endpoints.
    page_size_max: int = 200
    # TMIS_DEBUG: tracebacks in responses (never in production).
    debug: bool = False
    # TMIS_SQL_ECHO: log SQL statements (they may carry personal data: development only).
    sql_echo: bool = False
    # TMIS_TRUSTED_PROXIES: comma-separated addresses or networks (CIDR) of the reverse proxies in
    # front of the app, e.g. "127.0.0.1,10.0.0.0/8". Only when the socket peer is one of them is the
    # client address (for the audit log and lockout) read from X-Forwarded-For; otherwise that
    # header is ignored, since anyone can send it. Empty (the default): never trusted.
    trusted_proxies: tuple[str, ...] = ()
    # TMIS_ENV: "development" (the default: make run, tests) or "production". Production refuses
    # to start without TMIS_SECRET_KEY and TMIS_AUDIT_KEY (Settings.problems says which).
    environment: str = "development"
    # TMIS_AUDIT_KEY: the secret that keys the audit log's hash chain (HMAC-SHA256, web/audit.py),
    # at least 32 characters, the same on every process and kept outside the database (a
    # secrets store or the service's environment file). Unset in development: a fixed, public
    # development key is used and `tmis audit verify` says so.
    audit_key: str | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        env = {
            "database_url": os.environ.get("TMIS_DATABASE_URL") or cls.database_url,
            "repo_root": Path(os.environ.get("TMIS_REPO_ROOT") or SOURCE_ROOT),
            "province": os.environ.get("TMIS_PROVINCE") or cls.province,
            "tier": (os.environ.get("TMIS_TIER") or cls.tier).strip().lower(),
            "lockout_attempts": _int("TMIS_LOCKOUT_ATTEMPTS", cls.lockout_attempts),
            "lockout_minutes": _int("TMIS_LOCKOUT_MINUTES", cls.lockout_minutes),
            "session_minutes": _int("TMIS_SESSION_MINUTES", cls.session_minutes),
            "session_max_hours": _int("TMIS_SESSION_MAX_HOURS", cls.session_max_hours),
            "cookie_secure": _bool("TMIS_COOKIE_SECURE", cls.cookie_secure),
            "argon2_time_cost": _int("TMIS_ARGON2_TIME_COST", cls.argon2_time_cost),
            "argon2_memory_kib": _int("TMIS_ARGON2_MEMORY_KIB", cls.argon2_memory_kib),
            "page_size_max": _int("TMIS_PAGE_SIZE_MAX", cls.page_size_max),
            "debug": _bool("TMIS_DEBUG", cls.debug),
            "sql_echo": _bool("TMIS_SQL_ECHO", cls.sql_echo),
            "trusted_proxies": tuple(p.strip() for p in os.environ.get("TMIS_TRUSTED_PROXIES", "").split(",")
                                     if p.strip()),
        }
        env["environment"] = (os.environ.get("TMIS_ENV") or cls.environment).strip().lower()
        env["audit_key"] = os.environ.get("TMIS_AUDIT_KEY") or None
        env["secret_key_set"] = bool(os.environ.get("TMIS_SECRET_KEY"))
        if os.environ.get("TMIS_SECRET_KEY"):
            env["secret_key"] = os.environ["TMIS_SECRET_KEY"]
        env.update(overrides)
        secret_set = env.pop("secret_key_set")
        known = {f.name for f in fields(cls)}
        out = cls(**{k: v for k, v in env.items() if k in known})
        object.__setattr__(out, "_secret_from_env", secret_set or "secret_key" in overrides)
        return out

    @property
    def production(self) -> bool:
        return self.environment == "production"

    def problems(self) -> list[tuple[str, str]]:
        """What stops a production start: (Chinese, English) per missing or weak setting."""
        out: list[tuple[str, str]] = []
        if self.environment not in ("development", "production"):
            out.append((f"TMIS_ENV 应为 development 或 production，而不是「{self.environment}」",
                        f"TMIS_ENV must be development or production, not '{self.environment}'"))
        if self.tier not in ("province", "national"):
            out.append((f"TMIS_TIER 应为 province 或 national，而不是「{self.tier}」",
                        f"TMIS_TIER must be province or national, not '{self.tier}'"))
        if self.tier == "national" and not self.database_url.startswith("postgresql"):
            out.append(("E570 全国库（TMIS_TIER=national）须使用 PostgreSQL：各省数据经逻辑复制到达，正式人员标识取自"
                        "数据库序列（SQLite 上两次发放可能给出相同标识）。请将 TMIS_DATABASE_URL 设为 postgresql+psycopg://…，"
                        "再运行 tmis db upgrade 与 tmis tier init-national（见 docs/two-level.md）",
                        "E570 the national tier (TMIS_TIER=national) needs PostgreSQL: the provinces' data arrives by "
                        "logical replication and formal identifiers come from a database sequence (on SQLite two runs "
                        "could hand out the same one). Set TMIS_DATABASE_URL to postgresql+psycopg://…, then run tmis "
                        "db upgrade and tmis tier init-national (see docs/two-level.md)"))
        if not self.production:
            return out
        if not getattr(self, "_secret_from_env", True):
            out.append(("生产环境须设置 TMIS_SECRET_KEY（所有进程相同）", "production needs TMIS_SECRET_KEY (the same on every process)"))
        if not self.audit_key or len(self.audit_key) < 32:
            out.append(("生产环境须设置 TMIS_AUDIT_KEY（至少 32 个字符，保存在数据库之外）",
                        "production needs TMIS_AUDIT_KEY (at least 32 characters, kept outside the database)"))
        return out
