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
  A sheet read before 基本信息 (while it was parsed: web/excel/reader.alongside_main) is
  handed over whole once 基本信息 is read.
``sets`` then names, per set, the teachers whose records of it are all written; phase 2 only
checks these teachers' cross-set rules and writes what is left (``TeacherWrite.ahead``).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from engine.emit.excel_template import MAIN_SET
from web.excel.pipeline import BATCH, Directory, Existing, Parsed, Result, Row, doc_maker

QUEUE = 4 * 1024 * 1024  # bytes of payload that may wait for the database (a sheet sits in memory meanwhile)


class WriteAhead:
    """Use: ``rows_read(set_key, rows)`` as rows are kept, ``sheet_read(set_key)`` after each
    sheet, ``reading_done()``, then ``known(ids)`` for the look-ups phase 2 needs and
    ``teachers`` / ``sets`` for what is written."""

    def __init__(self, parsed: Parsed, directory: Directory, sink: Any, result: Result) -> None:
        self.parsed = parsed
        self.result = result
        self.directory = directory
        self.sink = sink
        self.sets: dict[str, set[str]] = {}         # set key → teachers whose records of it are all written
        self.found: dict[str, Existing] = {}        # look-ups so far: people on file (of 基本信息's numbers)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="import-ahead")
        self._last: Future[None] | None = None
        # per set being read: teacher → rows written so far; teachers whose rows stopped
        self._written: dict[str, dict[str, tuple[Row, ...]]] = {}
        self._stopped: dict[str, set[str]] = {}
        self._main_read = False
        self._budget: float = QUEUE  # payload bytes that may wait for the database
        self._early: list[str] = []  # sets read before 基本信息, not yet written

    def rows_read(self, set_key: str, rows: list[tuple[str, Row]]) -> None:
        """Rows just kept, in reading order (each with its teacher's ID number)."""
        if set_key == MAIN_SET:
            self._submit(self._main_rows, set_key, rows)
        elif self._main_read:
            self._submit(self._set_rows, set_key, rows)
        # else: a sheet read before 基本信息 (web/excel/reader.alongside_main): its rows wait in
        # parsed.subs until their teachers are written

    def sheet_read(self, set_key: str) -> None:
        if set_key == MAIN_SET:
            self._main_read = True
            self._catch_up()
        elif self._main_read:
            self._submit(self._set_done, set_key)
        else:
            self._early.append(set_key)

    def reading_done(self) -> None:
        """Wait until every decision is taken (and re-raise a failed look-up)."""
        # the sheets are read and freed: what is still to be written may queue up without bound,
        # so that phase 2 checks while the database catches up instead of after it
        self._budget = float("inf")
        self._catch_up()  # no 基本信息 was read: nobody is written ahead, but sets are settled
        if self._last is not None:
            self._last.result()
        self.close()

    def close(self) -> None:
        """Wait for the thread (its look-ups use a connection that is closed after the import)."""
        self._pool.shutdown(wait=True)

    @property
    def teachers(self) -> dict[str, int]:
        """The teachers written with their 基本信息 record (ID number → teacher id)."""
        return self.sink.ahead_ids  # type: ignore[no-any-return]

    def known(self, ids: list[str]) -> tuple[dict[str, Existing], list[str]]:
        """Who of ``ids`` the look-ups found, and the numbers still to look up (every number of
        基本信息 was looked up here; the others, only on other sheets, were not)."""
        main = self.parsed.main
        return {i: self.found[i] for i in ids if i in self.found}, [i for i in ids if i not in main]

    # -- on the thread, in reading order --------------------------------------------------
    def _submit(self, job: Any, *args: Any) -> None:
        previous = self._last

        def run() -> None:
            if previous is not None:
                previous.result()  # a failure stops everything after it (and is raised again)
            job(*args)
        self._last = self._pool.submit(run)

    def _catch_up(self) -> None:
        """Hand over the sets read before 基本信息, as if their rows came now."""
        early, self._early = self._early, []
        for set_key in early:
            self._submit(self._early_set, set_key)

    def _early_set(self, set_key: str) -> None:
        by_teacher = list(self.parsed.subs.get(set_key, {}).items())  # complete: its sheet is read
        for start in range(0, len(by_teacher), BATCH):
            self._set_rows(set_key, [(ident, row) for ident, rows in by_teacher[start:start + BATCH] for row in rows])
        self._set_done(set_key)

    def _stop(self) -> bool:
        """True once nothing more should be written: the import will be rolled back."""
        return bool(self.result.errors)

    def _main_rows(self, set_key: str, rows: list[tuple[str, Row]]) -> None:
        ids = [ident for ident, _ in rows]
        self.found.update(self.directory.find(ids))
        plan = self.parsed.plans.get(MAIN_SET)
        if self._stop() or plan is None:
            return
        bad = self.parsed.bad_ids
        new = [(ident, row.values) for ident, row in rows
               if row.fast and ident not in self.found and ident not in bad and ident not in self.teachers]
        if not new:
            return
        ids = self.directory.new_teacher_ids(len(new))
        self.sink.write_ahead_teachers(plan.keys, new, ids, budget=self._budget)

    def _set_rows(self, set_key: str, rows: list[tuple[str, Row]]) -> None:
        plan = self.parsed.plans.get(set_key)
        if self._stop() or plan is None:
            return
        written = self._written.setdefault(set_key, {})
        stopped = self._stopped.setdefault(set_key, set())
        single = plan.validator.view.spec.cardinality == "one"
        doc = doc_maker(plan.keys)
        teachers = self.teachers
        out: list[tuple[int, Any, int]] = []  # (teacher id, document, position)
        for ident, row in rows:
            tid = teachers.get(ident)
            if tid is None or ident in stopped:
                continue
            before = written.get(ident)
            if not row.fast or (single and before is not None):
                stopped.add(ident)  # the plain path reads it (or phase 2 reports the second row)
                continue
            if before is None:
                written[ident] = (row,)
            elif any(r.same_values(row) for r in before):
                continue  # the same row twice is one record (as in phase 2)
            else:
                written[ident] = (*before, row)
            out.append((tid, doc(row.values), 0 if before is None else len(before)))
        if out:
            self.sink.write_ahead_records(set_key, out, budget=self._budget)

    def _set_done(self, set_key: str) -> None:
        written = self._written.pop(set_key, {})
        stopped = self._stopped.pop(set_key, set())
        undo = [ident for ident in stopped if ident in written]
        if undo and not self._stop():
            self.sink.unwrite_ahead(set_key, {ident: len(written[ident]) for ident in undo})
        self.sets[set_key] = {ident for ident in written if ident not in stopped}
