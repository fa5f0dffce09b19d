"""Fields of a record the caller may not change, and why: one rule table, read by the write service
(which refuses a change: W411, W800, W801) and by the form (which draws the value as text with the
reason beside it instead of an input the user would type into for nothing).

The rules (``RULES``, in order; the first that locks a field says why):
- ``identity`` (seed 003; 教师〔2017〕2号): a teacher account cannot change the items the school
  created it from — 姓名, 性别, 出生日期, 身份证件类型, 身份证件号 (the ID number is the login name);
  the school's 信息管理员 corrects them. Items the school has not filled yet stay open.
- ``filler`` (issue 18 point 11): who fills each field (``SetSpec.not_fillable_by``; a province's
  ``fields_filled_by``): a teacher account changes only the teacher's fields, the school's staff
  every field but those given to the teacher one by one. Clearing such a field is a change too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from engine import idnumber
from engine.fieldtypes import is_empty
from engine.spec import SetSpec
from engine.validate import Violation
from web.db.models import Teacher
from web.errors import _e
from web.principal import Principal

IDENTITY_SET = "basic"
# field key → how the teacher row holds it (the person's identity columns)
IDENTITY: dict[str, Any] = {
    "name": lambda t: t.name,
    "gender": lambda t: t.gender,
    "birth_date": lambda t: t.birth_date.isoformat() if t.birth_date else None,
    "id_type": lambda t: t.id_type,
    "id_number": lambda t: t.id_number,
}
CODE = "W411"
REASON = ("由学校信息管理员修改，教师本人不能修改", "corrected by the school's information manager, not by the teacher")

W_TEACHERS_FIELD = _e("W800", 422, "「{field}」由教师本人填写，学校不能修改",
                      "'{field_en}' is filled in by the teacher; the school cannot change it",
                      "本省规定此项由教师本人在「教师自助」中填写；如有错误，请告知教师本人修改。",
                      "The province gives this field to the teacher (self-service); ask the teacher to correct it.")
W_SCHOOLS_FIELD = _e("W801", 422, "「{field}」由学校填写，教师本人不能修改",
                     "'{field_en}' is filled in by the school; the teacher cannot change it",
                     "如有错误，请联系学校信息管理员修改。", "If it is wrong, ask your school's information manager.")
FILLER = {  # the writer's side → (code, reason zh, reason en)
    "teacher": (W_SCHOOLS_FIELD, "由学校填写，教师本人不能修改", "filled in by the school, not by the teacher"),
    "school": (W_TEACHERS_FIELD, "由教师本人填写，学校不能修改", "filled in by the teacher, not by the school"),
}


@dataclass(frozen=True)
class Lock:
    key: str
    current: Any  # the value that stays
    reason_zh: str
    reason_en: str
    code: str = CODE
    open_when_empty: bool = True  # an empty value is no change (identity: items the school has not filled)

    def reason(self, lang: str = "zh") -> str:
        return self.reason_en if lang == "en" else self.reason_zh


def _identity(principal: Principal, teacher: Teacher, spec: SetSpec, stored: Mapping[str, Any]) -> list[Lock]:
    if principal.kind != "teacher" or spec.set != IDENTITY_SET:
        return []
    return [Lock(key, read(teacher), *REASON) for key, read in IDENTITY.items() if read(teacher) is not None]


def side_of(principal: Principal) -> str:
    return "teacher" if principal.kind == "teacher" else "school"


def _filler(principal: Principal, teacher: Teacher, spec: SetSpec, stored: Mapping[str, Any]) -> list[Lock]:
    side = side_of(principal)
    code, zh, en = FILLER[side]
    return [Lock(key, stored.get(key), zh, en, code, open_when_empty=False) for key in sorted(spec.not_fillable_by(side))]


def filled_by_other(principal: Principal, spec: SetSpec) -> frozenset[str]:
    """Keys of the fields of ``spec`` the other side fills (not ``principal``'s to fill)."""
    return spec.not_fillable_by(side_of(principal))


RULES: tuple[tuple[str, Callable[[Principal, Teacher, SetSpec, Mapping[str, Any]], list[Lock]]], ...] = (
    ("identity", _identity),
    ("filler", _filler),
)


def locked_fields(principal: Principal, teacher: Teacher, spec: SetSpec,
                  stored: Mapping[str, Any] | None = None) -> dict[str, Lock]:
    """Field key → lock, for what ``principal`` may not change in ``spec`` of ``teacher``'s file
    (``stored``: the record as on record, {} for a new one)."""
    out: dict[str, Lock] = {}
    for _name, rule in RULES:
        for lock in rule(principal, teacher, spec, stored or {}):
            out.setdefault(lock.key, lock)
    return out


def _norm(key: str, value: Any) -> Any:
    if is_empty(value):
        return None
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    return idnumber.normalize(value) if key == "id_number" else str(value)


def violations(principal: Principal, teacher: Teacher, spec: SetSpec, record: Mapping[str, Any],
               labels: Mapping[str, tuple[str, str]], stored: Mapping[str, Any] | None = None) -> list[Violation]:
    """An error per locked field whose value ``record`` changes (``labels``: key → (zh, en))."""
    out = []
    for key, lock in locked_fields(principal, teacher, spec, stored).items():
        value = record.get(key)
        if lock.open_when_empty and is_empty(value):
            continue
        if _norm(key, value) != _norm(key, lock.current):
            zh, en = labels.get(key, (key, key))
            out.append(Violation(spec.set, key, lock.code, "error", f"「{zh}」{lock.reason_zh}",
                                 f"The {en} is {lock.reason_en}"))
    return out
