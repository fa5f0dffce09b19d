"""Reading and writing a teacher's records through the forms (HTML and JSON alike).

Every query goes through the one scope filter (``web.scope``); every change is written to the
audit log in the same transaction (``web.audit``). Who fills what:
- a teacher account (教师自助) reads its own file and edits the sets ``filled_by: teacher`` and the
  fields a province gives to the teacher (``fields_filled_by``; the school's staff see those
  read-only: web.forms.locks);
- an account holding ``record.edit`` (信息管理员, 信息录入员) edits every set of the teachers in
  its scope;
- what the review state allows is the review module's rule (``web.review.service.ensure_editable``),
  not a check of its own here: nothing while 待审核; on an approved (审核通过) file new records in
  repeating sets (additions, saved as ``draft`` and submitted by the school from the review pages),
  and additions not yet submitted or sent back; approved records change only through copies.

Saving runs the engine on the record and the whole file (cross-set rules): an error blocks the
save; warnings are saved and shown. Optimistic locking: the caller sends the version it read.
Every save goes through the one write path, ``web.services.records.write`` (issue 14): the same
checks whichever page, API or module writes a record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.catalogue import Catalogue
from engine.spec import SetSpec
from engine.validate import Violation
from web import audit, scope
from web.db.models import Record, Teacher
from web.errors import Refusal, _e
from web.principal import Principal
from web.services import records
from web.services.records import W_FILLED_BY_SCHOOL, Conflict, Refused  # noqa: F401  (the forms' names)

W_SINGLE_RECORD = _e("W616", 409, "「{set}」只有一条记录，不能删除，只能修改",
                     "'{set_en}' holds one record: it can be changed, not deleted",
                     "打开该信息集修改后保存。", "Open the set, change it and save.")


class NotFound(Exception):
    pass


@dataclass
class TeacherFile:
    teacher: Teacher
    family: str
    records: dict[str, list[Record]]  # set key → rows in position order

    def document(self) -> dict[str, Any]:
        """The file as the engine reads it: one dict per single set, a list per repeating set."""
        out: dict[str, Any] = {}
        for key, rows in self.records.items():
            out[key] = [dict(r.document) for r in rows]
        return out

    def engine_file(self, cat: Catalogue) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, spec in cat.sets.items():
            rows = self.records.get(key, [])
            if spec.cardinality == "one":
                out[key] = dict(rows[0].document) if rows else {}
            else:
                out[key] = [dict(r.document) for r in rows]
        return out

    def rows(self, set_key: str) -> list[Record]:
        return self.records.get(set_key, [])

    def row(self, set_key: str, record_id: int) -> Record:
        for r in self.rows(set_key):
            if r.id == record_id:
                return r
        raise NotFound(record_id)


# ------------------------------------------------------------------------- permissions

def may_read_set(principal: Principal) -> bool:
    return principal.has("teacher.read") or principal.has("self.read")


def may_edit_set(principal: Principal, spec: SetSpec, teacher: Teacher) -> bool:
    """Who fills what (the write path's ``who`` check, ``web.services.records.may_fill``). The
    review state is a separate question: ``review_refusal`` / ``require_edit``."""
    return records.may_fill(principal, spec, teacher.id)


def require_edit(db: Session, principal: Principal, spec: SetSpec, teacher: Teacher, *, cat: Catalogue,
                 record: Record | None = None) -> None:
    """Refuse a write the review state or who-fills-what forbids (the write path's ``who`` and
    ``state`` checks, for pages and deletes). ``record`` is the row being changed or deleted (None
    for a new record of ``spec``)."""
    from web.review.service import ensure_editable, lock_teacher

    records.check_who(db, principal, spec, teacher.id)
    teacher = lock_teacher(db, teacher.id)
    if record is not None:
        db.refresh(record)  # its state as of now (an addition may have been submitted meanwhile)
    ensure_editable(db, teacher, record=record, set_key=spec.set, cat=cat, lock=False)


def review_refusal(db: Session, cat: Catalogue, teacher: Teacher, set_key: str,
                   record: Record | None = None) -> Refusal | None:
    """What ``require_edit`` would say about the review state, without locking (drawing pages)."""
    from web.review.service import editable

    return editable(db, teacher, record=record, set_key=set_key, cat=cat)


def may_write(db: Session, cat: Catalogue, principal: Principal, teacher: Teacher, set_key: str,
              record: Record | None = None) -> bool:
    """May this user save ``record`` (None: add a record to the set) now? For drawing pages."""
    spec = cat.sets[set_key]
    if record is None and spec.cardinality == "many" and not records.may_add(principal, spec):
        return False  # the teacher fills fields of the school's records, but adds none (W802)
    if record is not None and records.owner(cat, set_key, record.document) is not None:
        return False  # written whole by a business (W659): drawn read-only
    return may_edit_set(principal, spec, teacher) and review_refusal(db, cat, teacher, set_key, record) is None


# ------------------------------------------------------------------------- reading

def load_file(db: Session, cat: Catalogue, principal: Principal, teacher_id: int,
              permission: str = "teacher.read") -> TeacherFile:
    teacher = scope.get_teacher(db, principal, teacher_id, permission)
    rows = db.scalars(scope.records(principal, permission)
                      .where(Record.teacher_id == teacher.id, Record.copy_of_id.is_(None))
                      .order_by(Record.set_key, Record.position, Record.id)).all()
    records: dict[str, list[Record]] = {}
    for r in rows:
        records.setdefault(r.set_key, []).append(r)
    return TeacherFile(teacher, cat.family_of(teacher.unit.school_type), records)


def audit_read(db: Session, principal: Principal, teacher: Teacher, what: str) -> None:
    """Reading another person's file is audited (never one's own): web.privacy."""
    from web import privacy

    privacy.audit_read(db, principal, teacher, what)


# ------------------------------------------------------------------------- writing

def check_record(cat: Catalogue, tf: TeacherFile, set_key: str, record: Mapping[str, Any],
                 record_id: int | None) -> list[Violation]:
    """The engine on one record in the context of the whole file (as it would be after saving)."""
    validator = cat.validator(set_key, tf.family)
    file = tf.engine_file(cat)
    spec = cat.sets[set_key]
    if spec.cardinality == "one":
        file[set_key] = dict(record)
        return validator.validate(record, file=file)
    siblings = [dict(r.document) for r in tf.rows(set_key)]
    ids = [r.id for r in tf.rows(set_key)]
    if record_id is not None and record_id in ids:
        index = ids.index(record_id)
        siblings[index] = dict(record)
    else:
        index = len(siblings)
        siblings.append(dict(record))
    file[set_key] = siblings
    return validator.validate(record, records=siblings, file=file, index=index)


def save(db: Session, cat: Catalogue, principal: Principal, tf: TeacherFile, set_key: str,
         record: dict[str, Any], *, record_id: int | None = None, version: int | None = None,
         violations: list[Violation] | None = None, require_version: bool = False) -> tuple[Record, list[Violation]]:
    """Create or update one record through the one write path (``web.services.records.write``).
    Raises Refusal (who, state; W440 without a version when ``require_version``), Refused
    (errors), Conflict (stale version)."""
    if violations is None:
        violations = check_record(cat, tf, set_key, record, record_id)
    row, found = records.write(db, cat, principal, tf.teacher.id, set_key, record, record_id=record_id,
                               version=version, violations=violations, require_version=require_version)
    if all(r.id != row.id for r in tf.rows(set_key)):
        tf.records.setdefault(set_key, []).append(row)
    return row, found


def delete(db: Session, cat: Catalogue, principal: Principal, tf: TeacherFile, set_key: str, record_id: int,
           *, version: int | None = None, require_version: bool = False) -> None:
    spec = cat.sets[set_key]
    if spec.cardinality == "one":
        raise Refusal(W_SINGLE_RECORD, set=spec.label.zh, set_en=spec.label.get("en"))
    row = tf.row(set_key, record_id)
    records.check_owned(cat, row)  # W659: a record a business wrote (国内培训 from the credit bank)
    records.check_add(principal, spec)  # W802: a teacher deletes no record of a set the school fills
    require_edit(db, principal, spec, tf.teacher, record=row, cat=cat)
    if require_version:
        records.require_version(version)
    if version is not None and version != row.version:
        raise Conflict(row.version, dict(row.document))
    audit.record(db, "record.delete", actor=principal, target_type="record", target_id=row.id,
                 unit_id=tf.teacher.unit_id,
                 detail={"teacher": tf.teacher.id, "set": set_key,
                         "changes": records.changes(dict(row.document), {},
                                                    records._personal(cat, set_key, tf.family))})
    db.delete(row)
    db.flush()
    tf.records[set_key] = [r for r in tf.rows(set_key) if r.id != record_id]


# ------------------------------------------------------------------------- completeness

@dataclass
class Problem:
    set_key: str
    set_label: str
    record_id: int | None
    index: int | None
    field: str
    field_label: str
    severity: str
    message: str
    rule: str


@dataclass
class Completeness:
    teacher: Teacher
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == "warning")

    @property
    def complete(self) -> bool:
        return self.errors == 0


def completeness(cat: Catalogue, tf: TeacherFile, lang: str = "zh") -> Completeness:
    """完整性检测 of one file: every required field, every rule, ≥ 1 record (or 无) per repeating set."""
    found = cat.check_file(tf.family, tf.engine_file(cat))
    out = Completeness(tf.teacher)
    for v in found:
        spec = cat.sets.get(v.set)
        rows = tf.rows(v.set)
        record_id = None
        if spec is not None and spec.cardinality == "one":
            record_id = rows[0].id if rows else None
        elif v.index is not None and v.index < len(rows):
            record_id = rows[v.index].id
        fv = cat.view(v.set, tf.family).field(v.field) if spec is not None and v.field else None
        out.problems.append(Problem(v.set, spec.label.get(lang) if spec else v.set, record_id, v.index, v.field,
                                    fv.label(lang) if fv else "", v.severity, v.message(lang), v.code))
    return out


def teacher_ids_in_scope(db: Session, principal: Principal, ids: Iterable[int]) -> list[int]:
    ids = list(ids)
    if not ids:
        return []
    return list(db.scalars(select(Teacher.id).where(scope.teacher_filter(principal, "teacher.read"),
                                                   Teacher.id.in_(ids)).order_by(Teacher.id)))


def fingerprint(db: Session, principal: Principal, teacher_ids: list[int]) -> dict[int, tuple[int, int, str]]:
    """(number of records, sum of versions, newest change) per teacher: when it has not moved,
    a cached completeness result is still right."""
    if not teacher_ids:
        return {}
    rows = db.execute(select(Record.teacher_id, func.count(), func.sum(Record.version), func.max(Record.updated_at))
                      .join(Teacher, Teacher.id == Record.teacher_id)
                      .where(scope.teacher_filter(principal, "teacher.read"), Record.teacher_id.in_(teacher_ids),
                             Record.copy_of_id.is_(None))
                      .group_by(Record.teacher_id)).all()
    return {r[0]: (int(r[1]), int(r[2] or 0), str(r[3])) for r in rows}
