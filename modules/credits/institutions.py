"""Training institutions and their accounts (培训机构, issue 17): an authority's data staff
register the institutions it works with (projects.register_institution); its system administrator
creates each institution's accounts, of the role 培训机构管理员 (``training_institution``: only
``training.results``, no teacher data), at the authority's unit and tied to the institution
(training_inst_accounts). An account is made by ``web.services.accounts.create_staff``, the one
account writer: real name, a random initial password shown once, changed at the first sign-in,
the granting and separation-of-duties rules, audited ``account.create``; the tie to the
institution is audited ``credits.institution.account``. Resetting, disabling and deleting such an
account are the usual 用户权限管理 actions."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from modules.credits import projects as P
from modules.credits import form_words as Wf
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
        out = {"register": may(me, P.REGISTER, unit, db=db), "accounts": me.holds_at(f"grant.{ROLE}", unit.id)}
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


USERNAME = re.compile(r"[A-Za-z0-9._@-]{3,64}")
ID_SHAPED = re.compile(r"\d{15}|\d{17}[\dXx]")
PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")


def _bad(field: str, field_en: str, detail: str, detail_en: str) -> Refusal:
    return Refusal(Wf.W_ACCOUNT_FIELD, field=field, field_en=field_en, detail=detail, detail_en=detail_en)


def check_account_fields(username: str, real_name: str, phone: str | None) -> tuple[str, str, str | None]:
    """W731 naming the field: a username of 3–64 letters, digits or . _ @ - (never shaped like an
    ID number: teachers sign in with theirs, so such a name would say whether a teacher has an
    account), a real name of 1–50 characters, an optional mobile (11 digits) or landline number."""
    username, real_name, phone = (username or "").strip(), (real_name or "").strip(), (phone or "").strip()
    if not username:
        raise _bad("用户名", "username", "必填", "is required")
    if not USERNAME.fullmatch(username):
        raise _bad("用户名", "username", "须为 3–64 个英文字母、数字或 . _ @ - 符号（例如 peixun-jigou01）",
                   "must be 3–64 letters, digits or . _ @ - (e.g. peixun-jigou01)")
    if ID_SHAPED.fullmatch(username):
        raise _bad("用户名", "username", "不能是身份证件号码式的数字（教师账号以证件号码登录），请另取一个",
                   "must not be shaped like an ID number (teachers sign in with theirs); choose another")
    if not real_name:
        raise _bad("真实姓名", "real name", "必填（实名制）", "is required (real-name accounts)")
    if len(real_name) > 50:
        raise _bad("真实姓名", "real name", "至多 50 个字符", "takes at most 50 characters")
    if phone and not PHONE.fullmatch(phone):
        raise _bad("手机", "phone", "须为 11 位手机号码（如 13800000000）或固定电话（如 0791-88888888），也可不填",
                   "must be an 11-digit mobile number (13800000000) or a landline (0791-88888888), or left empty")
    return username, real_name, phone or None


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
    username, real_name, phone = check_account_fields(username, real_name, phone)
    unit = db.get(Unit, inst.unit_id)
    account, issued = A.create_staff(db, ctx, me, username=username, real_name=real_name, unit_code=unit.code,
                                     roles=[ROLE], phone=phone)
    db.add(InstitutionAccount(account_id=account.id, institution_id=inst.id))
    db.flush()
    audit.record(db, "credits.institution.account", actor=me, target_type="account", target_id=account.id,
                 unit_id=unit.id, detail={"institution": inst.id, "username": account.username})
    return account, issued
