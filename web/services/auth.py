"""Sign-in, sessions in the database, lockout, and password changes.

The cookie carries a random token; the table keeps only its SHA-256, so a database dump does not
hand out live sessions. Any app process can resolve any session (stateless app tier).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, literal, or_, select, update
from sqlalchemy.orm import Session

from engine import idnumber
from web import audit
from web.context import AppContext
from web.db.base import utcnow
from web.db.models import Account, Unit, WebSession
from web.people.roll import sign_in_refusal
from web.errors import (W_DISABLED, W_LOCKED, W_LOGIN_BUSY, W_LOGIN_FAILED, W_OLD_PASSWORD, W_PASSWORD_MISMATCH,
                        W_SAME_PASSWORD, W_TEACHER_LOGIN_OFF, W_WEAK_PASSWORD, W_WRONG_ENTRY, Refusal)
from web.principal import Principal
from web.security.passwords import policy_problems

ENTRY_OF_KIND = {"staff": "admin", "teacher": "teacher"}
ENTRY_LABEL = {"admin": ("管理端", "management"), "teacher": ("教师自助", "teacher self-service")}
TOUCH_EVERY = timedelta(seconds=60)  # write last_seen at most once a minute per session


def token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lockout_args(ctx: AppContext) -> dict[str, int]:
    return {"attempts": ctx.settings.lockout_attempts, "minutes": ctx.settings.lockout_minutes}


def login(db: Session, ctx: AppContext, username: str, password: str, *, entry: str | None,
          ip: str | None, user_agent: str | None = None) -> tuple[str, Account]:
    """Check the password and open a session. Returns (cookie token, account).

    Lockout is counted atomically and *before* the password is checked (``_claim``: one
    ``UPDATE … RETURNING`` committed at once), so however many attempts arrive at the same moment,
    at most ``lockout_attempts`` wrong passwords are checked per run of failures, and a right
    password is accepted only while the account is not locked (``_accept``). Failures are
    committed by the caller like successes (the audit entry must persist): the refusal is raised
    after the flush.
    """
    now = utcnow()
    limit = ctx.settings.lockout_attempts
    username = idnumber.login_name(username)  # a teacher's ID number typed with …x, spaces, full width
    account = db.scalar(select(Account).where(Account.username == username))
    if account is None:
        ctx.hasher.verify(ctx.dummy_hash, password)  # same time as a real check
        audit.record(db, "auth.login_failed", actor_name=username[:64], ip=ip, detail={"reason": "unknown"})
        raise Refusal(W_LOGIN_FAILED, **_lockout_args(ctx))
    who = {"actor_name": account.username, "ip": ip, "target_type": "account",
           "target_id": account.id, "unit_id": account.unit_id}
    attempt = _claim(db, account.id, limit)
    if attempt is BUSY:
        audit.record(db, "auth.login_refused", detail={"reason": "busy"}, **who)
        raise Refusal(W_LOGIN_BUSY)
    if attempt is None:
        until = _lock(db, ctx, account.id, utcnow())
        audit.record(db, "auth.login_refused", detail={"reason": "locked"}, **who)
        raise Refusal(W_LOCKED, until=_local(until))
    if not ctx.hasher.verify(account.password_hash, password):
        detail: dict[str, object] = {"reason": "password", "attempt": attempt, "failed_attempts": attempt}
        until = _lock_if_exhausted(db, ctx, account.id, limit)
        if until is not None:
            detail["locked_until"] = until
            audit.record(db, "auth.login_failed", detail=detail, **who)
            # the attempt that locks the account says so at once, not one attempt later
            raise Refusal(W_LOCKED, until=_local(until))
        audit.record(db, "auth.login_failed", detail=detail, **who)
        raise Refusal(W_LOGIN_FAILED, **_lockout_args(ctx))
    if not _accept(db, account.id, now):
        # the run was locked while this attempt was being checked: no one gets in
        until = _lock(db, ctx, account.id, utcnow())
        audit.record(db, "auth.login_refused", detail={"reason": "locked", "attempt": attempt}, **who)
        raise Refusal(W_LOCKED, until=_local(until))
    if not account.enabled:
        audit.record(db, "auth.login_refused", detail={"reason": "disabled"}, **who)
        raise Refusal(W_DISABLED)
    wanted = ENTRY_OF_KIND.get(account.kind, "admin")
    if entry is not None and entry != wanted:
        zh, en = ENTRY_LABEL[wanted]
        raise Refusal(W_WRONG_ENTRY, entry=zh, entry_en=en)
    if account.kind == "teacher" and not _teacher_login_open(db, account):
        audit.record(db, "auth.login_refused", detail={"reason": "teacher_login_off"}, **who)
        raise Refusal(W_TEACHER_LOGIN_OFF)
    gone = sign_in_refusal(db, account, ctx.catalogue) if account.kind == "teacher" else None
    if gone is not None:  # left, retired or died (web/people/roll.py)
        audit.record(db, "auth.login_refused", detail={"reason": "left"}, **who)
        raise gone
    if ctx.hasher.needs_rehash(account.password_hash):
        account.password_hash = ctx.hasher.hash(password)
    token = secrets.token_urlsafe(32)
    db.add(WebSession(id=token_id(token), account_id=account.id, created_at=now, last_seen_at=now,
                      expires_at=now + timedelta(minutes=ctx.settings.session_minutes),
                      ip=ip, user_agent=(user_agent or "")[:200], entry=wanted, data={}))
    audit.record(db, "auth.login", detail={"entry": wanted, "attempt": attempt}, **who)
    return token, account


# ------------------------------------------------------------------ the lockout counter
#
# ``failed_attempts`` counts the attempts of the current run that did not succeed: a claimed
# attempt counts until its password proves right (then the run ends: 0), so attempts being checked
# count as failures. At most ``limit`` attempts hold a place at a time; one that finds every place
# taken waits (briefly) for them to be decided: a right one ends the run and frees the places, the
# last wrong one locks the account. Each step is one UPDATE on the account row, so PostgreSQL's
# row lock and SQLite's write lock order concurrent attempts; none reads the counter and writes it
# back. A request that dies while checking leaves one counted failure, as a wrong password would.

BUSY = object()           # every place taken for longer than WAIT_SECONDS
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.02


def _claim(db: Session, account_id: int, limit: int) -> int | None | object:
    """A place for this attempt: its number in the run; None while the account is locked; BUSY
    when the places stayed taken. Each try is committed at once (a transaction of its own, before
    the slow password check), so every other attempt sees it."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        now = utcnow()
        expired = and_(Account.locked_until.is_not(None), Account.locked_until <= now)
        stmt = (update(Account)
                .where(Account.id == account_id,
                       or_(expired, and_(Account.locked_until.is_(None), Account.failed_attempts < limit)))
                .values(failed_attempts=case((Account.locked_until.is_(None), Account.failed_attempts + 1), else_=1),
                        locked_until=None)
                .returning(Account.failed_attempts)
                .execution_options(synchronize_session=False))
        attempt = db.execute(stmt).scalar_one_or_none()
        locked_until = None if attempt is not None else db.scalar(
            select(Account.locked_until).where(Account.id == account_id))
        db.commit()
        if attempt is not None:
            return attempt
        if locked_until is not None and locked_until > now:
            return None
        if time.monotonic() > deadline:
            return BUSY
        time.sleep(POLL_SECONDS)


def _lock(db: Session, ctx: AppContext, account_id: int, now: datetime) -> datetime:
    """Lock the account (unless a lock is already running) and return until when."""
    until = now + timedelta(minutes=ctx.settings.lockout_minutes)
    stmt = (update(Account).where(Account.id == account_id)
            .values(locked_until=case((Account.locked_until > now, Account.locked_until),
                                      else_=literal(until, Account.locked_until.type)))
            .returning(Account.locked_until)
            .execution_options(synchronize_session=False))
    return db.execute(stmt).scalar_one()


def _lock_if_exhausted(db: Session, ctx: AppContext, account_id: int, limit: int) -> datetime | None:
    """After a wrong password: lock when the run has used every place (the lock time), else None."""
    now = utcnow()
    until = now + timedelta(minutes=ctx.settings.lockout_minutes)
    stmt = (update(Account).where(Account.id == account_id, Account.failed_attempts >= limit)
            .values(locked_until=case((Account.locked_until > now, Account.locked_until),
                                      else_=literal(until, Account.locked_until.type)))
            .returning(Account.locked_until)
            .execution_options(synchronize_session=False))
    until = db.execute(stmt).scalar_one_or_none()
    db.commit()  # attempts waiting for a place see the lock at once
    return until


def _accept(db: Session, account_id: int, now: datetime) -> bool:
    """A right password ends the run, unless the account was locked meanwhile (committed at once)."""
    stmt = (update(Account)
            .where(Account.id == account_id, Account.locked_until.is_(None))
            .values(failed_attempts=0, last_login_at=now)
            .returning(Account.id)
            .execution_options(synchronize_session=False))
    accepted = db.execute(stmt).scalar_one_or_none() is not None
    db.commit()  # frees the places at once for attempts waiting on them
    return accepted


def _local(when: datetime) -> str:
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def _teacher_login_open(db: Session, account: Account) -> bool:
    unit = db.get(Unit, account.unit_id)
    return bool(unit and unit.teacher_login_enabled)


def principal_of(account: Account, ctx: AppContext, *, ip: str | None = None,
                 session_id: str | None = None) -> Principal:
    return Principal(
        account_id=account.id, username=account.username, real_name=account.real_name,
        kind=account.kind, unit_id=account.unit_id, teacher_id=account.teacher_id,
        grants=tuple((g.unit_id, g.role_key) for g in account.grants), roles=ctx.roles,
        must_change_password=account.must_change_password, ip=ip, session_id=session_id)


def resolve(db: Session, ctx: AppContext, token: str | None, ip: str | None = None) -> Principal | None:
    """The principal of a session token, or None (unknown, expired, disabled, logins closed)."""
    if not token:
        return None
    sid = token_id(token)
    row = db.get(WebSession, sid)
    now = utcnow()
    if row is None:
        return None
    too_old = row.created_at + timedelta(hours=ctx.settings.session_max_hours) < now
    if row.expires_at < now or too_old:
        db.delete(row)
        return None
    account = db.get(Account, row.account_id)
    if account is None or not account.enabled:
        return None
    if account.kind == "teacher" and (not _teacher_login_open(db, account) or sign_in_refusal(db, account)):
        return None
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
        row.expires_at = now + timedelta(minutes=ctx.settings.session_minutes)
    return principal_of(account, ctx, ip=ip, session_id=sid)


def why_signed_out(db: Session, token: str | None) -> str | None:
    """Why a session token that ``resolve`` did not accept stopped working, when it is news to the
    user: W104 for a teacher whose school closed teacher logins (the session itself is still there)."""
    if not token:
        return None
    row = db.get(WebSession, token_id(token))
    account = db.get(Account, row.account_id) if row is not None else None
    if account is not None and account.enabled and account.kind == "teacher" and not _teacher_login_open(db, account):
        return W_TEACHER_LOGIN_OFF
    return None


def logout(db: Session, principal: Principal | None, token: str | None) -> None:
    if token:
        db.execute(delete(WebSession).where(WebSession.id == token_id(token)))
    if principal is not None:
        audit.record(db, "auth.logout", actor=principal, target_type="account", target_id=principal.account_id)


def check_policy(new: str, confirm: str | None = None, *, account: Account | None = None) -> None:
    if confirm is not None and new != confirm:
        raise Refusal(W_PASSWORD_MISMATCH)
    own = (account.username, account.real_name) if account is not None else ()
    problems = policy_problems(new, own)
    if problems:
        raise Refusal(W_WEAK_PASSWORD, detail="；".join(p[0] for p in problems),
                      detail_en="; ".join(p[1] for p in problems))


def change_password(db: Session, ctx: AppContext, principal: Principal, old: str, new: str,
                    confirm: str | None = None) -> None:
    account = db.get(Account, principal.account_id)
    assert account is not None
    if not ctx.hasher.verify(account.password_hash, old):
        audit.record(db, "account.password_change_failed", actor=principal, target_type="account",
                     target_id=account.id, unit_id=account.unit_id)
        raise Refusal(W_OLD_PASSWORD)
    if old == new:
        raise Refusal(W_SAME_PASSWORD)
    check_policy(new, confirm, account=account)
    set_password(account, ctx, new)
    # other sessions of this account end: a changed password locks out whoever else had it
    db.execute(delete(WebSession).where(WebSession.account_id == account.id,
                                        WebSession.id != (principal.session_id or "")))
    audit.record(db, "account.password_change", actor=principal, target_type="account",
                 target_id=account.id, unit_id=account.unit_id)


def set_password(account: Account, ctx: AppContext, new: str) -> None:
    account.password_hash = ctx.hasher.hash(new)
    account.must_change_password = False
    account.initial_password = None  # the issued password is no longer shown in exports
    account.password_changed_at = utcnow()


def purge_expired(db: Session) -> int:
    return db.execute(delete(WebSession).where(WebSession.expires_at < utcnow())).rowcount or 0
