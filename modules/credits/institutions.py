"""Training institutions and their accounts (培训机构, issue 17): an authority's data staff
register the institutions it works with (service.register_institution); its system administrator
creates each institution's accounts, of the role 培训机构管理员 (``training_institution``: only
``training.results``, no teacher data), at the authority's unit and tied to the institution
(training_inst_accounts). An account is made by ``web.services.accounts.create_staff``, the one
account writer: real name, a random initial password shown once, changed at the first sign-in,
the granting and separation-of-duties rules, audited ``account.create``; the tie to the
institution is audited ``credits.institution.account``. Resetting, disabling and deleting such an
account are the usual 用户权限管理 actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.credits import service as S
from modules.credits import words as Wd
from modules.credits.models import InstitutionAccount, TrainingInstitution
from web import audit
from web.context import AppContext
from web.db.models import Account, Unit
from web.errors import Refusal
from web.permissions import may
from web.principal import Principal
from web.services import accounts as A

ROLE = "training_institution"
AUTHORITY_LEVELS = ("ministry", "province", "city", "county")


def rights(db: Session, me: Principal) -> dict[str, bool]:
    """What the caller may do on the page, at its own unit (W681 when nothing)."""
    unit = db.get(Unit, me.unit_id)
    out = {"register": False, "accounts": False}
    if me.kind == "staff" and unit is not None and unit.level in AUTHORITY_LEVELS:
        out = {"register": may(me, S.REGISTER, unit, db=db), "accounts": me.holds_at(f"grant.{ROLE}", unit.id)}
    if not any(out.values()):
        raise Refusal(Wd.W_NOT_INSTITUTION_ADMIN)
    return out


def listing(db: Session, me: Principal) -> list[dict[str, Any]]:
    """The institutions registered by the caller's unit, each with its accounts."""
    rights(db, me)
    insts = list(db.scalars(select(TrainingInstitution).where(TrainingInstitution.unit_id == me.unit_id)
                            .order_by(TrainingInstitution.id)))
    accounts: dict[int, list[dict[str, Any]]] = {}
    if insts:
        rows = db.execute(select(InstitutionAccount.institution_id, Account)
                          .join(Account, Account.id == InstitutionAccount.account_id)
                          .where(InstitutionAccount.institution_id.in_([i.id for i in insts])).order_by(Account.id))
        for inst_id, a in rows:
            accounts.setdefault(inst_id, []).append(
                {"id": a.id, "username": a.username, "real_name": a.real_name, "enabled": a.enabled,
                 "must_change_password": a.must_change_password})
    return [{"id": i.id, "name": i.name, "accounts": accounts.get(i.id, [])} for i in insts]


def create_account(db: Session, ctx: AppContext, me: Principal, institution_id: int, *, username: str,
                   real_name: str, phone: str | None = None) -> tuple[Account, str]:
    """A 培训机构管理员 account of one institution of the caller's unit; returns it and its
    initial password (shown once)."""
    if not rights(db, me)["accounts"]:
        from web.permissions import denied

        raise denied(me, f"grant.{ROLE}")
    inst = db.get(TrainingInstitution, institution_id)
    if inst is None or inst.unit_id != me.unit_id:
        raise Refusal(Wd.W_INSTITUTION_NOT_FOUND)
    unit = db.get(Unit, inst.unit_id)
    account, issued = A.create_staff(db, ctx, me, username=username, real_name=real_name, unit_code=unit.code,
                                     roles=[ROLE], phone=phone)
    db.add(InstitutionAccount(account_id=account.id, institution_id=inst.id))
    db.flush()
    audit.record(db, "credits.institution.account", actor=me, target_type="account", target_id=account.id,
                 unit_id=unit.id, detail={"institution": inst.id, "username": account.username})
    return account, issued
