"""What an account may do, asked in one place by the services (which refuse) and by the pages
(which draw only what would be accepted).

Each action is a row of ``ACTIONS``: the permissions it needs (keys of schemas/roles.yaml), whether
all or one of them, where they must be held and which kinds of account may do it at all:

- ``anywhere``: through any grant (the pages of the action; the service then checks the unit);
- ``at``: through a grant *at* the unit itself (报送 is the teacher's school's act);
- ``scope``: through a grant at the unit or above it (the closure table; needs the session).

A refusal names the permission by its label in roles.yaml (「录入和修改信息」 / "Enter and edit
records"), never by its key. Pages get a :class:`Can` bound to the request's session and the
signed-in account: ``can('window.open', unit)`` in a template asks exactly what
``require(me, 'window.open', unit)`` in the service decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

from sqlalchemy.orm import Session

from web.errors import W_NO_PERMISSION, Refusal
from web.principal import Principal

STAFF = ("staff",)
AUTHORITIES = ("ministry", "province", "city", "county")


@dataclass(frozen=True)
class Rule:
    needs: tuple[str, ...]
    any_of: bool = False  # one of ``needs`` is enough (default: all of them)
    at: Literal["anywhere", "at", "scope"] = "anywhere"
    kinds: tuple[str, ...] = STAFF  # account kinds that may do it at all ('staff', 'teacher')
    levels: tuple[str, ...] | None = None  # unit levels where the action exists (None: any)


ACTIONS: dict[str, Rule] = {
    # 数据导入: staff who enter records and create teachers (the school is checked by the import)
    "excel.import": Rule(("record.edit", "teacher.create")),
    # 导出: unmasked values, so personal.read
    "excel.export": Rule(("personal.read",)),
    # 教师信息报送 page, and 报送 of one file: record.submit at the teacher's school (seed 003)
    "review.submit_page": Rule(("record.submit",)),
    "review.submit": Rule(("record.submit",), at="at"),
    # 待审核: an account that reviews somewhere
    "review.queue": Rule(("record.review",)),
    # 上报进展
    "review.progress": Rule(("teacher.read",)),
    # 开启采集: an authority above the schools, by its reviewers or its unit managers
    "window.open": Rule(("record.review", "unit.manage"), any_of=True, at="at", levels=AUTHORITIES),
    # entering records of the teachers of a unit (management side; a teacher's own file: web.forms.service)
    "record.edit": Rule(("record.edit",), at="scope"),
    # 申请变更 (复本) of an approved file: the school (教师〔2017〕2号 art. 19)
    "change.request": Rule(("record.edit",), at="at"),
    # 删除教师档案 entered by mistake (seed: the 信息管理员 deletes 基本信息)
    "teacher.delete": Rule(("record.edit", "teacher.create"), at="at", levels=("school",)),
}


def register(key: str, rule: Rule) -> None:
    """Add a module's action (web/hooks.py ``register_permissions``) to the table. The same rule
    twice is fine (an app built again); another rule under a taken key is an error."""
    if not isinstance(rule, Rule):
        raise TypeError(f"permission '{key}': the rule must be a web.permissions.Rule")
    have = ACTIONS.get(key)
    if have is not None and have != rule:
        raise ValueError(f"permission '{key}' is already defined with another rule")
    ACTIONS[key] = rule


def _unit_id(unit: Any) -> int | None:
    """A unit as the callers hold it: a Unit row, its id, or a dict with ``id`` (and ``level``)."""
    if unit is None or isinstance(unit, int):
        return unit
    return unit["id"] if isinstance(unit, Mapping) else unit.id


def _level(unit: Any) -> str | None:
    return unit.get("level") if isinstance(unit, Mapping) else getattr(unit, "level", None)


def _held(db: Session | None, me: Principal, perm: str, rule: Rule, unit: Any) -> bool:
    if rule.at == "anywhere" or unit is None:
        return me.has(perm) if rule.at == "anywhere" else False
    uid = _unit_id(unit)
    if rule.at == "at":
        return me.holds_at(perm, uid)
    from web import scope

    assert db is not None, "a 'scope' action needs the session"
    return scope.unit_in_scope(db, me, uid, perm)


def may(me: Principal | None, action: str, unit: Any = None, *, db: Session | None = None) -> bool:
    """May ``me`` do ``action`` (at ``unit``: a Unit row or a unit id)?"""
    rule = ACTIONS[action]
    if me is None or me.kind not in rule.kinds:
        return False
    if rule.levels is not None:
        if _level(unit) not in rule.levels:
            return False
    found = [_held(db, me, p, rule, unit) for p in rule.needs]
    return any(found) if rule.any_of else all(found)


def require(me: Principal, action: str, unit: Any = None, *, db: Session | None = None) -> None:
    """Refuse (W201, naming the permission missing) unless ``may``."""
    if may(me, action, unit, db=db):
        return
    rule = ACTIONS[action]
    missing = rule.needs[0] if rule.any_of else next(
        (p for p in rule.needs if not _held(db, me, p, rule, unit)), rule.needs[0])
    raise denied(me, missing)


def denied(me: Principal, key: str, where: tuple[str, str] | None = None) -> Refusal:
    """W201 naming the permission by its roles.yaml label, in both languages (``where``: a
    qualifier such as ("本校", "own school"))."""
    zh, en = me.roles.permission_label(key, "zh"), me.roles.permission_label(key, "en")
    if where is not None:
        zh, en = f"{zh}（{where[0]}）", f"{en} ({where[1]})"
    return Refusal(W_NO_PERMISSION, permission=zh, permission_en=en, key=key)


@dataclass
class Can:
    """``may`` bound to one request's session and account, for templates: ``can('x', unit)``."""

    db: Session | None
    me: Principal | None
    _seen: dict[tuple[str, Any], bool] = field(default_factory=dict)

    def __call__(self, action: str, unit: Any = None) -> bool:
        key = (action, _unit_id(unit), _level(unit))
        if key not in self._seen:
            self._seen[key] = may(self.me, action, unit, db=self.db)
        return self._seen[key]
