"""The database side of an import: who is already on file (``DbDirectory``) and writing (``DbSink``).

Everything happens in the caller's session and transaction, so an all-or-nothing import that
finds an error is undone by one rollback. Writes are batched: teachers and records go in
thousands per statement (SQLAlchemy's insertmanyvalues), and on PostgreSQL through ``COPY``, with
teacher ids drawn from the sequence beforehand so records can reference them in the same COPY run.

One person, one number: the directory looks people up by ID number across the whole deployment;
the pipeline refuses anyone on file at another unit. The unique constraint on (id_type, id_number)
stays the last word if two imports race: the loser's transaction fails and nothing of it is kept.
"""

from __future__ import annotations

import datetime as dt
import queue
import re
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

import msgspec
import psycopg

from sqlalchemy import String, UniqueConstraint, any_, bindparam, delete, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.emit.excel_template import MAIN_SET
from web.db.base import utcnow
from web.db.models import Record, Teacher, Unit
from engine import errors as E
from web.excel.pipeline import Existing, Result, TeacherWrite, doc_maker
from web.excel import pgcopy
from web.excel.problems import BadFile, problem

FLUSH_EVERY = 1000  # teachers per batch (the last one is waited for: keep it short)


class DbDirectory:
    """Looks teachers up by ID number; loads the files of those at the target unit."""

    def __init__(self, db: Session, unit: Unit, sets: Sequence[str], *, concurrent: bool = False) -> None:
        self.db = db
        self.unit = unit
        self.sets = sorted(set(sets) | {MAIN_SET})
        # on a connection of its own: the pipeline may look up the next chunk on another thread
        self.concurrent = concurrent

    def new_teacher_ids(self, n: int) -> list[int]:
        return new_teacher_ids(self.db, n)

    def find(self, id_numbers: Sequence[str]) -> dict[str, Existing]:
        if self.db.get_bind().dialect.name == "postgresql":  # one array parameter, not a thousand
            match = Teacher.id_number == any_(bindparam("ids", list(id_numbers), type_=ARRAY(String)))
        else:
            match = Teacher.id_number.in_(list(id_numbers))
        rows = self.db.execute(
            select(Teacher.id, Teacher.id_number, Teacher.unit_id, Teacher.state, Unit.name)
            .join(Unit, Unit.id == Teacher.unit_id).where(match)).all()
        out: dict[str, Existing] = {}
        here: dict[int, Existing] = {}
        for r in rows:
            e = Existing(r.id, r.unit_id, r.name, r.state, r.unit_id == self.unit.id)
            out.setdefault(r.id_number, e)
            if e.here:
                here[e.teacher_id] = e
        if here:
            recs = self.db.execute(
                select(Record.teacher_id, Record.set_key, Record.document)
                .where(Record.teacher_id.in_(list(here)), Record.set_key.in_(self.sets), Record.copy_of_id.is_(None))
                .order_by(Record.teacher_id, Record.set_key, Record.position, Record.id)).all()
            for r in recs:
                here[r.teacher_id].docs.setdefault(r.set_key, []).append(dict(r.document))
        return out


TEACHER_FIELDS = ("id_type", "id_number", "name", "gender", "birth_date")  # the teacher's own columns


def _teacher_fields(id_type: Any, id_number: str, name: Any, gender: Any,
                    birth_date: str) -> tuple[str, str, str, str, dt.date]:
    """The columns of ``teachers`` from the 基本信息 values of ``TEACHER_FIELDS``."""
    return (str(id_type or "1"), id_number, str(name or "")[:50], str(gender or "")[:2],
            dt.date.fromisoformat(birth_date))


def _teacher_of(doc: dict[str, Any]) -> tuple[str, str, str, str, dt.date]:
    """``_teacher_fields`` of a 基本信息 document."""
    return _teacher_fields(*(doc.get(k) for k in TEACHER_FIELDS))  # type: ignore[arg-type]


def _teacher_row(doc: dict[str, Any], unit_id: int, now: dt.datetime) -> dict[str, Any]:
    return {**dict(zip(TEACHER_FIELDS, _teacher_of(doc))), "unit_id": unit_id, "state": "unsubmitted",
            "created_at": now, "updated_at": now}


class _Writer:
    """Runs write jobs one after another on a thread of their own, so that PostgreSQL digests
    one batch (JSONB, indexes, foreign keys: about as long as checking it) while the pipeline
    checks the next. What waits in the queue is bounded (``budget`` bytes of payload): past it,
    the pipeline waits for the database instead of filling the memory."""

    def __init__(self, budget: int = 8 * 1024 * 1024) -> None:
        self.queue: queue.Queue[tuple[Callable[[], None], int] | None] = queue.Queue()
        self.budget = budget
        self.waiting = 0  # bytes queued and not yet written
        self.room = threading.Condition()
        self.error: BaseException | None = None
        self.failed = False  # stays set once a job failed (the error itself is handed over once)
        self.cancelled = False
        self.thread = threading.Thread(target=self._run, name="import-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            job, size = item
            try:
                if not self.failed and not self.cancelled:  # after a failure the caller rolls back
                    job()
            except BaseException as exc:  # handed to the pipeline's thread by raise_error()
                self.error = exc
                self.failed = True
            finally:
                with self.room:
                    self.waiting -= size
                    self.room.notify_all()

    def submit(self, job: Callable[[], None], size: int, budget: float | None = None) -> None:
        """Queue a job of about ``size`` bytes, once there is room for it within ``budget`` (a
        job is let in when nothing waits, however large)."""
        self.raise_error()
        budget = self.budget if budget is None else budget
        with self.room:
            while self.waiting and self.waiting + size > budget and self.thread.is_alive():
                self.room.wait(0.5)
            self.waiting += size
        self.queue.put((job, size))

    def close(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()

    def raise_error(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error


class DbSink:
    """Collects ``TeacherWrite``s and writes them in batches (on PostgreSQL in the background)."""

    def __init__(self, db: Session, unit: Unit, catalogue_version: str, result: Result,
                 actor_id: int | None = None, *, use_copy: bool | None = None,
                 background: bool | None = None) -> None:
        self.db = db
        self.unit = unit
        self.version = catalogue_version
        self.result = result
        self.actor_id = actor_id
        self.pending: list[TeacherWrite] = []
        self.pg = db.get_bind().dialect.name == "postgresql"
        self.use_copy = self.pg if use_copy is None else use_copy
        # a writer thread, which owns the writing connection while the import runs (the caller
        # looks people up on another); SQLite has one writer and one connection: no thread there
        self.background = self.pg if background is None else background
        self.writer: _Writer | None = None  # started by the first batch
        self.ahead_ids: dict[str, int] = {}  # ID number → teacher id, of teachers written ahead
        self.started = False  # a write has happened (the transaction holds locks)
        # for the audit entry: whose files this import created and changed, and what replace deleted
        self.created: list[int] = []
        self.updated: list[int] = []
        self.deleted: dict[str, int] = {}  # set key → records deleted by --subtables replace

    def add(self, item: TeacherWrite) -> None:
        self.pending.append(item)
        if len(self.pending) >= FLUSH_EVERY:
            self.flush()

    def finish(self) -> None:
        self.flush()
        self.close()

    def close(self) -> None:
        """Wait for the writer and hand on its error, if any. Safe to call more than once."""
        if self.writer is not None:
            self.writer.close()
            self.writer.raise_error()

    def discard(self) -> None:
        """Stop writing (the caller rolls back); an error of the writer no longer matters."""
        self.pending = []
        if self.writer is not None:
            self.writer.cancelled = True
            self.writer.close()
            self.writer.error = None

    def flush(self) -> None:
        items, self.pending = self.pending, []
        if not items:
            return
        if self.background:
            # about a kilobyte a document while the batch waits
            self._submit(lambda: self._write(items), 1024 * sum(1 + sum(len(d) for _, d in w.sets.values())
                                                             for w in items))
        else:
            self.started = True
            self._write(items)

    def write_ahead_teachers(self, keys: Sequence[str], items: list[tuple[str, Sequence[Any]]], ids: list[int],
                             budget: float | None = None) -> None:
        """Write new teachers (web/excel/ahead.py) with their 基本信息 record, from rows that
        passed their own checks: (ID number, the row's values in ``keys`` order); ``ids`` drawn
        already. The documents (as phase 2 would build them) and the COPY payloads are made on
        the calling thread; the writer thread only sends them, so it never waits for the GIL."""
        assert len(ids) == len(items)
        now = utcnow()
        doc = doc_maker(tuple(keys))
        values = [v for _, v in items]
        at = [keys.index(k) if k in keys else None for k in TEACHER_FIELDS]
        self.ahead_ids.update(zip((ident for ident, _ in items), ids))
        self.created += ids
        teachers = self._teachers_payload(ids, [_teacher_fields(*(None if i is None else v[i] for i in at))
                                                for v in values], now)
        self.result.teachers_created += len(ids)
        self._queue_ahead(teachers, [(tid, MAIN_SET, 0, doc(v)) for tid, v in zip(ids, values)], now, budget,
                          [ident for ident, _ in items])

    def write_ahead_records(self, set_key: str, records: list[tuple[int, Any, int]],
                            budget: float | None = None) -> None:
        """Write records of teachers written ahead: (teacher id, document, position)."""
        now = utcnow()
        self._queue_ahead(b"", [(tid, set_key, position, doc) for tid, doc, position in records], now, budget)

    def unwrite_ahead(self, set_key: str, counts: dict[str, int]) -> None:
        """Delete the records of ``set_key`` written ahead for these teachers (ID number → how
        many): phase 2 writes them all after all."""
        tids = [self.ahead_ids[ident] for ident in counts]
        self.result.records_written -= sum(counts.values())

        def job() -> None:
            self.db.execute(delete(Record).where(Record.teacher_id.in_(tids), Record.set_key == set_key))
        self._submit(job, 0)

    def _queue_ahead(self, teachers: bytes, records: list[tuple[int, str, int, Any]], now: dt.datetime,
                     budget: float | None, idents: Sequence[str] = ()) -> None:
        payload = self._records_payload(records, now)
        self.result.records_written += len(records)

        def job() -> None:
            if teachers:
                with self._filed_elsewhere_meanwhile(idents):
                    self._copy("teachers", TEACHER_COLUMNS, teachers)
            self._copy("records", RECORD_COLUMNS, payload)
        self._submit(job, len(teachers) + len(payload), budget)

    def _submit(self, job: Callable[[], None], size: int, budget: float | None = None) -> None:
        self.started = True
        if self.writer is None:
            self.writer = _Writer()
        self.writer.submit(job, size, budget)

    # -- one batch --------------------------------------------------------------------------
    def _write(self, items: list[TeacherWrite]) -> None:
        now = utcnow()
        new = [w for w in items if w.existing is None and not w.ahead]
        with self._filed_elsewhere_meanwhile([w.id_number for w in new]):
            ids = self._insert_teachers([w.basic or {} for w in new], now)
        records: list[tuple[int, str, int, dict[str, Any]]] = []
        for w, tid in zip(new, ids):
            assert w.basic is not None
            records.append((tid, MAIN_SET, 0, w.basic))
        self.result.teachers_created += len(new)
        self.created += ids
        updated = [w for w in items if w.existing is not None]
        self.updated += [w.existing.teacher_id for w in updated if w.existing is not None]
        self._ensure_still_editable(updated)
        self._update_existing(updated, now)
        replace: dict[str, list[int]] = {}
        for w, tid in [(w, ids[i]) for i, w in enumerate(new)] + \
                [(w, self.ahead_ids[w.id_number]) for w in items if w.ahead] + \
                [(w, w.existing.teacher_id) for w in updated if w.existing is not None]:
            for set_key, (mode, docs) in w.sets.items():
                start = 0
                if w.existing is not None:
                    if mode == "replace":
                        replace.setdefault(set_key, []).append(tid)
                    else:
                        start = len(w.existing.docs.get(set_key) or [])
                for i, doc in enumerate(docs):
                    records.append((tid, set_key, start + i, doc))
        for set_key, tids in replace.items():
            gone = self.db.execute(delete(Record).where(Record.teacher_id.in_(tids), Record.set_key == set_key,
                                                        Record.copy_of_id.is_(None)))
            self.deleted[set_key] = self.deleted.get(set_key, 0) + (gone.rowcount or 0)
        self._insert_records(records, now)
        self.result.records_written += len(records)

    @contextmanager
    def _filed_elsewhere_meanwhile(self, idents: Sequence[str]) -> Iterator[None]:
        """New teachers clashing with people filed by another transaction after this import
        looked them up (two imports of one person at once): the import stops with V222 naming
        them, like a file submitted meanwhile (V217), and the caller rolls everything back."""
        try:
            yield
        except (IntegrityError, psycopg.errors.UniqueViolation) as exc:
            orig = getattr(exc, "orig", None) or exc
            diag = getattr(orig, "diag", None)
            if diag is not None:  # PostgreSQL names the constraint and the key
                if diag.constraint_name != IDENTITY:
                    raise
                found = re.search(r"=\(([^,)]+)", diag.message_detail or "")
                clashing = [found.group(1)] if found else []
            elif "teachers.id_number" in str(orig):  # SQLite names the columns only: see who is on file
                # (SQLite's transaction goes on after a failed statement; our own rows of this batch are not in)
                clashing = list(self.db.scalars(select(Teacher.id_number).where(Teacher.id_number.in_(list(idents)))))
            else:
                raise
            raise BadFile([problem(E.V_XLSX_RACE, {"id": i}) for i in clashing[:20]]
                          or [problem(E.V_XLSX_RACE, {"id": "、".join(list(idents)[:5])})]) from None

    def _ensure_still_editable(self, updated: list[TeacherWrite]) -> None:
        """Lock the files about to change (the review rule, issue 5) and stop if one of them was
        submitted while the import ran: the whole import is rolled back, nothing is half-written."""
        from web.review.service import lock_editable

        ids = [w.existing.teacher_id for w in updated if w.existing is not None]
        if not ids:
            return
        ok = lock_editable(self.db, ids)
        late = [w for w in updated if w.existing is not None and w.existing.teacher_id not in ok]
        if late:
            raise BadFile([problem(E.V_XLSX_LOCKED, {"id": w.id_number, "state": "待审核/审核通过"})
                           for w in late[:20]])

    def _record(self, teacher_id: int, set_key: str, position: int, doc: dict[str, Any],
                now: dt.datetime) -> dict[str, Any]:
        return {"teacher_id": teacher_id, "set_key": set_key, "position": position, "document": doc,
                "catalogue_version": self.version, "version": 1, "state": "draft",
                "created_at": now, "updated_at": now, "updated_by_id": self.actor_id}

    def _insert_teachers(self, basics: list[dict[str, Any]], now: dt.datetime) -> list[int]:
        if not basics:
            return []
        if self.use_copy:
            ids = new_teacher_ids(self.db, len(basics))
            self._copy("teachers", TEACHER_COLUMNS, self._teachers_payload(ids, [_teacher_of(d) for d in basics], now))
            return ids
        rows = [_teacher_row(doc, self.unit.id, now) for doc in basics]
        result = self.db.execute(insert(Teacher).returning(Teacher.id, sort_by_parameter_order=True), rows)
        return [r[0] for r in result]

    def _teachers_payload(self, ids: list[int], teachers: list[tuple[str, str, str, str, dt.date]],
                          now: dt.datetime) -> bytes:
        """Binary COPY rows (web/excel/pgcopy.py) of ``TEACHER_COLUMNS`` (``_teacher_fields`` each)."""
        tail = pgcopy.integer(self.unit.id) + pgcopy.text("unsubmitted") + pgcopy.timestamptz(now) * 2
        head, count, text, length = pgcopy.ROW_AND_INTEGER.pack, len(TEACHER_COLUMNS), pgcopy.text, pgcopy.LENGTH.pack
        day, epoch = pgcopy.INTEGER.pack, pgcopy.EPOCH_DAY  # a date: its days since 2000-01-01
        few: dict[str, bytes] = {}  # ID types and genders: a handful of values, framed once
        out = []
        for tid, (id_type, number, name, gender, born) in zip(ids, teachers):
            kind = few.get(id_type) or few.setdefault(id_type, text(id_type))
            sex = few.get(gender) or few.setdefault(gender, text(gender))
            number_b, name_b = number.encode(), name.encode()
            out.append(b"%b%b%b%b%b%b%b%b%b" % (head(count, 4, tid), kind, length(len(number_b)), number_b,
                                                length(len(name_b)), name_b, sex, day(4, born.toordinal() - epoch),
                                                tail))
        return b"".join(out)

    def _update_existing(self, updated: list[TeacherWrite], now: dt.datetime) -> None:
        changed = [w for w in updated if w.basic is not None]
        self.result.teachers_updated += len(updated)
        if not changed:
            return
        teachers = Teacher.__table__
        self.db.execute(update(teachers).where(teachers.c.id == bindparam("b_tid")).values(
            name=bindparam("b_name"), gender=bindparam("b_gender"), birth_date=bindparam("b_birth"),
            updated_at=bindparam("b_now")), [
            {"b_tid": w.existing.teacher_id, "b_name": str(w.basic.get("name") or "")[:50],  # type: ignore[union-attr]
             "b_gender": str(w.basic.get("gender") or "")[:2],  # type: ignore[union-attr]
             "b_birth": dt.date.fromisoformat(w.basic["birth_date"]), "b_now": now}  # type: ignore[index]
            for w in changed])
        records = Record.__table__
        stmt = (update(records).where(records.c.teacher_id == bindparam("b_tid"), records.c.set_key == MAIN_SET,
                                      records.c.copy_of_id.is_(None))
                .values(document=bindparam("b_doc"), version=records.c.version + 1, updated_at=bindparam("b_now"),
                        updated_by_id=bindparam("b_actor"), catalogue_version=bindparam("b_cv")))
        have = {r[0] for r in self.db.execute(select(Record.teacher_id).where(
            Record.teacher_id.in_([w.existing.teacher_id for w in changed]),  # type: ignore[union-attr]
            Record.set_key == MAIN_SET))}
        params = [{"b_tid": w.existing.teacher_id, "b_doc": w.basic, "b_now": now, "b_actor": self.actor_id,  # type: ignore[union-attr]
                   "b_cv": self.version} for w in changed if w.existing.teacher_id in have]  # type: ignore[union-attr]
        if params:
            self.db.execute(stmt, params)
        missing = [(w.existing.teacher_id, MAIN_SET, 0, w.basic or {})  # type: ignore[union-attr]
                   for w in changed if w.existing.teacher_id not in have]  # type: ignore[union-attr]
        self._insert_records(missing, now)

    def _insert_records(self, records: list[tuple[int, str, int, dict[str, Any]]], now: dt.datetime) -> None:
        if not records:
            return
        if self.use_copy:
            self._copy("records", RECORD_COLUMNS, self._records_payload(records, now))
            return
        self.db.execute(insert(Record), [self._record(*r, now) for r in records])

    def _records_payload(self, records: list[tuple[int, str, int, Any]], now: dt.datetime) -> bytes:
        """Binary COPY rows (web/excel/pgcopy.py) of ``RECORD_COLUMNS``; the documents are dicts
        or ``doc_maker`` Structs."""
        stamp = pgcopy.timestamptz(now)
        common = (pgcopy.text(self.version) + pgcopy.integer(1) + pgcopy.text("draft") + stamp + stamp
                  + pgcopy.integer(self.actor_id))
        # a row: one pack (its field count, teacher_id, position, the document's length and
        # version), the document, then set_key and the columns every row shares
        head, count = pgcopy.ROW_INTEGERS_JSONB.pack, len(RECORD_COLUMNS)
        tails = {k: pgcopy.text(k) + common for k in {r[1] for r in records}}
        encode, version = _JSON.encode, pgcopy.JSONB_VERSION[0]
        out = []
        for tid, set_key, position, doc in records:
            data = encode(doc)
            out.append(b"%b%b%b" % (head(count, 4, tid, 4, position, len(data) + 1, version), data, tails[set_key]))
        return b"".join(out)

    def _copy(self, table: str, cols: list[str], payload: bytes) -> None:
        raw = self.db.connection().connection.driver_connection
        with raw.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN (FORMAT binary)") as copy:
                copy.write(pgcopy.HEADER)
                copy.write(payload)
                copy.write(pgcopy.TRAILER)


# one person, one number: the constraint a concurrent filing of the same person runs into
IDENTITY = next(c.name for c in Teacher.__table__.constraints
                if isinstance(c, UniqueConstraint) and {col.name for col in c.columns} == {"id_number", "id_type"})
TEACHER_COLUMNS = ["id", "id_type", "id_number", "name", "gender", "birth_date", "unit_id", "state", "created_at",
                   "updated_at"]
# in the order _records_payload frames them: what differs from row to row first (one struct packs
# the integers and the document's length), then set_key and the columns every row of a set shares
RECORD_COLUMNS = ["teacher_id", "position", "document", "set_key", "catalogue_version", "version", "state",
                  "created_at", "updated_at", "updated_by_id"]


def new_teacher_ids(db: Session, n: int) -> list[int]:
    """n ids from the teachers' sequence (PostgreSQL; any connection: sequences ignore transactions),
    as one array: a thousand rows cost the client more than the server."""
    if n <= 0:
        return []
    return list(db.execute(text("SELECT array_agg(nextval(pg_get_serial_sequence('teachers', 'id'))) "
                                "FROM generate_series(1, :n)"), {"n": n}).scalar_one())


_JSON = msgspec.json.Encoder()
