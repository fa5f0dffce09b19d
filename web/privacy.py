"""Who sees which record values: masking decided in one place (issue 14, finding 1).

A value is *personal* when its field is marked ``personal: true`` in the set's YAML (ID number,
birth date, contact details, salary, ethics records, the photo …), or is derived from such a
field. A reader sees another person's personal values only when it holds ``personal.read`` at
the teacher's unit (``web.scope.may_see_personal``); a teacher sees its own file. Everyone else
(信息查询员) gets the mask: the ID number as ``3601********1234``, anything else as ``***``.

Every path that renders record values — forms and their tables, the print form, the JSON API,
review cases (diffs, additions), copies (复本), exports — asks ``Policy`` and renders what it
returns; none decides on its own. ``tests/privacy/test_masking.py`` walks every route of the app
as a viewer at each level and finds no unmasked value.

Every read of another person's record values is audited (``teacher.read``, with ``via`` naming
the page or endpoint and ``unmasked`` saying whether the values were shown), masked or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy.orm import Session

from engine.catalogue import Catalogue
from engine.fieldtypes import is_empty
from web import audit, scope
from web.db.models import Teacher
from web.principal import Principal

MASK = "***"


def mask_value(key: str, value: Any) -> Any:
    """The mask of one personal value (empty values stay empty: 'nothing filled' is no secret)."""
    if is_empty(value):
        return value
    if key == "id_number":
        return scope.mask_id_number(str(value))
    return MASK


_KEYS: dict[tuple[int, str], frozenset[str]] = {}


def personal_keys(cat: Catalogue, set_key: str) -> frozenset[str]:
    """Keys of the set's personal fields in any school family (and derived fields fed by one)."""
    cache_key = (id(cat), set_key)
    found = _KEYS.get(cache_key)
    if found is None:
        spec = cat.sets.get(set_key)
        keys: set[str] = set()
        if spec is not None:
            for f in spec.all_fields():
                d = f.derived
                source = None
                if d is not None and d.from_set in cat.sets:
                    source = next((g for g in cat.sets[d.from_set].all_fields()
                                   if g.key == getattr(d, "field", None)), None)
                if f.personal or (source is not None and source.personal):
                    keys.add(f.key)
            for family in cat.families:  # a variant or an overlay may mark a field in one family
                if set_key in cat.set_keys(family):
                    keys.update(v.key for v in cat.view(set_key, family).fields if v.spec.personal)
        if set_key == "basic":
            keys.update(("id_number", "birth_date"))
        found = _KEYS[cache_key] = frozenset(keys)
    return found


@dataclass(frozen=True)
class Policy:
    """What one reader sees of one teacher's record values."""

    principal: Principal
    teacher: Teacher
    shown: bool

    @property
    def own(self) -> bool:
        return self.principal.teacher_id is not None and self.principal.teacher_id == self.teacher.id

    def record(self, cat: Catalogue, set_key: str, doc: Mapping[str, Any] | None) -> dict[str, Any]:
        """One record's values as this reader may see them."""
        out = dict(doc or {})
        if self.shown:
            return out
        for key in personal_keys(cat, set_key):
            if key in out:
                out[key] = mask_value(key, out[key])
        return out

    def value(self, cat: Catalogue, set_key: str, key: str, value: Any) -> Any:
        if self.shown or key not in personal_keys(cat, set_key):
            return value
        return mask_value(key, value)

    def masks(self, cat: Catalogue, set_key: str, key: str) -> bool:
        """Is this field's value hidden from the reader?"""
        return not self.shown and key in personal_keys(cat, set_key)

    def person(self) -> dict[str, Any]:
        """The teacher's own columns (ID number, birth date) as the reader may see them."""
        t = self.teacher
        return {"id_number": t.id_number if self.shown else scope.mask_id_number(t.id_number),
                "birth_date": t.birth_date.isoformat() if self.shown and t.birth_date else None,
                "masked": not self.shown}

    def audit(self, db: Session, via: str, **detail: Any) -> None:
        """Log the read of another person's record values (never one's own)."""
        if self.own:
            return
        audit.record(db, "teacher.read", actor=self.principal, target_type="teacher", target_id=self.teacher.id,
                     unit_id=self.teacher.unit_id, detail={"via": via, "unmasked": self.shown, **detail})


def policy(db: Session, principal: Principal, teacher: Teacher) -> Policy:
    return Policy(principal, teacher, scope.may_see_personal(db, principal, teacher))


def audit_read(db: Session, principal: Principal, teacher: Teacher, via: str) -> None:
    """Log a read of another person's record values (``teacher.read``)."""
    policy(db, principal, teacher).audit(db, via)
