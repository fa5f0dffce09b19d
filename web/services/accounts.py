"""Accounts and role grants, teacher accounts from the four items, and the account export.

Who may grant what (roles.yaml, permission ``grant.<role>``):
- a role with ``single_per_unit`` (系统管理员) may be given only to an account of a unit directly
  below a unit where the granter holds ``grant.<role>``; at most one per unit;
- any other role only at the granter's own unit (a unit where it holds ``grant.<role>``);
- the role must exist at the unit's level (``levels``).
So a system administrator manages its own unit's accounts and the system administrators of the
units directly below, grants only what it holds, and only inside its subtree.
Separation of duties (``check_duties``, every entry that gives a role goes through it): no account
grants a role to itself, and an account holds roles of one duty only (roles.yaml ``duty``: the
system administrator's accounts and permissions apart from the data roles' work on teachers' files).
Managing an existing account (reset, enable, delete) needs the right to grant every role it has.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import idnumber
from web import audit, scope
from web.context import AppContext
from web.db.base import utcnow
from web.db.models import Account, Grant, Teacher, Unit, WebSession
from web.errors import (W_ACCOUNT_NOT_FOUND, W_CANNOT_GRANT, W_DUTY_CONFLICT, W_NOT_SCHOOL, W_ROLE_LEVEL,
                        W_SELF_GRANT, W_SINGLE_ROLE_TAKEN, W_TEACHER_HAS_ACCOUNT, W_UNIT_NOT_FOUND,
                        W_UNKNOWN_ROLE, W_USERNAME_TAKEN, Refusal)
from web.roles import DUTY_LABELS
from web.principal import Principal
from web.security.passwords import random_password
from web.services import teachers as teacher_service
from web.services import units as unit_service

TEACHER_ROLE = "teacher"
ADMIN_ROLE = "system_admin"


# ------------------------------------------------------------------ the granting rule


def check_grant(db: Session, ctx: AppContext, principal: Principal, role_key: str, unit: Unit,
                *, for_account: Account | None = None) -> None:
    spec = ctx.roles.get(role_key)
    if spec is None:
        raise Refusal(W_UNKNOWN_ROLE, role=role_key, allowed=", ".join(ctx.roles.roles))
    if unit.level not in spec.levels:
        raise Refusal(W_ROLE_LEVEL, role=spec.label.zh, level=unit.level)
    perm = f"grant.{role_key}"
    where = unit.parent_id if spec.single_per_unit else unit.id
    if where is None or not principal.holds_at(perm, where):
        why = (("只能授予直属下级单位", "only for units directly below yours") if spec.single_per_unit
               else ("只能在本单位授予", "only at your own unit"))
        if not principal.has(perm):
            label, label_en = principal.roles.permission_label(perm), principal.roles.permission_label(perm, "en")
            why = (f"您没有「{label}」授权", f"you do not hold '{label_en}'")
        raise Refusal(W_CANNOT_GRANT, role=spec.label.zh, role_en=spec.label.get("en"), unit=unit.name,
                      detail=why[0], detail_en=why[1])
    if spec.single_per_unit:
        # lock the unit row so two admins cannot appoint two system administrators at once
        db.execute(select(Unit.id).where(Unit.id == unit.id).with_for_update())
        holder = db.scalar(select(Account).join(Grant, Grant.account_id == Account.id).where(
            Grant.unit_id == unit.id, Grant.role_key == role_key,
            Account.id != (for_account.id if for_account and for_account.id else -1)))
        if holder is not None:
            raise Refusal(W_SINGLE_ROLE_TAKEN, unit=unit.name, role=spec.label.zh,
                          role_en=spec.label.get("en"), holder=holder.username)


def check_duties(ctx: AppContext, principal: Principal, role_key: str, *, account: Account | None,
                 username: str, held: list[str]) -> None:
    """Separation of duties for giving ``role_key`` to an account that holds ``held`` (a new
    account: the other roles it is created with). Refuses a grant to the granter's own account
    and a role of another duty than one the account holds."""
    if account is not None and account.id == principal.account_id:
        raise Refusal(W_SELF_GRANT, role=ctx.roles.label(role_key), role_en=ctx.roles.label(role_key, "en"))
    duty = ctx.roles.duty(role_key)
    if duty is None:
        return  # an unknown role: check_grant names the known ones
    for other in held:
        other_duty = ctx.roles.duty(other)
        if other_duty is not None and other_duty != duty:
            raise Refusal(W_DUTY_CONFLICT, username=username,
                          held=ctx.roles.label(other), held_en=ctx.roles.label(other, "en"),
                          held_duty=DUTY_LABELS[other_duty][0], held_duty_en=DUTY_LABELS[other_duty][1],
                          role=ctx.roles.label(role_key), role_en=ctx.roles.label(role_key, "en"),
                          duty=DUTY_LABELS[duty][0], duty_en=DUTY_LABELS[duty][1])


def duty_conflicts(db: Session, ctx: AppContext) -> list[tuple[Account, list[str]]]:
    """Accounts holding roles of more than one duty (left by a version before the rule), with
    their roles: ``tmis accounts duties`` lists them for their system administrators to split."""
    out = []
    for account in db.scalars(select(Account).join(Grant, Grant.account_id == Account.id).distinct()
                              .order_by(Account.id)):
        roles = sorted({g.role_key for g in account.grants})
        if len({ctx.roles.duty(r) for r in roles}) > 1:
            out.append((account, roles))
    return out


def check_manage(db: Session, ctx: AppContext, principal: Principal, account: Account) -> None:
    """May the principal manage this account (it could grant every role the account has)?"""
    grants = list(account.grants)
    if not grants:
        if not principal.holds_at("account.manage", account.unit_id):
            raise Refusal(W_ACCOUNT_NOT_FOUND)
        return
    for g in grants:
        unit = db.get(Unit, g.unit_id)
        try:
            check_grant(db, ctx, principal, g.role_key, unit, for_account=account)
        except Refusal:
            raise Refusal(W_ACCOUNT_NOT_FOUND) from None


def get_manageable(db: Session, ctx: AppContext, principal: Principal, account_id: int) -> Account:
    account = db.scalar(scope.accounts(principal, "account.read").where(Account.id == account_id))
    if account is None:
        raise Refusal(W_ACCOUNT_NOT_FOUND)
    check_manage(db, ctx, principal, account)
    return account


# ------------------------------------------------------------------ staff accounts


def _unit(db: Session, principal: Principal, code: str) -> Unit:
    scope.require(principal, "account.read")
    unit = unit_service.by_code(db, code)
    if unit is None or not scope.unit_in_scope(db, principal, unit.id, "account.read"):
        raise Refusal(W_UNIT_NOT_FOUND)
    return unit


def _new_account(db: Session, ctx: AppContext, *, username: str, real_name: str, unit: Unit,
                 kind: str, created_by: int | None, password: str | None = None,
                 teacher_id: int | None = None, must_change: bool = True) -> tuple[Account, str]:
    if db.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise Refusal(W_USERNAME_TAKEN, username=username)
    issued = password or random_password()
    account = Account(username=username, real_name=real_name, unit_id=unit.id, kind=kind,
                      teacher_id=teacher_id, password_hash=ctx.hasher.hash(issued),
                      must_change_password=must_change,
                      initial_password=ctx.box.seal(issued) if must_change else None,
                      created_by_id=created_by, failed_attempts=0, enabled=True)
    db.add(account)
    db.flush()
    return account, issued


def create_staff(db: Session, ctx: AppContext, principal: Principal, *, username: str, real_name: str,
                 unit_code: str, roles: list[str], phone: str | None = None) -> tuple[Account, str]:
    """A real-name unit account with roles; returns it and its random initial password."""
    unit = _unit(db, principal, unit_code)
    if not roles:
        raise Refusal(W_CANNOT_GRANT, role="-", unit=unit.name, detail="至少授予一个角色",
                      detail_en="grant at least one role")
    for n, role in enumerate(roles):
        if role == TEACHER_ROLE:
            raise Refusal(W_CANNOT_GRANT, role=ctx.roles.label(role), role_en=ctx.roles.label(role, "en"), unit=unit.name,
                          detail="教师账号由四项信息创建",
                          detail_en="teacher accounts come from the four items")
        check_grant(db, ctx, principal, role, unit)
        check_duties(ctx, principal, role, account=None, username=username.strip(), held=roles[:n])
    username = username.strip()
    if not username or len(username) > 64 or not real_name.strip():
        raise Refusal(W_CANNOT_GRANT, role="、".join(ctx.roles.label(r) for r in roles),
                      role_en=", ".join(ctx.roles.label(r, "en") for r in roles), unit=unit.name,
                      detail="用户名和真实姓名必填（实名制）",
                      detail_en="username and real name are required (real-name accounts)")
    account, issued = _new_account(db, ctx, username=username, real_name=real_name.strip(), unit=unit,
                                   kind="staff", created_by=principal.account_id)
    account.phone = phone
    for role in roles:
        db.add(Grant(account_id=account.id, unit_id=unit.id, role_key=role, granted_by_id=principal.account_id))
    db.flush()
    db.refresh(account)
    audit.record(db, "account.create", actor=principal, target_type="account", target_id=account.id,
                 unit_id=unit.id, detail={"username": account.username, "roles": roles})
    return account, issued


def bootstrap_admin(db: Session, ctx: AppContext, unit_code: str, username: str, real_name: str) -> tuple[Account, str]:
    """A unit's system administrator appointed from the command line (the first one of a
    deployment, ``tmis accounts create-admin``): a new account holding that one role."""
    unit = unit_service.by_code(db, unit_code)
    if unit is None:
        raise Refusal(W_UNIT_NOT_FOUND)
    holder = db.scalar(select(Account).join(Grant, Grant.account_id == Account.id).where(
        Grant.unit_id == unit.id, Grant.role_key == ADMIN_ROLE))
    if holder is not None:
        spec = ctx.roles.get(ADMIN_ROLE)
        raise Refusal(W_SINGLE_ROLE_TAKEN, unit=unit.name, role=spec.label.zh, role_en=spec.label.get("en"),
                      holder=holder.username)
    username, real_name = username.strip(), real_name.strip()
    if not username or len(username) > 64 or not real_name or len(real_name) > 50:
        raise Refusal(W_CANNOT_GRANT, role=ctx.roles.label(ADMIN_ROLE), role_en=ctx.roles.label(ADMIN_ROLE, "en"), unit=unit.name,
                      detail="用户名（至多 64 字）和真实姓名（至多 50 字）必填",
                      detail_en="username (up to 64) and real name (up to 50) are required")
    account, issued = _new_account(db, ctx, username=username, real_name=real_name, unit=unit, kind="staff",
                                   created_by=None)
    db.add(Grant(account_id=account.id, unit_id=unit.id, role_key=ADMIN_ROLE))
    audit.record(db, "account.create", actor_name="cli", target_type="account", target_id=account.id,
                 unit_id=unit.id, detail={"username": username, "roles": [ADMIN_ROLE]})
    return account, issued


def grant(db: Session, ctx: AppContext, principal: Principal, account_id: int, role: str,
          unit_code: str | None = None) -> Account:
    account = db.scalar(scope.accounts(principal, "account.read").where(Account.id == account_id))
    if account is None or account.kind != "staff":
        raise Refusal(W_ACCOUNT_NOT_FOUND)
    unit = _unit(db, principal, unit_code) if unit_code else db.get(Unit, account.unit_id)
    check_duties(ctx, principal, role, account=account, username=account.username,
                 held=[g.role_key for g in account.grants])
    check_grant(db, ctx, principal, role, unit, for_account=account)
    if not any(g.unit_id == unit.id and g.role_key == role for g in account.grants):
        account.grants.append(Grant(unit_id=unit.id, role_key=role, granted_by_id=principal.account_id))
        db.flush()
    audit.record(db, "account.grant", actor=principal, target_type="account", target_id=account.id,
                 unit_id=unit.id, detail={"role": role, "unit": unit.code})
    return account


def revoke(db: Session, ctx: AppContext, principal: Principal, account_id: int, role: str,
           unit_code: str | None = None) -> Account:
    account = db.scalar(scope.accounts(principal, "account.read").where(Account.id == account_id))
    if account is None:
        raise Refusal(W_ACCOUNT_NOT_FOUND)
    unit = _unit(db, principal, unit_code) if unit_code else db.get(Unit, account.unit_id)
    check_grant(db, ctx, principal, role, unit, for_account=account)
    account.grants = [g for g in account.grants if not (g.unit_id == unit.id and g.role_key == role)]
    db.flush()
    audit.record(db, "account.revoke", actor=principal, target_type="account", target_id=account.id,
                 unit_id=unit.id, detail={"role": role, "unit": unit.code})
    return account


def reset_password(db: Session, ctx: AppContext, principal: Principal, account_id: int) -> tuple[Account, str]:
    account = get_manageable(db, ctx, principal, account_id)
    issued = random_password()
    account.password_hash = ctx.hasher.hash(issued)
    account.initial_password = ctx.box.seal(issued)
    account.must_change_password = True
    account.failed_attempts = 0
    account.locked_until = None
    db.query(WebSession).filter(WebSession.account_id == account.id).delete()
    audit.record(db, "account.reset_password", actor=principal, target_type="account",
                 target_id=account.id, unit_id=account.unit_id)
    return account, issued


def set_enabled(db: Session, ctx: AppContext, principal: Principal, account_id: int, enabled: bool) -> Account:
    account = get_manageable(db, ctx, principal, account_id)
    account.enabled = enabled
    if not enabled:
        db.query(WebSession).filter(WebSession.account_id == account.id).delete()
    audit.record(db, "account.enable" if enabled else "account.disable", actor=principal,
                 target_type="account", target_id=account.id, unit_id=account.unit_id)
    return account


def delete(db: Session, ctx: AppContext, principal: Principal, account_id: int) -> None:
    """Deletes the account only: a teacher's file stays and can be attached to a new account."""
    account = get_manageable(db, ctx, principal, account_id)
    detail = {"username": account.username, "roles": [g.role_key for g in account.grants],
              "teacher_id": account.teacher_id}
    audit.record(db, "account.delete", actor=principal, target_type="account", target_id=account.id,
                 unit_id=account.unit_id, detail=detail)
    db.delete(account)
    db.flush()


def listing(db: Session, principal: Principal, *, unit_code: str | None = None, kind: str | None = None,
            q: str | None = None, limit: int = 50, offset: int = 0) -> tuple[int, list[Account]]:
    scope.require(principal, "account.read")
    stmt = scope.accounts(principal, "account.read")
    if unit_code:
        stmt = stmt.where(Account.unit_id == _unit(db, principal, unit_code).id)
    if kind:
        stmt = stmt.where(Account.kind == kind)
    if q:
        stmt = stmt.where(Account.username.startswith(idnumber.login_name(q)) | Account.real_name.startswith(q.strip()))
    total = db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(db.scalars(stmt.order_by(Account.unit_id, Account.kind, Account.username).limit(limit).offset(offset)))
    return total, rows


def get(db: Session, principal: Principal, account_id: int) -> Account:
    scope.require(principal, "account.read")
    account = db.scalar(scope.accounts(principal, "account.read").where(Account.id == account_id))
    if account is None:
        raise Refusal(W_ACCOUNT_NOT_FOUND)
    return account


def account_dict(a: Account) -> dict[str, Any]:
    return {"id": a.id, "username": a.username, "real_name": a.real_name, "kind": a.kind,
            "unit_code": a.unit.code, "unit_name": a.unit.name, "enabled": a.enabled,
            "must_change_password": a.must_change_password,
            "locked": a.locked_until is not None and a.locked_until > utcnow(), "teacher_id": a.teacher_id,
            "grants": [{"unit_id": g.unit_id, "role": g.role_key} for g in a.grants]}


# ------------------------------------------------------------------ teacher accounts


def _check_teacher_grant(db: Session, ctx: AppContext, principal: Principal, unit: Unit) -> None:
    if unit.level != "school":
        raise Refusal(W_NOT_SCHOOL)
    check_grant(db, ctx, principal, TEACHER_ROLE, unit)


def create_teacher_account(db: Session, ctx: AppContext, principal: Principal, unit_code: str,
                           items: teacher_service.FourItems, *, password: str | None = None,
                           must_change: bool = True) -> tuple[Account, str, bool]:
    """From the four items: the person (unless already on file here) and the account.

    Returns (account, initial password, attached) where ``attached`` is True when an existing
    file without an account (e.g. after its account was deleted) got the new account.
    A person on file at another unit is refused with where they are (that unit, not a copy).
    """
    unit = _unit(db, principal, unit_code)
    _check_teacher_grant(db, ctx, principal, unit)
    teacher = teacher_service.find_person(db, items.id_type, items.id_number)
    attached = False
    if teacher is not None:
        if teacher.unit_id != unit.id:
            audit.record(db, "teacher.duplicate", actor=principal, target_type="teacher",
                         target_id=teacher.id, unit_id=unit.id, detail={"found_in": teacher.unit.code})
            raise teacher_service.duplicate_refusal(db, teacher)
        holder = db.scalar(select(Account).where(Account.teacher_id == teacher.id))
        if holder is not None:
            raise Refusal(W_TEACHER_HAS_ACCOUNT, name=teacher.name, username=holder.username)
        attached = True
    else:
        teacher = teacher_service.create(db, principal, unit.code, items,
                                         catalogue_version=catalogue_version(ctx))
    account, issued = _new_account(db, ctx, username=items.id_number, real_name=teacher.name, unit=unit,
                                   kind="teacher", created_by=principal.account_id, password=password,
                                   teacher_id=teacher.id, must_change=must_change)
    db.add(Grant(account_id=account.id, unit_id=unit.id, role_key=TEACHER_ROLE,
                 granted_by_id=principal.account_id))
    db.flush()
    db.refresh(account)
    audit.record(db, "account.create_teacher", actor=principal, target_type="account", target_id=account.id,
                 unit_id=unit.id, detail={"teacher_id": teacher.id, "attached": attached})
    return account, issued, attached


def catalogue_version(ctx: AppContext) -> str:
    try:
        return str(ctx.catalogue.version)
    except Exception:  # definitions under construction: record that no catalogue validated it
        return "uncompiled"


TEACHER_HEADERS = {
    "name": ("姓名", "name"), "gender": ("性别", "gender"), "birth_date": ("出生日期", "birth_date"),
    "id_number": ("身份证件号", "身份证件号码", "身份证号", "id_number"),
    "id_type": ("身份证件类型", "id_type"),
}


def export_xlsx(db: Session, ctx: AppContext, principal: Principal, unit_code: str) -> bytes:
    """The school's teacher accounts; the initial password only while it is unchanged."""
    from openpyxl import Workbook

    from engine.emit.xlsx_writer import workbook_bytes

    unit = _unit(db, principal, unit_code)
    _check_teacher_grant(db, ctx, principal, unit)
    rows = db.execute(select(Account, Teacher).join(Teacher, Teacher.id == Account.teacher_id, isouter=True)
                      .where(Account.unit_id == unit.id, Account.kind == "teacher")
                      .order_by(Account.real_name, Account.id)).all()
    wb = Workbook()
    ws = wb.active
    ws.title = "教师账号"
    ws.append(["姓名", "用户名（身份证件号）", "初始密码", "状态", "学校"])
    shown = 0
    for account, _teacher in rows:
        initial = ctx.box.open(account.initial_password) if account.must_change_password else None
        shown += initial is not None
        state = "停用" if not account.enabled else ("未修改初始密码" if account.must_change_password else "已修改密码")
        ws.append([account.real_name, account.username, initial or "", state, unit.name])  # neutralised at save
    for col, width in zip("ABCDE", (12, 24, 16, 16, 30)):
        ws.column_dimensions[col].width = width
    audit.record(db, "account.export", actor=principal, target_type="unit", target_id=unit.code,
                 unit_id=unit.id, detail={"accounts": len(rows), "initial_passwords": shown})
    return workbook_bytes(wb)  # no name can run as a formula (engine/emit/xlsx_writer.py)
