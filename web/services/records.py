"""The one write path of a teacher's record (issue 14, finding 2).

Every write of one record goes through ``write``: the form pages and the forms API
(``web.forms.service.save``), the review endpoints (additions and copies 复本,
``web.review.changes.save_record``). It applies the checks of ``CHECKS`` in that order, the same
whatever the entry point, so a refusal reads the same everywhere:

- ``who``        who fills what: a teacher account its own file's sets ``filled_by: teacher`` and
                 the sets with fields given to the teacher (W615 otherwise; records of a repeating
                 set the school fills are added and deleted by the school, W802); staff
                 ``record.edit`` reaching the teacher's unit (W402/W2xx);
- ``state``      the review state (``web.review.service.ensure_editable``: W601 under review,
                 W602 approved and locked; additions and open copies pass);
- ``version``    the version the writer read: a stale one is a ``Conflict`` (409 W410 with the
                 current values); the APIs must name it (``require_version``: 428 W440 without);
- ``locks``      fields the writer may not change (``web.forms.locks``): identity items a teacher
                 account may not change (W411); fields the other side fills (W800 the teacher's,
                 W801 the school's: a province's ``fields_filled_by``);
- ``one_number`` one person, one number: an ID number another file holds (W401);
- ``owned``      a record a business wrote whole (a value in an ``owns_record`` field: 国内培训 from the
                 credit bank) is neither changed nor deleted by people (W659);
- ``readonly``   fields no person writes (``readonly: true``) keep their stored values; a write
                 changing one is refused (W587); ``write_from_case`` is how a business writes them.

Engine errors (the values against the catalogue) block the write like ``locks`` and
``one_number``: all of them come back together as ``Refused`` (field by field). The person's
identity columns follow a written 基本信息 (``sync_identity``; also when an approved change
request replaces it). The Excel import writes whole sheets at once; it applies the same state
rule in bulk (``web.review.service.lock_editable``), needs ``excel.import`` (staff only, so no
identity lock applies) and keys teachers by ID number (one number: its own check plus the
unique constraint).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import idnumber
from engine.catalogue import Catalogue
from engine.errors import V_REQUIRED
from engine.fieldtypes import is_empty
from engine.spec import SetSpec
from engine.validate import Violation
from web import audit, scope
from web.db.models import Account, Record, Teacher
from web.errors import W_BAD_REQUEST, Refusal, _e
from web.forms import locks
from web.permissions import denied
from web.principal import Principal

IDENTITY_SET = "basic"

W_FILLED_BY_SCHOOL = _e("W615", 403, "「{set}」由学校填写，教师本人只能查看",
                        "'{set_en}' is filled in by the school; teachers can only view it",
                        "如有错误，请联系学校信息管理员修改。", "If something is wrong, ask your school's information manager.")

W_SCHOOL_ADDS = _e("W802", 403, "「{set}」的记录由学校添加和删除，教师本人只能填写其中由教师填写的指标",
                   "Records of '{set_en}' are added and deleted by the school; the teacher fills only the teacher's fields",
                   "请学校信息管理员添加或删除记录；教师本人填写的指标：{fields}。",
                   "Ask your school's information manager to add or delete the record; the teacher's fields: {fields_en}.")

W_VERSION_REQUIRED = _e("W440", 428, "修改已有记录须带上读取时的版本号", "A change to a record must name the version it was read at",
                        "先读取该记录（返回 ETag 和 version），再以请求头 If-Match: \"<version>\" 或请求体中的 "
                        "\"version\" 保存；这样两人同时修改时，后保存的一方会得到提示，而不会悄悄覆盖对方的修改。",
                        "Read the record first (it returns an ETag and its version), then save with the header "
                        "If-Match: \"<version>\" or \"version\" in the body, so that of two people changing it at once "
                        "the later one is told instead of silently overwriting the other's change.")
W_STALE_RECORD = _e("W410", 409, "此记录已被他人修改（现为第 {current_version} 版），您的修改未保存",
                    "The record changed since you read it (now version {current_version}); your change was not saved",
                    "current 中是现在的内容：据此重新修改后，带上新的版本号再保存。",
                    "'current' holds what is on record now: make your change to it and save with the new version.")


W_OWNED_RECORD = _e("W659", 409, "该「{set}」记录{source}，由业务办理写入，不能在此修改或删除",
                    "This '{set_en}' record is {source_en}: written by the business that owns it, it cannot be changed or deleted here",
                    "如有错误，请联系办理该业务的部门更正（例如学分银行中的学分由确认它的主管部门撤销或更正，记录随之更新）。",
                    "If it is wrong, ask the office that owns it to correct it (a credit-bank credit is revoked or corrected "
                    "by the authority that confirmed it; the record follows).")


def owner(cat: Catalogue, set_key: str, doc: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """(zh, en) of the business that wrote this record whole (an ``owns_record`` field's value), or None."""
    spec = cat.sets.get(set_key)
    if spec is None or not doc:
        return None
    for f in spec.all_fields():
        if getattr(f, "owns_record", False) and not is_empty(doc.get(f.key)):
            table = cat.codes.get(f.codes) if f.codes else None
            item = table.by_code.get(str(doc[f.key])) if table is not None else None
            return (item.zh, item.en or item.zh) if item is not None else (str(doc[f.key]), str(doc[f.key]))
    return None


def check_owned(cat: Catalogue, row: Record | None) -> None:
    """W659: people change or delete no record a business wrote whole."""
    who = owner(cat, row.set_key, row.document) if row is not None else None
    if who is not None:
        spec = cat.sets[row.set_key]
        raise Refusal(W_OWNED_RECORD, set=spec.label.zh, set_en=spec.label.get("en"), source=who[0], source_en=who[1])


@dataclass
class Conflict(Exception):
    """The record changed since the writer read it (optimistic locking)."""

    theirs: int
    current: dict[str, Any]

    def refusal(self, current: Mapping[str, Any] | None = None) -> "Stale":
        """The 409 the APIs answer: W410 with the current version and values (``current``: as
        the reader may see them, masked for those without ``personal.read``)."""
        return Stale(self.theirs, dict(self.current if current is None else current))


class Stale(Refusal):
    """W410 with what is on record now (the APIs' answer to a ``Conflict``)."""

    def __init__(self, current_version: int, current: dict[str, Any]) -> None:
        super().__init__(W_STALE_RECORD, current_version=current_version)
        self.current_version = current_version
        self.current = current

    def as_json(self) -> dict[str, Any]:
        return {**super().as_json(), "current_version": self.current_version, "current": self.current}


@dataclass
class Refused(Exception):
    """Errors block the write (engine, W411, W401); the caller shows them field by field."""

    violations: list[Violation]


@dataclass
class Write:
    """One write being checked: who, which file, which record, what values."""

    db: Session
    cat: Catalogue
    principal: Principal
    teacher: Teacher
    spec: SetSpec
    record: dict[str, Any]
    row: Record | None  # the record written (None: a new one)
    version: int | None
    violations: list[Violation] = field(default_factory=list)
    require_version: bool = False

    @property
    def set_key(self) -> str:
        return self.spec.set


# ------------------------------------------------------------------ the checks, in order

def may_fill(principal: Principal, spec: SetSpec, teacher_id: int) -> bool:
    """Who fills what (seed 003: teachers fill their own sets and can only 保存; a province may give
    single fields of a school's set to the teacher: then the teacher fills those, web.forms.locks)."""
    if principal.kind == "teacher":
        return spec.teacher_fills_any() and principal.teacher_id == teacher_id and principal.has("self.edit")
    return principal.has("record.edit")


def may_add(principal: Principal, spec: SetSpec) -> bool:
    """May the writer add or delete records of ``spec`` (not just fill fields of existing ones)? A
    teacher only of a repeating set the teacher fills as a whole."""
    return principal.kind != "teacher" or spec.cardinality == "one" or spec.filled_by == "teacher"


def check_add(principal: Principal, spec: SetSpec) -> None:
    """W802: a teacher adding or deleting a record of a repeating set the school fills."""
    if not may_add(principal, spec):
        fields = "、".join(f.label.zh for f in spec.all_fields() if spec.filler(f) == "teacher")
        fields_en = ", ".join(f.label.get("en") for f in spec.all_fields() if spec.filler(f) == "teacher")
        raise Refusal(W_SCHOOL_ADDS, set=spec.label.zh, set_en=spec.label.get("en"), fields=fields or "—",
                      fields_en=fields_en or "—")


def check_who(db: Session, principal: Principal, spec: SetSpec, teacher_id: int) -> Teacher:
    """``who``: refuses before anything is locked; returns the teacher (in the writer's scope)."""
    if principal.kind == "teacher" and principal.teacher_id == teacher_id and not spec.teacher_fills_any():
        raise Refusal(W_FILLED_BY_SCHOOL, set=spec.label.zh, set_en=spec.label.get("en"))
    if not may_fill(principal, spec, teacher_id):
        raise denied(principal, "self.edit" if principal.kind == "teacher" else "record.edit")
    # the edit permission must reach this teacher's unit, not just exist somewhere
    return scope.get_teacher(db, principal, teacher_id, "record.edit")


def _state(w: Write) -> None:
    from web.review.service import ensure_editable

    ensure_editable(w.db, w.teacher, record=w.row, set_key=w.set_key, cat=w.cat, lock=False)


def _version(w: Write) -> None:
    if w.row is None:
        return
    if w.version is None:
        if w.require_version:
            raise Refusal(W_VERSION_REQUIRED)
        return
    if w.version != w.row.version:
        raise Conflict(w.row.version, dict(w.row.document))


def require_version(version: int | None) -> None:
    """For writes outside ``write`` (deletes): the version must be named."""
    if version is None:
        raise Refusal(W_VERSION_REQUIRED)


def _labels(w: Write) -> dict[str, tuple[str, str]]:
    return {f.key: (f.label("zh"), f.label("en")) for f in w.cat.view(w.set_key, family_of(w.teacher)).fields}


def _locks(w: Write) -> None:
    stored = dict(w.row.document) if w.row is not None else {}
    # a required field the other side fills is theirs to fill: it does not block this writer's save
    # (shown as a warning here; 完整性检测 and 报送 still require it)
    theirs = locks.filled_by_other(w.principal, w.spec)
    w.violations = [replace(v, severity="warning") if v.code == V_REQUIRED and v.field in theirs else v
                    for v in w.violations]
    w.violations += locks.violations(w.principal, w.teacher, w.spec, w.record, _labels(w), stored)


def _one_number(w: Write) -> None:
    if w.set_key != IDENTITY_SET:
        return
    ident = identity_of(w.record)
    if ident is None or ident == (w.teacher.id_type, w.teacher.id_number):
        return
    other = w.db.scalar(select(Teacher).where(Teacher.id_type == ident[0], Teacher.id_number == ident[1],
                                              Teacher.id != w.teacher.id))
    if other is not None:
        w.violations.append(duplicate_violation(w.set_key, other))


def _readonly(w: Write) -> None:
    """Fields people cannot write (``readonly: true``: 教师资格's registration fields, filled by
    the registration module through ``write_from_case``) keep what is stored: a write that leaves
    them out keeps them, one that changes them is refused (W587)."""
    stored = dict(w.row.document or {}) if w.row is not None else {}
    for f in w.cat.sets[w.set_key].all_fields():
        if not f.readonly or f.type == "derived":
            continue
        if f.key not in w.record or is_empty(w.record.get(f.key)):
            if f.key in stored:
                w.record[f.key] = stored[f.key]
            else:
                w.record.pop(f.key, None)
        elif str(w.record[f.key]) != str(stored.get(f.key)):
            w.violations.append(Violation(w.set_key, f.key, "W587", "error",
                                          f"「{f.label.zh}」由业务办理填写（只读），不能手工填写或修改",
                                          f"'{f.label.get('en')}' is filled in by the business that owns it (read-only) "
                                          "and cannot be typed or changed"))


def _owned(w: Write) -> None:
    check_owned(w.cat, w.row)


CHECKS: tuple[tuple[str, Callable[[Write], None]], ...] = (
    ("owned", _owned),
    ("state", _state),
    ("readonly", _readonly),
    ("version", _version),
    ("locks", _locks),
    ("one_number", _one_number),
)  # ``who`` comes first of all, before the teacher row is locked (check_who)


# ------------------------------------------------------------------ the write

def family_of(teacher: Teacher) -> str:
    return teacher.unit.school_type


def file_rows(db: Session, teacher_id: int) -> list[Record]:
    """The file as stored: live records and open copies (copies stand in for their originals)."""
    return list(db.scalars(select(Record).where(Record.teacher_id == teacher_id)
                           .order_by(Record.set_key, Record.position, Record.id)))


def check_values(cat: Catalogue, teacher: Teacher, rows: Sequence[Record], set_key: str, values: Mapping[str, Any],
                 row: Record | None) -> tuple[dict[str, Any], list[Violation]]:
    """Clean and validate one record as the file would be after writing it."""
    from web.review.service import engine_file

    validator = cat.validator(set_key, family_of(teacher))
    record = validator.clean(dict(values))
    target = row.copy_of_id if row is not None and row.copy_of_id is not None else (row.id if row else None)
    live = [r for r in rows if r.copy_of_id is None]
    file = engine_file(cat, live, {target: record} if target is not None else None)
    if cat.sets[set_key].cardinality == "one":
        file[set_key] = record
        return record, validator.validate(record, file=file)
    ids = [r.id for r in live if r.set_key == set_key]
    docs = file[set_key]
    if target in ids:
        index = ids.index(target)
    else:
        docs.append(record)
        index = len(docs) - 1
    return record, validator.validate(record, records=docs, file=file, index=index)


def write(db: Session, cat: Catalogue, principal: Principal, teacher_id: int, set_key: str,
          values: Mapping[str, Any], *, record_id: int | None = None, version: int | None = None,
          violations: list[Violation] | None = None, clean: bool = True,
          require_version: bool = False) -> tuple[Record, list[Violation]]:
    """Create or update one record of ``teacher_id``'s file, whoever writes it, from wherever.

    ``record_id`` None: a new record (a single set's existing record is updated instead). A
    record id may name a copy (复本) of an open change request. ``violations``: the engine's
    findings when the caller already ran it on ``values`` (the forms do, with the typed text);
    otherwise they are found here (``clean``: values are cleaned first). ``require_version``: a
    change of an existing record must name ``version`` (the APIs; 428 W440 otherwise). Raises ``Refusal`` (who,
    state), ``Conflict`` (version) or ``Refused`` (values, identity, one number); nothing is
    written then. Returns the row and every violation (warnings are written and shown)."""
    spec = cat.sets.get(set_key)
    if spec is None:
        raise Refusal(W_BAD_REQUEST, detail=f"no set '{set_key}'", detail_en=f"no set '{set_key}'")
    check_who(db, principal, spec, teacher_id)
    from web.review.service import lock_teacher

    teacher = lock_teacher(db, teacher_id)  # a write and a 报送/审核 of the same file never interleave
    row = _row(db, teacher_id, set_key, record_id, one=spec.cardinality == "one")
    if row is None:
        check_add(principal, spec)
    if violations is None:
        rows = file_rows(db, teacher_id)
        record, violations = check_values(cat, teacher, rows, set_key, values, row) if clean else \
            (dict(values), [])
    else:
        record = dict(values)
    w = Write(db, cat, principal, teacher, spec, record, row, version, list(violations), require_version)
    for _name, check in CHECKS:
        check(w)
    if any(v.severity == "error" for v in w.violations):
        raise Refused(w.violations)
    if row is not None:
        before = dict(row.document)
        row.document = dict(record)
        row.catalogue_version = cat.version
        row.updated_by_id = principal.account_id
        action = "record.update"
    else:
        siblings = db.scalars(select(Record.position).where(Record.teacher_id == teacher_id,
                                                             Record.set_key == set_key,
                                                             Record.copy_of_id.is_(None))).all()
        row = Record(teacher_id=teacher_id, set_key=set_key, position=max(siblings, default=-1) + 1,
                     document=dict(record), catalogue_version=cat.version, updated_by_id=principal.account_id)
        db.add(row)
        before = {}
        action = "record.create"
    try:
        with db.begin_nested():
            if set_key == IDENTITY_SET and row.copy_of_id is None:
                sync_identity(db, teacher, record)
            db.flush()
    except IntegrityError:  # another file took the number meanwhile (one person, one number)
        raise Refused(w.violations + [duplicate_violation(set_key, None)]) from None
    except StaleDataError:  # SQLite: another writer committed between our read and our write
        db.rollback()
        fresh = db.get(Record, row.id)
        raise Conflict(fresh.version if fresh else 0, dict(fresh.document) if fresh else {}) from None
    audit.record(db, action, actor=principal, target_type="record", target_id=row.id, unit_id=teacher.unit_id,
                 detail={"teacher": teacher_id, "set": set_key, "version": row.version, "copy_of": row.copy_of_id,
                         "changes": changes(before, record, _personal(cat, set_key, family_of(teacher))),
                         "warnings": [v.code for v in w.violations if v.severity == "warning"]})
    return row, w.violations


def _row(db: Session, teacher_id: int, set_key: str, record_id: int | None, *, one: bool) -> Record | None:
    """The record written, as of now (after the teacher row was locked)."""
    q = select(Record).where(Record.teacher_id == teacher_id, Record.set_key == set_key)
    if record_id is None:
        if not one:
            return None
        q = q.where(Record.copy_of_id.is_(None)).order_by(Record.id).limit(1)
    else:
        q = q.where(Record.id == record_id)
    row = db.scalar(q.execution_options(populate_existing=True))
    if row is None and record_id is not None:
        raise Refusal(W_BAD_REQUEST, detail=f"no record {record_id} in '{set_key}'",
                      detail_en=f"no record {record_id} in '{set_key}'")
    return row


# ------------------------------------------------------------------ identity (one person, one number)

def identity_of(doc: Mapping[str, Any]) -> tuple[str, str] | None:
    """(id_type, id_number) a 基本信息 record names, when it names a usable one."""
    id_type, id_number = doc.get("id_type"), idnumber.normalize(doc.get("id_number"))
    if not id_type or not id_number or (id_type == "1" and not idnumber.is_valid(id_number)):
        return None
    return str(id_type), id_number


def duplicate_violation(set_key: str, other: Teacher | None) -> Violation:
    where = f"：{scope.mask_name(other.name)}，在「{other.unit.name}」" if other is not None else ""
    where_en = f": {scope.mask_name(other.name)} at '{other.unit.name}'" if other is not None else ""
    return Violation(set_key, "id_number", "W401", "error",
                     f"该身份证件号已有教师档案{where}（一人一号，不能重复建档）",
                     f"This ID number is on file already{where_en} (one person, one number)")


def sync_identity(db: Session, teacher: Teacher, doc: Mapping[str, Any]) -> None:
    """The person's identity columns follow 基本信息 (one person, one number: a number another
    file holds is refused, W401, before anything moves); a teacher account whose username is the
    old ID number follows a corrected one."""
    ident = identity_of(doc)
    if ident is not None and ident != (teacher.id_type, teacher.id_number):
        other = db.scalar(select(Teacher).where(Teacher.id_type == ident[0], Teacher.id_number == ident[1],
                                                Teacher.id != teacher.id))
        if other is not None:
            from web.services.teachers import duplicate_refusal

            raise duplicate_refusal(db, other)
        old = teacher.id_number
        teacher.id_type, teacher.id_number = ident
        if old and old != teacher.id_number:
            for account in db.scalars(select(Account).where(Account.teacher_id == teacher.id,
                                                            Account.username == old)):
                account.username = teacher.id_number
    if doc.get("name"):
        teacher.name = str(doc["name"])
    if doc.get("gender") in ("1", "2"):
        teacher.gender = str(doc["gender"])
    if doc.get("birth_date"):
        try:
            teacher.birth_date = dt.date.fromisoformat(str(doc["birth_date"]))
        except ValueError:
            pass


# ------------------------------------------------------------------ what a writer is shown

def shown(db: Session, cat: Catalogue, principal: Principal, teacher: Teacher, set_key: str,
          doc: Mapping[str, Any]) -> dict[str, Any]:
    """A record's values as this writer may see them (``web.privacy`` decides: personal values
    masked without ``personal.read`` at the teacher's unit), for the current values of a 409."""
    from web import privacy

    return privacy.policy(db, principal, teacher).record(cat, set_key, doc)


# ------------------------------------------------------------------ audit

def changes(before: Mapping[str, Any], after: Mapping[str, Any], personal: set[str]) -> dict[str, Any]:
    """Field-level diff for the audit log; personal values are recorded as changed, not shown."""
    out: dict[str, Any] = {}
    for key in sorted(set(before) | set(after)):
        b, a = before.get(key), after.get(key)
        if b == a or (is_empty(b) and is_empty(a)):
            continue
        if key in personal:
            out[key] = {"changed": True}
        elif isinstance(a, str) and a.startswith("data:"):
            out[key] = {"changed": True, "kind": "file"}
        else:
            out[key] = {"before": b, "after": a}
    return out


def _personal(cat: Catalogue, set_key: str, family: str) -> set[str]:
    return {f.key for f in cat.view(set_key, family).fields if f.spec.personal}


# ------------------------------------------------------------------ fields and records written by a business case
# (web/services/from_case.py: write_from_case, remove_from_case; named here, the one write path)

from web.services.from_case import add_many_from_case, remove_from_case, write_from_case  # noqa: E402,F401
