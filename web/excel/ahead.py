"""Writing ahead: while a workbook is still being read, what can no longer change is written.

A PostgreSQL import spends about as long in the database (JSONB, indexes, foreign keys) as in
checking. Phase 2 can only start once every sheet is read, so without this the database would
idle through the reading. In an all-or-nothing import nothing is kept unless everything passes,
so a teacher can be written before the whole file is checked: if anything turns out wrong, the
one rollback undoes it with the rest.

Rows are handed over as they are read, a chunk at a time (``rows_read``), and a thread of its own
decides and queues their writes on the sink's writer, in reading order:
- 基本信息: the chunk's ID numbers are looked up; a new teacher (nobody on file has the number)
  whose row passed every check of its own (engine.fastrow) is written with that record;
- a repeating set: each row of such a teacher that passed its own checks is written as the
  record phase 2 would write (the same document, position and duplicate rows dropped). A row
  that did not pass (the plain path will read it) stops the teacher's records of that set: at the
  end of the sheet those already written are deleted again and phase 2 writes them all.
``sets`` then names, per set, the teachers whose records of it are all written; phase 2 only
checks these teachers' cross-set rules and writes what is left (``TeacherWrite.ahead``).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from engine.emit.excel_template import MAIN_SET
from web.excel.pipeline import Directory, Existing, Parsed, Result, Row, doc_maker

QUEUE = 16 * 1024 * 1024  # bytes of payload that may wait for the database (a sheet sits in memory meanwhile)


class WriteAhead:
    """Use: ``rows_read(set_key, rows)`` as rows are kept, ``sheet_read(set_key)`` after each
    sheet, ``reading_done()``, then ``known(ids)`` for the look-ups phase 2 needs and
    ``teachers`` / ``sets`` for what is written."""

    def __init__(self, parsed: Parsed, directory: Directory, sink: Any, result: Result) -> None:
        self.parsed = parsed
        self.result = result
        self.directory = directory
        self.sink = sink
        self.teachers: set[str] = set()             # written with their 基本信息 record
        self.sets: dict[str, set[str]] = {}         # set key → teachers whose records of it are all written
        self.found: dict[str, Existing] = {}        # look-ups so far: people on file
        self.looked: set[str] = set()               # look-ups so far: every number asked about
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="import-ahead")
        self._last: Future[None] | None = None
        # per set being read: teacher → rows written so far; teachers whose rows stopped
        self._written: dict[str, dict[str, list[Row]]] = {}
        self._stopped: dict[str, set[str]] = {}

    def rows_read(self, set_key: str, rows: list[tuple[str, Row]]) -> None:
        """Rows just kept, in reading order (each with its teacher's ID number)."""
        self._submit(self._main_rows if set_key == MAIN_SET else self._set_rows, set_key, rows)

    def sheet_read(self, set_key: str) -> None:
        if set_key != MAIN_SET:
            self._submit(self._set_done, set_key)

    def reading_done(self) -> None:
        """Wait until every decision is taken (and re-raise a failed look-up)."""
        if self._last is not None:
            self._last.result()
        self.close()

    def close(self) -> None:
        """Wait for the thread (its look-ups use a connection that is closed after the import)."""
        self._pool.shutdown(wait=True)

    def known(self, ids: list[str]) -> tuple[dict[str, Existing], list[str]]:
        """Who of ``ids`` the look-ups found, and the numbers still to look up."""
        return {i: self.found[i] for i in ids if i in self.found}, [i for i in ids if i not in self.looked]

    # -- on the thread, in reading order --------------------------------------------------
    def _submit(self, job: Any, *args: Any) -> None:
        previous = self._last

        def run() -> None:
            if previous is not None:
                previous.result()  # a failure stops everything after it (and is raised again)
            job(*args)
        self._last = self._pool.submit(run)

    def _stop(self) -> bool:
        """True once nothing more should be written: the import will be rolled back."""
        return bool(self.result.errors)

    def _main_rows(self, set_key: str, rows: list[tuple[str, Row]]) -> None:
        ids = [ident for ident, _ in rows]
        self.found.update(self.directory.find(ids))
        self.looked.update(ids)
        plan = self.parsed.plans.get(MAIN_SET)
        if self._stop() or plan is None:
            return
        bad = self.parsed.bad_ids
        new = [(ident, row) for ident, row in rows
               if row.fast and ident not in self.found and ident not in bad and ident not in self.teachers]
        if not new:
            return
        self.sink.write_ahead_teachers(plan.keys, new, self.directory.new_teacher_ids(len(new)), budget=QUEUE)
        self.teachers.update(ident for ident, _ in new)

    def _set_rows(self, set_key: str, rows: list[tuple[str, Row]]) -> None:
        plan = self.parsed.plans.get(set_key)
        if self._stop() or plan is None:
            return
        written = self._written.setdefault(set_key, {})
        stopped = self._stopped.setdefault(set_key, set())
        single = plan.validator.view.spec.cardinality == "one"
        doc = doc_maker(plan.keys)
        out: list[tuple[str, Any, int]] = []  # (teacher, document, position)
        for ident, row in rows:
            if ident not in self.teachers or ident in stopped:
                continue
            before = written.get(ident)
            if not row.fast or (single and before is not None):
                stopped.add(ident)  # the plain path reads it (or phase 2 reports the second row)
                continue
            if before is None:
                written[ident] = before = []
            elif any(r.same_values(row) for r in before):
                continue  # the same row twice is one record (as in phase 2)
            before.append(row)
            out.append((ident, doc(row.values), len(before) - 1))
        if out:
            self.sink.write_ahead_records(set_key, out, budget=QUEUE)

    def _set_done(self, set_key: str) -> None:
        written = self._written.pop(set_key, {})
        stopped = self._stopped.pop(set_key, set())
        undo = [ident for ident in stopped if ident in written]
        if undo and not self._stop():
            self.sink.unwrite_ahead(set_key, {ident: len(written[ident]) for ident in undo})
        self.sets[set_key] = {ident for ident in written if ident not in stopped}
