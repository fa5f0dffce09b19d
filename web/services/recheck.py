"""规则调整后需核实的记录 (issue 18, point 13): records last saved under another catalogue version
that the catalogue now in force rejects, listed for the units that hold them.

A rule change is deployed; records saved before it carry the old ``catalogue_version``. Saving a
record validates it against the current catalogue and stamps the current version (web/review/
changes.py), so a record leaves this list when it is saved right. Until then the school sees it here
rather than meeting the failure only at 报送. Names and ID numbers are masked (the list is for finding
the file, which opens through the usual, audited page). Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.catalogue import Catalogue
from web import scope
from web.db.models import Record, Teacher, Unit
from web.principal import Principal

LIMIT = 200


def masked(cat: Catalogue, set_key: str, doc: dict[str, Any], text: str) -> str:
    """A violation's message with the record's personal values masked (V007 and the like quote the
    value; a list or a report never shows a personal value: web.privacy)."""
    from web.privacy import mask_value, personal_keys

    for key in personal_keys(cat, set_key):
        value = doc.get(key)
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, (str, int)) and not isinstance(v, bool) and len(str(v)) >= 2:
                text = text.replace(str(v), str(mask_value(key, v)))
    return text


@dataclass
class Stale:
    teacher_id: int
    teacher: str           # masked
    id_number: str         # masked
    unit_code: str
    unit_name: str
    set_key: str
    set_label: str
    position: int
    version: str           # the catalogue version the record was last saved under
    problems: list[dict[str, str]] = field(default_factory=list)  # field label, message (zh, en)

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def needs_recheck(db: Session, cat: Catalogue, principal: Principal, *, limit: int = LIMIT) -> list[Stale]:
    """The first ``limit`` records in the principal's scope (``teacher.read``) that were saved under
    another catalogue version and fail the current one, by unit, teacher, set."""
    scope.require(principal, "teacher.read")
    q = (select(Record.teacher_id, Record.set_key, Record.position, Record.document, Record.catalogue_version,
                Teacher.name.label("teacher_name"), Teacher.id_number, Unit.code.label("unit_code"),
                Unit.name.label("unit_name"), Unit.school_type)
         .join(Teacher, Teacher.id == Record.teacher_id).join(Unit, Unit.id == Teacher.unit_id)
         .where(scope.teacher_filter(principal, "teacher.read"), Record.copy_of_id.is_(None),
                Record.catalogue_version != cat.version, Record.set_key.in_(list(cat.resolved.sets)))
         .order_by(Unit.code, Record.teacher_id, Record.set_key, Record.position))
    out: list[Stale] = []
    group: list[Any] = []

    def flush() -> None:
        if not group:
            return
        first = group[0]
        set_key = first.set_key
        family = cat.family_of(first.school_type)
        validator = cat.validator(set_key, family)
        spec = cat.resolved.sets[set_key].spec
        many = spec.cardinality == "many"
        docs = [r.document or {} for r in group]
        labels = {f.key: f for f in validator.view.fields}
        for i, r in enumerate(group):
            errors = [v for v in validator.validate(docs[i], records=docs if many else None, index=i)
                      if v.severity == "error"]
            if not errors or len(out) >= limit:
                continue
            out.append(Stale(r.teacher_id, scope.mask_name(r.teacher_name), scope.mask_id_number(r.id_number) or "",
                             r.unit_code, r.unit_name, set_key, spec.label.zh, r.position, r.catalogue_version,
                             [{"field": labels[v.field].label("zh") if v.field in labels else v.field,
                               "message_zh": masked(cat, set_key, docs[i], v.message_zh),
                               "message_en": masked(cat, set_key, docs[i], v.message_en)} for v in errors]))

    key = None
    for row in db.execute(q.execution_options(yield_per=1000)):
        if (row.teacher_id, row.set_key) != key:
            flush()
            group, key = [], (row.teacher_id, row.set_key)
            if len(out) >= limit:
                break
        group.append(row)
    else:
        flush()
    return out


__all__ = ["needs_recheck", "Stale", "LIMIT"]
