"""The impact of a catalogue change on the records already in the database (issue 18, point 12).

``impact(db, old, new)`` reads every record of the sets the change touches (the sets whose fields,
rules or hidden fields differ between the two catalogues), validates each against both catalogues
and reports, per rule (or V code) and per unit, how many records would become invalid and how many
would become valid, with the first examples (names and ID numbers masked). It writes nothing.

``old`` is the catalogue the records were validated against (their ``catalogue_version``), ``new``
the proposed one (the working tree, or a YAML uploaded in the web app).
"""

from __future__ import annotations

import bisect
import json
import secrets
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.catalogue import Catalogue
from engine.expr import reads_only_members
from engine.fieldtypes import REGISTRY
from web.db.models import Record, Teacher, Unit
from web.scope import mask_id_number, mask_name
from web.services.recheck import masked

Progress = Callable[[str, int, int], None]
EXAMPLES = 3


def _dump(obj: Any) -> str:
    return json.dumps(obj.model_dump(mode="json", by_alias=True), sort_keys=True, ensure_ascii=False)


# who fills what (a set's or a field's filled_by) changes no record's validity: not a change to assess
_NOT_VALIDATION = {"filled_by": True, "fields": {"__all__": {"filled_by"}},
                   "sections": {"__all__": {"fields": {"__all__": {"filled_by"}}}}}


def _set_dump(spec: Any) -> str:
    return json.dumps(spec.model_dump(mode="json", by_alias=True, exclude=_NOT_VALIDATION), sort_keys=True,
                      ensure_ascii=False)


def _rule_dumps(cat: Catalogue, set_key: str) -> dict[str, str]:
    return {r.id: _dump(r) for r in cat.resolved.rules.values() if r.set == set_key}


def changes(old: Catalogue, new: Catalogue) -> dict[str, frozenset[str] | None]:
    """Per set of ``new`` that differs from ``old``: the ids of the rules that changed (added, removed
    or edited) when only rules did, else None (fields or hidden fields changed: check everything)."""
    out: dict[str, frozenset[str] | None] = {}
    for key, rs in new.resolved.sets.items():
        before = old.resolved.sets.get(key)
        rules_new, rules_old = _rule_dumps(new, key), _rule_dumps(old, key)
        ids = frozenset(k for k in rules_new.keys() | rules_old.keys() if rules_new.get(k) != rules_old.get(k))
        if before is None or _set_dump(before.spec) != _set_dump(rs.spec) or before.hidden != rs.hidden:
            out[key] = None
        elif ids:
            out[key] = ids
    return out


def changed_sets(old: Catalogue, new: Catalogue) -> list[str]:
    """Sets of ``new`` whose definition differs from ``old``'s (fields, hidden fields, rules)."""
    return list(changes(old, new))


@dataclass
class CodeImpact:
    """One rule or check: the records it would newly reject (``invalid``) or stop rejecting (``valid``)."""

    code: str
    message_zh: str = ""
    message_en: str = ""
    invalid: int = 0
    valid: int = 0
    units: dict[str, list[int]] = field(default_factory=dict)  # unit code → [invalid, valid]
    examples: list[dict[str, Any]] = field(default_factory=list)
    _first: tuple[Any, ...] = field(default=(), repr=False)  # (teacher, set, position) the message is of
    _orders: list[tuple[Any, ...]] = field(default_factory=list, repr=False)  # of the examples

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "message_zh": self.message_zh, "message_en": self.message_en,
                "invalid": self.invalid, "valid": self.valid,
                "units": [{"unit": u, "invalid": c[0], "valid": c[1]} for u, c in sorted(self.units.items())],
                "examples": self.examples}


@dataclass
class Report:
    old_version: str
    new_version: str
    sets: list[str]
    records: int = 0
    other_versions: int = 0  # records validated under neither catalogue (an older deployment)
    became_invalid: int = 0
    became_valid: int = 0
    codes: dict[str, CodeImpact] = field(default_factory=dict)
    # what was evaluated: per set, the ids of the rules that changed ("*": the whole set's validation)
    evaluated: dict[str, list[str] | str] = field(default_factory=dict)
    fields: list[str] | None = None  # the only fields read (None: whole documents)

    def as_json(self) -> dict[str, Any]:
        return {"old_version": self.old_version, "new_version": self.new_version, "sets": self.sets,
                "evaluated": self.evaluated, "fields": self.fields,
                "records": self.records, "other_versions": self.other_versions,
                "became_invalid": self.became_invalid, "became_valid": self.became_valid,
                "codes": [c.as_json() for c in sorted(self.codes.values(), key=lambda c: (-c.invalid, -c.valid, c.code))]}


def _errors(validator: Any, doc: dict[str, Any], docs: list[dict[str, Any]] | None, i: int,
            rules: frozenset[str] | None) -> dict[str, Any]:
    """(code → first violation) of the errors (warnings never make a record invalid); only those of
    ``rules`` when only they changed (a one-rule change costs one rule per record, not a validation)."""
    out: dict[str, Any] = {}
    found = (validator.validate(doc, records=docs, index=i) if rules is None
             else validator.validate_rules(doc, rules, records=docs, index=i))
    for v in found:
        if v.severity == "error":
            out.setdefault(v.code, v)
    return out


class _Impact:
    def __init__(self, old: Catalogue, new: Catalogue, sets: dict[str, frozenset[str] | None], examples: int) -> None:
        self.old, self.new, self.examples, self.sets = old, new, examples, sets
        self.report = Report(old.version, new.version, list(sets))
        self.plans: dict[tuple[str, str | None], tuple[Any, Any, bool]] = {}  # (set, school type) → validators

    def code(self, code: str, violation: Any, set_key: str, doc: dict[str, Any], order: tuple[Any, ...]) -> CodeImpact:
        """The rule's entry; its message is that of the first record in (teacher, set, position) order,
        whatever order the records were read in."""
        c = self.report.codes.get(code)
        if c is None or order < c._first:
            if c is None:
                c = self.report.codes[code] = CodeImpact(code)
            c._first = order
            c.message_zh = masked(self.new, set_key, doc, violation.message_zh)
            c.message_en = masked(self.new, set_key, doc, violation.message_en)
        return c

    def plan(self, set_key: str, school_type: str | None) -> tuple[Any, Any, bool]:
        """(new validator, old validator, repeating set) for a set and school type; a validator is None
        where its catalogue has none of the rules to evaluate (a new rule: the old side never fails it)."""
        plan = self.plans.get((set_key, school_type))
        if plan is None:
            family = self.new.family_of(school_type)
            rules = self.sets[set_key]

            def side(cat: Catalogue) -> Any:
                if set_key not in cat.resolved.sets:
                    return None
                validator = cat.validator(set_key, family)
                return validator if rules is None or validator.has_rules(rules) else None

            plan = self.plans[(set_key, school_type)] = (
                side(self.new), side(self.old), self.new.resolved.sets[set_key].spec.cardinality == "many")
        return plan

    def group(self, tid: int, set_key: str, school_type: str | None, unit: str, who: tuple[str, str],
              rows: list[tuple[int, dict[str, Any]]]) -> None:
        """One teacher's records of one set, in order (rules may read the set's other records)."""
        docs = [d for _, d in rows]
        plan = self.plan(set_key, school_type)
        for i, (position, doc) in enumerate(rows):
            self.judge(plan, tid, set_key, unit, who, position, doc, docs if plan[2] else None, i)

    def judge(self, plan: tuple[Any, Any, bool], tid: int, set_key: str, unit: str, who: tuple[str, str],
              position: int, doc: dict[str, Any], docs: list[dict[str, Any]] | None, i: int) -> None:
        """One record against both catalogues."""
        newer, older, _many = plan
        rules = self.sets[set_key]
        after = _errors(newer, doc, docs, i, rules) if newer is not None else {}
        before = _errors(older, doc, docs, i, rules) if older is not None else {}
        if after.keys() == before.keys():
            return
        if after and not before:
            self.report.became_invalid += 1
        elif before and not after:
            self.report.became_valid += 1
        order = (tid, set_key, position)
        for code in after.keys() - before.keys():
            self.count(code, after[code], unit, 0, who, set_key, order, doc)
        for code in before.keys() - after.keys():
            self.count(code, before[code], unit, 1, who, set_key, order, doc)

    def count(self, code: str, v: Any, unit: str, which: int, who: tuple[str, str], set_key: str,
              order: tuple[Any, ...], doc: dict[str, Any]) -> None:
        c = self.code(code, v, set_key, doc, order)
        if which == 0:
            c.invalid += 1
        else:
            c.valid += 1
        c.units.setdefault(unit, [0, 0])[which] += 1
        if which == 0 and (len(c.examples) < self.examples or order < c._orders[-1]):
            # the first examples in (teacher, set, position) order, whatever order the rows came in
            at = bisect.bisect(c._orders, order)
            c._orders.insert(at, order)
            c.examples.insert(at, {"unit": unit, "teacher": mask_name(who[0]), "id_number": mask_id_number(who[1]),
                                   "set": set_key, "record": order[2], "field": v.field,
                                   "message": masked(self.new, set_key, doc, v.message_zh)})
            del c._orders[self.examples:], c.examples[self.examples:]


_PLAIN = frozenset({"record", "today", "this_year", "school_type"})


def fields_read(cats: Iterable[Catalogue], changed: dict[str, frozenset[str] | None]) -> list[str] | None:
    """The record fields the changed rules read, when that is all they read (then only those are
    fetched: reading whole documents is most of a scan's cost); None when whole documents are needed."""
    keys: set[str] = set()
    for set_key, ids in changed.items():
        if ids is None:
            return None
        for cat in cats:
            for rid in ids:
                rule = cat.compiler.rules.get(rid)
                if rule is None:
                    continue
                for e in (rule.check, rule.when):
                    if e is None:
                        continue
                    if not e.variables <= _PLAIN or not reads_only_members(e.src, "record"):
                        return None
                    keys |= e.refs
                keys |= set(rule.spec.fields)
    return sorted(keys)


def _text_keys(cats: Iterable[Catalogue], sets: list[str], keys: list[str]) -> set[str]:
    """Of ``keys``, the fields every catalogue stores as text (read as text with ``->>``: no JSON to decode)."""
    out = set(keys)
    for cat in cats:
        for set_key in sets:
            rs = cat.resolved.sets.get(set_key)
            if rs is None:
                continue
            types = {f.key: f.type for f in rs.spec.all_fields()}
            out = {k for k in out if k in types and REGISTRY[types[k]].stores == (str,)}
    return out


def _query(db: Session, sets: list[str], unit_ids: Iterable[int] | None, keys: list[str] | None, text: set[str],
           ordered: bool) -> Any:
    """The records of ``sets``: (teacher, set, position, catalogue version, name, ID number, unit code,
    school type, then the whole document, or the value of each of ``keys``)."""
    sqlite = db.get_bind().dialect.name == "sqlite"
    if keys is None:
        values: list[Any] = [Record.document]
    elif sqlite:
        values = [func.json_object(*[x for k in keys for x in (k, Record.document[k])])]
    else:
        values = [Record.document[k].as_string() if k in text else Record.document[k] for k in keys]
    q = (select(Record.teacher_id, Record.set_key, Record.position, Record.catalogue_version,
                Teacher.name, Teacher.id_number, Unit.code, Unit.school_type, *values)
         .join(Teacher, Teacher.id == Record.teacher_id).join(Unit, Unit.id == Teacher.unit_id)
         .where(Record.set_key.in_(sets), Record.copy_of_id.is_(None)))
    if ordered:
        q = q.order_by(Record.teacher_id, Record.set_key, Record.position)
    if unit_ids is not None:
        q = q.where(Teacher.unit_id.in_(list(unit_ids)))
    return q


def _stream(db: Session, q: Any, batch: int) -> Iterator[Sequence[Any]]:
    """The rows of ``q`` in batches of ``batch``, from a server-side cursor on PostgreSQL (psycopg's
    own, rows as plain tuples: at millions of rows SQLAlchemy's row objects cost as much as the scan)."""
    conn = db.connection()
    if conn.dialect.name != "postgresql":
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(q)
        for part in result.partitions(batch):
            yield from part
        return
    sql = str(q.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    raw = conn.connection.driver_connection
    with raw.cursor(name=f"impact_{secrets.token_hex(4)}") as cur:
        cur.itersize = batch
        cur.execute(sql)
        while True:
            chunk = cur.fetchmany(batch)
            if not chunk:
                return
            yield from chunk


def _rows(db: Session, sets: list[str], unit_ids: Iterable[int] | None, batch: int,
          keys: list[str] | None = None) -> Iterator[Sequence[Any]]:
    """A plain scan of the records impact reads (whole documents, in order): the benchmark's floor."""
    return _stream(db, _query(db, sets, unit_ids, keys, set(), ordered=True), batch)


def impact(db: Session, old: Catalogue, new: Catalogue, *, unit_ids: Iterable[int] | None = None,
           examples: int = EXAMPLES, progress: Progress | None = None, batch: int = 5000) -> Report:
    """What ``new`` would change about the records ``old`` accepted or rejected. Reads only.

    Only the sets the change touches are read; when only rules changed, only those rules run, and when
    they read nothing but the record's own fields, only those fields are fetched (as text where stored
    as text) and in no particular order (each record is judged alone; the report names the first
    examples in file order all the same); otherwise each teacher's records of a set come together."""
    changed = changes(old, new)
    sets = list(changed)
    run = _Impact(old, new, changed, examples)
    run.report.evaluated = {k: sorted(v) if v is not None else "*" for k, v in changed.items()}
    if not sets:
        return run.report
    count_q = select(func.count()).select_from(Record).where(Record.set_key.in_(sets), Record.copy_of_id.is_(None))
    if unit_ids is not None:
        count_q = count_q.join(Teacher, Teacher.id == Record.teacher_id).where(Teacher.unit_id.in_(list(unit_ids)))
    total = db.scalar(count_q) or 0
    versions = {old.version, new.version}
    keys = fields_read((old, new), changed)
    run.report.fields = keys
    alone = keys is not None  # every record judged on its own
    text = _text_keys((old, new), sets, keys) if keys is not None else set()
    q = _query(db, sets, unit_ids, keys, text, ordered=not alone)
    one_value = keys is None or db.get_bind().dialect.name == "sqlite"
    key: tuple[int, str] | None = None
    rows: list[tuple[int, dict[str, Any]]] = []
    meta: tuple[int, str, str | None, str, tuple[str, str]] = (0, "", None, "", ("", ""))
    done = other = 0
    for row in _stream(db, q, batch):
        tid, set_key, position, version, name, id_number, unit, school_type = row[:8]
        if one_value:
            doc = row[8]
            if isinstance(doc, str):  # SQLite's json_object comes back as text
                doc = json.loads(doc)
            doc = doc or {}
        else:
            doc = dict(zip(keys, row[8:]))  # type: ignore[arg-type]
        other += version not in versions
        done += 1
        if alone:
            run.judge(run.plan(set_key, school_type), tid, set_key, unit, (name, id_number), position, doc, None, 0)
        else:
            if (tid, set_key) != key:
                if rows:
                    run.group(*meta, rows)
                key, rows, meta = (tid, set_key), [], (tid, set_key, school_type, unit, (name, id_number))
            rows.append((position, doc))
        if progress is not None and done % batch == 0:
            progress("check", done, total)
    if rows:
        run.group(*meta, rows)
    run.report.records, run.report.other_versions = done, other
    if progress is not None:
        progress("check", done, total)
    return run.report


__all__ = ["impact", "changes", "changed_sets", "Report", "CodeImpact"]
