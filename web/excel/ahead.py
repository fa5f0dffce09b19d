"""Writing ahead: while the rest of a workbook is read, what can no longer change is written.

A PostgreSQL import spends about as long in the database (JSONB, indexes, foreign keys) as in
checking. Phase 2 can only start once every sheet is read, so without this the database would
idle through the reading. In an all-or-nothing import nothing is kept unless everything passes,
so a teacher can be written before the whole file is checked: if anything turns out wrong, the
one rollback undoes it with the rest.

What is written ahead, and only that: new teachers (nobody on file has the ID number) whose
基本信息 row passed every check of its own (engine.fastrow), and then, sheet by sheet, those
teachers' records of a set when every row of theirs in that sheet passed too. Records are the
documents phase 2 would write (same values, order and duplicate rows dropped), so phase 2 only
checks these teachers' cross-set rules and writes what is left (``TeacherWrite.ahead``).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from engine.emit.excel_template import MAIN_SET
from web.excel.pipeline import Directory, Existing, Parsed, Result, Row

CHUNK = 1000  # teachers per write job (bounds the memory of one COPY payload)
# bytes of payload that may wait for the database: while the next sheet is read (the teachers) and
# between sheets (their records, when the sheet just read has been handed back)
SMALL_QUEUE = 8 * 1024 * 1024
LARGE_QUEUE = 64 * 1024 * 1024


class WriteAhead:
    """Looks up the 基本信息 ID numbers as soon as that sheet is read and queues writes on the
    sink's writer thread. Use: ``sheet_loaded(set_key)`` when a sheet is parsed, ``sheet_read``
    after its rows are read, ``reading_done()``, then ``known(ids)`` for the look-ups phase 2
    needs and ``teachers`` / ``sets`` for what is done."""

    def __init__(self, parsed: Parsed, directory: Directory, sink: Any, result: Result) -> None:
        self.parsed = parsed
        self.result = result
        self.directory = directory
        self.sink = sink
        self.teachers: set[str] = set()             # written with their 基本信息 record
        self.sets: dict[str, set[str]] = {}         # set key → teachers whose records of it are written
        self.found: dict[str, Existing] = {}        # early look-ups: people on file
        self.looked: set[str] = set()               # early look-ups: every number asked about
        self._lookup: Future[None] | None = None
        self._queued: Future[None] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._waiting: list[str] = []               # sets read before the teachers could be queued

    def sheet_read(self, set_key: str) -> None:
        if set_key == MAIN_SET:
            ids = list(self.parsed.main)
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="import-ahead")
            self._lookup = self._pool.submit(self._look_up, ids)
            return
        self._waiting.append(set_key)
        if self._queued is not None and self._queued.done():
            self._flush()

    def sheet_loaded(self, set_key: str) -> None:
        """The next sheet is parsed (calamine's peak of memory is over): the teachers may go."""
        if self._pool is not None and self._queued is None:
            self._queued = self._pool.submit(self._queue_teachers)

    def reading_done(self) -> None:
        self._flush()
        self.close()

    def close(self) -> None:
        """Wait for the look-ups (their connection is closed after the import)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def known(self, ids: list[str]) -> tuple[dict[str, Existing], list[str]]:
        """Who of ``ids`` the early look-ups found, and the numbers still to look up."""
        return {i: self.found[i] for i in ids if i in self.found}, [i for i in ids if i not in self.looked]

    # -- inside ---------------------------------------------------------------------------
    def _look_up(self, ids: list[str]) -> None:
        """On the look-up thread: who is on file, then (at once) the new teachers' writes."""
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            self.found.update(self.directory.find(chunk))
            self.looked.update(chunk)

    def _queue_teachers(self) -> None:
        """On the look-up thread, after the look-ups: the new teachers' writes."""
        parsed = self.parsed
        if self.result.errors or MAIN_SET not in parsed.plans:
            return  # the import will be rolled back: write nothing
        main = [(ident, row) for ident, row in parsed.main.items()
                if row.fast and ident not in self.found and ident not in parsed.bad_ids]
        keys = parsed.plans[MAIN_SET].keys
        for start in range(0, len(main), CHUNK):
            chunk = [(i, [r]) for i, r in main[start:start + CHUNK]]
            # while a sheet may still sit in memory, only a little may wait for the database
            self.sink.write_ahead(MAIN_SET, keys, chunk, ids=self.directory.new_teacher_ids(len(chunk)),
                                  budget=SMALL_QUEUE)
        self.teachers.update(i for i, _ in main)

    def _flush(self) -> None:
        """Queue the records of every set read so far, once the teachers are queued."""
        if self._lookup is None or self._pool is None:
            return  # no 基本信息 sheet: nothing can be written ahead
        if self._queued is None:  # no sheet came after 基本信息
            self._queued = self._pool.submit(self._queue_teachers)
        self._lookup.result()  # re-raises a failed look-up
        self._queued.result()  # waits for the teachers to be queued
        parsed = self.parsed
        if self.result.errors or not self.teachers:  # nothing written, or it will be rolled back
            self._waiting.clear()
            return
        for set_key in self._waiting:
            plan = parsed.plans.get(set_key)
            rows = parsed.subs.get(set_key)
            if plan is None or rows is None:
                continue
            single = plan.validator.view.spec.cardinality == "one"
            ready: list[tuple[str, list[Row]]] = [
                (ident, rs) for ident, rs in rows.items()
                if ident in self.teachers and all(r.fast for r in rs) and not (single and len(rs) > 1)]
            for start in range(0, len(ready), CHUNK):
                self.sink.write_ahead(set_key, plan.keys, ready[start:start + CHUNK], budget=LARGE_QUEUE)
            self.sets[set_key] = {ident for ident, _ in ready}
        self._waiting.clear()
