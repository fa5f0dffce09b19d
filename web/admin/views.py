"""Read-only queries that shape the administration pages. Every query goes through ``web.scope``;
every write goes through the services (which check, again, and audit).

``may_grant`` mirrors the granting rule of ``web.services.accounts.check_grant`` without its row
lock and without the one-per-unit check, to decide which buttons to draw; the service decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from web import scope
from web.context import AppContext
from web.db.models import UNIT_LEVELS, Account, Grant, Unit, UnitClosure
from web.errors import W_NOT_SCHOOL, W_UNIT_NOT_FOUND, Refusal
from web.permissions import denied
from web.principal import Principal
from web.services import units as unit_service

TEACHER_ROLE = "teacher"
URBAN_RURAL = (("1", "城区", "Urban"), ("2", "镇区", "Town"), ("3", "乡村", "Rural"))
LEVEL_LABELS = {"ministry": ("部", "Ministry"), "province": ("省级", "Province"), "city": ("地市", "City"),
                "county": ("区县", "County"), "school": ("学校", "School")}


def managed_unit(db: Session, me: Principal, code: str | None, permission: str) -> Unit:
    """The unit a page manages: one where ``permission`` is held through a grant *at* it
    (by default the first such unit). Outside scope: 'not found'; inside but not held there: refused."""
    scope.require(me, permission)
    if not code:
        roots = [u for u in me.roots(permission) if me.holds_at(permission, u)]
        unit = db.get(Unit, roots[0]) if roots else None
        if unit is None:
            raise Refusal(W_UNIT_NOT_FOUND)
        return unit
    unit = scope.require_unit(db, me, unit_service.by_code(db, code), permission)
    if not me.holds_at(permission, unit.id):
        raise denied(me, permission, (unit.name, unit.name))
    return unit


def school_unit(db: Session, me: Principal, code: str | None) -> Unit:
    unit = managed_unit(db, me, code, "grant.teacher")
    if unit.level != "school":
        raise Refusal(W_NOT_SCHOOL)
    return unit


# ------------------------------------------------------------------ accounts


def may_grant(ctx: AppContext, me: Principal, role_key: str, unit: Unit) -> bool:
    spec = ctx.roles.get(role_key)
    if spec is None or unit.level not in spec.levels:
        return False
    where = unit.parent_id if spec.single_per_unit else unit.id
    return where is not None and me.holds_at(f"grant.{role_key}", where)


def single_roles(ctx: AppContext) -> list[str]:
    return [k for k, r in ctx.roles.roles.items() if r.single_per_unit]


def own_unit_roles(ctx: AppContext, me: Principal, unit: Unit) -> list[str]:
    """Roles the page offers for accounts of the managed unit itself (not a training institution's
    role: its accounts belong to an institution and are made on 培训机构账号, modules/credits)."""
    return [k for k, r in ctx.roles.roles.items()
            if k != TEACHER_ROLE and not r.single_per_unit and r.duty != "institution" and may_grant(ctx, me, k, unit)]


@dataclass
class AccountRow:
    account: Account
    unit: Unit
    roles: list[str]
    manageable: bool
    grantable: list[str] = field(default_factory=list)
    revocable: list[str] = field(default_factory=list)


def account_rows(db: Session, ctx: AppContext, me: Principal, unit: Unit, *, q: str = "", limit: int = 50,
                 offset: int = 0) -> tuple[int, list[AccountRow]]:
    """Staff accounts of the unit and the holders of single-per-unit roles (系统管理员) of the
    units directly below, within the caller's account scope."""
    below = (select(Grant.account_id).join(Unit, Unit.id == Grant.unit_id)
             .where(Unit.parent_id == unit.id, Grant.role_key.in_(single_roles(ctx))))
    stmt = scope.accounts(me, "account.read").where(
        or_((Account.unit_id == unit.id) & (Account.kind == "staff"), Account.id.in_(below)))
    if q:
        stmt = stmt.where(Account.username.contains(q) | Account.real_name.contains(q))
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    accounts = db.scalars(stmt.order_by((Account.unit_id != unit.id), Account.unit_id, Account.username)
                          .limit(limit).offset(offset)).all()
    units = {u.id: u for u in db.scalars(select(Unit).where(
        Unit.id.in_({a.unit_id for a in accounts} | {g.unit_id for a in accounts for g in a.grants})))}
    rows = []
    for a in accounts:
        held = [g.role_key for g in a.grants]
        manageable = (all(may_grant(ctx, me, g.role_key, units[g.unit_id]) for g in a.grants) if a.grants
                      else me.holds_at("account.manage", a.unit_id))
        row = AccountRow(a, units[a.unit_id], held, manageable)
        if manageable and a.unit_id == unit.id:
            # only roles of the duty the account already has (separation of duties)
            row.grantable = [r for r in own_unit_roles(ctx, me, unit) if r not in held
                             and all(ctx.roles.duty(r) == ctx.roles.duty(h) for h in held)]
            row.revocable = [r for r in held if len(held) > 1 and may_grant(ctx, me, r, units[a.unit_id])]
        rows.append(row)
    return total, rows


@dataclass
class ChildRow:
    unit: Unit
    admin: Account | None


def children_with_admins(db: Session, ctx: AppContext, me: Principal, unit: Unit) -> list[ChildRow]:
    """Units directly below, each with its system administrator (if any), for appointing one."""
    children = db.scalars(scope.units(me, "account.read").where(Unit.parent_id == unit.id).order_by(Unit.code)).all()
    holders = dict(db.execute(select(Grant.unit_id, Account).join(Account, Account.id == Grant.account_id)
                              .where(Grant.unit_id.in_([c.id for c in children]),
                                     Grant.role_key.in_(single_roles(ctx)))).all())
    return [ChildRow(c, holders.get(c.id)) for c in children]


# ------------------------------------------------------------------ units


@dataclass
class Node:
    unit: Unit
    children: int


def nodes(db: Session, me: Principal, parent: Unit) -> list[Node]:
    """The units directly below ``parent`` within the caller's unit.manage scope, with how many
    units sit directly below each (to draw an expand button)."""
    sub = (select(Unit.parent_id, func.count().label("n")).group_by(Unit.parent_id).subquery())
    rows = db.execute(scope.units(me, "unit.manage").add_columns(func.coalesce(sub.c.n, 0))
                      .outerjoin(sub, sub.c.parent_id == Unit.id)
                      .where(Unit.parent_id == parent.id).order_by(Unit.code)).all()
    return [Node(u, n) for u, n in rows]


def child_count(db: Session, unit: Unit) -> int:
    return db.scalar(select(func.count()).select_from(Unit).where(Unit.parent_id == unit.id)) or 0


def search(db: Session, me: Principal, root: Unit, q: str, limit: int = 100) -> list[tuple[Unit, str]]:
    """Units below (and at) ``root`` whose name contains or code starts with ``q``, with their path."""
    stmt = (scope.units(me, "unit.manage")
            .where(Unit.id.in_(select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == root.id)))
            .where(Unit.name.contains(q) | Unit.code.startswith(q)).order_by(Unit.code).limit(limit))
    return [(u, unit_service.path_text(db, u.id)) for u in db.scalars(stmt)]


def parent_candidates(db: Session, me: Principal, unit: Unit, limit: int = 500) -> list[Unit]:
    """Where a unit may move: units above its level within scope, outside its own subtree."""
    rank = UNIT_LEVELS.index(unit.level)
    inside = select(UnitClosure.descendant_id).where(UnitClosure.ancestor_id == unit.id)
    stmt = (scope.units(me, "unit.manage").where(Unit.level.in_(UNIT_LEVELS[:rank]), Unit.id.not_in(inside))
            .order_by(Unit.code).limit(limit))
    return list(db.scalars(stmt))


def levels_below(unit: Unit) -> list[str]:
    return list(UNIT_LEVELS[UNIT_LEVELS.index(unit.level) + 1:])


@lru_cache(maxsize=4)
def school_types(repo_root: Path) -> tuple[tuple[str, str, str], ...]:
    """(key, 中文, English) of the school types in schemas/school_types.yaml."""
    from engine.load import load_repo

    st = load_repo(repo_root).national.school_types
    return tuple((t.key, t.label.zh, t.label.get("en") or t.key) for t in (st.school_types if st else []))


def label_of(options: tuple[tuple[str, str, str], ...], key: str | None, lang: str) -> str:
    for k, zh, en in options:
        if k == key:
            return en if lang == "en" else zh
    return key or ""


def context(ctx: AppContext) -> dict[str, Any]:
    """Option lists every unit template needs."""
    return {"school_types": school_types(ctx.settings.repo_root), "urban_rural": URBAN_RURAL,
            "level_labels": LEVEL_LABELS}
