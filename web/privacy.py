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

A list of many teachers (the teacher list, the credit bank's balances, a project's results, the
registration warning list …) asks ``Listing`` the same question for all its rows at once: one
query (``listing``) or a column of the list's own query (``shown_column`` → ``listing_of``); each
row's ID number is then what ``Listing.id_number`` returns, and ``Listing.audit`` logs the page
(``teacher.list`` unless the list names its own action) with how many rows were shown unmasked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from sqlalchemy import ColumnElement, select
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


def shown_column(principal: Principal) -> ColumnElement[bool]:
    """For a query listing teachers: per row, may the reader see that teacher's personal values
    (the rule of ``policy``, in SQL; read it back with ``listing_of``)."""
    return scope.personal_visible(principal)


@dataclass(frozen=True)
class Listing:
    """What one reader sees of the teachers on one list: the ids it may see unmasked."""

    principal: Principal
    shown_ids: frozenset[int]

    def shown(self, teacher_id: int | None) -> bool:
        return teacher_id in self.shown_ids

    def id_number(self, teacher_id: int | None, value: str | None) -> str | None:
        return value if self.shown(teacher_id) else scope.mask_id_number(value)

    def unmasked(self, teacher_ids: Iterable[int]) -> int:
        return sum(1 for t in set(teacher_ids) if t in self.shown_ids)

    def audit(self, db: Session, via: str, teacher_ids: Iterable[int], *, action: str = "teacher.list",
              target_type: str = "teacher", target_id: int | None = None, unit_id: int | None = None,
              only_unmasked: bool = False, **detail: Any) -> None:
        """Log one page of the list (``rows``, ``unmasked``: how many were shown unmasked; never the
        data itself). Nothing for an empty page or a teacher's own row; with ``only_unmasked``, only
        a page that showed someone's personal values (the teacher list's rule)."""
        ids = list(dict.fromkeys(teacher_ids))
        own = self.principal.teacher_id
        if not ids or (own is not None and set(ids) <= {own}):
            return
        unmasked = self.unmasked(ids)
        if only_unmasked and not unmasked:
            return
        audit.record(db, action, actor=self.principal, target_type=target_type, target_id=target_id,
                     unit_id=unit_id, detail={"via": via, "rows": len(ids), "unmasked": unmasked, **detail})


def listing_of(principal: Principal, rows: Iterable[tuple[int, Any]]) -> Listing:
    """The Listing of a query that selected ``(Teacher.id, shown_column(principal))``."""
    return Listing(principal, frozenset(tid for tid, shown in rows if shown))


def listing(db: Session, principal: Principal, teacher_ids: Iterable[int]) -> Listing:
    """The Listing of these teachers, in one query."""
    ids = sorted({t for t in teacher_ids if t is not None})
    if not ids:
        return Listing(principal, frozenset())
    found = set()
    for at in range(0, len(ids), 1000):  # a bounded IN list per query
        found.update(db.scalars(select(Teacher.id).where(Teacher.id.in_(ids[at:at + 1000]),
                                                          shown_column(principal))))
    return Listing(principal, frozenset(found))
