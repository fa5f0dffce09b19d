"""Fields of a record the caller may not change, and why: one rule, read by the write service
(which refuses a change, W411) and by the form (which draws the value as text with the reason
beside it instead of an input the user would type into for nothing).

Today's rule (seed 003; 教师〔2017〕2号): a teacher account cannot change the items the school
created it from — 姓名, 性别, 出生日期, 身份证件类型, 身份证件号 (the ID number is the login name);
the school's 信息管理员 corrects them. Items the school has not filled yet stay open.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from engine import idnumber
from engine.fieldtypes import is_empty
from engine.validate import Violation
from web.db.models import Teacher
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


@dataclass(frozen=True)
class Lock:
    key: str
    current: Any  # the value that stays
    reason_zh: str
    reason_en: str

    def reason(self, lang: str = "zh") -> str:
        return self.reason_en if lang == "en" else self.reason_zh


def locked_fields(principal: Principal, teacher: Teacher, set_key: str) -> dict[str, Lock]:
    """Field key → lock, for what ``principal`` may not change in ``set_key`` of ``teacher``'s file."""
    if principal.kind != "teacher" or set_key != IDENTITY_SET:
        return {}
    out = {}
    for key, read in IDENTITY.items():
        current = read(teacher)
        if current is not None:
            out[key] = Lock(key, current, *REASON)
    return out


def violations(principal: Principal, teacher: Teacher, set_key: str, record: Mapping[str, Any],
               labels: Mapping[str, tuple[str, str]]) -> list[Violation]:
    """A W411 error per locked field whose value ``record`` changes (``labels``: key → (zh, en))."""
    out = []
    for key, lock in locked_fields(principal, teacher, set_key).items():
        value = record.get(key)
        if is_empty(value):
            continue
        new = idnumber.normalize(value) if key == "id_number" else str(value)
        if new != str(lock.current):
            zh, en = labels.get(key, (key, key))
            out.append(Violation(set_key, key, CODE, "error", f"「{zh}」{lock.reason_zh}",
                                 f"The {en} is {lock.reason_en}"))
    return out
