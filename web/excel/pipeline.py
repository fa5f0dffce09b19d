"""The import itself, without the database: read → match → coerce → clean → validate → hand over.

Phase 1 reads every set's sheet (calamine, row by row), matches headers to fields and turns each
row into a canonical record (``SetValidator.coerce``: codes by label/alias/code, dates as text or
Excel dates). Records are kept as tuples (values in column order), not dicts, so 100,000 teachers
with their repeating sets fit in a few hundred megabytes.

Phase 2 goes teacher by teacher (in batches, so people already on file are looked up a thousand
at a time through a ``Directory``): it merges the file with what is on record, runs ``clean`` and
every engine rule with the teacher's whole file (so cross-record and cross-set rules run), checks
one person one number, and hands each clean teacher to a ``Sink`` (the database writer) — unless
this is a dry run or an error was found in all-or-nothing mode, where nothing more is handed over
and the caller rolls back what was.
"""

from __future__ import annotations

import gc
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from operator import attrgetter, itemgetter
from pathlib import Path
from sys import intern
from typing import Any, Callable, Iterable, Iterator, Protocol, Sequence

import msgspec

from engine import errors as E
from engine import idnumber
from engine.emit.excel_template import ID_FIELD, LINK_ID, LINK_NAME, MAIN_SET
from engine.expr import file_fields, reads_only_members
from engine.fastrow import DeferredCheck, compile_rows
from engine.fieldtypes import is_empty
from engine.validate import Violation
from web.excel import fillers
from web.excel.limits import Limits
from web.excel.onrecord import frozen, locked_problems, row_changes
from web.excel.problems import BadFile, ImportProblem, problem
from web.excel.reader import (SheetPlan, alongside_main, loaded_sheets, match_headers, new_plan, open_workbook,
                              plan_sheets, read_meta, sheet_rows)
# Text an export prefixes with ' so that Excel never reads it as a formula (engine/emit/xlsx_writer.py).
from engine.emit.xlsx_writer import NEUTRALISED  # noqa: F401
from web.excel.safety import check_file, check_size, shared_strings_bytes

MODES = ("append", "replace")
# File states an import may change (issue 5 owns the review states): 未报送 and 退回.
EDITABLE_STATES = frozenset({"unsubmitted", "draft", "returned", "rejected"})
STATE_LABELS = {"submitted": "待审核", "school_approved": "待上级审核", "approved": "审核通过",
                "reviewing": "审核中", "change_pending": "变更审核中"}
BATCH = 1000
Progress = Callable[[str, int, int], None]
OnRows = Callable[[str, "list[tuple[str, Row]]"], None]  # set key, (ID number, row) in reading order


# ------------------------------------------------------------------ contracts with the caller


@dataclass
class Existing:
    """A person already on file, as the directory found them."""

    teacher_id: int
    unit_id: int
    unit_name: str
    state: str
    here: bool                                   # at the unit being imported into
    docs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # only when ``here``


class Directory(Protocol):
    def find(self, id_numbers: Sequence[str]) -> dict[str, Existing]: ...


@dataclass
class TeacherWrite:
    """What to write for one teacher: the 基本信息 document and the new records per set."""

    id_number: str
    existing: Existing | None
    basic: dict[str, Any] | None                          # the whole merged document; None: untouched
    sets: dict[str, tuple[str, list[dict[str, Any]]]]     # set → (append|replace, new documents)
    rows: int                                             # spreadsheet rows this write carries
    ahead: bool = False  # the teacher and 基本信息 were written ahead (web/excel/ahead.py); ``sets``: the rest


class Sink(Protocol):
    def add(self, item: TeacherWrite) -> None: ...
    def finish(self) -> None: ...
    def discard(self) -> None: ...   # nothing more is written; the caller rolls back


@dataclass
class Options:
    mode: str = "append"               # repeating sets: append to or replace what is on record
    all_or_nothing: bool = True
    dry_run: bool = False
    limits: Limits = field(default_factory=Limits)
    expected_family: str | None = None  # the unit's family; a template of another one is refused
    unit_label: str = ""
    fast_rows: bool = True              # engine.fastrow for rows that pass their own checks (same results)


@dataclass
class Result:
    rows: int = 0
    imported: int = 0
    teachers_created: int = 0
    teachers_updated: int = 0
    records_written: int = 0
    skipped_identical: int = 0
    teachers_unchanged: int = 0        # on record already, every row of theirs the same (nothing written)
    problems: list[ImportProblem] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    dropped: int = 0                   # problems beyond the limit (counted, not kept)
    seconds: float = 0.0
    dry_run: bool = False
    written: bool = False
    # a dry run: what a real run would do with the teachers that passed (nothing is written)
    would_import: int = 0
    would_create: int = 0
    would_update: int = 0

    def add(self, p: ImportProblem, limits: Limits) -> None:
        if p.severity == "error":
            self.errors += 1
        else:
            self.warnings += 1
        if len(self.problems) < limits.max_errors:
            self.problems.append(p)
        else:
            self.dropped += 1

    def as_json(self, lang: str = "zh") -> dict[str, Any]:
        return {"rows": self.rows, "imported": self.imported, "dry_run": self.dry_run,
                "teachers_created": self.teachers_created, "teachers_updated": self.teachers_updated,
                "records_written": self.records_written, "skipped_identical": self.skipped_identical,
                "teachers_unchanged": self.teachers_unchanged,
                "error_count": self.errors, "warning_count": self.warnings, "not_listed": self.dropped,
                **({"would_import": self.would_import, "would_create": self.would_create,
                    "would_update": self.would_update} if self.dry_run else {}),
                "errors": [p.as_json(lang) for p in self.problems]}

    def as_stored(self) -> dict[str, Any]:
        """``as_json`` with every message in both languages (a job's result, read in either)."""
        return {**self.as_json(), "errors": [p.as_stored() for p in self.problems]}


# ------------------------------------------------------------------ phase 1: reading


class PlainRow:
    """A read row that took the plain path: its Excel row number and canonical values in
    ``plan.keys`` order."""

    __slots__ = ("row", "values", "bad")
    fast = False

    def __init__(self, row: int, values: Sequence[Any], bad: frozenset[str] | None = None) -> None:
        self.row = row
        self.values = values
        self.bad = bad                # keys whose cell could not be read (already reported)

    def same_values(self, other: "Row") -> bool:
        """Whether two rows of one sheet hold equal values (so their documents are equal)."""
        return self.values == other.values


class FastRow(bytes):
    """A read row that passed every check of its own (engine.fastrow), as one bytes object: its
    Excel row number (4 bytes) and its values in ``plan.keys`` order as MessagePack.

    Most rows of a large file are such rows, and all of them are kept until phase 2: packed
    values take about a fifth of the memory of the Python objects, and no object but this one
    (a row object and its number would cost 96 bytes more a row: 38 MB at 100,000 teachers).
    ``values`` unpacks them on each use."""

    __slots__ = ()
    fast = True
    bad = None

    @classmethod
    def of(cls, row: int, values: Sequence[Any]) -> "FastRow":
        return cls(row.to_bytes(4, "little") + _PACK(values))

    @property
    def row(self) -> int:
        return int.from_bytes(self[:4], "little")

    @property
    def values(self) -> Sequence[Any]:
        return _UNPACK(memoryview(self)[4:])  # type: ignore[no-any-return]

    def unpack(self, decode: Callable[[memoryview], Any]) -> Any:
        """The packed values through another MessagePack decoder (one that reads fewer of them)."""
        return decode(memoryview(self)[4:])

    def same_values(self, other: "Row") -> bool:
        """As ``PlainRow.same_values``; two fast rows compare packed: canonical values are equal
        exactly when their MessagePack is (one type per field, lists for codes, no -0.0)."""
        if other.fast:
            return memoryview(self)[4:] == memoryview(other)[4:]  # type: ignore[arg-type]
        return self.values == other.values


Row = PlainRow | FastRow


_PACK = msgspec.msgpack.Encoder().encode
_UNPACK = msgspec.msgpack.Decoder(tuple).decode


@dataclass
class Parsed:
    plans: dict[str, SheetPlan] = field(default_factory=dict)          # set key → plan
    main: dict[str, Row] = field(default_factory=dict)                 # id → 基本信息 row
    # set → id → rows (a tuple: a teacher has one or two rows of a set, a list would cost 40 bytes more)
    subs: dict[str, dict[str, tuple[Row, ...]]] = field(default_factory=dict)
    bad_ids: set[str] = field(default_factory=set)                     # ids with a phase-1 error

    def order(self) -> list[str]:
        """Every teacher of the file: those of 基本信息 in its order, then those only on other
        sheets, sheet by sheet."""
        seen = dict.fromkeys(self.main)
        for rows in self.subs.values():
            for ident in rows:
                seen.setdefault(ident)
        return list(seen)


_LONG_NUMBER_ZH = "文本（该列应设为文本格式：超过 15 位的数字已被 Excel 改写）"
_LONG_NUMBER_EN = "text (format the column as Text: Excel rewrites numbers longer than 15 digits)"


def _id_of(raw: Any) -> tuple[str | None, bool]:
    """The ID number of a cell, normalised (engine.idnumber.normalize); (None, True) when Excel
    stored it as a number."""
    if raw.__class__ is str:  # nearly always: one look at it
        text = idnumber.normalize(raw)
        # interned: a teacher's rows on every sheet share one string (300,000 fewer at 100,000 teachers)
        return (intern(text) if text else None), False
    if raw is None:
        return None, False
    if isinstance(raw, float):
        if abs(raw) >= 1e15:
            return None, True
        if raw.is_integer():
            raw = int(raw)
    text = idnumber.normalize(str(raw))
    return (intern(text) if text else None), False


def _long_number(plan: SheetPlan, key: str, row: int) -> ImportProblem:
    letter, header = plan.letter(key)
    label = plan.cmap.labels.get(key, key).rstrip("*")
    args = {"label": label, "expected_zh": _LONG_NUMBER_ZH, "expected_en": _LONG_NUMBER_EN, "example": "360102199003071234"}
    return problem(E.V_FORMAT, args, sheet=plan.title, row=row, column=letter, header=header)


def _problem_of(plan: SheetPlan, v: Violation, row: int) -> ImportProblem:
    letter, header = plan.letter(v.field) if v.field else (None, None)
    return ImportProblem(plan.title, row, letter, header, v.code, v.message_zh, v.message_en, v.severity,
                         v.hint_zh, v.hint_en)


def read_file(path: Path, cat: Any, family: str, opts: Options, result: Result,
              progress: Progress | None = None, display_name: str | None = None, *,
              parsed: Parsed | None = None, on_sheet: Callable[[str], None] | None = None,
              on_rows: OnRows | None = None) -> Parsed:
    """Phase 1. Raises ``BadFile`` for a file that cannot be imported at all. ``on_rows`` hears of
    the rows kept, a chunk at a time as they are read; ``on_sheet`` of each set whose sheet has
    been read (into ``parsed``)."""
    name = display_name or path.name
    sizes = check_file(path, opts.limits, name)
    wb = open_workbook(path, name)
    meta = read_meta(wb, name)
    _check_meta(meta, cat, family, opts)
    _, sheets, problems = plan_sheets(wb, cat, family, meta)
    for s in sizes:
        if s.name in sheets:  # before loading: a declared 1,000,000-row sheet is refused unread
            check_size(s.name, s.rows, s.columns, opts.limits)
    for p in problems:
        result.add(p, opts.limits)
    parsed = parsed if parsed is not None else Parsed()
    estimate = sum(max((s.rows or 1) - 1, 0) for s in sizes if s.name in sheets) or 1
    done = 0
    header_problems: list[ImportProblem] = []
    # the main sheet first (small sheets are read while it is parsed: loaded_sheets)
    ordered = sorted(sheets.items(), key=lambda kv: kv[1] != MAIN_SET)
    keys = dict(ordered)
    xml = {s.name: s.xml_bytes for s in sizes}
    titles = [t for t, _ in ordered]
    # a second handle parses the shared strings again: only when they are small (a file saved by
    # Excel keeps every distinct text there; one written by this system keeps them in the cells)
    alongside = alongside_main(titles, xml) if ordered and ordered[0][1] == MAIN_SET and \
        shared_strings_bytes(path) <= opts.limits.prefetch_mb * 1024 * 1024 else []
    first_problem = len(result.problems)
    for title, sheet in loaded_sheets(wb, titles, xml, opts.limits, name, alongside=alongside,
                                      second=lambda: open_workbook(path, name)):
        set_key = keys[title]
        plan = new_plan(cat, family, title, set_key)
        start_row, start_col, height, rows = sheet_rows(sheet, title, opts.limits)
        del sheet  # the iterator keeps it while its rows are read
        plan.start_row, plan.start_col = start_row, start_col
        header = next(rows, None)
        if header is None:
            continue
        found = match_headers(plan, list(header))
        header_problems += found
        if any(p.rule == E.V_XLSX_MISSING_COLUMN and p.header is None for p in found) and (
                LINK_ID not in plan.where and (plan.many or ID_FIELD not in plan.where)):
            continue  # rows cannot be tied to a teacher
        parsed.plans[set_key] = plan
        done = _read_rows(plan, rows, start_row, parsed, result, opts, progress, done, estimate, on_rows)
        del rows  # the sheet goes with its iterator: not kept while the next one is parsed
        release_memory()
        if on_sheet is not None:
            on_sheet(set_key)
    if alongside:  # as if read in the workbook's order: its problems, its sets
        place = {t: i for i, t in enumerate(sheets)}

        def sheet_order(p: ImportProblem) -> int:
            return place.get(p.sheet or "", len(place))
        result.problems[first_problem:] = sorted(result.problems[first_problem:], key=sheet_order)
        header_problems.sort(key=sheet_order)
        parsed.subs = {k: parsed.subs[k] for k in sheets.values() if k in parsed.subs}
        parsed.plans = {k: parsed.plans[k] for k in sheets.values() if k in parsed.plans}
    for p in header_problems:
        result.add(p, opts.limits)
    if result.rows == 0 and not header_problems:
        result.add(problem(E.V_XLSX_EMPTY, {}), opts.limits)
    return parsed


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        import ctypes
        import ctypes.util

        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc: nothing to do
        return None


_TRIM = _malloc_trim()


def release_memory() -> None:
    """Hand a parsed sheet's memory back to the system. calamine frees it into the C heap, where
    Python's own objects (allocated in separate arenas) would never reuse it: without this the
    next sheet's rows and the database payloads come on top of it."""
    if _TRIM is not None:
        _TRIM(0)


def _check_meta(meta: dict[str, str], cat: Any, family: str, opts: Options) -> None:
    if not meta:
        return  # a workbook of one's own: columns are matched by header text alone
    province = cat.province or "national"
    found = meta.get("province")
    if found and found != province:
        raise BadFile([problem(E.V_XLSX_OTHER_PROVINCE, {"found": found, "expected": province})])
    version = meta.get("catalogue_version")
    if version and version != cat.version:
        raise BadFile([problem(E.V_XLSX_OTHER_VERSION, {"found": version, "expected": cat.version})])
    fam = meta.get("family")
    if fam and opts.expected_family and fam != opts.expected_family:
        raise BadFile([problem(E.V_XLSX_OTHER_FAMILY, {"found": fam, "expected": opts.expected_family,
                                                       "unit": opts.unit_label})])


def _read_rows(plan: SheetPlan, rows: Iterable[list[Any]], start_row: int, parsed: Parsed, result: Result,
               opts: Options, progress: Progress | None, done: int, estimate: int,
               on_rows: OnRows | None = None) -> int:
    validator = plan.validator
    rows = iter(rows)
    first = next(rows, None)
    if first is None:  # a template's sheet left empty: nothing to compile a fast path for
        return done
    rows = chain((first,), rows)
    columns = [(j, k) for j, k in plan.columns if k not in (LINK_ID, LINK_NAME)]
    id_col = next((j for j, k in plan.columns if k == (LINK_ID if plan.many else ID_FIELD)), None)
    text_keys = {k for _, k in columns if validator.fields[k].spec.type == "text"}
    subs = parsed.subs.setdefault(plan.set_key, {}) if plan.many else None
    excel_row = start_row + 1
    last_tick = time.monotonic()
    marked = [(j, k, k in text_keys) for j, k in columns]
    fast = compile_rows(validator, columns) if opts.fast_rows else None
    width = max([j for j, _ in plan.columns], default=0) + 1
    id_pos = plan.keys.index(ID_FIELD) if not plan.many and ID_FIELD in plan.keys else None
    kept: list[tuple[str, Row]] | None = [] if on_rows is not None else None
    # a row filling a field given to the teacher takes the plain path (never written ahead): phase 2
    # compares it with the file on record (web/excel/fillers.py, V400)
    teachers = [plan.keys.index(k) for k in fillers.teachers_fields(plan) if k in plan.keys]
    for cells in rows:
        if kept is not None and len(kept) >= BATCH:
            on_rows(plan.set_key, kept)  # type: ignore[misc]
            kept = []
        excel_row += 1
        n = len(cells)
        values = fast.check(cells) if fast is not None and n >= width else None
        if values is not None and teachers and any(not is_empty(values[i]) for i in teachers):
            values = None
        if values is not None:
            ident, _ = _id_of(cells[id_col] if id_col is not None else None)
            if ident is None or (id_pos is not None and values[id_pos] != ident):
                values = None
        # a row the fast path took has its ID filled: only the others can be empty
        if values is None and cells.count("") + cells.count(None) == n:  # C-level counting, no per-cell Python
            continue
        result.rows += 1
        done += 1
        if progress is not None and (done % 2000 == 0) and time.monotonic() - last_tick > 0.2:
            last_tick = time.monotonic()
            progress("read", done, estimate)
        if values is not None:
            row: Row = FastRow.of(excel_row, values)
            if _keep(plan, row, ident, parsed, subs, result, opts) and kept is not None:  # type: ignore[arg-type]
                kept.append((ident, row))  # type: ignore[arg-type]
            continue
        raw: dict[str, Any] = {}
        long_numbers: list[str] = []
        for j, key, is_text in marked:
            value = cells[j] if j < n else ""
            if is_text and (value.__class__ is not str or value[:1] == "'"):  # only these can need care
                if isinstance(value, float) and abs(value) >= 1e15:
                    long_numbers.append(key)
                    continue
                if isinstance(value, str) and value[:1] == "'" and value[1:2] in NEUTRALISED:
                    value = value[1:]  # an export's guard against formula injection
            raw[key] = value
        ident, id_is_number = _id_of(cells[id_col] if id_col is not None and id_col < n else None)
        record, violations = validator.coerce(raw)
        bad: set[str] = set(long_numbers)
        for key in long_numbers:
            result.add(_long_number(plan, key, excel_row), opts.limits)
        for v in violations:
            bad.add(v.field)
            result.add(_problem_of(plan, v, excel_row), opts.limits)
        if plan.many and ident is None:
            key = LINK_ID
            if id_is_number:
                result.add(_long_number(plan, key, excel_row), opts.limits)
            else:
                letter, header = plan.letter(key)
                result.add(problem(E.V_REQUIRED, {"label": "身份证件号"}, sheet=plan.title, row=excel_row,
                                   column=letter, header=header), opts.limits)
            continue
        if not plan.many and ident is None:
            if not long_numbers:  # an empty ID is reported by the required check of phase 2
                letter, header = plan.letter(ID_FIELD)
                result.add(problem(E.V_REQUIRED, {"label": plan.cmap.labels.get(ID_FIELD, "身份证件号").rstrip("*")},
                                   sheet=plan.title, row=excel_row, column=letter, header=header), opts.limits)
            continue
        assert ident is not None
        if not plan.many:
            record[ID_FIELD] = ident
        values = tuple(record.get(k) for k in plan.keys)
        if bad:
            parsed.bad_ids.add(ident)
        row = PlainRow(excel_row, values, frozenset(bad) if bad else None)
        if _keep(plan, row, ident, parsed, subs, result, opts) and kept is not None:
            kept.append((ident, row))
    if kept:
        on_rows(plan.set_key, kept)  # type: ignore[misc]
    if progress is not None:
        progress("read", done, estimate)
    return done


def _keep(plan: SheetPlan, entry: Row, ident: str, parsed: Parsed, subs: dict[str, tuple[Row, ...]] | None,
          result: Result, opts: Options) -> bool:
    """File a read row under its teacher (a second 基本信息 row of one person is an error: False)."""
    if subs is not None:
        got = subs.get(ident)
        subs[ident] = (entry,) if got is None else (*got, entry)
    else:
        first = parsed.main.get(ident)
        if first is not None:
            letter, header = plan.letter(ID_FIELD)
            result.add(problem(E.V_XLSX_DUPLICATE_ID, {"id": ident, "first": first.row}, sheet=plan.title,
                               row=entry.row, column=letter, header=header), opts.limits)
            parsed.bad_ids.add(ident)
            return False
        parsed.main[ident] = entry
    return True


# ------------------------------------------------------------------ phase 2: checking and handing over


def _doc(record: dict[str, Any]) -> dict[str, Any]:
    """A record as stored: empty values left out."""
    return {k: v for k, v in record.items() if not is_empty(v)}


def filled_doc(keys: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
    """``_doc(dict(zip(keys, values)))`` for canonical values (never "", so None and [] are empty)."""
    return {k: v for k, v in zip(keys, values) if v is not None and v != []}


@lru_cache(maxsize=64)
def doc_maker(keys: tuple[str, ...]) -> Callable[[Sequence[Any]], msgspec.Struct]:
    """``doc_maker(keys)(row.values)``: the document of a fast row as a msgspec Struct, which
    encodes to the JSON of ``filled_doc(keys, row.values)`` (its empty fields, all None in a fast
    row, left out) and compares equal as those dicts do, without building a dict: the
    write-ahead makes hundreds of thousands of documents and only encodes them.

    The fields come out in the order PostgreSQL keeps a JSONB object's keys (shorter first, then
    bytewise): it sorts every object it stores, and a sorted one it only checks. The stored
    document is the same either way."""
    order = sorted(range(len(keys)), key=lambda i: (len(keys[i].encode()), keys[i].encode()))
    names = [f"f{i}" for i in range(len(keys))]
    struct = msgspec.defstruct("Doc", [(n, Any, None) for n in names],
                               rename={n: keys[i] for n, i in zip(names, order)}, omit_defaults=True)
    if len(order) == 1:  # itemgetter of one index gives the item, not a tuple
        return lambda values: struct(values[order[0]])
    pick = itemgetter(*order)
    return lambda values: struct(*pick(values))


def check_and_write(parsed: Parsed, cat: Any, family: str, directory: Directory, sink: Sink | None,
                    opts: Options, result: Result, progress: Progress | None = None, ahead: Any = None) -> None:
    validators = {k: p.validator for k, p in parsed.plans.items()}
    deferred = {k: DeferredCheck(v) for k, v in validators.items()}
    ctx = _Context(parsed, opts, result, validators, deferred,
                   frozenset(k for k, spec in cat.sets.items() if spec.cardinality == "one"),
                   ahead, _FileRules(parsed, deferred) if ahead is not None else None)
    writing = sink is not None and not opts.dry_run and not (opts.all_or_nothing and result.errors)
    # closed on the way out, also by an error: no look-up may still run on the reader afterwards
    order = parsed.order()
    with closing(_looked_up(order, directory, ahead)) as chunks:
        writing = _check_chunks(ctx, chunks, sink, writing, progress, len(order))
    if writing and sink is not None:
        sink.finish()
        result.written = True
    else:
        if sink is not None:
            sink.discard()
        result.imported = 0
        result.teachers_created = result.teachers_updated = result.records_written = 0
    if opts.all_or_nothing and result.errors:  # the real run would write nothing either
        result.would_import = result.would_create = result.would_update = 0


@dataclass
class _Context:
    """What phase 2 needs at hand for every teacher."""

    parsed: Parsed
    opts: Options
    result: Result
    validators: dict[str, Any]
    deferred: dict[str, Any]      # set key → engine.fastrow.DeferredCheck
    single_sets: frozenset[str]   # sets of one record a teacher (联系方式)
    ahead: Any                    # web/excel/ahead.WriteAhead, or None
    lean: "_FileRules | None"


def _check_chunks(ctx: _Context, chunks: Iterator[tuple[int, list[str], dict[str, Existing]]], sink: Sink | None,
                  writing: bool, progress: Progress | None, total: int) -> bool:
    """Check (and hand over) every teacher (``total`` of them); False once nothing may be
    written any more."""
    parsed, opts, result, ahead, lean = ctx.parsed, ctx.opts, ctx.result, ctx.ahead, ctx.lean
    # complete once phase 2 starts: who was written ahead, and which of their sets in full
    ahead_ids, ahead_sets = (ahead.teachers, ahead.sets) if ahead is not None else ({}, {})
    last_tick = time.monotonic()
    for start, chunk, found in chunks:
        for ident in chunk:
            if lean is not None and ident in ahead_ids and ident not in parsed.bad_ids:
                settled = lean.settle(ident, ahead_sets, ctx.single_sets, result, opts)
                if settled is not None:  # written ahead in full: only the rules reading the file were left
                    errors, rows = settled
                    if errors and opts.all_or_nothing:
                        writing = False
                    if writing and not errors:
                        result.imported += rows
                    continue
            item, errors = _teacher(ident, parsed, found.get(ident), ctx.single_sets, ctx.validators, ctx.deferred,
                                    opts, result)
            if errors or ident in parsed.bad_ids:
                if opts.all_or_nothing:
                    writing = False
                continue
            if opts.dry_run and item is not None:
                result.would_import += item.rows
                if item.existing is None:
                    result.would_create += 1
                else:
                    result.would_update += 1
            if writing and item is not None:
                assert sink is not None
                result.imported += item.rows
                if ident in ahead_ids:
                    item.ahead = True
                    item.sets = {k: v for k, v in item.sets.items() if ident not in ahead_sets.get(k, ())}
                    if not item.sets:
                        continue
                sink.add(item)
        if progress is not None and time.monotonic() - last_tick > 0.2:
            last_tick = time.monotonic()
            progress("check", min(start + BATCH, total), total)
    if progress is not None:
        progress("check", total, total)
    return writing


def _fields_to_build(deferred: dict[str, Any]) -> dict[str, set[str] | None] | None:
    """What the rules of ``deferred`` (set key → validator) read, set by set: the fields (None:
    the whole document); None when one of them reads the file some other way (every set, whole)."""
    build: dict[str, set[str] | None] = {}

    def need(set_key: str, fields: set[str] | None) -> None:
        if fields is None or build.get(set_key, set()) is None:
            build[set_key] = None
        else:
            build.setdefault(set_key, set()).update(fields)  # type: ignore[union-attr]

    for set_key, v in deferred.items():
        need(set_key, set())
        namespaced = any("." in k for k in v.fields)
        for r in v.view.rules:
            if r.id not in v.deferred_rules:
                continue
            for e in (r.check, r.when):
                if e is None:
                    continue
                whole = namespaced or "records" in e.variables or not reads_only_members(e.src, "record")
                need(set_key, None if whole else set(e.refs))
                if "file" not in e.variables:
                    continue
                if not reads_only_members(e.src, "file"):
                    return None
                for read, fields in file_fields(e.src).items():
                    need(read, fields)
    return build


@lru_cache(maxsize=64)
def _picker(keys: tuple[str, ...], pick: tuple[tuple[str, int], ...] | None) -> Callable[[Row], dict[str, Any]]:
    """``picker(row)``: the document of a row as phase 2's rules read it: of the fields ``pick``ed
    (field, position in ``keys``) those filled, or every filled field when ``pick`` is None. A
    fast row is unpacked only as far as the last field picked (most of 基本信息's 34 are not)."""
    if pick is None:
        return lambda row: filled_doc(keys, row.values)
    if not pick:
        return lambda row: {}
    names = tuple(k for k, _ in pick)
    at = [i for _, i in pick]
    # array_like: the packed values decode by position; those after the last field are skipped
    partial = msgspec.defstruct("Picked", [(f"f{i}", Any, None) for i in range(max(at) + 1)], array_like=True)
    decode = msgspec.msgpack.Decoder(partial).decode
    if len(at) == 1:
        name, attr, index = names[0], f"f{at[0]}", at[0]

        def one(row: Row) -> dict[str, Any]:
            value = getattr(row.unpack(decode), attr) if row.fast else row.values[index]  # type: ignore[union-attr]
            return {} if value is None else {name: value}
        return one
    from_struct, from_tuple = attrgetter(*(f"f{i}" for i in at)), itemgetter(*at)

    def many(row: Row) -> dict[str, Any]:
        got = from_struct(row.unpack(decode)) if row.fast else from_tuple(row.values)  # type: ignore[union-attr]
        return {k: v for k, v in zip(names, got) if v is not None}
    return many


def _distinct(rows: Sequence[Row]) -> Sequence[Row]:
    """The rows, each once (the first of equal rows: one record, as in phase 2's plain path)."""
    if len(rows) == 2:  # the usual case of a repeating set
        return rows[:1] if rows[0].same_values(rows[1]) else rows
    out: list[Row] = []
    for r in rows:
        if not any(p.same_values(r) for p in out):
            out.append(r)
    return out


class _FileRules:
    """Phase 2 for a teacher written ahead in full (web/excel/ahead.py): every row passed its own
    checks, so what ``_teacher`` would still find comes from the rules that read the file or
    the set's other records (``SetValidator.validate_deferred``). Only the documents those rules
    read are built, and of them only the fields they read; the problems are the same, in the
    same order."""

    def __init__(self, parsed: Parsed, checks: dict[str, Any]) -> None:
        self.parsed = parsed
        self.plans = parsed.plans
        deferred = {k: p.validator for k, p in parsed.plans.items() if p.validator.deferred_rules}
        self.deferred = deferred
        self.checks = checks
        build = _fields_to_build(deferred)
        # per set: a row → the document the rules read (only the fields they read, or all)
        self.docs: dict[str, Callable[[Row], dict[str, Any]]] = {}
        for set_key, plan in parsed.plans.items():
            fields = None if build is None else build.get(set_key)
            self.docs[set_key] = _picker(plan.keys, None if fields is None else tuple(
                (k, i) for i, k in enumerate(plan.keys) if k in fields))
        self.main_doc = build is None or MAIN_SET in build
        # the sheets with rows: (set, rows by teacher, its documents are read?, its rules to run?)
        self.present = [(k, rows, build is None or k in build, k in deferred)
                        for k, rows in parsed.subs.items() if rows]

    def settle(self, ident: str, written: dict[str, set[str]], single_sets: frozenset[str], result: Result,
               opts: Options) -> tuple[int, int] | None:
        """(errors found, rows of the teacher), or None when not every record of the teacher
        was written ahead (``written``: set → teachers whose records of it all were)."""
        rows_here = 1
        placed: list[tuple[str, Sequence[Row]]] = []  # the sets whose documents are read
        checked = MAIN_SET in self.deferred
        skipped = 0
        for set_key, by_teacher, read, rules in self.present:
            rows = by_teacher.get(ident)
            if rows is None:
                continue
            if ident not in written.get(set_key, ()):
                return None
            n = len(rows)
            rows_here += n
            if n > 1:
                distinct: Sequence[Row] = _distinct(rows)
                skipped += n - len(distinct)
            else:
                distinct = rows
            if read:
                placed.append((set_key, distinct))
            checked = checked or rules
        if skipped:
            result.skipped_identical += skipped
        if not checked:  # no rule of these sets reads the file: nothing to build
            return 0, rows_here
        main = self.parsed.main[ident]
        docs = self.docs
        file: dict[str, Any] = {MAIN_SET: docs[MAIN_SET](main)} if self.main_doc else {}
        for set_key, distinct in placed:
            made = [docs[set_key](r) for r in distinct]
            file[set_key] = (made[0] if made else {}) if set_key in single_sets else made
        errors = 0
        for set_key, rows in ((MAIN_SET, (main,)), *placed):
            if set_key not in self.deferred or self._all_pass(set_key, file, single_sets):
                continue
            check = self.checks[set_key]
            if set_key == MAIN_SET:
                found = [(main, v) for v in check(file[MAIN_SET], file=file)]
            elif set_key in single_sets:
                found = [(r, v) for r in rows for v in check(file[set_key], file=file)]
            else:
                records = file[set_key]
                found = [(r, v) for i, r in enumerate(rows) for v in check(records[i], records=records, file=file,
                                                                          index=i)]
            plan = self.plans[set_key]
            for r, v in found:
                p = _problem_of(plan, v, r.row)
                errors += p.severity == "error"
                result.add(p, opts.limits)
        return errors, rows_here

    def _all_pass(self, set_key: str, file: dict[str, Any], single_sets: frozenset[str]) -> bool:
        """True when the set's compiled check passes every record of the file (the usual case:
        nothing to say, and no per-record call of the checker); False: ask the checker."""
        passes = self.checks[set_key].passes
        if set_key == MAIN_SET or set_key in single_sets:
            return passes(file[set_key], None, file)  # type: ignore[no-any-return]
        records = file[set_key]
        return all(passes(record, records, file) for record in records)


def _looked_up(ids: list[str], directory: Directory,
               ahead: Any = None) -> Iterator[tuple[int, list[str], dict[str, Existing]]]:
    """(start, chunk of ids, who of them is on file), a chunk at a time; numbers the write-ahead
    looked up already are not asked again. A directory on a connection of its own
    (``concurrent``) looks the next chunk up while this one is checked."""
    def find(chunk: list[str]) -> dict[str, Existing]:
        if ahead is None:
            return directory.find(chunk)
        found, rest = ahead.known(chunk)
        return {**found, **directory.find(rest)} if rest else found

    chunks = [(start, ids[start:start + BATCH]) for start in range(0, len(ids), BATCH)]
    if not getattr(directory, "concurrent", False) or len(chunks) < 2:
        for start, chunk in chunks:
            yield start, chunk, find(chunk)
        return
    with ThreadPoolExecutor(1, thread_name_prefix="import-lookup") as pool:
        pending = pool.submit(find, chunks[0][1])
        for number, (start, chunk) in enumerate(chunks):
            found = pending.result()
            if number + 1 < len(chunks):
                pending = pool.submit(find, chunks[number + 1][1])
            yield start, chunk, found


def _teacher(ident: str, parsed: Parsed, existing: Existing | None, single_sets: frozenset[str],
             validators: dict[str, Any], deferred: dict[str, Any], opts: Options,
             result: Result) -> tuple[TeacherWrite | None, int]:
    errors = 0

    def report(p: ImportProblem) -> None:
        nonlocal errors
        if p.severity == "error":
            errors += 1
        result.add(p, opts.limits)

    main = parsed.main.get(ident)
    main_plan = parsed.plans.get(MAIN_SET)
    sub_rows = {k: rows[ident] for k, rows in parsed.subs.items() if ident in rows}
    rows_here = (1 if main else 0) + sum(len(r) for r in sub_rows.values())

    def at_id(code: str, args: dict[str, Any]) -> None:
        """Report on the ID cell of every row of this teacher (the main row, else each sub row)."""
        if main is not None and main_plan is not None:
            letter, header = main_plan.letter(ID_FIELD)
            report(problem(code, args, sheet=main_plan.title, row=main.row, column=letter, header=header))
            return
        for set_key, rows in sub_rows.items():
            plan = parsed.plans[set_key]
            letter, header = plan.letter(LINK_ID)
            for r in rows:
                report(problem(code, args, sheet=plan.title, row=r.row, column=letter, header=header))

    if existing is not None and not existing.here:
        at_id(E.V_XLSX_ELSEWHERE, {"id": ident, "unit": existing.unit_name})
        return None, errors
    if existing is None and main is None:
        at_id(E.V_XLSX_NO_TEACHER, {"id": ident})
        return None, errors

    # -- the teacher's file as it will be after the import
    file: dict[str, Any] = {k: list(v) for k, v in (existing.docs.items() if existing else [])}
    basic_doc: dict[str, Any] | None = None
    new = existing is None  # rows that passed their own checks need only the file's rules (engine.fastrow)
    if main is not None and main_plan is not None:
        if new and main.fast:
            basic_doc = filled_doc(main_plan.keys, main.values)
        else:
            merged = dict(existing.docs.get(MAIN_SET, [{}])[0]) if existing and existing.docs.get(MAIN_SET) else {}
            merged.update(zip(main_plan.keys, main.values))
            merged[ID_FIELD] = ident
            basic_doc = _doc(validators[MAIN_SET].clean(merged))
        file[MAIN_SET] = basic_doc
    elif existing is not None:
        file[MAIN_SET] = (existing.docs.get(MAIN_SET) or [{}])[0]
    new_sets: dict[str, tuple[str, list[dict[str, Any]]]] = {}
    positions: dict[str, list[tuple[Row, int]]] = {}
    for set_key, rows in sub_rows.items():
        plan = parsed.plans[set_key]
        single = plan.validator.view.spec.cardinality == "one"  # e.g. 联系方式: one row replaces it
        if single and len(rows) > 1:
            letter, header = plan.letter(LINK_ID)
            for r in rows[1:]:
                report(problem(E.V_XLSX_DUPLICATE_ID, {"id": ident, "first": rows[0].row}, sheet=plan.title,
                               row=r.row, column=letter, header=header))
            rows = rows[:1]
        old = [] if opts.mode == "replace" or single else list(file.get(set_key) or [])
        seen = {frozen(d) for d in old}
        new_docs: list[dict[str, Any]] = []
        placed: list[tuple[Row, int]] = []
        for r in rows:
            if new and r.fast:
                doc = filled_doc(plan.keys, r.values)
                if doc in new_docs:  # the same row twice (dict equality: what frozen compares)
                    result.skipped_identical += 1
                    continue
                placed.append((r, len(new_docs)))
                new_docs.append(doc)
                continue
            record = dict(zip(plan.keys, r.values))
            # a 无 record keeps what was typed beside it, so that validate says so (V010)
            # instead of the import dropping it silently
            doc = _doc(record if plan.validator.is_none_record(record) else plan.validator.clean(record))
            same = frozen(doc)
            if same in seen:  # already on record (an export imported again): nothing to add
                result.skipped_identical += 1
                continue
            seen.add(same)
            placed.append((r, len(old) + len(new_docs)))
            new_docs.append(doc)
        file[set_key] = old + new_docs
        new_sets[set_key] = ("replace" if single else opts.mode, new_docs)
        positions[set_key] = placed
    if existing is not None:  # only what the rows change concerns the import (web/excel/onrecord.py)
        changes, unchanged = row_changes(existing.docs, main, main_plan, basic_doc, parsed.plans, new_sets, positions)
        if not changes:
            result.teachers_unchanged += 1
            return None, errors
        if existing.state not in EDITABLE_STATES:
            for p in locked_problems(ident, existing.state, STATE_LABELS.get(existing.state, existing.state),
                                     changes, parsed.plans):
                report(p)
            return None, errors
        for set_key in unchanged:
            del new_sets[set_key], positions[set_key]
        if not any(c.set_key == MAIN_SET for c in changes):
            basic_doc = None  # unchanged: neither checked nor written
    for p in fillers.problems(ident, existing.docs if existing else {}, main, main_plan, basic_doc, parsed.plans,
                              new_sets, positions):  # fields given to the teacher: not the import's (V400)
        report(p)
    for set_key, value in list(file.items()):  # rules read a single-record set as one record
        if isinstance(value, list) and set_key in single_sets:
            file[set_key] = value[0] if value else {}

    # -- every engine rule, with the whole file
    if basic_doc is not None and main is not None and main_plan is not None:
        check = deferred[MAIN_SET] if new and main.fast else validators[MAIN_SET].validate
        for v in check(basic_doc, file=file):
            if _reported(main_plan, v, main):
                continue
            report(_problem_of(main_plan, v, main.row))
    for set_key, placed in positions.items():
        plan = parsed.plans[set_key]
        records = file[set_key]
        if isinstance(records, dict):  # a single-record set: one record, no index
            for r, _ in placed:
                check = deferred[set_key] if new and r.fast else plan.validator.validate
                for v in check(records, file=file):
                    if not _reported(plan, v, r):
                        report(_problem_of(plan, v, r.row))
            continue
        for r, index in placed:
            check = deferred[set_key] if new and r.fast else plan.validator.validate
            for v in check(records[index], records=records, file=file, index=index):
                if _reported(plan, v, r):
                    continue
                report(_problem_of(plan, v, r.row))
    return TeacherWrite(ident, existing, basic_doc, new_sets, rows_here), errors


def _reported(plan: SheetPlan, v: Violation, row: Row) -> bool:
    """Already said in phase 1 (unreadable cell) or at the header (a missing required column)."""
    if row.bad is not None and v.field in row.bad:
        return True
    if v.code == E.V_REQUIRED and v.field not in plan.where and v.field in plan.cmap.required:
        return True
    return False


_RUNTIME_LOCK = threading.Lock()
_RUNTIME = [0, False, 0.0]  # imports running; before the first: collector on?, switch interval
SWITCH_INTERVAL = 0.0002    # seconds a thread may hold the GIL while another waits (Python's default: 0.005)


@contextmanager
def _import_runtime() -> Iterator[None]:
    """The interpreter set for imports while any runs, and given back with the last one (both
    are switches of the whole process):
    - Python's cyclic garbage collector is off. An import makes millions of short-lived objects
      and keeps hundreds of thousands (rows), none of them in cycles: the collector would walk
      the kept ones again and again (a fifth of the import's time) and find nothing. Reference
      counting frees everything as before.
    - A thread waiting for the GIL gets it within 0.2 ms, not 5. The thread that feeds
      PostgreSQL (web/excel/store.py) needs it for every 128 KB it sends while the reading and
      checking threads hold it; at 5 ms a turn the database sat idle for a third of a large
      import."""
    with _RUNTIME_LOCK:
        if _RUNTIME[0] == 0:
            _RUNTIME[1] = gc.isenabled()
            _RUNTIME[2] = sys.getswitchinterval()
            gc.disable()
            sys.setswitchinterval(SWITCH_INTERVAL)
        _RUNTIME[0] += 1
    try:
        yield
    finally:
        with _RUNTIME_LOCK:
            _RUNTIME[0] -= 1
            if _RUNTIME[0] == 0:
                sys.setswitchinterval(_RUNTIME[2])
                if _RUNTIME[1]:
                    gc.enable()


def run(path: Path, cat: Any, family: str, directory: Directory, sink: Sink | None, opts: Options,
        progress: Progress | None = None, display_name: str | None = None, result: Result | None = None) -> Result:
    """Phase 1 and phase 2. ``BadFile`` problems come back as the result's only errors."""
    if opts.mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    with _import_runtime():
        return _run(path, cat, family, directory, sink, opts, progress, display_name, result)


def _run(path: Path, cat: Any, family: str, directory: Directory, sink: Sink | None, opts: Options,
         progress: Progress | None, display_name: str | None, result: Result | None) -> Result:
    started = time.perf_counter()
    result = result if result is not None else Result()
    result.dry_run = opts.dry_run
    parsed = Parsed()
    ahead = None
    if sink is not None and getattr(sink, "background", False) and getattr(directory, "concurrent", False) \
            and opts.all_or_nothing and not opts.dry_run and opts.fast_rows:
        from web.excel.ahead import WriteAhead  # it builds on this module's types

        ahead = WriteAhead(parsed, directory, sink, result)
    try:
        try:
            read_file(path, cat, family, opts, result, progress, display_name, parsed=parsed,
                      on_sheet=ahead.sheet_read if ahead is not None else None,
                      on_rows=ahead.rows_read if ahead is not None else None)
        except BadFile as exc:
            for p in exc.problems:
                result.add(p, opts.limits)
            result.seconds = time.perf_counter() - started
            return result
        try:
            if ahead is not None:
                ahead.reading_done()  # re-raises what stopped the writing ahead (V222, say)
            check_and_write(parsed, cat, family, directory, sink, opts, result, progress, ahead)
        except BadFile as exc:  # e.g. a file submitted while the import ran: the caller rolls back
            result.written = False
            result.imported = result.teachers_created = result.teachers_updated = result.records_written = 0
            for p in exc.problems:
                result.add(p, opts.limits)
    finally:
        if ahead is not None:
            ahead.close()
    result.seconds = time.perf_counter() - started
    return result
