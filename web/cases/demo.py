"""Demo cases (``tmis demo``): a few transfers, rotations and status changes in every state, so a
new user finds something waiting in each queue and can follow a transfer across two counties.

Every case goes through the real services (modules/transfer, rotation, status_change and the
case engine) with the accounts of the acting units: the unit's 信息管理员 ``manager-<code>`` or
信息审核员 ``reviewer-<code>`` when the demo has them, else the chain accounts of the README
(school-manager, county-reviewer, …); an acting unit without either gets ``manager-<code>`` /
``reviewer-<code>`` here, with the demo password."""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from web.db.models import Account, Grant, Teacher, Unit
from web.people import clock


class _Actors:
    def __init__(self, db: Session, ctx: Any, pw_hash: str) -> None:
        self.db, self.ctx, self.pw_hash = db, ctx, pw_hash

    def at(self, code: str, roles: tuple[str, ...] = ("info_manager", "info_reviewer")) -> Any:
        from web.services import auth as auth_service

        db = self.db
        unit = db.scalar(select(Unit).where(Unit.code == code))
        for role in roles:
            name = {"info_manager": "manager", "info_reviewer": "reviewer"}.get(role, role)
            account = db.scalar(select(Account).where(Account.username == f"{name}-{code}"))
            if account is None:
                account = db.scalar(select(Account).join(Grant, Grant.account_id == Account.id)
                                    .where(Grant.unit_id == unit.id, Grant.role_key == role, Account.kind == "staff")
                                    .order_by(Account.id).limit(1))
            if account is not None:
                return auth_service.principal_of(account, self.ctx)
        role = roles[0]
        name = {"info_manager": "manager", "info_reviewer": "reviewer"}.get(role, role)
        label = {"info_manager": "信息管理员", "info_reviewer": "信息审核员"}.get(role, role)
        account = Account(username=f"{name}-{code}", real_name=f"{unit.name}{label}", unit_id=unit.id, kind="staff",
                          password_hash=self.pw_hash, must_change_password=False, failed_attempts=0, enabled=True)
        db.add(account)
        db.flush()
        db.add(Grant(account_id=account.id, unit_id=unit.id, role_key=role))
        db.flush()
        db.refresh(account)
        return auth_service.principal_of(account, self.ctx)


def _plan(transfer: Callable[..., Any], along: Callable[..., Any], teacher_of: Callable[[str], Teacher], actors: Any,
          S: Any, R: Any, SC: Any, cat: Any, province: str) -> list[Callable[[], Any]]:
    """The demo's cases, each a thunk returning the case in its final state."""
    db = actors.db
    today = clock.today()
    year = (today + dt.timedelta(days=364)).isoformat()

    def manager(code: str) -> Any:
        return actors.at(code, ("info_manager",))

    def returned() -> Any:
        case = transfer("3601020001", "3601020002")  # within the county
        return S.act(db, cat, actors.at("360102"), case.id, "return", reason="请补充调动审批表（加盖调出学校公章）",
                     province=province)

    def withdrawn() -> Any:
        case = transfer("3601020001", "3601110002")
        return S.act(db, cat, manager("3601020001"), case.id, "withdraw", province=province)

    def rejected() -> Any:
        case = transfer("3601020001", "3604030003")
        return S.act(db, cat, actors.at("360102"), case.id, "reject", reason="本校该学科暂无编制空缺", province=province)

    def rotation(to: str) -> Any:
        return R.start(db, cat, manager("3601020001"), teacher_of("3601020001").id, to, start=today.isoformat(),
                       end=year, rotation_type="1", province=province)

    def status(change: str, **kw: Any) -> Any:
        return SC.start(db, cat, manager("3601020002"), teacher_of("3601020002").id, change, today.isoformat(),
                        province=province, **kw)

    return [
        # transfers into 南昌市东湖区第一小学 (its 信息管理员: school-manager)
        lambda: transfer("3601020001", "3601110001"),             # across counties: waits for 东湖区
        lambda: along(transfer("3601020001", "3604020001"), 2),   # across cities: waits for the province
        returned, withdrawn, rejected,
        lambda: along(transfer("3601020001", "3604030002")),      # completed across cities
        lambda: along(transfer("3601110001", "3601020003"), 4),   # into 青山湖区: waits for 东湖区 (sending county)
        lambda: rotation("3601110001"),                           # waits for 东湖区
        lambda: along(rotation("3601020002")),                    # a secondment under way
        lambda: status("retired", note="到龄退休"),                # waits for the county
        lambda: status("absent", code="202", note="长病假"),       # at once
    ]


class ModuleAbsent(Exception):
    """The module a demo case needs is not installed: the case is left out."""


class _Absent:
    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, attr: str) -> Any:
        raise ModuleAbsent(self.name)


def _service_of(name: str) -> Any:
    """``modules.<name>.service``, or a stand-in that leaves its cases out when the module is gone."""
    import importlib

    try:
        return importlib.import_module(f"modules.{name}.service")
    except ModuleNotFoundError:
        return _Absent(name)


def build(db: Session, ctx: Any, cat: Any, pw_hash: str, *, skip_ids: set[str] = frozenset()) -> dict[str, int]:
    """The demo's cases; returns how many of each kind and state. A case whose module is deleted
    (modules/<name>/ absent) is left out, like one the demo has no teacher for."""
    from web.cases import service as S

    R, SC, T = (_service_of(name) for name in ("rotation", "status_change", "transfer"))

    province = ctx.settings.province
    actors = _Actors(db, ctx, pw_hash)
    used: set[int] = set()

    class NoTeacher(Exception):
        """A small demo (fewer teachers than its cases need): that case is left out."""

    def teacher_of(code: str) -> Teacher:
        unit = db.scalar(select(Unit).where(Unit.code == code))
        t = db.scalar(select(Teacher).where(Teacher.unit_id == unit.id, Teacher.id.not_in(used or {0}),
                                            Teacher.id_number.not_in(skip_ids or {""})).order_by(Teacher.id).limit(1))
        if t is None:
            raise NoTeacher(code)
        used.add(t.id)
        return t

    def along(case: Any, n: int | None = None) -> Any:
        """Approve ``n`` steps (all by default) with each acting unit's account."""
        steps = case.steps[case.step:] if n is None else case.steps[case.step:case.step + n]
        for step in steps:
            case = S.act(db, cat, actors.at(step["unit_code"]), case.id, "approve", province=province)
        return case

    def transfer(to: str, source: str) -> Any:
        t = teacher_of(source)
        return T.start(db, cat, actors.at(to, ("info_manager",)), t.id_number, t.name, to, province=province)

    made: list[tuple[str, str]] = []

    def keep(case: Any) -> None:
        made.append((case.kind, case.state))

    for make in _plan(transfer, along, teacher_of, actors, S, R, SC, cat, province):
        try:
            with db.begin_nested():
                keep(make())
        except (NoTeacher, ModuleAbsent):
            continue
    db.flush()
    counts: dict[str, int] = {}
    for kind, state in made:
        counts[f"{kind}:{state}"] = counts.get(f"{kind}:{state}", 0) + 1
    return counts
